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

export interface ModeBadge {
  label: string;
  title: string;
}

/** The header's run-mode badge: LIVE, DEMO, or REPLAY with the recording's progress. */
export function modeBadge(status: Pick<Status, 'mode' | 'replay'>): ModeBadge {
  if (status.mode === 'live') return { label: 'LIVE', title: 'live Dhan feed' };
  if (status.mode === 'demo') return { label: 'DEMO', title: 'built-in simulator' };
  const r = status.replay;
  if (!r) return { label: 'REPLAY', title: 'replay of a recording' };
  return {
    label: r.finished ? 'REPLAY · ended' : 'REPLAY',
    title: `replay of ${r.file}: ${r.frames} frames, ${r.packets} packets${r.finished ? ' (file ended; the result stays browsable)' : ' so far'}`,
  };
}
