// What the kernel sent, in order: the packet socket's frames are queued as they arrive, and an
// outbound line takes the next one of its flow, joining a burst of MSS-sized segments where the
// line expects one larger segment. Packets of other flows are dropped, as upstream packetdrill
// (which looks at the socket under test only) does, except in MPTCP runs: the multipath-tcp
// fork matches every packet against all its subflow sockets, so a packet on another known
// subflow coming first fails the line ("packet is not for expected socket").
import { formatIp } from '../codec/address.js';
import { decodePacket, TCP_FLAG, type Packet } from '../codec/packet.js';
import { formatTcpFlags } from '../codec/tcp-flags.js';
import { describeTcpOption } from '../codec/tcp-options.js';
import type { CapturedPacket, PacketCapture } from '../injector/capture.js';
import type { SourceLocation } from '../parser/ast.js';
import type { ScriptClock } from './clock.js';
import type { Connection } from './connection.js';
import { ScriptError } from './errors.js';

export interface Captured {
  cap: CapturedPacket;
  packet: Packet;
}

/** Segments at most this far apart (kernel time) count as one burst for aggregation. */
const AGGREGATION_GAP_USECS = 2000;

export class OutboundQueue {
  private readonly queue: CapturedPacket[] = [];
  /** Every frame seen on tun0, both directions (for pcaps). */
  readonly seen: CapturedPacket[] = [];
  private wake: (() => void) | undefined;

  /** `clock` is read at each use: the script clock starts after the init command. */
  constructor(
    private readonly capture: PacketCapture,
    private readonly clock: () => ScriptClock,
  ) {
    capture.onReadable(() => this.pull());
  }

  /** Reads what the packet socket has queued (no waiting). */
  pull(): void {
    for (const p of this.capture.readAvailable()) {
      this.seen.push(p);
      if (p.outgoing) this.queue.push(p);
    }
    this.wake?.();
  }

  /**
   * The next packet the kernel sent on the line's flow (`belongs`), or undefined at the
   * deadline. Others are dropped, unless `foreign` says they are on another known subflow.
   */
  async next(belongs: (p: Packet) => boolean, deadline: number, at: SourceLocation, foreign?: (p: Packet) => boolean): Promise<Captured | undefined> {
    for (;;) {
      this.pull();
      while (this.queue.length) {
        const cap = this.queue.shift()!;
        let packet: Packet;
        try {
          packet = decodePacket(cap.bytes);
        } catch (e) {
          throw new ScriptError('packet', `the kernel sent a packet we cannot decode: ${(e as Error).message}`, at);
        }
        if (belongs(packet)) return { cap, packet };
        if (foreign?.(packet)) throw notForExpectedSocket(packet, at);
      }
      const left = deadline - this.clock().nowUsecs();
      if (left <= 0) return undefined;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left / 1000, 50));
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  /**
   * A script line may expect one large segment where the kernel sent several MSS-sized ones
   * (packetdrill's reference ran with TSO; our tun0 has no offloads): consecutive segments of
   * the flow with the same ack are joined until the expected length is reached. The joined
   * packet has the PSH/FIN of its last segment (a forced push on a middle segment must not
   * leak into it: nagle/sendmsg_msg_more.pkt).
   */
  async aggregate(first: Captured, wantLength: number, conn: Connection, deadline: number, at: SourceLocation): Promise<Captured> {
    let packet = first.packet;
    let lastNs = first.cap.timeNs;
    while (packet.transport.kind === 'tcp' && packet.payload.length > 0 && packet.payload.length < wantLength) {
      const head = packet.transport.tcp;
      // Only a burst is one TSO segment: segments sent apart (e.g. a Nagle-held tail, then the
      // next write's data 10 ms later) stay separate packets, as they would with TSO.
      const next = await this.next((p) => conn.matchesOutgoing(p), Math.min(deadline, this.clock().usecsOf(lastNs) + AGGREGATION_GAP_USECS), at);
      if (!next) break;
      if (this.clock().usecsOf(next.cap.timeNs) - this.clock().usecsOf(lastNs) > AGGREGATION_GAP_USECS) {
        this.queue.unshift(next.cap);
        break;
      }
      lastNs = next.cap.timeNs;
      const t = next.packet.transport;
      const contiguous = t.kind === 'tcp' && t.tcp.seq === ((head.seq + packet.payload.length) >>> 0) && t.tcp.ack === head.ack;
      const sameFlags = t.kind === 'tcp' && (t.tcp.flags & ~(TCP_FLAG.PSH | TCP_FLAG.FIN)) === (head.flags & ~(TCP_FLAG.PSH | TCP_FLAG.FIN));
      if (!contiguous || !sameFlags || t.kind !== 'tcp') {
        this.queue.unshift(next.cap);
        break;
      }
      const payload = new Uint8Array(packet.payload.length + next.packet.payload.length);
      payload.set(packet.payload, 0);
      payload.set(next.packet.payload, packet.payload.length);
      packet = { ...packet, transport: { kind: 'tcp', tcp: { ...head, flags: (head.flags & ~(TCP_FLAG.PSH | TCP_FLAG.FIN)) | (t.tcp.flags & (TCP_FLAG.PSH | TCP_FLAG.FIN)) } }, payload };
    }
    return { cap: first.cap, packet };
  }
}

const endpoint = (ip: Uint8Array, port: number) => (ip.length === 16 ? `[${formatIp(ip)}]:${port}` : `${formatIp(ip)}:${port}`);

function notForExpectedSocket(p: Packet, at: SourceLocation): ScriptError {
  const t = p.transport;
  const tcp = t.kind === 'tcp' ? t.tcp : undefined;
  const flow = tcp ? `${endpoint(p.ip.src, tcp.srcPort)} > ${endpoint(p.ip.dst, tcp.dstPort)}` : `${formatIp(p.ip.src)} > ${formatIp(p.ip.dst)}`;
  const what = tcp ? `${formatTcpFlags(tcp.flags)} ${p.payload.length} bytes${tcp.options.length ? ` <${tcp.options.map(describeTcpOption).join(',')}>` : ''}` : t.kind;
  return new ScriptError(
    'packet',
    `packet is not for expected socket: the kernel's next packet is on another subflow, ${flow}`,
    at,
    [`that packet: ${what}`, 'help: add a line expecting it before this one, naming its endpoints (addr[...])'],
    'packet is not for expected socket',
  );
}
