// Worker thread of bench/timing.mjs --mode worker: the schedule runs on a thread of its own
// (no main-thread GC or event loop in the way): Atomics.wait until 200 µs before the target,
// then spin, then one write() of a packet built before the clock started.
import { workerData, parentPort } from 'node:worker_threads';

const { distUrl, fd, startNs, times, packets, spinUs } = workerData;
const { libc, clocks, raiseSchedulingPriority } = await import(new URL('src/sys/libc.js', distUrl));
const problems = raiseSchedulingPriority();
const start = BigInt(startNs);
const sab = new Int32Array(new SharedArrayBuffer(4));
const bufs = packets.map((p) => Buffer.from(p));
const writeStart = new Float64Array(times.length);
const now = () => Number(clocks.monotonicNs() - start) / 1000;
// warm the loop up on a target in the past
for (let i = 0; i < 1000; i++) now();
for (let i = 0; i < times.length; i++) {
  const target = times[i];
  let left = target - now();
  if (left > spinUs) Atomics.wait(sab, 0, 0, (left - spinUs) / 1000);
  while (now() < target) {
    /* spin */
  }
  writeStart[i] = now() - target;
  libc.write(fd, bufs[i], bufs[i].length);
}
parentPort.postMessage({ problems, writeStart: Array.from(writeStart) });
