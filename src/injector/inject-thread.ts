// Worker thread entry: writes each inbound packet to tun0 at its scheduled CLOCK_MONOTONIC
// time. It does nothing else, so its timing is not disturbed by the main thread's event loop,
// garbage collection or packet building: sleep until 200 us before, spin, stamp, write().
// The spin allocates nothing (libc.ts spinUntilMonotonic).
import { parentPort } from 'node:worker_threads';
import { errno, libc, raiseSchedulingPriority, sleepUntilMonotonic, spinUntilMonotonic } from '../sys/libc.js';
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
  for (;;) {
    // Sleep while there is nothing to do (idle, or our last answer not yet taken): never spin here.
    let state = Atomics.load(i32, STATE);
    while (state !== REQUEST && state !== STOP) {
      Atomics.wait(i32, STATE, state);
      state = Atomics.load(i32, STATE);
    }
    if (state === STOP) break;
    const target = i64[TARGET_NS]!;
    sleepUntilMonotonic(target - SPIN_NS);
    const writtenNs = spinUntilMonotonic(target);
    const n = Number(libc.write(fd, packet, i32[LENGTH]!));
    i32[RESULT] = n < 0 ? -errno() : n;
    i64[WRITTEN_NS] = writtenNs;
    Atomics.store(i32, STATE, DONE);
    Atomics.notify(i32, STATE);
  }
  parentPort!.postMessage(INJECT_STOPPED);
});
