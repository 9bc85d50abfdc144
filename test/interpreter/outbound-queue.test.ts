// The order of the kernel's packets across flows: skipped in plain TCP runs (upstream looks at
// the socket under test only), a failure in MPTCP runs when the packet is on another known
// subflow (mp_join_client_v6.pkt: the ADD_ADDR echo on the first subflow came before the
// MP_JOIN SYN the line expected, and the multipath-tcp fork fails there too).
import { describe, expect, it } from 'vitest';
import { encodePacket, TCP_FLAG, type Packet } from '../../src/codec/packet.js';
import type { CapturedPacket, PacketCapture } from '../../src/injector/capture.js';
import type { ScriptClock } from '../../src/interpreter/clock.js';
import { ScriptError } from '../../src/interpreter/errors.js';
import { OutboundQueue } from '../../src/interpreter/outbound-queue.js';

const AT = { start: { offset: 0, line: 25, column: 1 }, end: { offset: 1, line: 25, column: 2 } };
const KERNEL = new Uint8Array([192, 168, 0, 2]);
const PEER = new Uint8Array([192, 0, 2, 1]);
const PEER2 = new Uint8Array([192, 0, 2, 2]);

function tcp(dst: Uint8Array, srcPort: number, flags: number): Packet {
  return {
    ip: { version: 4, tos: 0, flowLabel: 0, ttl: 64, protocol: 6, id: 0, fragment: 0, src: KERNEL, dst },
    transport: { kind: 'tcp', tcp: { srcPort, dstPort: 8080, seq: 1, ack: 1, flags, reserved: 0, window: 100, urgentPointer: 0, options: [] } },
    payload: new Uint8Array(0),
  };
}

function queueOf(packets: Packet[]): OutboundQueue {
  let pending: CapturedPacket[] = packets.map((p) => ({ bytes: encodePacket(p), timeNs: 0n, outgoing: true }));
  const capture = {
    onReadable: () => {},
    readAvailable: () => {
      const out = pending;
      pending = [];
      return out;
    },
  } as unknown as PacketCapture;
  const clock = { nowUsecs: () => 0, usecsOf: () => 0 } as unknown as ScriptClock;
  return new OutboundQueue(capture, () => clock);
}

const onFirstSubflow = (p: Packet) => p.transport.kind === 'tcp' && p.transport.tcp.srcPort === 40000;
const joinSyn = (p: Packet) => p.transport.kind === 'tcp' && p.transport.tcp.flags === TCP_FLAG.SYN;

describe('OutboundQueue.next across flows', () => {
  it('MPTCP: a packet on another known subflow before the expected one fails the line', async () => {
    const q = queueOf([tcp(PEER, 40000, TCP_FLAG.ACK), tcp(PEER2, 50000, TCP_FLAG.SYN)]);
    const err = await q.next(joinSyn, 1e6, AT, onFirstSubflow).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScriptError);
    expect((err as ScriptError).legacy).toBe('packet is not for expected socket');
    expect((err as ScriptError).message).toContain('192.168.0.2:40000 > 192.0.2.1:8080');
  });

  it('without the MPTCP check, packets of other flows are skipped', async () => {
    const q = queueOf([tcp(PEER, 40000, TCP_FLAG.ACK), tcp(PEER2, 50000, TCP_FLAG.SYN)]);
    const got = await q.next(joinSyn, 1e6, AT);
    expect(got?.packet.ip.dst).toEqual(PEER2);
  });

  it('packets of no known flow are still skipped in MPTCP runs', async () => {
    const q = queueOf([tcp(PEER, 41000, TCP_FLAG.RST), tcp(PEER2, 50000, TCP_FLAG.SYN)]);
    const got = await q.next(joinSyn, 1e6, AT, onFirstSubflow);
    expect(got?.packet.ip.dst).toEqual(PEER2);
  });
});
