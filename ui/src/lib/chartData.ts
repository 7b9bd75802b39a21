// Converts /api/candles and live `candle` pushes into chart series data:
// merge-by-time for live updates and alert → marker mapping. Pure (tested).
import type { Candle, ChartMarker, LinePoint } from './types';

/** Insert or replace by `time`, keeping ascending order (live bars arrive last). */
export function upsertByTime<T extends { time: number }>(list: T[], item: T): T[] {
  const last = list[list.length - 1];
  if (!last || last.time < item.time) return [...list, item];
  if (last.time === item.time) return [...list.slice(0, -1), item];
  const out = list.filter((x) => x.time !== item.time);
  out.push(item);
  out.sort((a, b) => a.time - b.time);
  return out;
}

export interface MarkerSpec {
  time: number;
  position: 'aboveBar' | 'belowBar';
  shape: 'arrowUp' | 'arrowDown';
  color: string;
  text: string;
}

export function alertMarkers(alerts: ChartMarker[], up: string, down: string): MarkerSpec[] {
  return [...alerts]
    .sort((a, b) => a.time - b.time)
    .map((a) => {
      const bull = a.kind !== 'bearish';
      return { time: a.time, position: bull ? 'belowBar' : 'aboveBar', shape: bull ? 'arrowUp' : 'arrowDown', color: bull ? up : down, text: a.strategy };
    });
}

export function volumePoints(candles: Candle[]): LinePoint[] {
  return candles.filter((c) => c.volume !== null).map((c) => ({ time: c.time, value: c.volume as number }));
}
