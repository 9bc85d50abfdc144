// MP_CAPABLE forms beyond the v1 handshake: the 24-byte option with data-level length and
// checksum (RFC 8684 §3.1) and the legacy `mp_capable a [b]` (version 0, RFC 6824).
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeMptcpOption, encodeMptcpOption, makeMpCapable } from '../../src/codec/mptcp/options.js';
import type { TcpOption } from '../../src/codec/tcp-options.js';
import type { MptcpOptionNode, PacketAction, TcpBody } from '../../src/parser/ast.js';
import { parseScript } from '../../src/parser/index.js';
import { Connection } from '../../src/interpreter/connection.js';
import { MptcpState } from '../../src/interpreter/mptcp.js';

function node(line: string): MptcpOptionNode {
  const script = parseScript(`0 socket(..., SOCK_STREAM, IPPROTO_MPTCP) = 3\n+0 ${line}\n`, 't.pkt');
  const body = (script.events[1]!.action as PacketAction).body as TcpBody;
  return (body.options as MptcpOptionNode[]).find((o) => !['nop', 'mss'].includes(o.kind))!;
}

const conn = new Connection('tcp', { ip: new Uint8Array(4), port: 1 }, { ip: new Uint8Array(4), port: 2 });
const KERNEL_KEY = 0x1122334455667788n;
/** `ckey=2` on the wire (the fork's literals are host order). */
const SCRIPT_KEY = 0x0200000000000000n;
const bytesOf = (o: TcpOption) => (o as { bytes: Uint8Array }).bytes;

/** A listener's state after the kernel's SYN-ACK taught it the kernel's key. */
function afterSynAck(): MptcpState {
  const s = new MptcpState(new Uint8Array([192, 0, 2, 1]));
  const synAck = { kind: 'mptcp' as const, bytes: encodeMptcpOption(makeMpCapable({ version: 1, flags: 0x81, senderKey: KERNEL_KEY })) };
  s.outbound(node('> S. 0:0(0) ack 1 <mpcapable v1 flags[flag_a, flag_h] key[skey]>'), synAck, conn);
  return s;
}

const inbound = (s: MptcpState, line: string, payloadLength = 100) => decodeMptcpOption(bytesOf(s.inbound(node(line), { payloadLength, scriptSeq: 1, conn })));

/** RFC 8684 §3.3.1 by hand: ones' complement sum of DSN(8) SSN(4) DLL(2) zero(2); zero data adds nothing. */
function rfcChecksum(dsn: bigint, ssn: number, dll: number): number {
  const b = Buffer.alloc(16);
  b.writeBigUInt64BE(dsn, 0);
  b.writeUInt32BE(ssn, 8);
  b.writeUInt16BE(dll, 12);
  let sum = 0;
  for (let i = 0; i < 16; i += 2) sum += b.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

const idsn = (key: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(key);
  return createHash('sha256').update(b).digest().readBigUInt64BE(24);
};

describe('MP_CAPABLE with data-level length and checksum', () => {
  it('inbound with flag A: 24 bytes, checksum over the implicit mapping DSN = IDSN(sender) + 1, SSN 1', () => {
    const opt = inbound(afterSynAck(), '< P. 1:101(100) ack 1 win 5 <mpcapable v1 flags[flag_a, flag_h] key[ckey=2, skey] mpcdatalen 100>');
    expect(opt).toMatchObject({ kind: 'mp_capable', version: 1, flags: 0x81, senderKey: SCRIPT_KEY, receiverKey: KERNEL_KEY, dataLevelLength: 100 });
    expect((opt as { checksum?: number }).checksum).toBe(rfcChecksum(idsn(SCRIPT_KEY) + 1n, 1, 100));
  });

  it('inbound: no flag A or nocs stays the 22-byte form; cksum=N is sent as written', () => {
    const s = afterSynAck();
    const len = (line: string) => encodeMptcpOption(inbound(s, line)).length;
    expect(len('< P. 1:101(100) ack 1 win 5 <mpcapable v1 flags[flag_h] key[ckey=2, skey] mpcdatalen 100, nop, nop>')).toBe(22);
    expect(len('< P. 1:101(100) ack 1 win 5 <mpcapable v1 flags[flag_a, flag_h] key[ckey=2, skey] mpcdatalen 100 nocs, nop, nop>')).toBe(22);
    const literal = inbound(s, '< P. 1:101(100) ack 1 win 5 <mpcapable v1 flags[flag_a, flag_h] key[ckey=2, skey] mpcdatalen 100 cksum=0x1234>');
    expect(literal).toMatchObject({ checksum: 0x1234 });
  });

  it('outbound: the checksum field must be there with flag A (any value), and not without', () => {
    const s = afterSynAck();
    s.inbound(node('< . 1:1(0) ack 1 win 5 <mpcapable v1 flags[flag_a, flag_h] key[ckey=2, skey]>'), { payloadLength: 0, scriptSeq: 1, conn });
    const live = (checksum?: number) => ({
      kind: 'mptcp' as const,
      bytes: encodeMptcpOption(makeMpCapable({ version: 1, flags: 0x81, senderKey: KERNEL_KEY, receiverKey: SCRIPT_KEY, dataLevelLength: 100, checksum })),
    });
    const check = (line: string, l: TcpOption) => {
      const { expected, actual } = s.outbound(node(line), l, conn);
      return Buffer.from(bytesOf(expected)).equals(Buffer.from(bytesOf(actual)));
    };
    const withA = '> P. 1:101(100) ack 1 <mpcapable v1 flags[flag_a, flag_h] key[skey, ckey] mpcdatalen 100>';
    expect(check(withA, live(0xbeef))).toBe(true);
    expect(check(withA, live(undefined))).toBe(false);
    expect(check('> P. 1:101(100) ack 1 <mpcapable v1 flags[flag_a, flag_h] key[skey, ckey] mpcdatalen 100 cksum=0xbeef>', live(0xbeef))).toBe(true);
    expect(check('> P. 1:101(100) ack 1 <mpcapable v1 flags[flag_a, flag_h] key[skey, ckey] mpcdatalen 100 cksum=0xbeee>', live(0xbeef))).toBe(false);
    expect(check('> P. 1:101(100) ack 1 <mpcapable v1 flags[flag_a, flag_h] key[skey, ckey] mpcdatalen 100 nocs, nop, nop>', live(0xbeef))).toBe(false);
  });
});

describe('legacy mp_capable (version 0)', () => {
  it('injects version 0 with the sender key, flags A|H by default, H for mp_capable_no_cs', () => {
    const s = new MptcpState(new Uint8Array([192, 0, 2, 1]));
    const syn = inbound(s, '< S 0:0(0) win 5 <mss 1460, mp_capable ckey=2>', 0);
    expect(syn).toMatchObject({ kind: 'mp_capable', version: 0, flags: 0x81, senderKey: SCRIPT_KEY });
    expect(syn).not.toHaveProperty('receiverKey', expect.anything());
    expect(encodeMptcpOption(syn)).toHaveLength(12);
    expect(inbound(s, '< S 0:0(0) win 5 <mss 1460, mp_capable_no_cs ckey>', 0)).toMatchObject({ version: 0, flags: 0x01 });
    expect(inbound(s, '< S 0:0(0) win 5 <mss 1460, mp_capable ckey no_flags>', 0)).toMatchObject({ version: 0, flags: 0 });
  });

  it('with two keys: 20 bytes, sender key then the kernel key', () => {
    const s = afterSynAck();
    const ack = inbound(s, '< . 1:1(0) ack 1 win 5 <mp_capable ckey=2 skey flag_h>', 0);
    expect(ack).toMatchObject({ version: 0, flags: 0x01, senderKey: SCRIPT_KEY, receiverKey: KERNEL_KEY });
    expect(encodeMptcpOption(ack)).toHaveLength(20);
  });
});
