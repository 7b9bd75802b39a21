// The scanner's filtered, sorted row list, kept up to date incrementally: a
// delta of K changed rows costs O(N + K log K) (drop the replaced rows, sort
// the K fresh ones, merge) instead of re-filtering and re-sorting all N rows.
// A new filter set or a snapshot rebuilds from scratch. Returns the same array
// while nothing changed, so renders can memoise on its identity. Pure data,
// single consumer of RowTable.takeChanges(); main thread only.
import type { Row } from '../lib/types';
import type { RowTable } from './rows';
import { compareRows, matches, selectRows, type ScannerFilters } from './filters';

export class ScannerView {
  private rows: Row[] = [];
  private filters: ScannerFilters | null = null;
  private epoch = -1;
  private revision = -1;

  select(table: RowTable, f: ScannerFilters): Row[] {
    if (f !== this.filters || table.epoch !== this.epoch) return this.rebuild(table, f);
    if (table.revision === this.revision) return this.rows;
    this.revision = table.revision;
    const changes = table.takeChanges();
    if (changes.size === 0) return this.rows;
    const replaced = new Set<Row>();
    const fresh: Row[] = [];
    for (const [key, old] of changes) {
      if (old) replaced.add(old);
      const now = table.rows.get(key);
      if (now && matches(now, f)) fresh.push(now);
    }
    const cmp = (a: Row, b: Row) => compareRows(a, b, f.sort, f.desc);
    fresh.sort(cmp);
    this.rows = merge(this.rows, fresh, cmp, replaced);
    return this.rows;
  }

  private rebuild(table: RowTable, f: ScannerFilters): Row[] {
    table.takeChanges();
    this.filters = f;
    this.epoch = table.epoch;
    this.revision = table.revision;
    this.rows = selectRows(table.rows.values(), f);
    return this.rows;
  }
}

/**
 * Merges two lists sorted by `cmp` (ties keep `a` first), leaving out the
 * members of `a` in `drop`, in one pass (a filter first cost a second pass and
 * array over every row). `a` itself when there is nothing to add or drop.
 */
export function merge<T>(a: T[], b: T[], cmp: (x: T, y: T) => number, drop?: ReadonlySet<T>): T[] {
  const dropping = drop !== undefined && drop.size > 0;
  if (b.length === 0 && !dropping) return a;
  const out: T[] = new Array<T>(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    if (dropping && drop.has(x)) i++;
    else if (cmp(b[j]!, x) < 0) out[k++] = b[j++]!;
    else out[k++] = a[i++]!;
  }
  for (; i < a.length; i++) if (!dropping || !drop.has(a[i]!)) out[k++] = a[i]!;
  while (j < b.length) out[k++] = b[j++]!;
  out.length = k;
  return out;
}
