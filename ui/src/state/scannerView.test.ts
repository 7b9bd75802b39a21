import { describe, expect, it } from 'vitest';
import type { Row } from '../lib/types';
import { RowTable } from './rows';
import { parseFilters, selectRows } from './filters';
import { ScannerView, merge } from './scannerView';

function row(id: number, version: number, ltp: number | null): Row {
  return {
    segment: id % 5 === 0 ? 'IDX_I' : 'NSE_FNO', security_id: id, symbol: `SYM${id % 37}`, underlying: `U${id}`, type: 'FUTSTK', version,
    ltp, prev_close: 100, change_pct: ltp === null ? null : Math.round(ltp - 100), day_volume: 10 * id, open_interest: null,
    resistance: 110, distance_to_breakout_pct: ltp === null ? null : ((110 - ltp) / 110) * 100, ema_short: null, ema_long: null,
    average_volume: null, last_candle_ms: null, readiness: [{ strategy: 'breakout', ready: id % 2 === 0, candles: 10, needed: 51 }],
    last_signal: null,
  };
}

// Deterministic pseudo-random stream so a failure replays.
function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

const ids = (rows: Row[]) => rows.map((r) => `${r.segment}:${r.security_id}`);

describe('merge', () => {
  it('interleaves sorted lists, keeping the first list first on ties', () => {
    const cmp = (a: [number, string], b: [number, string]) => a[0] - b[0];
    expect(merge<[number, string]>([[1, 'a'], [3, 'a'], [5, 'a']], [[0, 'b'], [3, 'b'], [9, 'b']], cmp))
      .toEqual([[0, 'b'], [1, 'a'], [3, 'a'], [3, 'b'], [5, 'a'], [9, 'b']]);
    const a = [1, 2];
    expect(merge(a, [], (x, y) => x - y)).toBe(a);
    expect(merge(a, [], (x, y) => x - y, new Set())).toBe(a);
  });
  it('leaves out the dropped members of the first list, before, between and after the second', () => {
    const cmp = (x: number, y: number) => x - y;
    expect(merge([1, 2, 4, 6, 8, 9], [3, 5, 10], cmp, new Set([1, 4, 9]))).toEqual([2, 3, 5, 6, 8, 10]);
    expect(merge([1, 2, 3], [], cmp, new Set([2]))).toEqual([1, 3]);
    expect(merge([1, 2], [0], cmp, new Set([1, 2]))).toEqual([0]);
  });
});

describe('ScannerView', () => {
  for (const search of ['?sort=-change_pct', '', '?sort=ltp&near=5', '?segment=IDX_I&sort=-distance', '?q=sym1&sort=-ltp']) {
    it(`matches a full re-select after random deltas (${search || 'default'})`, () => {
      const rnd = lcg(search.length + 7);
      const f = parseFilters(search);
      const table = new RowTable();
      const view = new ScannerView();
      table.applySnapshot(1, Array.from({ length: 300 }, (_, i) => row(i, 1, 90 + rnd() * 30)));
      expect(ids(view.select(table, f))).toEqual(ids(selectRows(table.rows.values(), f)));
      for (let v = 2; v < 40; v++) {
        const changed = Array.from({ length: Math.floor(rnd() * 60) }, () => {
          const id = Math.floor(rnd() * 340); // some ids are new instruments
          return row(id, v, rnd() < 0.1 ? null : 90 + rnd() * 30);
        });
        const removed = rnd() < 0.3 ? [{ segment: 'NSE_FNO', security_id: Math.floor(rnd() * 340) }] : [];
        table.applyDelta(v, changed, removed);
        if (v % 3 === 0) continue; // several deltas between two renders
        expect(ids(view.select(table, f))).toEqual(ids(selectRows(table.rows.values(), f)));
      }
    });
  }

  it('keeps the same array while nothing changed and rebuilds on a snapshot or new filters', () => {
    const table = new RowTable();
    const view = new ScannerView();
    const f = parseFilters('?sort=-ltp');
    table.applySnapshot(1, [row(1, 1, 100), row(2, 1, 101)]);
    const first = view.select(table, f);
    expect(view.select(table, f)).toBe(first);
    table.applyDelta(2, [row(1, 2, 105)]);
    expect(ids(view.select(table, f))).toEqual(['NSE_FNO:1', 'NSE_FNO:2']);
    table.applySnapshot(3, [row(3, 3, 99)]);
    expect(ids(view.select(table, f))).toEqual(['NSE_FNO:3']);
    table.applyDelta(4, [row(4, 4, 50)]);
    expect(ids(view.select(table, parseFilters('?sort=ltp')))).toEqual(['NSE_FNO:4', 'NSE_FNO:3']);
  });
});
