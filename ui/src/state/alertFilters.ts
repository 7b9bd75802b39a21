// Alert History filters ↔ URL and ↔ /api/alerts query, and whether a live
// alert belongs in the current filtered view. Pure (unit-tested).
import type { Alert } from '../lib/types';
import { istDay } from '../lib/format';

export interface AlertFilters {
  from: string;
  to: string;
  symbol: string;
  strategy: string;
  kind: string;
}

const kKeys: (keyof AlertFilters)[] = ['from', 'to', 'symbol', 'strategy', 'kind'];

export function parseAlertFilters(search: string): AlertFilters {
  const p = new URLSearchParams(search);
  return { from: p.get('from') ?? '', to: p.get('to') ?? '', symbol: p.get('symbol') ?? '', strategy: p.get('strategy') ?? '', kind: p.get('kind') ?? '' };
}

/** The filter part of /api/alerts and /api/alerts.csv (no limit/cursor). */
export function alertQuery(f: AlertFilters): URLSearchParams {
  const p = new URLSearchParams();
  for (const k of kKeys) if (f[k].trim()) p.set(k, f[k].trim());
  return p;
}

export function matchesAlert(a: Alert, f: AlertFilters): boolean {
  const day = istDay(a.time_ms);
  if (f.from && day < f.from) return false;
  if (f.to && day > f.to) return false;
  if (f.symbol.trim() && a.symbol !== f.symbol.trim()) return false;
  if (f.strategy && a.strategy !== f.strategy) return false;
  if (f.kind && a.kind !== f.kind) return false;
  return true;
}

/** Prepend live alerts that match, without duplicating ids already shown. */
export function mergeLive(shown: Alert[], incoming: Alert, f: AlertFilters): Alert[] {
  if (!matchesAlert(incoming, f) || shown.some((a) => a.id === incoming.id)) return shown;
  return [incoming, ...shown];
}
