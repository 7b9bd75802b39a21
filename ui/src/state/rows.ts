// Scanner row table: applies WS snapshots/deltas. Pure data, no DOM; the live
// store owns one instance. Mutation happens only through applySnapshot/
// applyDelta, which bump `revision` so views can memoise on it, and record
// which keys changed since the last takeChanges() so one incremental view
// (ScannerView) can update without rescanning every row. That record holds at
// most one entry per instrument. Deltas carry only changed fields per row
// (RowDelta); they are merged over the row held, into a new object
// (mergeRow), so views memoised on row identity still see every change.
import type { Instrument, Row, RowDelta } from '../lib/types';
import { instrumentKey } from '../lib/format';

export interface RowChange {
  /** +1 LTP rose, -1 fell, 0 other field changed. */
  direction: number;
  /** When the change arrived (local clock): the row's flash fades from it. */
  atMs: number;
}

export class RowTable {
  readonly rows = new Map<string, Row>();
  readonly changes = new Map<string, RowChange>();
  revision = 0;
  version = 0;
  /** Bumped by every snapshot: incremental views must rebuild. */
  epoch = 0;
  /** key → the row as it was at the last takeChanges() (undefined: absent then). */
  private pending = new Map<string, Row | undefined>();

  /** Changes since the previous call, then forgets them (single consumer). */
  takeChanges(): Map<string, Row | undefined> {
    const out = this.pending;
    this.pending = new Map();
    return out;
  }

  private touch(key: string, old: Row | undefined): void {
    if (!this.pending.has(key)) this.pending.set(key, old);
  }

  applySnapshot(version: number, rows: Row[]): void {
    this.epoch++;
    this.pending.clear();
    this.rows.clear();
    this.changes.clear();
    for (const r of rows) this.rows.set(instrumentKey(r), r);
    this.version = version;
    this.revision++;
  }

  applyDelta(version: number, rows: RowDelta[], removed: Instrument[] = [], nowMs = Date.now()): void {
    this.revision++;
    for (const d of rows) {
      const key = instrumentKey(d);
      const old = this.rows.get(key);
      if (old && old.version > d.version) continue; // stale delta after a snapshot
      this.touch(key, old);
      // A key the table lacks arrives complete from the server (new row).
      const r: Row = old ? mergeRow(old, d) : (d as Row);
      this.rows.set(key, r);
      if (old) {
        const a = old.ltp ?? 0;
        const b = r.ltp ?? 0;
        this.changes.set(key, { direction: b > a ? 1 : b < a ? -1 : 0, atMs: nowMs });
      }
    }
    for (const i of removed) {
      const key = instrumentKey(i);
      const old = this.rows.get(key);
      if (!old) continue;
      this.touch(key, old);
      this.rows.delete(key);
      this.changes.delete(key);
    }
    this.version = Math.max(this.version, version);
  }
}

/**
 * `old` with the members `d` carries (JSON has no undefined: absent = unchanged).
 * One object literal of fixed shape, checked against Row by the compiler. With
 * object spread, merging full 1,000-row deltas measured p95 45-56 ms in the
 * 5,000-row e2e check against 18-22 ms without a merge (same load).
 */
export function mergeRow(old: Row, d: RowDelta): Row {
  return {
    segment: old.segment,
    security_id: old.security_id,
    symbol: d.symbol ?? old.symbol,
    underlying: d.underlying ?? old.underlying,
    type: d.type ?? old.type,
    version: d.version,
    ltp: d.ltp !== undefined ? d.ltp : old.ltp,
    prev_close: d.prev_close !== undefined ? d.prev_close : old.prev_close,
    change_pct: d.change_pct !== undefined ? d.change_pct : old.change_pct,
    day_volume: d.day_volume !== undefined ? d.day_volume : old.day_volume,
    open_interest: d.open_interest !== undefined ? d.open_interest : old.open_interest,
    resistance: d.resistance !== undefined ? d.resistance : old.resistance,
    distance_to_breakout_pct: d.distance_to_breakout_pct !== undefined ? d.distance_to_breakout_pct : old.distance_to_breakout_pct,
    ema_short: d.ema_short !== undefined ? d.ema_short : old.ema_short,
    ema_long: d.ema_long !== undefined ? d.ema_long : old.ema_long,
    average_volume: d.average_volume !== undefined ? d.average_volume : old.average_volume,
    last_candle_ms: d.last_candle_ms !== undefined ? d.last_candle_ms : old.last_candle_ms,
    readiness: d.readiness ?? old.readiness,
    last_signal: d.last_signal !== undefined ? d.last_signal : old.last_signal,
  };
}
