// Scanner filters and sort, with the same meaning as /api/scanner's query
// parameters, kept in the page URL so a filtered view can be bookmarked and
// survives reload. Pure functions (unit-tested).
import type { Row } from '../lib/types';

export type SortKey =
  | 'symbol'
  | 'ltp'
  | 'change_pct'
  | 'day_volume'
  | 'resistance'
  | 'distance'
  | 'ema_short'
  | 'ema_long'
  | 'last_signal';

export interface ScannerFilters {
  q: string;
  segment: string;
  type: string; // comma list
  state: '' | 'ready' | 'warming' | 'signalled';
  strategy: string;
  min_price: number | null;
  max_price: number | null;
  near: number | null;
  signals: boolean;
  sort: SortKey;
  desc: boolean;
}

export const kDefaultFilters: ScannerFilters = {
  q: '',
  segment: '',
  type: '',
  state: '',
  strategy: '',
  min_price: null,
  max_price: null,
  near: null,
  signals: false,
  sort: 'symbol',
  desc: false,
};

const kSortKeys: readonly SortKey[] = [
  'symbol', 'ltp', 'change_pct', 'day_volume', 'resistance', 'distance', 'ema_short', 'ema_long', 'last_signal',
];

function num(v: string | null): number | null {
  if (v === null || v.trim() === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

export function parseFilters(search: string): ScannerFilters {
  const p = new URLSearchParams(search);
  const sortRaw = p.get('sort') ?? 'symbol';
  const desc = sortRaw.startsWith('-');
  const sortName = (desc ? sortRaw.slice(1) : sortRaw) as SortKey;
  const state = p.get('state') ?? '';
  return {
    q: p.get('q') ?? '',
    segment: p.get('segment') ?? '',
    type: p.get('type') ?? '',
    state: state === 'ready' || state === 'warming' || state === 'signalled' ? state : '',
    strategy: p.get('strategy') ?? '',
    min_price: num(p.get('min_price')),
    max_price: num(p.get('max_price')),
    near: num(p.get('near')),
    signals: p.get('signals') === '1',
    sort: kSortKeys.includes(sortName) ? sortName : 'symbol',
    desc,
  };
}

/** Only non-default values, so clean URLs stay clean. */
export function serializeFilters(f: ScannerFilters): string {
  const p = new URLSearchParams();
  if (f.q) p.set('q', f.q);
  if (f.segment) p.set('segment', f.segment);
  if (f.type) p.set('type', f.type);
  if (f.state) p.set('state', f.state);
  if (f.strategy) p.set('strategy', f.strategy);
  if (f.min_price !== null) p.set('min_price', String(f.min_price));
  if (f.max_price !== null) p.set('max_price', String(f.max_price));
  if (f.near !== null) p.set('near', String(f.near));
  if (f.signals) p.set('signals', '1');
  if (f.sort !== 'symbol' || f.desc) p.set('sort', `${f.desc ? '-' : ''}${f.sort}`);
  const s = p.toString();
  return s ? `?${s}` : '';
}

function matchesState(r: Row, f: ScannerFilters): boolean {
  const judged = f.strategy ? r.readiness.filter((x) => x.strategy === f.strategy) : r.readiness;
  switch (f.state) {
    case 'ready':
      return judged.length > 0 && judged.every((x) => x.ready);
    case 'warming':
      return judged.some((x) => !x.ready);
    case 'signalled':
      return r.last_signal !== null && (!f.strategy || r.last_signal.strategy === f.strategy);
    default:
      return true;
  }
}

export function matches(r: Row, f: ScannerFilters): boolean {
  if (f.q) {
    const q = f.q.toLowerCase();
    if (!r.symbol.toLowerCase().includes(q) && !r.underlying.toLowerCase().includes(q)) return false;
  }
  if (f.segment && r.segment !== f.segment) return false;
  if (f.type && !f.type.split(',').includes(r.type)) return false;
  if (!matchesState(r, f)) return false;
  if (f.min_price !== null && (r.ltp === null || r.ltp < f.min_price)) return false;
  if (f.max_price !== null && (r.ltp === null || r.ltp > f.max_price)) return false;
  if (f.near !== null && (r.distance_to_breakout_pct === null || r.distance_to_breakout_pct > f.near)) return false;
  if (f.signals && r.last_signal === null) return false;
  return true;
}

function sortValue(r: Row, key: SortKey): number | string | null {
  switch (key) {
    case 'symbol': return r.symbol;
    case 'ltp': return r.ltp;
    case 'change_pct': return r.change_pct;
    case 'day_volume': return r.day_volume;
    case 'resistance': return r.resistance;
    case 'distance': return r.distance_to_breakout_pct;
    case 'ema_short': return r.ema_short;
    case 'ema_long': return r.ema_long;
    case 'last_signal': return r.last_signal?.time_ms ?? null;
  }
}

// Cached: String.localeCompare builds a collator per call.
const kCollator = new Intl.Collator('en');

/** Unknown values sort last in both directions; symbol breaks ties. */
export function compareRows(a: Row, b: Row, key: SortKey, desc: boolean): number {
  const va = sortValue(a, key);
  const vb = sortValue(b, key);
  if (va !== vb) {
    if (va === null) return 1;
    if (vb === null) return -1;
    const c = typeof va === 'string' ? kCollator.compare(va, vb as string) : (va as number) - (vb as number);
    if (c !== 0) return desc ? -c : c;
  }
  return a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : a.security_id - b.security_id;
}

export function selectRows(rows: Iterable<Row>, f: ScannerFilters): Row[] {
  const out: Row[] = [];
  for (const r of rows) if (matches(r, f)) out.push(r);
  out.sort((a, b) => compareRows(a, b, f.sort, f.desc));
  return out;
}
