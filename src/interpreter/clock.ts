import { clocks, spinUntilMonotonic } from '../sys/libc.js';

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** How long before a timed event idle CPUs are kept polling (see src/sys/cpu-latency.ts). */
export const ENGAGE_AHEAD_USECS = 3000;

/** What the clock needs of a CPU latency request (src/sys/cpu-latency.ts). */
export interface WakeLatency {
  engage(): void;
  relax(): void;
}

/**
 * The script clock: microseconds since script start on CLOCK_MONOTONIC, the clock the capture
 * timestamps are converted to. setTimeout alone fires up to a millisecond early or late, so a
 * wait blocks the thread (Atomics.wait) until 200 us before, then spins. Blocking rather than
 * spinning matters: this thread runs SCHED_RR, and a long spin starves the threads that date
 * blocking calls and drain tun0 on a 2-core machine. Nothing is lost while the loop is blocked:
 * packets and blocking calls are timestamped by the kernel and the syscall thread, not when we
 * read them. The last ENGAGE_AHEAD_USECS of a wait, idle CPUs are kept polling so they wake in
 * time; relax() after the event lets them sleep again.
 */
export class ScriptClock {
  readonly startNs: bigint;
  constructor(
    startNs = clocks.monotonicNs(),
    private readonly wakeLatency?: WakeLatency,
  ) {
    this.startNs = startNs;
  }

  nowUsecs(): number {
    return Number(clocks.monotonicNs() - this.startNs) / 1000;
  }

  /** Script microseconds of a CLOCK_MONOTONIC nanosecond instant. */
  usecsOf(monotonicNs: bigint): number {
    return Number(monotonicNs - this.startNs) / 1000;
  }

  async waitUntil(usecs: number): Promise<void> {
    await this.waitNear(usecs - 200);
    this.spinUntil(usecs);
  }

  /** CLOCK_MONOTONIC nanoseconds of a script time. */
  nsOf(usecs: number): bigint {
    return this.startNs + BigInt(Math.round(usecs * 1000));
  }

  /** Like waitUntil() without the final spin: returns at `usecs` or up to ~0.1 ms after. */
  async waitNear(usecs: number): Promise<void> {
    // Yield once so pending completions and captures are handled, then sleep the thread.
    await new Promise((r) => setImmediate(r));
    this.blockUntil(usecs - ENGAGE_AHEAD_USECS);
    this.wakeLatency?.engage();
    this.blockUntil(usecs);
  }

  /** The event that needed a precise wake-up has happened: idle CPUs may sleep deeply again. */
  relax(): void {
    this.wakeLatency?.relax();
  }

  /** Sleeps the thread (no event loop) until about `usecs`. */
  blockUntil(usecs: number): void {
    const left = usecs - this.nowUsecs();
    if (left > 0) Atomics.wait(sleeper, 0, 0, left / 1000);
  }

  /** The last ~200 µs: a wake-up from sleep is not that precise. */
  spinUntil(usecs: number): void {
    spinUntilMonotonic(this.nsOf(usecs));
  }

  /** Yields to the event loop for about `ms` (no precision needed: used while polling). */
  static pause(ms: number): Promise<void> {
    return new Promise((r) => setTimeout(r, ms));
  }
}
