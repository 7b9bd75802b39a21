// One tab per registered strategy: description, parameters, instruments in
// its signal state right now, and its recent alerts (live-updated).
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { Alert } from '../lib/types';
import { api } from '../lib/api';
import { fmtIstTime, fmtPct, fmtPrice } from '../lib/format';
import { navigate, store, useLive } from '../state/hooks';
import { useStrategies } from '../lib/strategies';
import { AlertTable } from './AlertHistory';
import { chartPath } from './Toasts';

const kRecent = 50;

export function StrategyTab({ id }: { id: string }) {
  const live = useLive();
  const strategy = useStrategies().find((s) => s.id === id);
  const [alerts, setAlerts] = useState<Alert[]>([]);
  useEffect(() => {
    api<{ alerts: Alert[] }>('GET', `/api/alerts?strategy=${encodeURIComponent(id)}&limit=${kRecent}`).then(
      (r) => setAlerts(r.alerts),
      (e: unknown) => console.warn('strategy alerts:', e),
    );
  }, [id, live.epoch]);
  useEffect(
    () => store.onAlert((a) => a.strategy === id && setAlerts((s) => (s.some((x) => x.id === a.id) ? s : [a, ...s].slice(0, kRecent)))),
    [id],
  );
  const signalled = useMemo(
    () =>
      [...live.table.rows.values()]
        .filter((r) => r.last_signal?.strategy === id)
        .sort((a, b) => (b.last_signal?.time_ms ?? 0) - (a.last_signal?.time_ms ?? 0)),
    [live.table.revision, id],
  );
  if (!strategy) return <p class="empty">Loading strategy…</p>;
  return (
    <section class="strategy" data-testid={`strategy-${id}`}>
      <h2>
        {strategy.name} <code class="muted">{strategy.id}</code>{' '}
        <span class={`badge ${strategy.enabled ? 'health-good' : 'health-idle'}`}>{strategy.enabled ? 'enabled' : 'disabled'}</span>
      </h2>
      <p class="desc">{strategy.description}</p>
      <div class="cols">
        <div>
          <h3>Parameters</h3>
          <table class="table compact">
            <thead><tr><th scope="col">Key</th><th scope="col">Type</th><th scope="col">Range</th><th scope="col">Default</th><th scope="col">Meaning</th></tr></thead>
            <tbody>
              {strategy.params.map((p) => (
                <tr key={p.key}>
                  <td class="mono">{p.key}</td><td>{p.type}</td>
                  <td class="mono">{p.min ?? '−∞'} … {p.max ?? '∞'}</td>
                  <td class="mono">{JSON.stringify(p.default ?? null)}</td>
                  <td>{p.description}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div>
          <h3>In signal state ({signalled.length})</h3>
          {signalled.length === 0 ? <p class="empty">No instrument is signalled by this strategy right now.</p> : (
            <table class="table compact">
              <thead><tr><th scope="col">Symbol</th><th scope="col" class="num">LTP</th><th scope="col" class="num">Chg</th><th scope="col">Signal</th></tr></thead>
              <tbody>
                {signalled.slice(0, 200).map((r) => (
                  <tr key={`${r.segment}:${r.security_id}`} tabIndex={0} onClick={() => navigate(chartPath(r))}
                    onKeyDown={(e) => e.key === 'Enter' && navigate(chartPath(r))}>
                    <td class="sym">{r.symbol}</td><td class="num">{fmtPrice(r.ltp)}</td><td class="num">{fmtPct(r.change_pct)}</td>
                    <td><span class={`kind kind-${r.last_signal!.kind}`}>{r.last_signal!.kind}</span> {fmtIstTime(r.last_signal!.time_ms)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      </div>
      <h3>Recent alerts</h3>
      {alerts.length === 0 ? <p class="empty">No alerts from this strategy yet.</p> : <AlertTable alerts={alerts} testid="strategy-alert" />}
    </section>
  );
}
