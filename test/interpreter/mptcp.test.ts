import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { addAddrHmac, dssChecksum } from '../../src/codec/mptcp/crypto.js';
import { decodeMptcpOption, encodeMptcpOption, makeMpCapable } from '../../src/codec/mptcp/options.js';
import type { MptcpOptionNode, PacketAction, TcpBody } from '../../src/parser/ast.js';
import { parseScript } from '../../src/parser/index.js';
import { Connection } from '../../src/interpreter/connection.js';
import { byteSwap64, MptcpState } from '../../src/interpreter/mptcp.js';

/** The MPTCP option nodes of a one-packet script line. */
function nodes(line: string): MptcpOptionNode[] {
  const script = parseScript(`0 socket(..., SOCK_STREAM, IPPROTO_MPTCP) = 3\n+0 ${line}\n`, 't.pkt');
  const body = (script.events[1]!.action as PacketAction).body as TcpBody;
  return (body.options as MptcpOptionNode[]).filter((o) => !['nop', 'mss'].includes(o.kind));
}

/** IDSN by hand: the low 64 bits of SHA-256 over the 8 key bytes. */
const idsn = (key: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(key);
  return createHash('sha256').update(b).digest().readBigUInt64BE(24);
};

const conn = new Connection('tcp', { ip: new Uint8Array(4), port: 1 }, { ip: new Uint8Array(4), port: 2 });
const KERNEL_KEY = 0x1122334455667788n;

/** A state after a server-side v1 handshake: the kernel's key learnt, the script's pinned to 2. */
function handshaken(): MptcpState {
  const s = new MptcpState(new Uint8Array([192, 0, 2, 1]));
  const synAck = { kind: 'mptcp' as const, bytes: encodeMptcpOption(makeMpCapable({ version: 1, flags: 1, senderKey: KERNEL_KEY })) };
  s.outbound(nodes('> S. 0:0(0) ack 1 <mpcapable v1 flags[flag_h] key[skey]>')[0]!, synAck, conn);
  s.inbound(nodes('< . 1:1(0) ack 1 win 257 <mpcapable v1 flags[flag_h] key[ckey=2, skey]>')[0]!, { payloadLength: 0, scriptSeq: 1, conn });
  return s;
}

describe('MptcpState', () => {
  it('encodes a pinned key literal in host (little-endian) order, as the fork does', () => {
    const s = new MptcpState(new Uint8Array(4));
    const opt = s.inbound(nodes('< S. 0:0(0) ack 1 win 100 <mpcapable v1 flags[flag_h] key[skey=2]>')[0]!, { payloadLength: 0, scriptSeq: 0, conn });
    expect(Buffer.from((opt as { bytes: Uint8Array }).bytes).toString('hex')).toBe('1e0c01010200000000000000');
    expect(byteSwap64(2n)).toBe(0x0200000000000000n);
  });

  it('maps script DSNs and data acks to each side\'s IDSN', () => {
    const s = handshaken();
    const wire = s.inbound(nodes('< P. 1:1001(1000) ack 1 win 257 <nop,nop,dss dack8=1 dsn8=1 ssn=1 dll=1000 nocs>')[0]!, { payloadLength: 1000, scriptSeq: 1, conn });
    const dss = decodeMptcpOption((wire as { bytes: Uint8Array }).bytes);
    expect(dss).toMatchObject({ kind: 'dss', dataAck: idsn(KERNEL_KEY) + 1n, dsn: idsn(0x0200000000000000n) + 1n, ssn: 1, dll: 1000 });
    expect(dss).not.toHaveProperty('checksum', expect.anything());
  });

  it('inbound DSS without nocs carries the RFC 8684 checksum, not zero', () => {
    const s = handshaken();
    const wire = s.inbound(nodes('< P. 1:101(100) ack 1 win 257 <dss dack8=1 dsn8=1 ssn=1 dll=100>')[0]!, { payloadLength: 100, scriptSeq: 1, conn });
    const dss = decodeMptcpOption((wire as { bytes: Uint8Array }).bytes) as { checksum?: number };
    expect(dss.checksum).toBe(dssChecksum(idsn(0x0200000000000000n) + 1n, 1, 100, new Uint8Array(100)));
    expect(dss.checksum).not.toBe(0);
  });

  it('outbound dsn8=trunc_r64_hmac(key)+N is checked, not taken from the live packet', () => {
    const s = handshaken();
    const live = (dsn: bigint) => ({
      kind: 'mptcp' as const,
      bytes: encodeMptcpOption({
        kind: 'dss',
        reserved: 0,
        flags: 0x0f,
        dataAckPresent: true,
        dataAck8: true,
        mappingPresent: true,
        dsn8: true,
        dataFin: false,
        dataAck: idsn(0x0200000000000000n) + 1n,
        dsn,
        ssn: 1,
        dll: 10,
      }),
    });
    const node = nodes('> P. 1:11(10) ack 1 <nop,nop,dss dack8=1 dsn8=trunc_r64_hmac(skey)+1 ssn=1 dll=10 nocs>')[0]!;
    const good = s.outbound(node, live(idsn(KERNEL_KEY) + 1n), conn);
    expect((good.expected as { bytes: Uint8Array }).bytes).toEqual((good.actual as { bytes: Uint8Array }).bytes);
    const bad = s.outbound(node, live(idsn(KERNEL_KEY) + 999n), conn);
    expect((bad.expected as { bytes: Uint8Array }).bytes).not.toEqual((bad.actual as { bytes: Uint8Array }).bytes);
  });

  it('an explicit full_160_hmac(k1 k2) in mp_join_ack is honoured, not replaced by the correct HMAC', () => {
    const s = handshaken();
    const sub = new Connection('tcp', { ip: new Uint8Array(4), port: 3 }, { ip: new Uint8Array(4), port: 4 });
    sub.join.scriptNonce = 1;
    sub.join.kernelNonce = 0xdeadbeef;
    const hmacOf = (line: string) => (decodeMptcpOption((s.inbound(nodes(line)[0]!, { payloadLength: 0, scriptSeq: 1, conn: sub }) as { bytes: Uint8Array }).bytes) as { hmac: Uint8Array }).hmac;
    const byHand = (k1: bigint, k2: bigint) => {
      const key = Buffer.alloc(16);
      key.writeBigUInt64BE(k1, 0);
      key.writeBigUInt64BE(k2, 8);
      const msg = Buffer.alloc(8);
      msg.writeUInt32BE(1, 0);
      msg.writeUInt32BE(0xdeadbeef, 4);
      return new Uint8Array(createHmac('sha256', key).update(msg).digest().subarray(0, 20));
    };
    const scriptKey = 0x0200000000000000n;
    expect(hmacOf('< . 1:1(0) ack 1 win 5 <mp_join_ack sender_hmac=auto>')).toEqual(byHand(scriptKey, KERNEL_KEY));
    expect(hmacOf('< . 1:1(0) ack 1 win 5 <mp_join_ack sender_hmac=full_160_hmac(skey ckey)>')).toEqual(byHand(KERNEL_KEY, scriptKey));
  });

  // receive_fastclose_with_rst_v4.pkt:37: the reference got 56 bytes (ADD_ADDR again) instead of
  // 52: the fork's echo of the kernel's address without address_id carries id 0, which Linux
  // does not take as an echo (RFC 8684 3.4.1), so it announces again on the next subflow.
  it('an ADD_ADDR echo of the kernel address without address_id carries id 0, as the fork sends it, and says why', () => {
    const s = handshaken();
    const scriptKey = 0x0200000000000000n;
    const announce = { kind: 'add_address' as const, flags: 0, echo: false, addressId: 1, address: '192.168.0.3', hmac: addAddrHmac(KERNEL_KEY, scriptKey, 1, '192.168.0.3') };
    s.outbound(nodes('> . 1:1(0) ack 1 <add_address addr[saddr1] hmac=auto>')[0]!, { kind: 'mptcp', bytes: encodeMptcpOption(announce) }, conn);
    const echoOf = (line: string) => decodeMptcpOption((s.inbound(nodes(line)[0]!, { payloadLength: 0, scriptSeq: 1, conn }) as { bytes: Uint8Array }).bytes);
    expect(echoOf('< . 1:1(0) ack 1 win 256 <add_address addr[saddr1] addr_echo, dss dack4=1 nocs>')).toMatchObject({ kind: 'add_address', echo: true, addressId: 0, address: '192.168.0.3' });
    expect(s.notes.join('\n')).toContain('the kernel announced 192.168.0.3 with id 1: the kernel will announce it again; write address_id=1 to echo it');
    expect(echoOf('< . 1:1(0) ack 1 win 256 <add_address address_id=1 addr[saddr1] addr_echo, dss dack4=1 nocs>')).toMatchObject({ echo: true, addressId: 1 });
  });

  // scripts/mp_fail: the DSN of MP_FAIL written as an IDSN expression was 0 inbound and the
  // live value (a wildcard) outbound.
  it('mp_fail dsn8=trunc_r64_hmac(key)+N is IDSN(key)+N, inbound and outbound', () => {
    const s = handshaken();
    const scriptIdsn = idsn(0x0200000000000000n);
    const wire = s.inbound(nodes('< . 1:1(0) ack 1 win 5 <dss dack8=1, mp_fail dsn8=trunc_r64_hmac(ckey)+101>')[1]!, { payloadLength: 0, scriptSeq: 1, conn });
    expect(decodeMptcpOption((wire as { bytes: Uint8Array }).bytes)).toMatchObject({ kind: 'mp_fail', dsn: scriptIdsn + 101n });
    const node = nodes('> . 1:1(0) ack 1 <dss dack8=1, mp_fail dsn8=trunc_r64_hmac(ckey)+101>')[1]!;
    const live = (dsn: bigint) => ({ kind: 'mptcp' as const, bytes: encodeMptcpOption({ kind: 'mp_fail', reserved: 0, dsn }) });
    const good = s.outbound(node, live(scriptIdsn + 101n), conn);
    expect((good.expected as { bytes: Uint8Array }).bytes).toEqual((good.actual as { bytes: Uint8Array }).bytes);
    const bad = s.outbound(node, live(scriptIdsn + 1n), conn);
    expect((bad.expected as { bytes: Uint8Array }).bytes).not.toEqual((bad.actual as { bytes: Uint8Array }).bytes);
    // A literal stays the absolute 64-bit DSN, as in the fork.
    const literal = s.inbound(nodes('< . 1:1(0) ack 1 win 5 <dss dack8=1, mp_fail dsn8=7>')[1]!, { payloadLength: 0, scriptSeq: 1, conn });
    expect(decodeMptcpOption((literal as { bytes: Uint8Array }).bytes)).toMatchObject({ dsn: 7n });
  });

  it('an inbound infinite mapping (dll=0) without cksum= carries checksum 0', () => {
    const s = handshaken();
    const wire = s.inbound(nodes('< P. 1:101(100) ack 1 win 5 <dss dack8=1 dsn8=101 ssn=0 dll=0>')[0]!, { payloadLength: 100, scriptSeq: 1, conn });
    expect(decodeMptcpOption((wire as { bytes: Uint8Array }).bytes)).toMatchObject({ kind: 'dss', dll: 0, checksum: 0 });
  });

  describe('cksum=auto checks the checksum of the kernel\'s mapping', () => {
    const payload = Uint8Array.from({ length: 10 }, (_, i) => i + 1);
    const liveDss = (checksum: number, dll = 10, dataFin = false) => ({
      kind: 'mptcp' as const,
      bytes: encodeMptcpOption({ kind: 'dss', reserved: 0, flags: 0x0f | (dataFin ? 0x10 : 0), dataAckPresent: true, dataAck8: true, mappingPresent: true, dsn8: true, dataFin, dataAck: idsn(0x0200000000000000n) + 1n, dsn: idsn(KERNEL_KEY) + 1n, ssn: 1, dll, checksum }),
    });
    const right = dssChecksum(idsn(KERNEL_KEY) + 1n, 1, 10, payload);
    const same = (r: { expected: unknown; actual: unknown }) => Buffer.from((r.expected as { bytes: Uint8Array }).bytes).equals((r.actual as { bytes: Uint8Array }).bytes);

    it('accepts the right value and rejects another, where an omitted checksum accepts both', () => {
      const s = handshaken();
      const auto = nodes('> P. 1:11(10) ack 1 <dss dack8=1 dsn8=1 ssn=1 dll=10 cksum=auto>')[0]!;
      const omitted = nodes('> P. 1:11(10) ack 1 <dss dack8=1 dsn8=1 ssn=1 dll=10>')[0]!;
      expect(same(s.outbound(auto, liveDss(right), conn, payload))).toBe(true);
      expect(same(s.outbound(auto, liveDss(right ^ 0x0101), conn, payload))).toBe(false);
      expect(same(s.outbound(omitted, liveDss(right ^ 0x0101), conn, payload))).toBe(true);
    });

    it('covers the data actually sent (a different payload fails)', () => {
      const s = handshaken();
      const auto = nodes('> P. 1:11(10) ack 1 <dss dack8=1 dsn8=1 ssn=1 dll=10 cksum=auto>')[0]!;
      expect(same(s.outbound(auto, liveDss(right), conn, new Uint8Array(10)))).toBe(false);
    });

    it('is an error when the mapping goes on past this segment', () => {
      const s = handshaken();
      const auto = nodes('> P. 1:11(10) ack 1 <dss dack8=1 dsn8=1 ssn=1 dll=20 cksum=auto>')[0]!;
      expect(() => s.outbound(auto, liveDss(right, 20), conn, payload)).toThrow(/cksum=auto needs the whole mapping in one segment.*length is 20.*10 byte/);
    });

    it('checks an MP_CAPABLE carrying data against its implicit mapping (DSN = IDSN + 1, SSN 1)', () => {
      const s = new MptcpState(new Uint8Array([192, 0, 2, 1]));
      const mpc = (checksum: number) => ({ kind: 'mptcp' as const, bytes: encodeMptcpOption(makeMpCapable({ version: 1, flags: 0x81, senderKey: KERNEL_KEY, receiverKey: 5n, dataLevelLength: 10, checksum })) });
      const node = nodes('> P. 1:11(10) ack 1 <mpcapable v1 flags[flag_a, flag_h] key[ckey, skey] mpcdatalen 10 cksum=auto>')[0]!;
      expect(same(s.outbound(node, mpc(right), conn, payload))).toBe(true);
      expect(same(s.outbound(node, mpc(right ^ 1), conn, payload))).toBe(false);
    });
  });
});
