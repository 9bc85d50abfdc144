// Inbound ICMP errors (`< icmp unreachable frag_needed mtu 1200 [1:1461(1460)]`): an ICMP or
// ICMPv6 message quoting the IP header and the start of a TCP segment the kernel sent, so the
// kernel finds the socket and reacts (PMTU discovery, soft errors).
import { encodePacket, IPPROTO, TCP_FLAG, type Packet } from '../codec/packet.js';
import type { IcmpBody, PacketAction } from '../parser/ast.js';
import type { Connection } from './connection.js';
import { ScriptError } from './errors.js';
import type { RunState } from './state.js';

type Codes = Record<string, number>;
const V4: Record<string, { type: number; codes: Codes }> = {
  echo_reply: { type: 0, codes: {} },
  unreachable: {
    type: 3,
    codes: { net_unreachable: 0, host_unreachable: 1, protocol_unreachable: 2, port_unreachable: 3, frag_needed: 4, source_route_failed: 5, net_unknown: 6, host_unknown: 7, source_host_isolated: 8, net_prohibited: 9, host_prohibited: 10, net_unreachable_for_tos: 11, host_unreachable_for_tos: 12, packet_filtered: 13, precedence_violation: 14, precedence_cutoff: 15 },
  },
  source_quench: { type: 4, codes: {} },
  redirect: { type: 5, codes: { net: 0, host: 1, tos_net: 2, tos_host: 3 } },
  echo_request: { type: 8, codes: {} },
  time_exceeded: { type: 11, codes: { ttl_exceeded: 0, fragment_reassembly_time_exceeded: 1 } },
  parameter_problem: { type: 12, codes: {} },
};
const V6: Record<string, { type: number; codes: Codes }> = {
  unreachable: { type: 1, codes: { no_route: 0, admin_prohibited: 1, beyond_scope: 2, address_unreachable: 3, port_unreachable: 4, source_address_failed_policy: 5, reject_route: 6 } },
  packet_too_big: { type: 2, codes: {} },
  time_exceeded: { type: 3, codes: { hop_limit_exceeded: 0, fragment_reassembly_time_exceeded: 1 } },
  parameter_problem: { type: 4, codes: { erroneous_header: 0, unrecognized_next_header: 1, unrecognized_ipv6_option: 2 } },
  echo_request: { type: 128, codes: {} },
  echo_reply: { type: 129, codes: {} },
};

/** `type_N` / `code_N` or a name from the table of the packet's ICMP version. */
function lookup(name: string, table: Record<string, number>, what: string, loc: IcmpBody['loc'], family: 4 | 6): number {
  const n = /^(?:type|code)_(\d+)$/.exec(name);
  if (n) return Number(n[1]);
  const v = table[name];
  if (v === undefined) throw new ScriptError('runtime', `bad ICMP${family === 6 ? 'v6' : ''} ${what} ${name}`, loc);
  return v;
}

/**
 * ICMP names are per version (frag_needed is ICMPv4, packet_too_big ICMPv6); packetdrill rejects
 * a wrong one before the script starts, so a run checks every ICMP line first.
 */
export function checkIcmpNames(family: 4 | 6, b: IcmpBody): void {
  const entry = (family === 6 ? V6 : V4)[b.type.name];
  if (!entry) lookup(b.type.name, {}, 'type', b.type.loc, family);
  if (b.code) lookup(b.code.name, entry?.codes ?? {}, 'code', b.code.loc, family);
}

export function buildIcmpInbound(s: RunState, line: PacketAction & { body: IcmpBody }, conn: Connection | undefined): Packet {
  const b = line.body;
  const family = s.family;
  const types = family === 6 ? V6 : V4;
  const typeName = b.type.name;
  const entry = types[typeName];
  const type = entry ? entry.type : lookup(typeName, {}, 'type', b.type.loc, family);
  const code = b.code ? lookup(b.code.name, entry?.codes ?? {}, 'code', b.code.loc, family) : 0;
  const mtu = b.mtu?.value ?? 0;
  // Next-hop MTU: low 16 bits of the rest word for ICMPv4 frag_needed, all 32 bits for ICMPv6.
  const rest = family === 6 ? mtu >>> 0 : mtu & 0xffff;
  const quoted = quotedPacket(s, b, conn);
  return {
    ip: { version: family, tos: 0, flowLabel: 0, ttl: 255, protocol: family === 6 ? IPPROTO.ICMPV6 : IPPROTO.ICMP, id: 0, fragment: 0, src: s.remoteIp, dst: s.localIp },
    transport: { kind: 'icmp', icmp: { type, code, rest } },
    payload: quoted,
  };
}

/** The IP header and TCP header of the kernel's segment the error is about (seq mapped to live). */
function quotedPacket(s: RunState, b: IcmpBody, conn: Connection | undefined): Uint8Array {
  const q = b.quoted;
  const length = q && q.kind !== 'raw' ? q.length : 0;
  const local = conn?.local ?? { ip: s.localIp, port: s.config.bindPort };
  const remote = conn?.remote ?? { ip: s.remoteIp, port: s.config.connectPort };
  const seq = q?.kind === 'tcp' ? ((q.start + (conn?.localIsnLive ?? 0)) >>> 0) : (conn?.localIsnLive ?? 0);
  const original: Packet = {
    ip: { version: s.family, tos: 0, flowLabel: 0, ttl: 64, protocol: q?.kind === 'udp' ? IPPROTO.UDP : IPPROTO.TCP, id: 0, fragment: 0x4000, src: local.ip, dst: remote.ip },
    transport:
      q?.kind === 'udp'
        ? { kind: 'udp', udp: { srcPort: local.port, dstPort: remote.port } }
        : { kind: 'tcp', tcp: { srcPort: local.port, dstPort: remote.port, seq, ack: 0, flags: TCP_FLAG.ACK, reserved: 0, window: 0, urgentPointer: 0, options: [] } },
    payload: new Uint8Array(length),
  };
  const bytes = encodePacket(original);
  // Quote the headers only (as routers do); the total length field still says how long it was.
  const headerBytes = (s.family === 6 ? 40 : 20) + (q?.kind === 'udp' ? 8 : 20);
  return bytes.slice(0, Math.min(bytes.length, headerBytes + (q?.kind === 'raw' ? q.length : 0)));
}
