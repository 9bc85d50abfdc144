import { describe, expect, it } from 'vitest';
import { buildConfig } from '../../src/interpreter/config.js';
import { ScriptError } from '../../src/interpreter/errors.js';
import { checkTiming, toleranceFor, type TimeWindow } from '../../src/interpreter/timing.js';

const config = (usecs: number, percent?: number) =>
  buildConfig([], [{ name: 'tolerance_usecs', value: String(usecs) }, ...(percent === undefined ? [] : [{ name: 'tolerance_percent', value: String(percent) }])]);
const loc = { start: { offset: 0, line: 7, column: 1 }, end: { offset: 2, line: 7, column: 3 } };
const at = (usecs: number): TimeWindow => ({ start: usecs, end: usecs, any: false });

function timingError(w: TimeWindow, tol: number, actual: number): ScriptError | undefined {
  try {
    checkTiming(w, tol, actual, 'outbound packet', loc);
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(ScriptError);
    return e as ScriptError;
  }
}

describe('toleranceFor', () => {
  it('is the absolute tolerance for the first event (no gap to scale)', () => {
    expect(toleranceFor(config(4000, 50), 1_000_000, undefined)).toBe(4000);
  });

  it('is the larger of the absolute tolerance and the percentage of the gap since the previous event', () => {
    const c = config(4000, 10);
    expect(toleranceFor(c, 110_000, 100_000)).toBe(4000); // 10 % of 10 ms is 1 ms: the absolute wins
    expect(toleranceFor(c, 1_100_000, 100_000)).toBe(100_000); // 10 % of 1 s
  });

  it('takes packetdrill\'s default of 12.5 % when no percentage is given', () => {
    expect(toleranceFor(config(4000), 10_000_000, 0)).toBe(1_250_000);
  });
});

describe('checkTiming', () => {
  it('accepts the edges of the window widened by the tolerance', () => {
    for (const actual of [96_000, 100_000, 104_000]) expect(timingError(at(100_000), 4000, actual)).toBeUndefined();
    expect(timingError({ start: 100_000, end: 200_000, any: false }, 1000, 201_000)).toBeUndefined();
  });

  it('accepts any time for a "*" event', () => {
    expect(timingError({ start: 0, end: 0, any: true }, 0, 9e9)).toBeUndefined();
  });

  it('says how late, against the expected time, with the allowed window as a note and packetdrill\'s line', () => {
    const e = timingError(at(100_000), 4000, 104_001)!;
    expect(e.kind).toBe('timing');
    expect(e.loc).toBe(loc);
    expect(e.message).toBe('outbound packet 4.001 ms late: expected at 0.100000 sec, happened at 0.104001 sec');
    expect(e.notes).toEqual(['allowed window: 0.096000 to 0.104000 sec (tolerance 4.000 ms)']);
    expect(e.legacy).toBe('timing error: expected outbound packet at 0.100000 sec but happened at 0.104001 sec; tolerance 0.004000 sec');
  });

  it('says how early, from the start of a range', () => {
    const e = timingError({ start: 200_000, end: 300_000, any: false }, 1000, 150_000)!;
    expect(e.message).toBe('outbound packet 50.000 ms early: expected in time range 0.200000~0.300000 sec, happened at 0.150000 sec');
    expect(e.notes).toEqual(['allowed window: 0.199000 to 0.301000 sec (tolerance 1.000 ms)']);
  });
});
