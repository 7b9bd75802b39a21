import { describe, expect, it } from 'vitest';
import type { BacktestSignal, BacktestSummary } from '../lib/types';
import { bestRun, fmtRange, fmtRate, listRow, newestFirst, paramsLabel, runRows, runSignals, signalChart, sortRuns, utcFromIst } from './backtests';

const result = (strategy: string, signals: number, evaluated: number, hits: number, move: number | null, win: number | null, loss: number | null) => ({
  strategy, signals, evaluated, hits, hit_rate: evaluated ? hits / evaluated : null, avg_move_pct: move, avg_win_pct: win, avg_loss_pct: loss,
});

const summary: BacktestSummary = {
  id: '20261120-101500-breakout', created: '2026-11-20T10:15:00Z', strategy: ['breakout', 'ema_cross'],
  from: '2026-11-01', to: '2026-11-20', horizon_minutes: 15, source: 'cache', instruments: 188, candles: 123456,
  runs: [
    { params: { lookback: 20 }, per_strategy: [result('breakout', 12, 10, 6, 0.4, 1.2, -0.8), result('ema_cross', 5, 4, 1, -0.1, 0.5, -0.3)] },
    { params: { lookback: 50 }, per_strategy: [result('breakout', 8, 8, 6, 0.9, 1.5, -0.9), result('ema_cross', 2, 0, 0, null, null, null)] },
    { params: {}, per_strategy: [result('breakout', 0, 0, 0, null, null, null)] },
  ],
};

const signal = (run: number, time: number, move: number | null, hit: boolean | null, symbol = 'A'): BacktestSignal => ({
  run, time, symbol, segment: 'NSE_FNO', security_id: 49229, strategy: 'breakout', kind: 'bullish', price: 100,
  later_price: move === null ? null : 100 * (1 + move / 100), move_pct: move, hit,
});

describe('backtest runs', () => {
  const rows = runRows(summary);
  it('combine the strategies of a run, weighting averages by what they average over', () => {
    expect(rows[0]).toMatchObject({ index: 0, label: 'lookback=20', signals: 17, evaluated: 14, hits: 7 });
    expect(rows[0]!.hitRate).toBeCloseTo(0.5);
    expect(rows[0]!.avgMovePct).toBeCloseTo((0.4 * 10 - 0.1 * 4) / 14);
    expect(rows[0]!.avgWinPct).toBeCloseTo((1.2 * 6 + 0.5 * 1) / 7);
    expect(rows[0]!.avgLossPct).toBeCloseTo((-0.8 * 4 - 0.3 * 3) / 7);
    expect(rows[0]!.breakdown).toBe('breakout 60.0%, ema_cross 25.0%');
    expect(rows[2]).toMatchObject({ label: 'defaults', hitRate: null, avgMovePct: null, breakdown: '' });
  });
  it('the best run has the highest hit rate; runs with nothing evaluated never win', () => {
    expect(bestRun(rows)?.index).toBe(1);
    expect(bestRun([rows[2]!])).toBeNull();
  });
  it('sort by hit rate or move, nulls last either way', () => {
    expect(sortRuns(rows, 'hitRate', true).map((r) => r.index)).toEqual([1, 0, 2]);
    expect(sortRuns(rows, 'hitRate', false).map((r) => r.index)).toEqual([0, 1, 2]);
    expect(sortRuns(rows, 'avgMovePct', true).map((r) => r.index)).toEqual([1, 0, 2]);
    expect(sortRuns(rows, 'signals', false).map((r) => r.index)).toEqual([2, 1, 0]);
  });
});

describe('backtest list and formatting', () => {
  it('one line per backtest with the best run', () => {
    expect(listRow(summary)).toEqual({
      id: '20261120-101500-breakout', created: '2026-11-20 10:15:00 UTC', strategies: 'breakout, ema_cross',
      range: '2026-11-01 → 2026-11-20', instruments: 188, best: '75.0% (lookback=50)',
    });
    expect(listRow({ ...summary, runs: [] }).best).toBe('—');
  });
  it('newest first', () => {
    const older = { ...summary, id: 'old', created: '2026-11-01T09:00:00Z' };
    expect(newestFirst([older, summary]).map((s) => s.id)).toEqual([summary.id, 'old']);
  });
  it('formats rates, ranges and parameter sets', () => {
    expect(fmtRate(0.6)).toBe('60.0%');
    expect(fmtRate(null)).toBe('—');
    expect(fmtRange('2026-11-20', '2026-11-20')).toBe('2026-11-20');
    expect(paramsLabel({ lookback: 20, volume_factor: 1.5, mode: 'fast' })).toBe('lookback=20 · volume_factor=1.5 · mode=fast');
  });
});

describe('backtest signals', () => {
  const ist = 1_764_059_940 + 19_800;
  const signals = [signal(0, ist + 60, 1, true), signal(0, ist, -0.5, false), signal(0, ist, 1.5, true, 'B'), signal(0, ist + 120, null, null), signal(1, ist, 9, true)];
  it('one bar per candle time in UTC, coloured by the majority, with the running average', () => {
    const chart = signalChart(signals, 0);
    expect(chart.bars).toEqual([
      { time: utcFromIst(ist), value: 0.5, hit: true },
      { time: utcFromIst(ist + 60), value: 1, hit: true },
    ]);
    expect(chart.cumulative.map((p) => p.value)).toEqual([0.5, 2 / 3]);
    expect(signalChart([signal(0, ist, -1, false)], 0).bars[0]!.hit).toBe(false);
  });
  it("a run's signals newest first", () => {
    expect(runSignals(signals, 0).map((s) => [s.time - ist, s.symbol])).toEqual([[120, 'A'], [60, 'A'], [0, 'A'], [0, 'B']]);
    expect(runSignals(signals, 1)).toHaveLength(1);
  });
});
