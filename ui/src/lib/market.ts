// Market clock text for the header: open/closed and the countdown to the next
// transition, computed from the server's IST timestamps and its clock (not the
// browser's, which may be wrong). Pure (unit-tested).
import type { Status } from './types';
import { fmtDuration, parseIst } from './format';

export interface MarketClock {
  open: boolean;
  label: string;
}

/** `nowMs` is the server time now: status.server_time_ms + local time since it arrived. */
export function marketClock(market: Status['market'], nowMs: number): MarketClock {
  const target = parseIst(market.open ? market.next_close_ist : market.next_open_ist);
  const verb = market.open ? 'closes in' : 'opens in';
  if (target === null) return { open: market.open, label: market.open ? 'Market open' : 'Market closed' };
  return {
    open: market.open,
    label: `${market.open ? 'Market open' : 'Market closed'} · ${verb} ${fmtDuration((target - nowMs) / 1000)}`,
  };
}

export type Health = 'good' | 'warn' | 'bad' | 'idle';

export function connectionHealth(state: string, lastPacketAge: number | null): Health {
  if (state === 'streaming') return lastPacketAge !== null && lastPacketAge > 30 ? 'warn' : 'good';
  if (state === 'connecting' || state === 'subscribing' || state === 'reconnecting' || state === 'backoff') return 'warn';
  return 'bad';
}

export function feedHealth(health: string): Health {
  if (health === 'ok') return 'good';
  if (health === 'starting' || health === 'degraded') return 'warn';
  return 'bad';
}
