// Display formatting for prices, volumes, percentages and IST times. Pure
// functions: the same input always renders the same text (unit-tested).

const kIstOffsetMs = 330 * 60 * 1000;

export const kDash = '—';

// One formatter: toLocaleString with options builds a new one per call, which
// dominated the scanner's render time.
const kPriceFormat = new Intl.NumberFormat('en-IN', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export function fmtPrice(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return kDash;
  return kPriceFormat.format(v);
}

export function fmtPct(v: number | null | undefined, signed = true): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return kDash;
  const s = v.toFixed(2);
  return `${signed && v > 0 ? '+' : ''}${s}%`;
}

/** Indian grouping with K/L/Cr suffixes so wide volumes fit a column. */
export function fmtVolume(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return kDash;
  const a = Math.abs(v);
  if (a >= 1e7) return `${(v / 1e7).toFixed(2)} Cr`;
  if (a >= 1e5) return `${(v / 1e5).toFixed(2)} L`;
  if (a >= 1e3) return `${(v / 1e3).toFixed(1)} K`;
  return String(Math.round(v));
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** UTC epoch ms → "HH:MM:SS" IST. */
export function fmtIstTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return kDash;
  const d = new Date(ms + kIstOffsetMs);
  return `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
}

/** UTC epoch ms → "YYYY-MM-DD" IST day (what /api/alerts takes). */
export function istDay(ms: number): string {
  const d = new Date(ms + kIstOffsetMs);
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
}

/** "YYYY-MM-DD HH:MM:SS" IST → UTC epoch ms, or null when malformed. */
export function parseIst(text: string | null | undefined): number | null {
  if (!text) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m;
  return Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, s ? +s : 0) - kIstOffsetMs;
}

/** Seconds → "1d 02:03:04" / "02:03:04". Negative clamps to zero. */
export function fmtDuration(seconds: number): string {
  const t = Math.max(0, Math.floor(seconds));
  const d = Math.floor(t / 86400);
  const h = Math.floor((t % 86400) / 3600);
  const m = Math.floor((t % 3600) / 60);
  const s = t % 60;
  const hms = `${pad2(h)}:${pad2(m)}:${pad2(s)}`;
  return d > 0 ? `${d}d ${hms}` : hms;
}

/** UTC epoch seconds → IST "HH:MM" for chart axes. */
export function fmtChartTime(sec: number, withDate = false): string {
  const d = new Date(sec * 1000 + kIstOffsetMs);
  const hm = `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`;
  return withDate ? `${pad2(d.getUTCDate())}/${pad2(d.getUTCMonth() + 1)} ${hm}` : hm;
}

export function instrumentKey(i: { segment: string; security_id: number }): string {
  return `${i.segment}:${i.security_id}`;
}
