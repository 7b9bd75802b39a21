import { describe, expect, it } from 'vitest';
import { fmtChartTime, fmtDuration, fmtIstTime, fmtPct, fmtPrice, fmtVolume, istDay, parseIst } from './format';
import { marketClock, connectionHealth, modeBadge } from './market';
import { csrfToken } from './api';

describe('format', () => {
  it('prices use Indian grouping and dash for null', () => {
    expect(fmtPrice(2451.5)).toBe('2,451.50');
    expect(fmtPrice(1234567.891)).toBe('12,34,567.89');
    expect(fmtPrice(null)).toBe('—');
    expect(fmtPrice(Number.NaN)).toBe('—');
  });
  it('percentages are signed', () => {
    expect(fmtPct(0.876)).toBe('+0.88%');
    expect(fmtPct(-1.2)).toBe('-1.20%');
    expect(fmtPct(0)).toBe('0.00%');
    expect(fmtPct(-0.1, false)).toBe('-0.10%');
  });
  it('volumes use K / L / Cr', () => {
    expect(fmtVolume(950)).toBe('950');
    expect(fmtVolume(12_300)).toBe('12.3 K');
    expect(fmtVolume(1_234_500)).toBe('12.35 L');
    expect(fmtVolume(25_000_000)).toBe('2.50 Cr');
  });
  it('IST conversions round-trip', () => {
    const ms = Date.UTC(2026, 10, 25, 8, 40, 30); // 14:10:30 IST
    expect(fmtIstTime(ms)).toBe('14:10:30');
    expect(istDay(Date.UTC(2026, 10, 24, 19, 0))).toBe('2026-11-25'); // 00:30 IST next day
    expect(parseIst('2026-11-25 14:10:30')).toBe(ms);
    expect(parseIst('nonsense')).toBeNull();
    expect(fmtChartTime(ms / 1000)).toBe('14:10');
    expect(fmtChartTime(ms / 1000, true)).toBe('25/11 14:10');
  });
  it('durations', () => {
    expect(fmtDuration(3725)).toBe('01:02:05');
    expect(fmtDuration(90061)).toBe('1d 01:01:01');
    expect(fmtDuration(-5)).toBe('00:00:00');
  });
});

describe('market clock', () => {
  it('counts down to the close while open, to the open while closed', () => {
    const now = parseIst('2026-11-25 15:00:00')!;
    expect(marketClock({ open: true, next_open_ist: null, next_close_ist: '2026-11-25 15:30:00' }, now).label).toBe(
      'Market open · closes in 00:30:00',
    );
    expect(marketClock({ open: false, next_open_ist: '2026-11-26 09:15:00', next_close_ist: null }, now).label).toBe(
      'Market closed · opens in 18:15:00',
    );
    expect(marketClock({ open: false, next_open_ist: null, next_close_ist: null }, now).label).toBe('Market closed');
  });
  it('feed connection health', () => {
    expect(connectionHealth('streaming', 0.2)).toBe('good');
    expect(connectionHealth('streaming', 45)).toBe('warn');
    expect(connectionHealth('backoff', null)).toBe('warn');
    expect(connectionHealth('auth_failed', null)).toBe('bad');
  });
  it('mode badge labels a replay and says when its file ended', () => {
    expect(modeBadge({ mode: 'demo' }).label).toBe('DEMO');
    expect(modeBadge({ mode: 'live' }).label).toBe('LIVE');
    const playing = modeBadge({ mode: 'replay', replay: { file: 'a.fnorec', frames: 10, packets: 40, finished: false } });
    expect(playing.label).toBe('REPLAY');
    expect(playing.title).toContain('a.fnorec: 10 frames');
    const ended = modeBadge({ mode: 'replay', replay: { file: 'a.fnorec', frames: 99, packets: 400, finished: true } });
    expect(ended.label).toBe('REPLAY · ended');
    expect(modeBadge({ mode: 'replay' }).label).toBe('REPLAY');
  });
  it('csrf token comes from the cookie, else any non-empty value', () => {
    expect(csrfToken('a=1; fno_csrf=abc%3D; b=2')).toBe('abc=');
    expect(csrfToken('')).toBe('1');
  });
});
