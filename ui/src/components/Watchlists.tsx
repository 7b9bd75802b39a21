// Watchlist management: create / rename / delete lists, add items through
// instrument autocomplete, remove items. The server subscribes changes live.
import { useEffect, useState } from 'preact/hooks';
import type { Watchlist } from '../lib/types';
import { ApiError, api } from '../lib/api';
import { fmtPct, fmtPrice, instrumentKey } from '../lib/format';
import { navigate, useLive } from '../state/hooks';
import { InstrumentSearch } from './InstrumentSearch';
import { chartPath } from './Toasts';

export function Watchlists() {
  const live = useLive();
  const [lists, setLists] = useState<Watchlist[]>([]);
  const [selected, setSelected] = useState<number | null>(null);
  const [name, setName] = useState('');
  const [rename, setRename] = useState('');
  const [error, setError] = useState('');

  const run = async (fn: () => Promise<void>) => {
    setError('');
    try {
      await fn();
    } catch (e) {
      setError(e instanceof ApiError ? `${e.message}${e.field ? ` (${e.field})` : ''}` : String(e));
    }
  };
  const replace = (w: Watchlist) => setLists((ls) => ls.map((x) => (x.id === w.id ? w : x)));
  const reload = () => run(async () => setLists((await api<{ watchlists: Watchlist[] }>('GET', '/api/watchlists')).watchlists));
  useEffect(() => void reload(), [live.epoch]);
  const current = lists.find((l) => l.id === selected) ?? lists[0];
  useEffect(() => setRename(current?.name ?? ''), [current?.id]);

  return (
    <section class="watchlists cols">
      <div class="panel">
        <h2>Watchlists</h2>
        <form class="row" onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            const w = await api<Watchlist>('POST', '/api/watchlists', { name: name.trim() });
            setLists((ls) => [...ls, w]);
            setSelected(w.id);
            setName('');
          });
        }}>
          <input aria-label="new watchlist name" placeholder="New list name" maxLength={64} value={name} onInput={(e) => setName(e.currentTarget.value)} data-testid="new-watchlist" />
          <button class="button" disabled={!name.trim()}>Create</button>
        </form>
        <ul class="list" role="listbox" aria-label="watchlists">
          {lists.map((l) => (
            <li key={l.id} role="option" aria-selected={l.id === current?.id} tabIndex={0} class={l.id === current?.id ? 'active' : ''}
              onClick={() => setSelected(l.id)} onKeyDown={(e) => e.key === 'Enter' && setSelected(l.id)}>
              {l.name} <span class="muted">{l.items.length}</span>
            </li>
          ))}
        </ul>
        {lists.length === 0 && <p class="empty">No watchlists yet.</p>}
      </div>
      {current && (
        <div class="panel grow2" data-testid="watchlist-detail">
          <form class="row" onSubmit={(e) => {
            e.preventDefault();
            void run(async () => replace(await api<Watchlist>('PUT', `/api/watchlists/${current.id}`, { name: rename.trim() })));
          }}>
            <input aria-label="watchlist name" maxLength={64} value={rename} onInput={(e) => setRename(e.currentTarget.value)} />
            <button class="button" disabled={!rename.trim() || rename.trim() === current.name}>Rename</button>
            <button type="button" class="button danger" onClick={() => {
              if (!confirm(`Delete watchlist "${current.name}"?`)) return;
              void run(async () => {
                await api('DELETE', `/api/watchlists/${current.id}`);
                setLists((ls) => ls.filter((x) => x.id !== current.id));
                setSelected(null);
              });
            }}>Delete</button>
          </form>
          <InstrumentSearch onPick={(r) => void run(async () =>
            replace(await api<Watchlist>('POST', `/api/watchlists/${current.id}/items`, { segment: r.segment, security_id: r.security_id })))} />
          <table class="table compact" aria-label={`items of ${current.name}`}>
            <thead><tr><th scope="col">Symbol</th><th scope="col">Segment</th><th scope="col" class="num">LTP</th><th scope="col" class="num">Chg</th><th scope="col"><span class="sr-only">actions</span></th></tr></thead>
            <tbody>
              {current.items.map((it) => {
                const row = live.table.rows.get(instrumentKey(it));
                return (
                  <tr key={instrumentKey(it)} data-testid="watchlist-item">
                    <td class="sym"><a href={chartPath(it)} onClick={(e) => { e.preventDefault(); navigate(chartPath(it)); }}>{it.symbol}</a></td>
                    <td>{it.segment}</td>
                    <td class="num">{fmtPrice(row?.ltp)}</td>
                    <td class="num">{fmtPct(row?.change_pct)}</td>
                    <td><button class="button small" aria-label={`remove ${it.symbol}`} onClick={() => void run(async () =>
                      replace(await api<Watchlist>('DELETE', `/api/watchlists/${current.id}/items/${encodeURIComponent(it.segment)}/${it.security_id}`)))}>Remove</button></td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {current.items.length === 0 && <p class="empty">Empty list: add instruments with the search above.</p>}
        </div>
      )}
      {error && <p class="error" role="alert">{error}</p>}
    </section>
  );
}
