import { check, libc } from '../sys/libc.js';
import { releaseWorker, takeWorker, whileWaiting } from '../sys/spare-workers.js';
import { DRAIN_STOPPED, DRAINING } from './tun-drain-protocol.js';

/** The thread that drains tun0 (startTunDrain); a run process may start it ahead of time. */
export const TUN_DRAIN_THREAD = new URL('./tun-drain-thread.js', import.meta.url);

const TUNSETIFF = 0x400454ca;
const IFF_TUN = 0x0001;
const IFF_NO_PI = 0x1000;
const O_RDWR = 2;
const O_NONBLOCK = 0o4000;
const O_CLOEXEC = 0o2000000;

export interface TunDevice {
  fd: number;
  name: string;
}

/**
 * Opens a layer-3 TUN device without packet-info header and without IFF_VNET_HDR: with no
 * virtio header the device advertises no offloads, so the kernel hands us segments of at
 * most one MSS with final checksums (no TSO/GSO super-packets) and TUN input has no GRO.
 */
export function openTun(name = 'tun0'): TunDevice {
  const fd = check('open("/dev/net/tun")', libc.open('/dev/net/tun', O_RDWR | O_NONBLOCK | O_CLOEXEC, 0));
  const req = Buffer.alloc(40); // struct ifreq: name[16] + 24-byte union, flags at 16
  req.write(name, 0, 15, 'latin1');
  req.writeInt16LE(IFF_TUN | IFF_NO_PI, 16);
  try {
    check(`ioctl(TUNSETIFF, ${name})`, libc.ioctl(fd, TUNSETIFF, req));
  } catch (e) {
    libc.close(fd);
    throw e;
  }
  return { fd, name: req.toString('latin1', 0, 16).replace(/\0.*$/s, '') };
}

export function closeTun(tun: TunDevice): void {
  libc.close(tun.fd);
}

/** Injects one layer-3 packet; one write() is one packet. */
export function writePacket(tun: TunDevice, bytes: Uint8Array): void {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(libc.write(tun.fd, buf, buf.length));
  check(`write(${tun.name}, ${buf.length} bytes)`, n);
}

/**
 * Keeps the TUN read queue empty from a thread of its own. We take outbound packets (and their
 * kernel timestamps) from the packet socket, but the copies queued on the TUN fd must be read
 * at once: the kernel frees a sent segment only then, and TCP Small Queues holds the flow's
 * next segment until it does (a late reader made the kernel's FINs late by milliseconds).
 */
export function startTunDrain(tun: TunDevice): { ready: Promise<void>; stop(): Promise<void> } {
  const stop = new Int32Array(new SharedArrayBuffer(4));
  const { worker } = takeWorker(TUN_DRAIN_THREAD);
  let stopped: () => void = () => undefined;
  const ready = new Promise<void>((resolve, reject) => {
    worker.on('message', (m) => (m === DRAINING ? resolve() : m === DRAIN_STOPPED && stopped()));
    worker.once('error', reject);
  });
  worker.unref();
  worker.postMessage({ fd: tun.fd, stop });
  return {
    ready: whileWaiting(ready),
    async stop() {
      const done = new Promise<void>((resolve) => (stopped = resolve));
      Atomics.store(stop, 0, 1);
      await whileWaiting(done);
      releaseWorker(TUN_DRAIN_THREAD, worker);
    },
  };
}
