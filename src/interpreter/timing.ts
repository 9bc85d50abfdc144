import { timingMiss } from '../assertions/messages.js';
import type { SourceLocation } from '../parser/ast.js';
import type { RunConfig } from './config.js';
import { ScriptError } from './errors.js';

/** An event's expected time: one instant (start == end), a range, or any time. */
export interface TimeWindow {
  start: number;
  end: number;
  any: boolean;
}

/**
 * packetdrill's slack: the absolute tolerance, or a percentage of the gap since the previous
 * event when that is larger (long gaps drift more in absolute terms).
 */
export function toleranceFor(c: RunConfig, expected: number, previous: number | undefined): number {
  if (previous === undefined) return c.toleranceUsecs;
  return Math.max(c.toleranceUsecs, (c.tolerancePercent / 100) * (expected - previous));
}

/** Throws a timing error saying how early or late `actual` is and the allowed window. */
export function checkTiming(w: TimeWindow, tol: number, actual: number, what: string, loc: SourceLocation): void {
  if (w.any) return;
  const lo = w.start - tol;
  const hi = w.end + tol;
  if (actual >= lo && actual <= hi) return;
  throw ScriptError.from('timing', loc, timingMiss({ what, start: w.start, end: w.end, toleranceUsecs: tol, actual }));
}
