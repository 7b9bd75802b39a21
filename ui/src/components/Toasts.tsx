// New-alert toasts (click opens the chart), plus the opt-in sound (WebAudio
// beep, no asset) and browser notification.
import { useEffect, useState } from 'preact/hooks';
import type { Alert } from '../lib/types';
import { fmtIstTime, fmtPrice } from '../lib/format';
import { navigate, store } from '../state/hooks';
import { loadPrefs } from '../state/prefs';

const kToastMs = 8000;
const kMaxToasts = 5;

function beep(): void {
  const ctx = new AudioContext();
  const osc = ctx.createOscillator();
  const gain = ctx.createGain();
  osc.frequency.value = 880;
  gain.gain.setValueAtTime(0.15, ctx.currentTime);
  gain.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + 0.3);
  osc.connect(gain).connect(ctx.destination);
  osc.start();
  osc.stop(ctx.currentTime + 0.3);
  osc.onended = () => void ctx.close();
}

export function chartPath(i: { segment: string; security_id: number }): string {
  return `/chart/${encodeURIComponent(i.segment)}/${i.security_id}`;
}

export function Toasts() {
  const [toasts, setToasts] = useState<Alert[]>([]);
  useEffect(
    () =>
      store.onAlert((a) => {
        setToasts((t) => [a, ...t].slice(0, kMaxToasts));
        setTimeout(() => setToasts((t) => t.filter((x) => x.id !== a.id)), kToastMs);
        const prefs = loadPrefs();
        if (prefs.sound) beep();
        if (prefs.notify && 'Notification' in window && Notification.permission === 'granted') {
          new Notification(`${a.symbol} ${a.kind} · ${a.strategy}`, { body: a.reason, tag: String(a.id) });
        }
      }),
    [],
  );
  return (
    <div class="toasts" role="log" aria-live="polite" aria-label="new alerts">
      {toasts.map((a) => (
        <button key={a.id} class={`toast kind-${a.kind}`} onClick={() => navigate(chartPath(a))} data-testid="toast">
          <strong>{a.symbol}</strong> <span class="badge">{a.strategy}</span>{' '}
          <span class={`kind kind-${a.kind}`}>{a.kind}</span> @ {fmtPrice(a.price)}
          <div class="muted">{fmtIstTime(a.time_ms)} · {a.reason}</div>
        </button>
      ))}
    </div>
  );
}
