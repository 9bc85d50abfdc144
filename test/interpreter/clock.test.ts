import { describe, expect, it } from 'vitest';
import { ENGAGE_AHEAD_USECS, ScriptClock } from '../../src/interpreter/clock.js';

/** A stand-in for the CPU latency request that records when the clock engages and relaxes it. */
function recorder(clock: () => ScriptClock) {
  const calls: { what: 'engage' | 'relax'; at: number }[] = [];
  return {
    calls,
    latency: {
      engage: () => calls.push({ what: 'engage', at: clock().nowUsecs() }),
      relax: () => calls.push({ what: 'relax', at: clock().nowUsecs() }),
    },
  };
}

describe('ScriptClock: idle CPUs kept polling only just before an event', () => {
  it('engages the request ENGAGE_AHEAD_USECS before the time waited for, not when the wait starts', async () => {
    let clock!: ScriptClock;
    const r = recorder(() => clock);
    clock = new ScriptClock(undefined, r.latency);
    const target = ENGAGE_AHEAD_USECS + 10_000;
    await clock.waitUntil(target);
    const reached = clock.nowUsecs();
    expect(r.calls.map((c) => c.what)).toEqual(['engage']);
    // Sleeps never end early, so these bounds do not depend on the machine's speed.
    expect(r.calls[0]!.at).toBeGreaterThanOrEqual(target - 200 - ENGAGE_AHEAD_USECS);
    expect(r.calls[0]!.at).toBeLessThanOrEqual(reached);
    expect(reached).toBeGreaterThanOrEqual(target);
    clock.relax();
    expect(r.calls.map((c) => c.what)).toEqual(['engage', 'relax']);
  });

  it('engages at once when the event is closer than that', async () => {
    let clock!: ScriptClock;
    const r = recorder(() => clock);
    clock = new ScriptClock(undefined, r.latency);
    await clock.waitNear(500);
    const returned = clock.nowUsecs();
    expect(r.calls.map((c) => c.what)).toEqual(['engage']);
    // Engaged before the wait ended. (Not "before 500 µs": under the parallel unit tests the
    // event loop's yield alone can take longer, which made this test flaky.)
    expect(r.calls[0]!.at).toBeLessThanOrEqual(returned);
    expect(returned).toBeGreaterThanOrEqual(500 - 200);
  });

  it('works without a request (--allow_deep_idle, or not root)', async () => {
    const clock = new ScriptClock();
    await clock.waitUntil(1000);
    expect(clock.nowUsecs()).toBeGreaterThanOrEqual(1000);
    expect(() => clock.relax()).not.toThrow();
  });
});
