// Worker thread entry: writes each inbound packet to tun0 at its scheduled CLOCK_MONOTONIC
// time. It does nothing else, so its timing is not disturbed by the main thread's event loop,
// garbage collection or packet building: sleep until 200 us before, spin, stamp, write().
import { parentPort } from 'node:worker_threads';
import { clocks, errno, libc, raiseSchedulingPriority } from '../sys/libc.js';
import { LOADED } from '../sys/spare-workers.js';
import { DONE, LENGTH, REQUEST, RESULT, SPIN_NS, STATE, STOP, TARGET_NS, WRITTEN_NS, INJECT_STOPPED, type InjectThreadSetup } from './inject-protocol.js';

// One step above the run's other real-time threads: when it wakes for a packet it preempts
// them instead of waiting behind them.
raiseSchedulingPriority(2);
parentPort!.postMessage(LOADED);

// One run after another: each brings its device and shared memory, and ends with STOP.
parentPort!.on('message', ({ fd, control, data }: InjectThreadSetup) => {
  const i32 = new Int32Array(control);
  const i64 = new BigInt64Array(control);
  const packet = Buffer.from(data);
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    // Sleep while there is nothing to do (idle, or our last answer not yet taken): never spin here.
    let state = Atomics.load(i32, STATE);
    while (state !== REQUEST && state !== STOP) {
      Atomics.wait(i32, STATE, state);
      state = Atomics.load(i32, STATE);
    }
    if (state === STOP) break;
    const target = i64[TARGET_NS]!;
    const left = target - SPIN_NS - clocks.monotonicNs();
    if (left > 0n) Atomics.wait(sleeper, 0, 0, Number(left) / 1e6);
    while (clocks.monotonicNs() < target) {
      /* the last ~200 us */
    }
    i64[WRITTEN_NS] = clocks.monotonicNs();
    const n = Number(libc.write(fd, packet, i32[LENGTH]!));
    i32[RESULT] = n < 0 ? -errno() : n;
    Atomics.store(i32, STATE, DONE);
    Atomics.notify(i32, STATE);
  }
  parentPort!.postMessage(INJECT_STOPPED);
});
