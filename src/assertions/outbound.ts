// Compares one packet the kernel sent with the script line that expects it. No I/O and no
// connection state: the interpreter hands over the live packet already mapped into script
// space (relative seq/ack, TS vals), and this module says which fields differ and where.
import { describeTcpOption, type TcpOption } from '../codec/tcp-options.js';
import { formatTcpFlags, type ParsedFlags } from '../codec/tcp-flags.js';
import { TCP_FLAG } from '../codec/packet.js';
import type { PacketAction, SourceLocation, TcpBody } from '../parser/ast.js';

/** The live packet as seen from the script: relative numbers, options mapped. */
export interface ScriptViewTcp {
  flags: number;
  reserved: number;
  seq: number;
  ack: number;
  window: number;
  urgentPointer: number;
  options: TcpOption[];
  payloadLength: number;
  payloadAllZero: boolean;
  ip: { version: 4 | 6; tos: number; ttl: number; headerOk: boolean };
}

export interface FieldMismatch {
  /** packetdrill's field name (tcp_ack_seq, tcp_window, ...): kept for log scrapers. */
  field: string;
  /** The script word for it (ack, win, flags ...). */
  label: string;
  expected: string;
  actual: string;
  loc: SourceLocation;
}

const FLAG_FIELDS: [number, string][] = [
  [TCP_FLAG.FIN, 'tcp_fin'],
  [TCP_FLAG.SYN, 'tcp_syn'],
  [TCP_FLAG.RST, 'tcp_rst'],
  [TCP_FLAG.PSH, 'tcp_psh'],
  [TCP_FLAG.ACK, 'tcp_ack'],
  [TCP_FLAG.URG, 'tcp_urg'],
];

/**
 * Every differing field, in packetdrill's check order (flags, seq, ack, window, urgent
 * pointer, options, payload). The first one is the headline of the failure.
 */
export function compareTcp(
  line: PacketAction & { body: TcpBody },
  expectedFlags: ParsedFlags,
  expectedOptions: TcpOption[] | 'any' | undefined,
  actual: ScriptViewTcp,
): FieldMismatch[] {
  const body = line.body;
  const out: FieldMismatch[] = [];
  const push = (field: string, label: string, expected: string, actualText: string, loc: SourceLocation) =>
    out.push({ field, label, expected, actual: actualText, loc });

  if (!actual.ip.headerOk) push('ipv4_checksum', 'IPv4 header checksum', 'valid', 'invalid', line.loc);
  const tos = line.ipInfo?.tos;
  if (tos) {
    const ecn = actual.ip.tos & 3;
    const want = { noecn: 0, ect1: 1, ect0: 2, ce: 3 } as Record<string, number>;
    if (tos.kind === 'tos' && actual.ip.tos !== tos.value)
      push('tos', 'tos', `0x${tos.value.toString(16)}`, `0x${actual.ip.tos.toString(16)}`, tos.loc);
    else if (tos.kind === 'ect01' && ecn !== 1 && ecn !== 2) push('ip_ecn', 'ecn', 'ect0 or ect1', ecnName(ecn), tos.loc);
    else if (tos.kind in want && ecn !== want[tos.kind]) push('ip_ecn', 'ecn', tos.kind, ecnName(ecn), tos.loc);
  }
  const ttl = line.ipInfo?.ttl;
  if (ttl && actual.ip.ttl !== ttl.value) push('ttl', 'ttl', String(ttl.value), String(actual.ip.ttl), ttl.loc);

  const flagMask = expectedFlags.ace !== undefined ? 0x3f : 0x1ff;
  if ((actual.flags & flagMask) !== (expectedFlags.flags & flagMask)) {
    const name = FLAG_FIELDS.find(([bit]) => (actual.flags ^ expectedFlags.flags) & bit)?.[1] ?? 'tcp_flags';
    push(name, 'flags', formatTcpFlags(expectedFlags.flags & flagMask), formatTcpFlags(actual.flags & flagMask), body.flags.loc);
  } else if (expectedFlags.ace !== undefined) {
    const ace = ((actual.flags & TCP_FLAG.ECE) ? 1 : 0) | ((actual.flags & TCP_FLAG.CWR) ? 2 : 0) | ((actual.flags & TCP_FLAG.AE) ? 4 : 0);
    if (ace !== expectedFlags.ace) push('tcp_ace', 'ace', String(expectedFlags.ace), String(ace), body.flags.loc);
  }
  if (actual.reserved !== 0) push('tcp_reserved_bits', 'reserved bits', '0', String(actual.reserved), body.flags.loc);
  if (actual.seq !== body.seq.start >>> 0) push('tcp_seq', 'seq', String(body.seq.start >>> 0), String(actual.seq), body.seq.loc);
  if (actual.payloadLength !== body.seq.length)
    push('tcp_payload_len', 'payload length', `${body.seq.length} bytes`, `${actual.payloadLength} bytes`, body.seq.loc);
  const wantAck = body.ack ? body.ack.value >>> 0 : 0;
  if (actual.ack !== wantAck) push('tcp_ack_seq', 'ack', String(wantAck), String(actual.ack), body.ack?.loc ?? body.flags.loc);
  if (body.win && actual.window !== body.win.value) push('tcp_window', 'win', String(body.win.value), String(actual.window), body.win.loc);
  const wantUrg = body.urg?.value ?? 0;
  if (actual.urgentPointer !== wantUrg) push('tcp_urg_ptr', 'urg', String(wantUrg), String(actual.urgentPointer), body.urg?.loc ?? body.flags.loc);

  if (Array.isArray(expectedOptions)) {
    const optLoc = body.optionsLoc ?? body.loc;
    const want = expectedOptions.map(describeTcpOption).join(',');
    const got = actual.options.map(describeTcpOption).join(',');
    if (want !== got) {
      // Point at the first option that differs, when the line has one there.
      const i = expectedOptions.findIndex((o, k) => describeTcpOption(o) !== (actual.options[k] ? describeTcpOption(actual.options[k]!) : ''));
      const nodes = Array.isArray(body.options) ? body.options : [];
      push('tcp_options', 'options', `<${want}>`, `<${got}>`, nodes[i]?.loc ?? optLoc);
    }
  } else if (expectedOptions === undefined && actual.options.length > 0) {
    push('tcp_options', 'options', '(none)', `<${actual.options.map(describeTcpOption).join(',')}>`, body.loc);
  }
  if (!actual.payloadAllZero && actual.payloadLength === body.seq.length)
    push('tcp_payload', 'payload', `${body.seq.length} zero bytes`, 'non-zero bytes', body.seq.loc);
  return out;
}

function ecnName(ecn: number): string {
  return ['noecn', 'ect1', 'ect0', 'ce'][ecn]!;
}

/** packetdrill's short dump of a TCP packet: `S. 0:0(0) ack 1 win 65535 <mss 1460,nop>`. */
export function describeTcp(v: {
  flags: number;
  seq: number;
  payloadLength: number;
  ack?: number;
  window?: number;
  options?: TcpOption[] | 'any';
}): string {
  const parts = [formatTcpFlags(v.flags), `${v.seq}:${(v.seq + v.payloadLength) >>> 0}(${v.payloadLength})`];
  if (v.flags & TCP_FLAG.ACK && v.ack !== undefined) parts.push(`ack ${v.ack}`);
  if (v.window !== undefined) parts.push(`win ${v.window}`);
  if (v.options === 'any') parts.push('<...>');
  else if (v.options?.length) parts.push(`<${v.options.map(describeTcpOption).join(',')}>`);
  return parts.join(' ');
}
