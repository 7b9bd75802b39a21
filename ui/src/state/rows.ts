// Scanner row table: applies WS snapshots/deltas. Pure data, no DOM; the live
// store owns one instance. Mutation happens only through applySnapshot/
// applyDelta, which bump `revision` so views can memoise on it, and record
// which keys changed since the last takeChanges() so one incremental view
// (ScannerView) can update without rescanning every row. That record holds at
// most one entry per instrument.
import type { Instrument, Row } from '../lib/types';
import { instrumentKey } from '../lib/format';

export interface RowChange {
  /** +1 LTP rose, -1 fell, 0 other field changed. */
  direction: number;
  revision: number;
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

  applyDelta(version: number, rows: Row[], removed: Instrument[] = [], nowMs = Date.now()): void {
    this.revision++;
    for (const r of rows) {
      const key = instrumentKey(r);
      const old = this.rows.get(key);
      if (old && old.version > r.version) continue; // stale delta after a snapshot
      this.touch(key, old);
      this.rows.set(key, r);
      if (old) {
        const a = old.ltp ?? 0;
        const b = r.ltp ?? 0;
        this.changes.set(key, { direction: b > a ? 1 : b < a ? -1 : 0, revision: this.revision, atMs: nowMs });
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
