// Shared-memory handshake between the run's main thread and the injection thread (one packet
// in flight at a time). A SharedArrayBuffer and Atomics.wait/notify instead of postMessage:
// the thread wakes from a futex in microseconds, with no event loop in between.

/** Int32 slots of the control block. */
export const STATE = 0;
export const LENGTH = 1;
export const RESULT = 2;
/** BigInt64 slots of the same block. */
export const TARGET_NS = 2;
export const WRITTEN_NS = 3;
export const CONTROL_BYTES = 32;

export const IDLE = 0;
export const REQUEST = 1;
export const DONE = 2;
export const STOP = 3;

/** The thread's message once it has seen STOP (it then waits for the next run). */
export const INJECT_STOPPED = 'tsdrill:inject-stopped';

/** The thread sleeps until this long before a packet's time, then spins (a wake-up is that imprecise). */
export const SPIN_NS = 200_000n;

export interface InjectThreadSetup {
  fd: number;
  control: SharedArrayBuffer;
  data: SharedArrayBuffer;
}
