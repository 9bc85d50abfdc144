// Worker thread entry: empties the TUN device's read queue as soon as the kernel queues a
// packet. The kernel frees a sent skb only when we read it; until then TCP Small Queues may
// hold back the flow's next segment, so a slow reader would delay the kernel's packets.
import { parentPort } from 'node:worker_threads';
import { libc, raiseSchedulingPriority } from '../sys/libc.js';
import { LOADED } from '../sys/spare-workers.js';
import { DRAINING, DRAIN_STOPPED } from './tun-drain-protocol.js';

// Real-time like the main thread: a late drain delays the kernel's next segment (TSQ).
raiseSchedulingPriority();
parentPort!.postMessage(LOADED);

// The device comes in a message: the thread may be started (and koffi loaded) before the run
// has a device, and serves one run after another. It answers DRAINING, then DRAIN_STOPPED.
const buf = Buffer.alloc(65536);
const pollfd = Buffer.alloc(8);
parentPort!.on('message', ({ fd, stop }: { fd: number; stop: Int32Array }) => {
  const POLLIN = 1;
  pollfd.writeInt32LE(fd, 0);
  pollfd.writeInt16LE(POLLIN, 4);
  parentPort!.postMessage(DRAINING);
  while (Atomics.load(stop, 0) === 0) {
    pollfd.writeInt16LE(0, 6);
    if (libc.poll(pollfd, 1, 10) > 0) while (Number(libc.read(fd, buf, buf.length)) > 0);
  }
  parentPort!.postMessage(DRAIN_STOPPED);
});
