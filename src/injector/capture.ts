import { addressOf, check, clocks, errno, libc, pollReadable } from '../sys/libc.js';

const AF_PACKET = 17;
const SOCK_DGRAM = 2;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;
const ETH_P_ALL_BE = 0x0300; // htons(ETH_P_ALL) on a little-endian host
const SOL_SOCKET = 1;
const SO_RCVBUFFORCE = 33;
const SO_TIMESTAMPNS = 35;
const PACKET_OUTGOING = 4;
const EAGAIN = 11;

/** A packet seen on the TUN device, stamped by the kernel when it crossed the device. */
export interface CapturedPacket {
  bytes: Uint8Array;
  /** CLOCK_MONOTONIC nanoseconds of the kernel's timestamp. */
  timeNs: bigint;
  /** true: the kernel sent it (we must check it); false: a packet we injected. */
  outgoing: boolean;
}

/**
 * A packet socket bound to the TUN device: the kernel stamps each frame (SO_TIMESTAMPNS) as it
 * passes the device, which is as close to the kernel's send time as user space can get and
 * independent of how late JavaScript gets to read it.
 */
export class PacketCapture {
  private readonly fd: number;
  private readonly buf = Buffer.alloc(65536);
  private readonly from = Buffer.alloc(20);
  private readonly iov = Buffer.alloc(16);
  private readonly ctrl = Buffer.alloc(256);
  private readonly msg = Buffer.alloc(56);
  private poller: { close(): void } | undefined;

  constructor(device: string) {
    const ifindex = libc.ifNameToIndex(device) as number;
    if (!ifindex) throw new Error(`if_nametoindex(${device}) failed: no such device`);
    this.fd = check('socket(AF_PACKET)', libc.socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, ETH_P_ALL_BE));
    const one = Buffer.alloc(4);
    one.writeInt32LE(1);
    check('setsockopt(SO_TIMESTAMPNS)', libc.setsockopt(this.fd, SOL_SOCKET, SO_TIMESTAMPNS, one, 4));
    const size = Buffer.alloc(4);
    size.writeInt32LE(2 << 20);
    libc.setsockopt(this.fd, SOL_SOCKET, SO_RCVBUFFORCE, size, 4); // best effort
    const sll = Buffer.alloc(20);
    sll.writeUInt16LE(AF_PACKET, 0);
    sll.writeUInt16LE(ETH_P_ALL_BE, 2);
    sll.writeInt32LE(ifindex, 4);
    check(`bind(AF_PACKET, ${device})`, libc.bind(this.fd, sll, sll.length));
    this.iov.writeBigUInt64LE(addressOf(this.buf), 0);
    this.iov.writeBigUInt64LE(BigInt(this.buf.length), 8);
  }

  /** Reads every queued frame without blocking. */
  readAvailable(): CapturedPacket[] {
    const out: CapturedPacket[] = [];
    const offsetNs = clocks.realtimeNs() - clocks.monotonicNs();
    for (;;) {
      this.msg.fill(0);
      this.msg.writeBigUInt64LE(addressOf(this.from), 0);
      this.msg.writeUInt32LE(this.from.length, 8);
      this.msg.writeBigUInt64LE(addressOf(this.iov), 16);
      this.msg.writeBigUInt64LE(1n, 24);
      this.msg.writeBigUInt64LE(addressOf(this.ctrl), 32);
      this.msg.writeBigUInt64LE(BigInt(this.ctrl.length), 40);
      const n = Number(libc.recvmsg(this.fd, this.msg, 0));
      if (n < 0) {
        const e = errno();
        if (e === EAGAIN) break;
        throw new Error(`recvmsg(AF_PACKET) failed: errno ${e}`);
      }
      out.push({
        bytes: Uint8Array.prototype.slice.call(this.buf, 0, n),
        timeNs: this.kernelTimestamp() - offsetNs,
        outgoing: this.from[10] === PACKET_OUTGOING,
      });
    }
    return out;
  }

  private kernelTimestamp(): bigint {
    const len = Number(this.msg.readBigUInt64LE(40));
    for (let off = 0; off + 16 <= len; ) {
      const cmsgLen = Number(this.ctrl.readBigUInt64LE(off));
      const level = this.ctrl.readInt32LE(off + 8);
      const type = this.ctrl.readInt32LE(off + 12);
      if (level === SOL_SOCKET && type === SO_TIMESTAMPNS)
        return this.ctrl.readBigInt64LE(off + 16) * 1_000_000_000n + this.ctrl.readBigInt64LE(off + 24);
      if (cmsgLen < 16) break;
      off += (cmsgLen + 7) & ~7;
    }
    return clocks.realtimeNs(); // no stamp (should not happen): the read time is the best we have
  }

  /** Calls `cb` whenever frames are queued (from the event loop). */
  onReadable(cb: () => void): void {
    this.poller?.close();
    this.poller = pollReadable(this.fd, cb);
  }

  close(): void {
    this.poller?.close();
    this.poller = undefined;
    libc.close(this.fd);
  }
}
