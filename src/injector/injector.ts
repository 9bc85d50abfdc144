import { errnoMessage } from '../syscalls/errno.js';
import type { Worker } from 'node:worker_threads';
import { releaseWorker, takeWorker, whileWaiting } from '../sys/spare-workers.js';
import { CONTROL_BYTES, DONE, IDLE, LENGTH, REQUEST, RESULT, STATE, STOP, TARGET_NS, WRITTEN_NS, INJECT_STOPPED } from './inject-protocol.js';
import { clocks } from '../sys/libc.js';
import { writePacket, type TunDevice } from './tun.js';

/** The injection thread's entry; a run process may start it ahead of time. */
export const INJECT_THREAD = new URL('./inject-thread.js', import.meta.url);

const MAX_PACKET = 65536;

/** How long past a packet's time the main thread waits for the thread before giving up. */
const STUCK_MS = 2000;

/** Atomics.waitAsync (ES2024; in Node since 16), not in the ES2022 lib types we compile with. */
interface AtomicsWithWaitAsync {
  waitAsync(a: Int32Array, index: number, value: number, timeoutMs: number): { async: boolean; value: Promise<'ok' | 'timed-out'> | 'not-equal' | 'timed-out' };
}

/**
 * Writes inbound packets to the TUN device at their exact time from a thread of its own
 * (inject-thread.ts). The main thread builds the packet ahead of time and hands it over; the
 * write time comes back stamped by the thread.
 */
export class PacketInjector {
  private readonly i32: Int32Array;
  private readonly i64: BigInt64Array;
  private readonly data: Uint8Array;
  private readonly stopped: Promise<unknown>;
  private readonly worker: Worker;
  /** Resolves when the thread has loaded (see spare-workers.ts: no koffi use before). */
  readonly loaded: Promise<void>;

  constructor(private readonly tun: TunDevice) {
    const control = new SharedArrayBuffer(CONTROL_BYTES);
    const data = new SharedArrayBuffer(MAX_PACKET);
    this.i32 = new Int32Array(control);
    this.i64 = new BigInt64Array(control);
    this.data = new Uint8Array(data);
    const { worker, loaded } = takeWorker(INJECT_THREAD);
    this.worker = worker;
    this.loaded = loaded;
    this.stopped = new Promise<void>((resolve) => worker.on('message', (m) => m === INJECT_STOPPED && resolve()));
    worker.unref();
    worker.postMessage({ fd: tun.fd, control, data });
  }

  /**
   * Writes `bytes` to tun0 at CLOCK_MONOTONIC `atNs` (at once if that is past) and resolves
   * with the time the write started. The main thread's event loop runs meanwhile (captures are
   * read while the thread waits); the run has one packet in flight at a time.
   */
  async inject(bytes: Uint8Array, atNs: bigint): Promise<bigint> {
    if (bytes.length > MAX_PACKET) throw new Error(`write(${this.tun.name}, ${bytes.length} bytes): packet larger than ${MAX_PACKET} bytes`);
    // Already due (e.g. `+0` after a packet of the kernel): write now, from this thread. Waking
    // the thread costs tens of microseconds, and the kernel's deferred work can run in the
    // meantime: an MPTCP DATA_FIN was then sent twice before our ACK of it (flaky dss scripts).
    const now = clocks.monotonicNs();
    if (atNs <= now) {
      writePacket(this.tun, bytes);
      return now;
    }
    this.data.set(bytes);
    this.i32[LENGTH] = bytes.length;
    this.i64[TARGET_NS] = atNs;
    Atomics.store(this.i32, STATE, REQUEST);
    Atomics.notify(this.i32, STATE);
    const waitMs = Math.max(0, Number(atNs - process.hrtime.bigint()) / 1e6) + STUCK_MS;
    const wait = (Atomics as unknown as AtomicsWithWaitAsync).waitAsync(this.i32, STATE, REQUEST, waitMs);
    // (An Atomics.waitAsync promise alone does not keep the process alive.)
    if ((await whileWaiting(Promise.resolve(wait.value))) === 'timed-out' && Atomics.load(this.i32, STATE) !== DONE)
      throw new Error(`write(${this.tun.name}, ${bytes.length} bytes): the injection thread did not answer within ${STUCK_MS} ms of the packet's time`);
    const result = this.i32[RESULT]!;
    const writtenNs = this.i64[WRITTEN_NS]!;
    Atomics.store(this.i32, STATE, IDLE);
    if (result < 0) throw new Error(`write(${this.tun.name}, ${bytes.length} bytes) failed: ${errnoMessage(-result)}`);
    return writtenNs;
  }

  async close(): Promise<void> {
    Atomics.store(this.i32, STATE, STOP);
    Atomics.notify(this.i32, STATE);
    await whileWaiting(this.stopped);
    releaseWorker(INJECT_THREAD, this.worker);
  }
}
