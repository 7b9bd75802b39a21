// Reconnect delay: exponential from 500 ms, capped at 10 s, with ±20 % jitter
// so a restarted server is not hit by every tab at once. Pure (unit-tested).
export const kBackoffBaseMs = 500;
export const kBackoffMaxMs = 10_000;

export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(kBackoffMaxMs, kBackoffBaseMs * 2 ** Math.max(0, attempt));
  return Math.round(base * (0.8 + 0.4 * random()));
}
