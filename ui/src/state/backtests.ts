// Backtest tab model: a backtest summary (GET /api/backtests/{id}) as the
// runs table (one row per parameter combination, strategies combined), the
// best run, sorting, and the signals chart's series. Pure (tested).
import type { BacktestRun, BacktestSignal, BacktestSummary } from '../lib/types';
import { kDash } from '../lib/format';

const kIstOffsetSeconds = 330 * 60;

export interface RunRow {
  index: number;
  label: string;
  signals: number;
  evaluated: number;
  hits: number;
  hitRate: number | null;
  avgMovePct: number | null;
  avgWinPct: number | null;
  avgLossPct: number | null;
  /** Per-strategy hit rates when the run has more than one strategy. */
  breakdown: string;
}

export type RunSortKey = 'index' | 'hitRate' | 'avgMovePct' | 'signals';

/** "lookback=20 · volume_factor=1.5", or "defaults" when nothing was varied. */
export function paramsLabel(params: Record<string, unknown>): string {
  const parts = Object.entries(params).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return parts.length ? parts.join(' · ') : 'defaults';
}

/** Mean of `value` weighted by `weight`, over entries with both; null when none. */
function weighted(items: { value: number | null; weight: number }[]): number | null {
  let sum = 0;
  let total = 0;
  for (const { value, weight } of items) {
    if (value === null || weight <= 0) continue;
    sum += value * weight;
    total += weight;
  }
  return total > 0 ? sum / total : null;
}

export function runRow(run: BacktestRun, index: number): RunRow {
  const s = run.per_strategy;
  const signals = s.reduce((a, x) => a + x.signals, 0);
  const evaluated = s.reduce((a, x) => a + x.evaluated, 0);
  const hits = s.reduce((a, x) => a + x.hits, 0);
  return {
    index,
    label: paramsLabel(run.params),
    signals,
    evaluated,
    hits,
    hitRate: evaluated > 0 ? hits / evaluated : null,
    avgMovePct: weighted(s.map((x) => ({ value: x.avg_move_pct, weight: x.evaluated }))),
    avgWinPct: weighted(s.map((x) => ({ value: x.avg_win_pct, weight: x.hits }))),
    avgLossPct: weighted(s.map((x) => ({ value: x.avg_loss_pct, weight: x.evaluated - x.hits }))),
    breakdown: s.length > 1 ? s.map((x) => `${x.strategy} ${fmtRate(x.hit_rate)}`).join(', ') : '',
  };
}

export function runRows(summary: Pick<BacktestSummary, 'runs'>): RunRow[] {
  return summary.runs.map(runRow);
}

/** Sorted copy; rows without a value (nothing evaluated) always go last. */
export function sortRuns(rows: RunRow[], key: RunSortKey, desc: boolean): RunRow[] {
  return [...rows].sort((a, b) => {
    const x = a[key];
    const y = b[key];
    if (x === null || y === null) return x === y ? a.index - b.index : x === null ? 1 : -1;
    return (desc ? y - x : x - y) || a.index - b.index;
  });
}

/** Highest hit rate among runs that evaluated something; ties go to the larger average move. */
export function bestRun(rows: RunRow[]): RunRow | null {
  let best: RunRow | null = null;
  for (const r of rows) {
    if (r.hitRate === null) continue;
    if (!best || r.hitRate > best.hitRate! || (r.hitRate === best.hitRate && (r.avgMovePct ?? -Infinity) > (best.avgMovePct ?? -Infinity))) best = r;
  }
  return best;
}

export function fmtRate(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return kDash;
  return `${(rate * 100).toFixed(1)}%`;
}

export function fmtRange(from: string, to: string): string {
  return from === to ? from : `${from} → ${to}`;
}

/** IST epoch seconds (the backtest's candle times) → UTC epoch seconds (the charts' time axis). */
export function utcFromIst(seconds: number): number {
  return seconds - kIstOffsetSeconds;
}

/** The list's one line per backtest. */
export interface BacktestListRow {
  id: string;
  created: string;
  strategies: string;
  range: string;
  instruments: number;
  best: string;
}

export function listRow(summary: BacktestSummary): BacktestListRow {
  const best = bestRun(runRows(summary));
  return {
    id: summary.id,
    created: summary.created.replace('T', ' ').replace(/\.\d+/, '').replace('Z', ' UTC'),
    strategies: summary.strategy.join(', '),
    range: fmtRange(summary.from, summary.to),
    instruments: summary.instruments,
    best: best ? `${fmtRate(best.hitRate)} (${best.label})` : kDash,
  };
}

/** Newest first (the API already sorts; a client-side guard keeps it so). */
export function newestFirst(list: BacktestSummary[]): BacktestSummary[] {
  return [...list].sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : 0));
}

export interface MoveBar {
  time: number;  // UTC epoch seconds
  value: number; // average move % of the signals at this candle
  hit: boolean;  // most of them hit
}

export interface SignalChart {
  bars: MoveBar[];
  /** Running average move % over every evaluated signal so far. */
  cumulative: { time: number; value: number }[];
}

/** One bar per candle time (the chart needs unique ascending times) for run `run`'s evaluated signals. */
export function signalChart(signals: BacktestSignal[], run: number): SignalChart {
  const byTime = new Map<number, { sum: number; n: number; hits: number }>();
  for (const s of signals) {
    if (s.run !== run || s.move_pct === null) continue;
    const t = utcFromIst(s.time);
    const b = byTime.get(t) ?? { sum: 0, n: 0, hits: 0 };
    b.sum += s.move_pct;
    b.n += 1;
    b.hits += s.hit ? 1 : 0;
    byTime.set(t, b);
  }
  const times = [...byTime.keys()].sort((a, b) => a - b);
  const bars: MoveBar[] = [];
  const cumulative: { time: number; value: number }[] = [];
  let sum = 0;
  let n = 0;
  for (const time of times) {
    const b = byTime.get(time)!;
    bars.push({ time, value: b.sum / b.n, hit: b.hits * 2 >= b.n });
    sum += b.sum;
    n += b.n;
    cumulative.push({ time, value: sum / n });
  }
  return { bars, cumulative };
}

/** The signals of run `run`, newest first. */
export function runSignals(signals: BacktestSignal[], run: number): BacktestSignal[] {
  return signals.filter((s) => s.run === run).sort((a, b) => b.time - a.time || a.symbol.localeCompare(b.symbol));
}
