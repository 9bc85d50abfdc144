// Worker thread entry: writes each inbound packet to tun0 at its scheduled CLOCK_MONOTONIC
// time. It does nothing else, so its timing is not disturbed by the main thread's event loop,
// garbage collection or packet building: sleep until 200 us before, spin, stamp, write().
// The sleep and the spin allocate nothing: a BigInt per clock read made garbage, and the
// collections it caused stalled spins for ~200 µs (probe notes on issue 10).
import { parentPort } from 'node:worker_threads';
import { CLOCK_MONOTONIC, TIMER_ABSTIME, errno, libc, raiseSchedulingPriority } from '../sys/libc.js';
import { LOADED } from '../sys/spare-workers.js';
import { DONE, LENGTH, REQUEST, RESULT, SPIN_NS, STATE, STOP, TARGET_NS, WRITTEN_NS, INJECT_STOPPED, type InjectThreadSetup } from './inject-protocol.js';

// One step above the run's other real-time threads: when it wakes for a packet it preempts
// them instead of waiting behind them.
raiseSchedulingPriority(2);
const NS_PER_S = 1_000_000_000n;
parentPort!.postMessage(LOADED);

// One run after another: each brings its device and shared memory, and ends with STOP.
parentPort!.on('message', ({ fd, control, data }: InjectThreadSetup) => {
  const i32 = new Int32Array(control);
  const i64 = new BigInt64Array(control);
  const packet = Buffer.from(data);
  const wakeAt = Buffer.alloc(16);
  const now = Buffer.alloc(16);
  // tv_sec and tv_nsec of `now` as 32-bit words (low halves: seconds since boot fit).
  const nowWords = new Int32Array(now.buffer, now.byteOffset, 4);
  for (;;) {
    // Sleep while there is nothing to do (idle, or our last answer not yet taken): never spin here.
    let state = Atomics.load(i32, STATE);
    while (state !== REQUEST && state !== STOP) {
      Atomics.wait(i32, STATE, state);
      state = Atomics.load(i32, STATE);
    }
    if (state === STOP) break;
    const target = i64[TARGET_NS]!;
    const wake = target - SPIN_NS;
    wakeAt.writeBigInt64LE(wake / NS_PER_S, 0);
    wakeAt.writeBigInt64LE(wake % NS_PER_S, 8);
    libc.clockNanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, wakeAt, null); // returns at once if past
    // Spin on nanoseconds counted from the target's second: exact in a double, no allocation.
    const targetSec = Number(target / NS_PER_S);
    const targetNsec = Number(target % NS_PER_S);
    do libc.clockGettime(CLOCK_MONOTONIC, now);
    while ((nowWords[0]! - targetSec) * 1e9 + nowWords[2]! < targetNsec);
    const n = Number(libc.write(fd, packet, i32[LENGTH]!));
    i32[RESULT] = n < 0 ? -errno() : n;
    i64[WRITTEN_NS] = BigInt(nowWords[0]!) * NS_PER_S + BigInt(nowWords[2]!);
    Atomics.store(i32, STATE, DONE);
    Atomics.notify(i32, STATE);
  }
  parentPort!.postMessage(INJECT_STOPPED);
});
