// Text dumps of packets for verbose logs and failure notes: packetdrill's short form of a
// script line, and the live packet's raw headers (before remapping into script space).
import { formatIp } from '../codec/address.js';
import type { Packet } from '../codec/packet.js';
import type { ParsedFlags } from '../codec/tcp-flags.js';
import type { TcpOption } from '../codec/tcp-options.js';
import { describeTcp } from '../assertions/outbound.js';
import type { IcmpBody } from '../parser/ast.js';
import type { TcpLine } from './packets.js';

/** Script microseconds as packetdrill prints times: seconds with six decimals. */
export const fmtSecs = (usecs: number) => (usecs / 1e6).toFixed(6);

/** A TCP script line in packetdrill's short form, with the options it stands for. */
export function describeTcpLine(line: TcpLine, flags: ParsedFlags, options: TcpOption[] | 'any' | undefined): string {
  const b = line.body;
  return describeTcp({ flags: flags.flags, seq: b.seq.start, payloadLength: b.seq.length, ack: b.ack?.value, window: b.win?.value, options });
}

/** An ICMP script line: `icmp unreachable port_unreachable`. */
export function describeIcmpLine(body: IcmpBody): string {
  return `icmp ${body.type.name}${body.code ? ` ${body.code.name}` : ''}`;
}

/** The live packet's IP and TCP headers as sent, for a mismatch's notes. */
export function describeLive(p: Packet): string[] {
  const ip = p.ip;
  const lines = [`live packet: IPv${ip.version} ${formatIp(ip.src)} > ${formatIp(ip.dst)} ttl ${ip.ttl} tos 0x${ip.tos.toString(16)} len ${ip.totalLength}`];
  if (p.transport.kind === 'tcp') {
    const t = p.transport.tcp;
    lines.push(`  TCP ${t.srcPort} > ${t.dstPort} seq ${t.seq} ack ${t.ack} win ${t.window} data offset ${t.dataOffset} payload ${p.payload.length} bytes (raw, before remapping)`);
  }
  return lines;
}
