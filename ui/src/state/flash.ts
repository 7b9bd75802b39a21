// Row flash on change as discrete steps (bright, then faint, then none) chosen
// at render time, instead of a CSS keyframe animation per row: with 5,000 rows
// at 10 Hz the visible rows were almost always mid-animation, and servicing
// ~40 running animations cost style recalc, paint and layerization on every
// frame (with them removed, the e2e frame-time check's p95 fell from ~50 to
// ~16 ms at the same load). A step changes a row's class at most twice per change, so a frame
// restyles and repaints only the rows whose step moved. Pure functions.
import type { RowChange } from './rows';

/** Age (ms since the change) at which each step ends; the last one ends the flash. */
export const kFlashBrightMs = 300;
export const kFlashMs = 800;

export interface Flash {
  /** Class suffix for the row ('' when not flashing), e.g. ' flash-up' or ' flash-down fade'. */
  cls: string;
  /** Local time at which `cls` next changes; Infinity when it never will. */
  nextMs: number;
}

const kNone: Flash = { cls: '', nextMs: Infinity };

export function flashOf(ch: RowChange | undefined, nowMs: number): Flash {
  if (!ch) return kNone;
  const age = nowMs - ch.atMs;
  if (age < 0 || age >= kFlashMs) return kNone;
  const dir = ch.direction > 0 ? 'up' : ch.direction < 0 ? 'down' : 'flat';
  return age < kFlashBrightMs
    ? { cls: ` flash-${dir}`, nextMs: ch.atMs + kFlashBrightMs }
    : { cls: ` flash-${dir} fade`, nextMs: ch.atMs + kFlashMs };
}
