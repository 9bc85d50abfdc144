import { describe, expect, it } from 'vitest';
import { clocks, sleepUntilMonotonic, spinUntilMonotonic } from '../../src/sys/libc.js';

const SECOND = 1_000_000_000n;

describe('spinUntilMonotonic / sleepUntilMonotonic', () => {
  it('returns a reading at or after the target, also when the spin crosses a second boundary', () => {
    // Sleep to just before a boundary, then spin to just after it: the spin compares
    // nanoseconds counted from the target's second, which the boundary must not upset.
    const boundary = (clocks.monotonicNs() / SECOND + 1n) * SECOND;
    sleepUntilMonotonic(boundary - 300_000n);
    const target = boundary + 50_000n;
    const stamp = spinUntilMonotonic(target);
    expect(stamp >= target).toBe(true);
    expect(stamp - target < SECOND / 2n).toBe(true);
    expect(clocks.monotonicNs() >= stamp).toBe(true);
  });

  it('returns at once for a target in the past, with the current time', () => {
    const before = clocks.monotonicNs();
    const stamp = spinUntilMonotonic(before - SECOND);
    expect(stamp >= before).toBe(true);
    expect(stamp - before < SECOND / 10n).toBe(true);
  });

  it('sleeps until an absolute time, and not at all for one already past', () => {
    const target = clocks.monotonicNs() + 2_000_000n;
    sleepUntilMonotonic(target);
    expect(clocks.monotonicNs() >= target).toBe(true);
    const before = clocks.monotonicNs();
    sleepUntilMonotonic(before - SECOND);
    expect(clocks.monotonicNs() - before < SECOND / 10n).toBe(true);
  });
});
