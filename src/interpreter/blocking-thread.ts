// Worker thread entry: runs one blocking libc call at a time, synchronously, and stamps its
// return on CLOCK_MONOTONIC right away, so a call's return time does not depend on when the
// main thread's event loop gets round to it (packetdrill's syscall thread does the same).
import { parentPort } from 'node:worker_threads';
import { clocks, errno, libc, raiseSchedulingPriority } from '../sys/libc.js';
import { LOADED } from '../sys/spare-workers.js';
import type { BlockingRequest, BlockingReply } from './blocking.js';

// Same real-time priority as the main thread: otherwise its spin-waits can starve this
// thread, and a blocking call starts (or is dated) late on a loaded 2-core machine.
raiseSchedulingPriority();
parentPort!.postMessage(LOADED);

parentPort!.on('message', (req: BlockingRequest) => {
  const fn = libc[req.fn] as unknown as (...a: unknown[]) => number | bigint;
  const startNs = clocks.monotonicNs();
  const result = Number(fn(...req.args));
  const err = result < 0 ? errno() : 0;
  const endNs = clocks.monotonicNs();
  const reply: BlockingReply = { id: req.id, result, errno: err, startNs, endNs };
  parentPort!.postMessage(reply);
});
