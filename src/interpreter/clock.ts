import { clocks } from '../sys/libc.js';

/**
 * The script clock: microseconds since script start on CLOCK_MONOTONIC, the clock the capture
 * timestamps are converted to. Waiting is hybrid because setTimeout alone fires up to a
 * millisecond early or late: sleep on the event loop until 2 ms before, then spin while
 * yielding to the event loop (setImmediate) so that packet captures and the completions of
 * blocking syscalls are still handled promptly, then spin tight for the last 100 us.
 */
export class ScriptClock {
  readonly startNs: bigint;
  constructor(startNs = clocks.monotonicNs()) {
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
    let left = usecs - this.nowUsecs();
    if (left > 2000) await new Promise((r) => setTimeout(r, Math.floor((left - 2000) / 1000)));
    while (usecs - this.nowUsecs() > 100) await new Promise((r) => setImmediate(r));
    while (this.nowUsecs() < usecs) {
      /* spin: the last 100 us */
    }
  }

  /** Yields to the event loop for about `ms` (no precision needed: used while polling). */
  static pause(ms: number): Promise<void> {
    return new Promise((r) => setTimeout(r, ms));
  }
}
