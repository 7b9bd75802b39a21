// Alert History: filters in the URL, keyset paging ("Load more" follows the
// API's next_cursor), live alerts prepended, CSV export of exactly the
// filtered set (same query, /api/alerts.csv).
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { Alert } from '../lib/types';
import { api } from '../lib/api';
import { fmtPrice } from '../lib/format';
import { navigate, store, useLive } from '../state/hooks';
import { alertQuery, mergeLive, parseAlertFilters, type AlertFilters } from '../state/alertFilters';
import { useStrategies } from '../lib/strategies';
import { chartPath } from './Toasts';

const kPageSize = 100;

export function AlertTable({ alerts, testid = 'alert-row' }: { alerts: Alert[]; testid?: string }) {
  return (
    <table class="table" aria-label="alerts">
      <thead>
        <tr>
          <th scope="col">Time (IST)</th><th scope="col">Symbol</th><th scope="col">Strategy</th>
          <th scope="col">Kind</th><th scope="col" class="num">Price</th><th scope="col">Reason</th>
        </tr>
      </thead>
      <tbody>
        {alerts.map((a) => (
          <tr key={a.id} data-testid={testid} tabIndex={0} onClick={() => navigate(chartPath(a))}
            onKeyDown={(e) => e.key === 'Enter' && navigate(chartPath(a))}>
            <td class="mono">{a.time_ist}</td>
            <td class="sym">{a.symbol}</td>
            <td>{a.strategy}</td>
            <td><span class={`kind kind-${a.kind}`}>{a.kind}</span></td>
            <td class="num">{fmtPrice(a.price)}</td>
            <td class="reason" title={a.reason}>{a.reason}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function AlertHistory({ search }: { search: string }) {
  const live = useLive();
  const f = useMemo(() => parseAlertFilters(search), [search]);
  const strategies = useStrategies();
  const [alerts, setAlerts] = useState<Alert[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState('');
  const q = alertQuery(f);

  const load = async (after: string | null) => {
    setLoading(true);
    setError('');
    const p = new URLSearchParams(q);
    p.set('limit', String(kPageSize));
    if (after) p.set('cursor', after);
    try {
      const r = await api<{ alerts: Alert[]; next_cursor: string | null }>('GET', `/api/alerts?${p}`);
      setAlerts((old) => (after ? [...old, ...r.alerts] : r.alerts));
      setCursor(r.next_cursor);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setLoading(false);
    }
  };

  // Refetch on filter change and on reconnect (resync: alerts may have been missed).
  useEffect(() => void load(null), [search, live.epoch]);
  useEffect(() => store.onAlert((a) => setAlerts((shown) => mergeLive(shown, a, f))), [f]);

  const set = (p: Partial<AlertFilters>) => {
    const s = alertQuery({ ...f, ...p }).toString();
    navigate(`/alerts${s ? `?${s}` : ''}`, true);
  };
  const kinds = alerts.reduce<Record<string, number>>((acc, a) => ({ ...acc, [a.kind]: (acc[a.kind] ?? 0) + 1 }), {});
  const csv = `/api/alerts.csv${q.toString() ? `?${q}` : ''}`;

  return (
    <section class="alerts">
      <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>From <input type="date" value={f.from} onChange={(e) => set({ from: e.currentTarget.value })} /></label>
        <label>To <input type="date" value={f.to} onChange={(e) => set({ to: e.currentTarget.value })} /></label>
        <input type="search" placeholder="Exact symbol" aria-label="symbol" value={f.symbol} data-testid="alert-symbol"
          onChange={(e) => set({ symbol: e.currentTarget.value })} />
        <select aria-label="strategy" value={f.strategy} onChange={(e) => set({ strategy: e.currentTarget.value })}>
          <option value="">All strategies</option>
          {strategies.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
        </select>
        <select aria-label="kind" value={f.kind} onChange={(e) => set({ kind: e.currentTarget.value })}>
          <option value="">Any kind</option>
          <option value="bullish">Bullish</option>
          <option value="bearish">Bearish</option>
        </select>
        <a class="button" href={csv} download="alerts.csv" data-testid="export-csv">Export CSV</a>
      </form>
      <div class="count" aria-live="polite" data-testid="alert-count">
        {alerts.length} shown{cursor ? ' (more available)' : ''}
        {Object.entries(kinds).map(([k, n]) => ` · ${n} ${k}`).join('')}
        {live.status && ` · ${live.status.alerts.today} today · ${live.status.alerts.total} all time`}
      </div>
      {error && <p class="error" role="alert">{error}</p>}
      {alerts.length === 0 && !loading ? <p class="empty">No alerts match.</p> : <AlertTable alerts={alerts} />}
      {cursor && (
        <button class="button" disabled={loading} onClick={() => void load(cursor)} data-testid="load-more">
          {loading ? 'Loading…' : 'Load more'}
        </button>
      )}
    </section>
  );
}
