// compareTcp: a live packet already mapped into script space against the line that expects it.
import { describe, expect, it } from 'vitest';
import { compareTcp, describeTcp, type ScriptViewTcp } from '../../src/assertions/outbound.js';
import { TCP_FLAG } from '../../src/codec/packet.js';
import { parseTcpFlags, type ParsedFlags } from '../../src/codec/tcp-flags.js';
import type { TcpOption } from '../../src/codec/tcp-options.js';
import type { PacketAction, TcpBody } from '../../src/parser/ast.js';
import { scriptTcpOptions } from '../../src/interpreter/script-packet.js';
import { loadParser } from '../parser/helpers.js';

const { parseScript } = await loadParser();

type TcpLine = PacketAction & { body: TcpBody };

/** The outbound line at the end of a one-event script, with its flags and options. */
function line(text: string): { line: TcpLine; flags: ParsedFlags; options: TcpOption[] | 'any' | undefined; source: string } {
  const source = `0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n${text}\n`;
  const l = parseScript(source, 'x.pkt').events[1]!.action as TcpLine;
  const options = Array.isArray(l.body.options) ? scriptTcpOptions(l.body.options) : l.body.options;
  return { line: l, flags: parseTcpFlags(l.body.flags.text) as ParsedFlags, options, source };
}

/** A live SYN-ACK that matches `+0 > S. 0:0(0) ack 1 win 65535 <mss 1460,nop,wscale 7>`. */
const synAck = (over: Partial<ScriptViewTcp> = {}): ScriptViewTcp => ({
  flags: TCP_FLAG.SYN | TCP_FLAG.ACK,
  reserved: 0,
  seq: 0,
  ack: 1,
  window: 65535,
  urgentPointer: 0,
  options: [{ kind: 'mss', mss: 1460 }, { kind: 'nop' }, { kind: 'wscale', shift: 7 }],
  payloadLength: 0,
  payloadAllZero: true,
  ip: { version: 4, tos: 0, ttl: 64, headerOk: true },
  ...over,
});

function compare(text: string, actual: ScriptViewTcp) {
  const l = line(text);
  const found = compareTcp(l.line, l.flags, l.options, actual);
  /** What each mismatch points at in the script. */
  const at = found.map((m) => l.source.slice(m.loc.start.offset, m.loc.end.offset));
  return { found: found.map(({ loc: _loc, ...rest }) => rest), at };
}

const LINE = '+0 > S. 0:0(0) ack 1 win 65535 <mss 1460,nop,wscale 7>';

describe('compareTcp', () => {
  it('finds nothing when every field matches', () => {
    expect(compare(LINE, synAck()).found).toEqual([]);
  });

  it('names each differing field in packetdrill\'s words and points at it on the line', () => {
    const r = compare(LINE, synAck({ ack: 2, window: 64240 }));
    expect(r.found).toEqual([
      { field: 'tcp_ack_seq', label: 'ack', expected: '1', actual: '2' },
      { field: 'tcp_window', label: 'win', expected: '65535', actual: '64240' },
    ]);
    expect(r.at).toEqual(['1', '65535']);
  });

  it('reports flags first, naming the first flag that differs', () => {
    const r = compare(LINE, synAck({ flags: TCP_FLAG.SYN | TCP_FLAG.ACK | TCP_FLAG.FIN, seq: 5 }));
    expect(r.found.map((m) => m.field)).toEqual(['tcp_fin', 'tcp_seq']);
    expect(r.found[0]).toMatchObject({ label: 'flags', expected: 'S.', actual: 'FS.' });
    expect(r.at[0]).toBe('S.');
  });

  it('leaves the window unchecked when the line gives none', () => {
    expect(compare('+0 > S. 0:0(0) ack 1 <mss 1460,nop,wscale 7>', synAck({ window: 1 })).found).toEqual([]);
  });

  it('points at the first option that differs, and lists both option lists', () => {
    const r = compare(LINE, synAck({ options: [{ kind: 'mss', mss: 1460 }, { kind: 'nop' }, { kind: 'wscale', shift: 8 }] }));
    expect(r.found).toEqual([{ field: 'tcp_options', label: 'options', expected: '<mss 1460,nop,wscale 7>', actual: '<mss 1460,nop,wscale 8>' }]);
    expect(r.at).toEqual(['wscale 7']);
  });

  it('accepts any options for <...>, and expects none when the line has no list', () => {
    expect(compare('+0 > S. 0:0(0) ack 1 win 65535 <...>', synAck()).found).toEqual([]);
    const r = compare('+0 > S. 0:0(0) ack 1 win 65535', synAck());
    expect(r.found).toEqual([{ field: 'tcp_options', label: 'options', expected: '(none)', actual: '<mss 1460,nop,wscale 7>' }]);
  });

  it('checks payload length and zero bytes against seq start:end(length)', () => {
    expect(compare('+0 > P. 1:11(10) ack 1', synAck({ flags: TCP_FLAG.PSH | TCP_FLAG.ACK, seq: 1, options: [], payloadLength: 5 })).found).toEqual([
      { field: 'tcp_payload_len', label: 'payload length', expected: '10 bytes', actual: '5 bytes' },
    ]);
    expect(compare('+0 > P. 1:11(10) ack 1', synAck({ flags: TCP_FLAG.PSH | TCP_FLAG.ACK, seq: 1, options: [], payloadLength: 10, payloadAllZero: false })).found).toEqual([
      { field: 'tcp_payload', label: 'payload', expected: '10 zero bytes', actual: 'non-zero bytes' },
    ]);
  });

  it('checks the IP fields the line gives: ttl, tos and ECN, and the IPv4 header checksum', () => {
    expect(compare('+0 > [ttl 32] S. 0:0(0) ack 1 <...>', synAck()).found).toEqual([{ field: 'ttl', label: 'ttl', expected: '32', actual: '64' }]);
    expect(compare('+0 > [ect0] S. 0:0(0) ack 1 <...>', synAck()).found).toEqual([{ field: 'ip_ecn', label: 'ecn', expected: 'ect0', actual: 'noecn' }]);
    expect(compare('+0 > [ect01] S. 0:0(0) ack 1 <...>', synAck({ ip: { version: 4, tos: 1, ttl: 64, headerOk: true } })).found).toEqual([]);
    expect(compare('+0 > S. 0:0(0) ack 1 <...>', synAck({ ip: { version: 4, tos: 0, ttl: 64, headerOk: false } })).found[0]).toMatchObject({ field: 'ipv4_checksum' });
  });

  it('compares an AccECN digit as the 3-bit ACE field', () => {
    const ace5 = TCP_FLAG.SYN | TCP_FLAG.ACK | TCP_FLAG.ECE | TCP_FLAG.AE; // ECE=1, CWR=0, AE=4
    expect(compare('+0 > S.5 0:0(0) ack 1 <...>', synAck({ flags: ace5 })).found).toEqual([]);
    expect(compare('+0 > S.4 0:0(0) ack 1 <...>', synAck({ flags: ace5 })).found).toEqual([{ field: 'tcp_ace', label: 'ace', expected: '4', actual: '5' }]);
  });

  it('flags reserved bits that are set', () => {
    expect(compare(LINE, synAck({ reserved: 2 })).found).toEqual([{ field: 'tcp_reserved_bits', label: 'reserved bits', expected: '0', actual: '2' }]);
  });
});

describe('describeTcp', () => {
  it('prints packetdrill\'s short form', () => {
    expect(describeTcp({ flags: TCP_FLAG.SYN | TCP_FLAG.ACK, seq: 0, payloadLength: 0, ack: 1, window: 65535, options: [{ kind: 'mss', mss: 1460 }] })).toBe('S. 0:0(0) ack 1 win 65535 <mss 1460>');
    expect(describeTcp({ flags: TCP_FLAG.PSH | TCP_FLAG.ACK, seq: 4294967295, payloadLength: 2, ack: 7, options: 'any' })).toBe('P. 4294967295:1(2) ack 7 <...>');
  });
});
