// Live Scanner: filters (kept in the URL), sortable columns, windowed rows
// that flash on change, keyboard navigation and click → chart. Rows are keyed
// by position, not instrument: a delta that re-sorts the view rewrites the
// text of the slots whose row changed instead of moving DOM nodes (a moved
// node is re-attached: restyled, re-laid-out and re-shaped like a new one).
import { Component } from 'preact';
import { useEffect, useMemo, useReducer, useRef, useState } from 'preact/hooks';
import type { Row } from '../lib/types';
import { fmtIstTime, fmtPct, fmtPrice, fmtVolume, instrumentKey } from '../lib/format';
import { navigate, useLive } from '../state/hooks';
import { parseFilters, serializeFilters, type ScannerFilters, type SortKey } from '../state/filters';
import { flashOf } from '../state/flash';
import { useStrategies } from '../lib/strategies';
import { VirtualRows } from './VirtualRows';
import { chartPath } from './Toasts';

const kColumns: { key: SortKey; label: string; num: boolean }[] = [
  { key: 'symbol', label: 'Symbol', num: false },
  { key: 'ltp', label: 'LTP', num: true },
  { key: 'change_pct', label: 'Chg %', num: true },
  { key: 'day_volume', label: 'Volume', num: true },
  { key: 'resistance', label: 'Resistance', num: true },
  { key: 'distance', label: 'To breakout', num: true },
  { key: 'ema_short', label: 'EMA short', num: true },
  { key: 'ema_long', label: 'EMA long', num: true },
];

function States({ row }: { row: Row }) {
  return (
    <span class="states">
      {row.readiness.map((r) => {
        const signalled = row.last_signal?.strategy === r.strategy;
        const cls = signalled ? 'st-signal' : r.ready ? 'st-ready' : 'st-warming';
        const text = signalled ? 'signal' : r.ready ? 'ready' : `${r.candles}/${r.needed}`;
        return (
          <span key={r.strategy} class={`st ${cls}`} title={`${r.strategy}: ${text}`}>
            {r.strategy.slice(0, 3)} {text}
          </span>
        );
      })}
    </span>
  );
}

interface FiltersProps {
  f: ScannerFilters;
  set: (p: Partial<ScannerFilters>) => void;
  segments: string[];
  types: string[];
}

// The form re-renders only when the filters or facets changed, not on every
// delta (`set` is a new closure per render but acts on `f` alone).
class FiltersPane extends Component<FiltersProps> {
  override shouldComponentUpdate(next: FiltersProps): boolean {
    const p = this.props;
    return next.f !== p.f || next.segments !== p.segments || next.types !== p.types;
  }

  override render(p: FiltersProps) {
    return <Filters {...p} />;
  }
}

function Filters({ f, set, segments, types }: FiltersProps) {
  const strategies = useStrategies();
  const numIn = (v: string) => (v.trim() === '' || !Number.isFinite(Number(v)) ? null : Number(v));
  return (
    <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
      <input type="search" placeholder="Search symbol / underlying" aria-label="search" value={f.q} data-testid="filter-q"
        onInput={(e) => set({ q: e.currentTarget.value })} />
      <select aria-label="segment" value={f.segment} onChange={(e) => set({ segment: e.currentTarget.value })}>
        <option value="">All segments</option>
        {segments.map((s) => <option key={s} value={s}>{s}</option>)}
      </select>
      <select aria-label="instrument type" value={f.type} onChange={(e) => set({ type: e.currentTarget.value })}>
        <option value="">All types</option>
        {types.map((s) => <option key={s} value={s}>{s}</option>)}
      </select>
      <select aria-label="state" value={f.state} onChange={(e) => set({ state: e.currentTarget.value as ScannerFilters['state'] })}>
        <option value="">Any state</option>
        <option value="ready">Ready</option>
        <option value="warming">Warming up</option>
        <option value="signalled">Signalled</option>
      </select>
      <select aria-label="strategy" value={f.strategy} onChange={(e) => set({ strategy: e.currentTarget.value })}>
        <option value="">All strategies</option>
        {strategies.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
      </select>
      <input class="narrow" type="number" step="any" placeholder="Min ₹" aria-label="minimum price" value={f.min_price ?? ''}
        onChange={(e) => set({ min_price: numIn(e.currentTarget.value) })} />
      <input class="narrow" type="number" step="any" placeholder="Max ₹" aria-label="maximum price" value={f.max_price ?? ''}
        onChange={(e) => set({ max_price: numIn(e.currentTarget.value) })} />
      <input class="narrow" type="number" step="any" min="0" placeholder="Near %" aria-label="within percent of breakout" value={f.near ?? ''}
        title="only rows within this % below resistance (or above it)" onChange={(e) => set({ near: numIn(e.currentTarget.value) })} />
      <label class="check">
        <input type="checkbox" checked={f.signals} onChange={(e) => set({ signals: e.currentTarget.checked })} /> Only signals
      </label>
    </form>
  );
}

interface RowProps {
  row: Row;
  index: number;
  focused: boolean;
  flash: string;
}

// Re-renders only when its row object, position, focus or flash changed: a
// delta replaces the objects of changed rows only, so a slot whose row kept
// its place and data costs nothing.
class ScannerRow extends Component<RowProps> {
  override shouldComponentUpdate(next: RowProps): boolean {
    const p = this.props;
    return next.row !== p.row || next.index !== p.index || next.focused !== p.focused || next.flash !== p.flash;
  }

  override render({ row: r, index: i, focused, flash }: RowProps) {
    const chg = r.change_pct ?? 0;
    return (
      <div role="row" aria-rowindex={i + 2} aria-selected={focused} data-testid="scanner-row"
        class={`grow${i % 2 ? ' alt' : ''}${focused ? ' focused' : ''}${flash}`} onClick={() => navigate(chartPath(r))}>
        <span role="gridcell" class="sym" title={`${r.segment} · ${r.type} · ${r.underlying}`}>{r.symbol}</span>
        <span role="gridcell" class="num">{fmtPrice(r.ltp)}</span>
        <span role="gridcell" class={`num ${chg > 0 ? 'up' : chg < 0 ? 'down' : ''}`}>{fmtPct(r.change_pct)}</span>
        <span role="gridcell" class="num">{fmtVolume(r.day_volume)}</span>
        <span role="gridcell" class="num">{fmtPrice(r.resistance)}</span>
        <span role="gridcell" class={`num ${r.distance_to_breakout_pct !== null && r.distance_to_breakout_pct <= 0 ? 'up' : ''}`}>
          {fmtPct(r.distance_to_breakout_pct, false)}
        </span>
        <span role="gridcell" class="num">{fmtPrice(r.ema_short)}</span>
        <span role="gridcell" class="num">{fmtPrice(r.ema_long)}</span>
        <span role="gridcell"><States row={r} /></span>
        <span role="gridcell" class="sig">
          {r.last_signal ? (
            <span title={r.last_signal.reason}>
              <span class={`kind kind-${r.last_signal.kind}`}>{r.last_signal.kind}</span> {r.last_signal.strategy} {fmtIstTime(r.last_signal.time_ms)}
            </span>
          ) : '—'}
        </span>
      </div>
    );
  }
}

export function Scanner({ search }: { search: string }) {
  const live = useLive();
  const f = useMemo(() => parseFilters(search), [search]);
  const table = live.table;
  const revision = table.revision;
  const rows = live.scannerView.select(table, f);
  const facets = useMemo(() => {
    const seg = new Set<string>();
    const typ = new Set<string>();
    for (const r of table.rows.values()) {
      seg.add(r.segment);
      typ.add(r.type);
    }
    return { segments: [...seg].sort(), types: [...typ].sort() };
  }, [table.rows.size, revision === 0]);
  const [focus, setFocus] = useState(-1);
  const gridRef = useRef<HTMLDivElement>(null);
  live.navigation = rows;

  useEffect(() => setFocus((i) => Math.min(i, rows.length - 1)), [rows.length]);

  const set = (p: Partial<ScannerFilters>) => navigate(`/scanner${serializeFilters({ ...f, ...p })}`, true);
  const sortBy = (key: SortKey) => set({ sort: key, desc: f.sort === key ? !f.desc : key !== 'symbol' });
  // The earliest time a rendered row's flash steps, gathered by renderRow and
  // armed as a timer after each render of the rows (a delta's or a scroll's):
  // a re-render then, unless a delta comes first, fades flashes on a quiet feed.
  const [, redraw] = useReducer((n: number) => n + 1, 0);
  const flashDue = useRef(Infinity);
  const flashTimer = useRef<ReturnType<typeof setTimeout>>();
  const armFlashTimer = () => {
    clearTimeout(flashTimer.current);
    if (flashDue.current !== Infinity) flashTimer.current = setTimeout(redraw, Math.max(0, flashDue.current - Date.now()));
    flashDue.current = Infinity;
  };
  useEffect(() => () => clearTimeout(flashTimer.current), []);

  const onKey = (e: KeyboardEvent) => {
    const page = Math.max(1, Math.floor(((gridRef.current?.clientHeight ?? 600) - 60) / 30));
    const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page, j: 1, k: -1 };
    if (e.key in moves) {
      e.preventDefault();
      setFocus((i) => Math.max(0, Math.min(rows.length - 1, i + (moves[e.key] ?? 0))));
    } else if (e.key === 'Home') setFocus(0);
    else if (e.key === 'End') setFocus(rows.length - 1);
    else if (e.key === 'Enter' && rows[focus]) navigate(chartPath(rows[focus]!));
  };

  const renderRow = (i: number) => {
    const r = rows[i]!;
    const flash = flashOf(table.changes.get(instrumentKey(r)), Date.now());
    flashDue.current = Math.min(flashDue.current, flash.nextMs);
    return <ScannerRow key={i} row={r} index={i} focused={i === focus} flash={flash.cls} />;
  };

  return (
    <section class="scanner">
      <FiltersPane f={f} set={set} segments={facets.segments} types={facets.types} />
      <div class="count" aria-live="polite" data-testid="row-count">
        {rows.length.toLocaleString('en-IN')} of {table.rows.size.toLocaleString('en-IN')} instruments
        {live.connection !== 'open' && live.connectedOnce && ' · stale while reconnecting'}
      </div>
      <div class="grid" role="grid" aria-label="live scanner" aria-rowcount={rows.length + 1} aria-activedescendant={undefined}
        tabIndex={0} onKeyDown={onKey} ref={gridRef}>
        <div class="ghead" role="row" aria-rowindex={1}>
          {kColumns.map((c) => (
            <button key={c.key} role="columnheader" class={c.num ? 'num' : ''} tabIndex={-1}
              aria-sort={f.sort === c.key ? (f.desc ? 'descending' : 'ascending') : 'none'} onClick={() => sortBy(c.key)}>
              {c.label}{f.sort === c.key ? (f.desc ? ' ▼' : ' ▲') : ''}
            </button>
          ))}
          <span role="columnheader">State</span>
          <button role="columnheader" tabIndex={-1} aria-sort={f.sort === 'last_signal' ? (f.desc ? 'descending' : 'ascending') : 'none'}
            onClick={() => sortBy('last_signal')}>
            Last signal{f.sort === 'last_signal' ? (f.desc ? ' ▼' : ' ▲') : ''}
          </button>
        </div>
        {rows.length === 0 ? (
          <p class="empty">{table.rows.size === 0 ? 'Waiting for scanner rows…' : 'No instrument matches these filters.'}</p>
        ) : (
          <VirtualRows count={rows.length} focusIndex={focus} renderRow={renderRow} onRendered={armFlashTimer} />
        )}
      </div>
    </section>
  );
}
