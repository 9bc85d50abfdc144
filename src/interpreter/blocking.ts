import type { Worker } from 'node:worker_threads';
import { addressOf, libc, type LibcFunction } from '../sys/libc.js';
import { LOADED, markProcessDirty, releaseWorker, takeWorker, whileWaiting } from '../sys/spare-workers.js';

/** The blocking-call thread's entry; a run process may start it ahead of time. */
export const BLOCKING_THREAD = new URL('./blocking-thread.js', import.meta.url);

export type LibcName = keyof typeof libc;

export interface BlockingRequest {
  id: number;
  fn: LibcName;
  /** Numbers as they are; Buffers as the BigInt address of their memory (kept alive by the caller). */
  args: (number | bigint | null)[];
}

export interface BlockingReply {
  id: number;
  result: number;
  errno: number;
  /** CLOCK_MONOTONIC nanoseconds around the call, taken on the worker thread. */
  startNs: bigint;
  endNs: bigint;
}

const nameOf = new Map<LibcFunction, LibcName>(Object.entries(libc).map(([k, f]) => [f as LibcFunction, k as LibcName]));

/**
 * The blocking-call thread. A script may have one blocking call in flight (packetdrill's
 * rule); its arguments' Buffers are passed by address, so the caller keeps them referenced
 * until the promise settles.
 */
export class BlockingCalls {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly waiting = new Map<number, (r: BlockingReply) => void>();

  constructor() {
    this.worker = takeWorker(BLOCKING_THREAD).worker;
    this.worker.on('message', (r: BlockingReply | typeof LOADED) => {
      if (r === LOADED) return;
      this.waiting.get(r.id)?.(r);
      this.waiting.delete(r.id);
    });
    this.worker.unref();
  }

  /** Resolves once the worker is loaded (koffi and libc bound), so the first call starts at once. */
  ready(): Promise<void> {
    return this.call(libc.getpid, []).then(() => undefined);
  }

  call(fn: LibcFunction, args: readonly unknown[]): Promise<BlockingReply> {
    const name = nameOf.get(fn);
    if (!name) throw new Error('BlockingCalls: not a libc function of src/sys/libc.ts');
    const id = this.nextId++;
    const wire = args.map((a) => (Buffer.isBuffer(a) ? addressOf(a) : (a as number | bigint | null)));
    return whileWaiting(
      new Promise((resolve) => {
        this.waiting.set(id, resolve);
        this.worker.postMessage({ id, fn: name, args: wire } satisfies BlockingRequest);
      }),
    );
  }

  /**
   * Gives the thread back for the next run; with a call still blocked in the kernel the thread
   * is abandoned, and this process must not run another job.
   */
  async close(): Promise<void> {
    // Closed sockets wake their blocked calls: give the answer a moment to come back.
    for (let i = 0; i < 20 && this.waiting.size > 0; i++) await whileWaiting(new Promise((r) => setTimeout(r, 10)));
    if (this.waiting.size === 0) return releaseWorker(BLOCKING_THREAD, this.worker);
    markProcessDirty('a blocking call was still in the kernel at the end of the run');
    void this.worker.terminate();
  }
}
