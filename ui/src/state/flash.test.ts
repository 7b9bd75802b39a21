import { describe, expect, it } from 'vitest';
import { flashOf, kFlashBrightMs, kFlashMs } from './flash';

const change = (direction: number, atMs: number) => ({ direction, atMs });

describe('flashOf', () => {
  it('steps bright → faint → none by age, naming the direction', () => {
    expect(flashOf(change(1, 1000), 1000)).toEqual({ cls: ' flash-up', nextMs: 1000 + kFlashBrightMs });
    expect(flashOf(change(-1, 1000), 1000 + kFlashBrightMs - 1).cls).toBe(' flash-down');
    expect(flashOf(change(-1, 1000), 1000 + kFlashBrightMs)).toEqual({ cls: ' flash-down fade', nextMs: 1000 + kFlashMs });
    expect(flashOf(change(0, 1000), 1000 + kFlashMs - 1).cls).toBe(' flash-flat fade');
    expect(flashOf(change(1, 1000), 1000 + kFlashMs)).toEqual({ cls: '', nextMs: Infinity });
  });
  it('no change, or a change stamped in the future (clock step), does not flash', () => {
    expect(flashOf(undefined, 5)).toEqual({ cls: '', nextMs: Infinity });
    expect(flashOf(change(1, 2000), 1000).cls).toBe('');
  });
});
