import { describe, expect, it } from 'vitest';
import type { Alert, Row } from '../lib/types';
import { RowTable } from './rows';
import { kDefaultFilters, parseFilters, selectRows, serializeFilters } from './filters';
import { alertQuery, matchesAlert, mergeLive, parseAlertFilters } from './alertFilters';
import { backoffDelay, kBackoffMaxMs } from './backoff';
import { buildPatch, flattenSettings, helpText, needsRestart, parseInput, strategyMeta } from './settings';
import { LiveStore } from './live';
import { alertMarkers, upsertByTime } from '../lib/chartData';
import { visibleRange } from '../components/VirtualRows';

function row(id: number, p: Partial<Row> = {}): Row {
  return {
    segment: 'NSE_FNO', security_id: id, symbol: `SYM${id}`, underlying: `U${id}`, type: 'FUTSTK', version: 1,
    ltp: 100 + id, prev_close: 100, change_pct: id / 10, day_volume: 1000 * id, open_interest: null,
    resistance: 110, distance_to_breakout_pct: ((110 - (100 + id)) / 110) * 100, ema_short: null, ema_long: null,
    average_volume: null, last_candle_ms: null, readiness: [{ strategy: 'breakout', ready: id % 2 === 0, candles: 10, needed: 51 }],
    last_signal: null, ...p,
  };
}

function alert(id: number, p: Partial<Alert> = {}): Alert {
  return {
    id, time_ms: Date.UTC(2026, 10, 25, 8, 40), time_ist: '2026-11-25 14:10:00', created_ms: 0, segment: 'NSE_FNO', security_id: 1,
    symbol: 'SYM1', underlying: 'U1', strategy: 'breakout', kind: 'bullish', price: 1, reason: '', numbers: {}, candle_time_ms: 0, ...p,
  };
}

describe('RowTable', () => {
  it('snapshot replaces, delta merges and removes, stale deltas are ignored', () => {
    const t = new RowTable();
    t.applySnapshot(5, [row(1), row(2)]);
    expect(t.rows.size).toBe(2);
    t.applyDelta(6, [row(1, { ltp: 200, version: 6 }), row(3)], [{ segment: 'NSE_FNO', security_id: 2 }], 1000);
    expect([...t.rows.keys()].sort()).toEqual(['NSE_FNO:1', 'NSE_FNO:3']);
    expect(t.changes.get('NSE_FNO:1')).toEqual({ direction: 1, atMs: 1000 });
    expect(t.changes.has('NSE_FNO:3')).toBe(false); // new rows do not flash
    t.applyDelta(7, [row(1, { ltp: 150, version: 4 })]);
    expect(t.rows.get('NSE_FNO:1')!.ltp).toBe(200);
    t.applySnapshot(9, [row(7)]);
    expect([...t.rows.keys()]).toEqual(['NSE_FNO:7']);
    expect(t.changes.size).toBe(0);
  });
});

describe('RowTable compact deltas', () => {
  it('merges only the fields a delta carries; null is a change, absence is not', () => {
    const t = new RowTable();
    t.applySnapshot(1, [row(1, { open_interest: 500 }), row(2)]);
    const before = t.rows.get('NSE_FNO:1')!;
    t.applyDelta(2, [{ segment: 'NSE_FNO', security_id: 1, version: 2, ltp: 99, open_interest: null }], [], 50);
    const after = t.rows.get('NSE_FNO:1')!;
    expect(after).not.toBe(before); // a new object: memoised views re-render it
    expect(after).toEqual({ ...before, version: 2, ltp: 99, open_interest: null });
    expect(before.ltp).toBe(101); // the old object is not mutated
    expect(t.changes.get('NSE_FNO:1')).toEqual({ direction: -1, atMs: 50 });
    expect(t.rows.get('NSE_FNO:2')).toEqual(row(2));
  });
  it('a delta without ltp keeps the price and flashes neutral; stale partials are ignored', () => {
    const t = new RowTable();
    t.applySnapshot(1, [row(1)]);
    t.applyDelta(3, [{ segment: 'NSE_FNO', security_id: 1, version: 3, day_volume: 5 }], [], 10);
    expect(t.rows.get('NSE_FNO:1')!.ltp).toBe(101);
    expect(t.rows.get('NSE_FNO:1')!.day_volume).toBe(5);
    expect(t.changes.get('NSE_FNO:1')!.direction).toBe(0);
    t.applyDelta(4, [{ segment: 'NSE_FNO', security_id: 1, version: 2, ltp: 1 }]);
    expect(t.rows.get('NSE_FNO:1')!.ltp).toBe(101);
    expect(t.rows.get('NSE_FNO:1')!.version).toBe(3);
  });
  it('a new row in a delta arrives complete and is taken as is', () => {
    const t = new RowTable();
    t.applySnapshot(1, []);
    t.applyDelta(2, [row(4, { version: 2 })]);
    expect(t.rows.get('NSE_FNO:4')).toEqual(row(4, { version: 2 }));
    expect(t.takeChanges()).toEqual(new Map([['NSE_FNO:4', undefined]]));
  });
  it('LiveStore merges a compact rows message over its snapshot', () => {
    const s = new LiveStore('ws://unused');
    s.handle({ type: 'snapshot', data: { version: 1, rows: [row(1), row(2)] } });
    s.handle({ type: 'rows', data: { version: 2, rows: [{ segment: 'NSE_FNO', security_id: 2, version: 2, change_pct: 7 }] } });
    expect(s.table.rows.get('NSE_FNO:2')).toEqual(row(2, { version: 2, change_pct: 7 }));
    expect(s.table.version).toBe(2);
  });
});

describe('scanner filters', () => {
  const rows = [row(1), row(2, { segment: 'IDX_I', type: 'INDEX' }), row(3, { last_signal: { strategy: 'breakout', kind: 'bullish', price: 1, time_ms: 5, reason: '' } }), row(12, { ltp: null })];
  it('round-trips through the URL and keeps defaults out of it', () => {
    expect(serializeFilters(kDefaultFilters)).toBe('');
    const f = { ...kDefaultFilters, q: 'nifty', near: 1.5, signals: true, sort: 'ltp' as const, desc: true, state: 'ready' as const };
    expect(parseFilters(serializeFilters(f))).toEqual(f);
    expect(parseFilters('?sort=bogus&state=weird&near=x')).toEqual(kDefaultFilters);
  });
  it('narrows by search, segment, type, state, price, near and signals', () => {
    const ids = (s: string) => selectRows(rows, parseFilters(s)).map((r) => r.security_id);
    expect(ids('?q=sym1')).toEqual([1, 12]);
    expect(ids('?q=u2')).toEqual([2]);
    expect(ids('?segment=IDX_I')).toEqual([2]);
    expect(ids('?type=FUTSTK,INDEX')).toEqual([1, 12, 2, 3]);
    expect(ids('?state=ready')).toEqual([12, 2]);
    expect(ids('?state=warming&strategy=breakout')).toEqual([1, 3]);
    expect(ids('?state=signalled')).toEqual([3]);
    expect(ids('?signals=1')).toEqual([3]);
    expect(ids('?min_price=102&max_price=103')).toEqual([2, 3]);
    expect(ids('?near=7.5')).toEqual([12, 2, 3]); // (110-102)/110 = 7.27 %; 12 is above resistance
  });
  it('sorts with unknown values last in both directions', () => {
    expect(selectRows(rows, parseFilters('?sort=-ltp')).map((r) => r.security_id)).toEqual([3, 2, 1, 12]);
    expect(selectRows(rows, parseFilters('?sort=ltp')).map((r) => r.security_id)).toEqual([1, 2, 3, 12]);
    expect(selectRows(rows, parseFilters('?sort=-last_signal')).map((r) => r.security_id)[0]).toBe(3);
  });
});

describe('alert filters', () => {
  it('query carries only set filters; live alerts are merged when they match', () => {
    const f = parseAlertFilters('?from=2026-11-25&kind=bullish&strategy=');
    expect(alertQuery(f).toString()).toBe('from=2026-11-25&kind=bullish');
    expect(matchesAlert(alert(1), f)).toBe(true);
    expect(matchesAlert(alert(2, { kind: 'bearish' }), f)).toBe(false);
    expect(matchesAlert(alert(3), parseAlertFilters('?to=2026-11-24'))).toBe(false);
    const shown = [alert(1)];
    expect(mergeLive(shown, alert(1), f)).toBe(shown);
    expect(mergeLive(shown, alert(4), f).map((a) => a.id)).toEqual([4, 1]);
    expect(mergeLive(shown, alert(5, { kind: 'bearish' }), f)).toBe(shown);
  });
});

describe('reconnect backoff', () => {
  it('grows exponentially, is capped and jittered', () => {
    expect(backoffDelay(0, () => 0.5)).toBe(500);
    expect(backoffDelay(3, () => 0.5)).toBe(4000);
    expect(backoffDelay(30, () => 0.5)).toBe(kBackoffMaxMs);
    expect(backoffDelay(30, () => 1)).toBe(kBackoffMaxMs * 1.2);
    expect(backoffDelay(0, () => 0)).toBe(400);
  });
});

describe('settings form model', () => {
  const strategies = [{ id: 'breakout', name: 'B', description: '', enabled: true, params: [{ key: 'volume_factor', type: 'double', min: 0, max: 10, description: 'x avg volume' }] }];
  const fields = flattenSettings({ lookback: 50, volume_factor: 0.5, web: { port: 5000 }, market: { holidays: ['2026-01-26'] }, strategies: { breakout: { volume_factor: 1 } } }, strategyMeta(strategies));
  it('flattens nested keys with inferred and declared types', () => {
    expect(fields.map((f) => [f.key, f.type])).toEqual([
      ['lookback', 'int'], ['volume_factor', 'number'], ['web.port', 'int'], ['market.holidays', 'list'], ['strategies.breakout.volume_factor', 'number'],
    ]);
    expect(fields[4]!.meta.max).toBe(10);
  });
  it('validates ranges and types before sending', () => {
    expect(parseInput(fields[0]!, '40')).toEqual({ value: 40 });
    expect(parseInput(fields[0]!, '4.5')).toEqual({ error: 'must be a whole number' });
    expect(parseInput(fields[4]!, '11')).toEqual({ error: 'must be ≤ 10' });
    expect(parseInput(fields[3]!, '2026-01-26, 2026-03-14')).toEqual({ value: ['2026-01-26', '2026-03-14'] });
  });
  it('shows the help text with what the field accepts', () => {
    const schema = {
      lookback: { type: 'int', min: 2, max: 5000, help: 'candles in the resistance / average-volume window' },
      request_code: { type: 'int', values: [15, 17, 21], help: 'feed packet type' },
      db_path: { type: 'string', help: 'SQLite database of alerts' },
    };
    const [lookback, code, db] = flattenSettings({ lookback: 50, request_code: 17, db_path: 'alerts.db' }, schema);
    expect(helpText(lookback!)).toBe('candles in the resistance / average-volume window · 2–5000');
    expect(helpText(code!)).toBe('feed packet type · one of 15, 17, 21');
    expect(helpText(db!)).toBe('SQLite database of alerts');
    expect(helpText(fields[4]!)).toBe('x avg volume · 0–10');
    expect(parseInput(code!, '16')).toEqual({ error: 'must be one of 15, 17, 21' });
    expect(parseInput(code!, '21')).toEqual({ value: 21 });
  });
  it('builds a nested partial body and knows restart keys', () => {
    expect(buildPatch({ lookback: 40, 'strategies.breakout.volume_factor': 1.2 })).toEqual({ lookback: 40, strategies: { breakout: { volume_factor: 1.2 } } });
    expect(needsRestart('web.port', ['web.port'])).toBe(true);
    expect(needsRestart('web.bind', ['web'])).toBe(true);
    expect(needsRestart('lookback', ['web.port'])).toBe(false);
  });
});

describe('LiveStore messages', () => {
  it('applies snapshot/rows/status/alert and fans alerts out once', () => {
    const s = new LiveStore('ws://unused');
    const seen: number[] = [];
    s.onAlert((a) => seen.push(a.id));
    s.handle({ type: 'snapshot', data: { version: 1, rows: [row(1)] } });
    s.handle({ type: 'rows', data: { version: 2, rows: [row(2)] } });
    s.handle({ type: 'alert', data: alert(9) });
    s.handle({ type: 'alert', data: alert(9) });
    expect(s.table.rows.size).toBe(2);
    expect(s.recentAlerts.map((a) => a.id)).toEqual([9]);
    expect(seen).toEqual([9, 9]);
  });
});

describe('chart data', () => {
  it('upserts by time and maps alert kinds to markers', () => {
    const l = [{ time: 1, v: 1 }, { time: 2, v: 2 }];
    expect(upsertByTime(l, { time: 2, v: 9 })).toEqual([{ time: 1, v: 1 }, { time: 2, v: 9 }]);
    expect(upsertByTime(l, { time: 3, v: 3 }).length).toBe(3);
    expect(upsertByTime(l, { time: 0, v: 0 })[0]).toEqual({ time: 0, v: 0 });
    const m = alertMarkers([{ time: 5, id: 1, strategy: 'breakout', kind: 'bearish', price: 1 }, { time: 2, id: 2, strategy: 'ema', kind: 'bullish', price: 1 }], 'g', 'r');
    expect(m.map((x) => [x.time, x.shape, x.color])).toEqual([[2, 'arrowUp', 'g'], [5, 'arrowDown', 'r']]);
  });
  it('virtual window covers the viewport plus overscan', () => {
    expect(visibleRange(0, 600, 5000)).toEqual([0, 23]);
    expect(visibleRange(3000, 600, 5000)).toEqual([97, 123]);
    expect(visibleRange(0, 600, 3)).toEqual([0, 3]);
  });
});
