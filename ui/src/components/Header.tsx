// Status bar: mode, feed connections, market clock, uptime, alerts today,
// ticks/s, history warm-up, store/Telegram health and the push connection.
import { useLive, useTicker } from '../state/hooks';
import { connectionHealth, feedHealth, marketClock, modeBadge, type Health } from '../lib/market';
import { fmtDuration } from '../lib/format';

function Dot({ health, label, title }: { health: Health; label: string; title: string }) {
  return (
    <span class={`chip health-${health}`} title={title} aria-label={`${label}: ${title}`}>
      <span class="dot" aria-hidden="true" />
      {label}
    </span>
  );
}

export function Header() {
  const live = useLive();
  const now = useTicker(1000);
  const s = live.status;
  const serverNow = s ? s.server_time_ms + (now - live.statusAtMs) : now;
  const clock = s ? marketClock(s.market, serverNow) : null;
  const tps = s ? s.feed.connections.reduce((a, c) => a + c.packets_per_second, 0) : 0;
  const uptime = s ? s.uptime_seconds + Math.max(0, (now - live.statusAtMs) / 1000) : 0;
  return (
    <header class="statusbar" role="banner">
      <div class="brand">fno-scanner</div>
      {s && (
        <span class={`mode mode-${s.mode}`} data-testid="mode" title={modeBadge(s).title}>
          {modeBadge(s).label}
        </span>
      )}
      {live.connection !== 'open' && (
        <span class="chip health-warn reconnecting" role="status" data-testid="reconnecting">
          <span class="dot" aria-hidden="true" />
          {live.connection === 'reconnecting' ? 'reconnecting…' : 'connecting…'}
        </span>
      )}
      {s && (
        <>
          <Dot
            health={feedHealth(s.feed.health)}
            label="Feed"
            title={`${s.feed.health}${s.feed.message ? `: ${s.feed.message}` : ''} · ${s.feed.instruments} instruments · ${s.feed.reconnects} reconnects · ${s.feed.drops} drops`}
          />
          <span class="conns" aria-label="feed connections">
            {s.feed.connections.map((c) => (
              <span
                key={c.id}
                class={`conn health-${connectionHealth(c.state, c.last_packet_age_seconds)}`}
                title={`connection ${c.id}: ${c.state} · ${c.instruments} instruments · ${c.packets_per_second.toFixed(1)} pkt/s · last packet ${c.last_packet_age_seconds ?? '—'} s ago · ${c.reconnects} reconnects · ${c.stalls} stalls${c.last_error ? ` · ${c.last_error}` : ''}`}
              />
            ))}
          </span>
          <span class={`chip market ${clock?.open ? 'health-good' : 'health-idle'}`} data-testid="market">
            <span class="dot" aria-hidden="true" />
            {clock?.label}
          </span>
          <span class="stat" title="uptime">⏱ {fmtDuration(uptime)}</span>
          <span class="stat" title={`alerts today (total ${s.alerts.total})`} data-testid="alerts-today">
            🔔 {s.alerts.today}
          </span>
          <span class="stat" title="feed packets per second">{tps.toFixed(0)} ticks/s</span>
          {s.history.total > 0 && s.history.done + s.history.failed < s.history.total && (
            <label class="warmup" title={`history: ${s.history.done} done, ${s.history.failed} failed of ${s.history.total}`}>
              warm-up
              <progress max={s.history.total} value={s.history.done + s.history.failed} />
            </label>
          )}
          <Dot
            health={s.store.degraded ? 'bad' : 'good'}
            label="Store"
            title={s.store.degraded ? `degraded: ${s.store.error}` : 'healthy'}
          />
          {s.telegram && (
            <Dot
              health={!s.telegram.enabled ? 'idle' : s.telegram.healthy ? 'good' : 'bad'}
              label="Telegram"
              title={!s.telegram.enabled ? 'not configured' : s.telegram.healthy ? 'healthy' : s.telegram.error ?? 'failing'}
            />
          )}
          {s.status !== 'ok' && (
            <span class="chip health-bad" title={s.reasons.join('; ')}>
              {s.status}
            </span>
          )}
        </>
      )}
    </header>
  );
}
