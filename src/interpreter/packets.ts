// Script packet lines <-> wire packets for one flow: building what we inject, and mapping what
// the kernel sent into script space so the assertions can compare it with the line.
import { IPPROTO, TCP_FLAG, ipv4HeaderChecksumOk, type Packet } from '../codec/packet.js';
import { parseTcpFlags, type ParsedFlags } from '../codec/tcp-flags.js';
import type { TcpOption } from '../codec/tcp-options.js';
import type { ScriptViewTcp } from '../assertions/outbound.js';
import type { Endpoint, MptcpOptionNode, PacketAction, TcpBody, TcpOptionNode } from '../parser/ast.js';
import { bytesEqual, parseIp } from '../codec/address.js';
import { Connection, type LiveEndpoint } from './connection.js';
import { ScriptError } from './errors.js';
import { scriptTcpOptions } from './script-packet.js';
import type { RunState } from './state.js';

export type TcpLine = PacketAction & { body: TcpBody };

export function lineFlags(line: TcpLine): ParsedFlags {
  const f = parseTcpFlags(line.body.flags.text);
  if (typeof f === 'string') throw new ScriptError('runtime', f, line.body.flags.loc);
  return f;
}

const ECN_BITS: Record<string, number> = { noecn: 0, ect1: 1, ect0: 2, ce: 3, ect01: 2 };

/** A line's endpoint as far as it is known: literal parts, or a bound `addr[name]` variable. */
export interface EndpointSpec {
  ip?: Uint8Array;
  port?: number;
  /** An `addr[name]` variable that is not bound yet: bound to the live endpoint after the line. */
  unbound?: string;
}

export function resolveEndpoint(s: RunState, e: Endpoint | undefined): EndpointSpec {
  if (!e) return {};
  if (e.kind === 'port') return { port: e.port };
  if (e.kind === 'address') return { ip: parseIp(e.address), port: e.port };
  const bound = s.mptcp.addresses.get(e.name);
  return bound ? { ip: bound.ip, port: bound.port } : { unbound: e.name };
}

/** Binds a line's unbound `addr[name]` variables to the live endpoints the line used. */
export function bindEndpoints(s: RunState, local: EndpointSpec, remote: EndpointSpec, conn: Connection): void {
  if (local.unbound) s.mptcp.addresses.set(local.unbound, { ip: conn.local.ip, port: conn.local.port });
  if (remote.unbound) s.mptcp.addresses.set(remote.unbound, { ip: conn.remote.ip, port: conn.remote.port, id: conn.join.scriptAddressId });
}

function matches(spec: EndpointSpec, live: LiveEndpoint): boolean {
  return (!spec.ip || bytesEqual(spec.ip, live.ip)) && (!spec.port || spec.port === live.port);
}

/** The newest flow whose live tuple matches the line's endpoints (omitted parts match anything). */
export function selectConnection(s: RunState, local: EndpointSpec, remote: EndpointSpec): Connection | undefined {
  for (let i = s.connections.length - 1; i >= 0; i--) {
    const c = s.connections[i]!;
    if (matches(local, c.local) && matches(remote, c.remote)) return c;
  }
  return undefined;
}

const hasOption = (line: TcpLine, kind: string) => Array.isArray(line.body.options) && line.body.options.some((o) => o.kind === kind);

/**
 * Picks (or creates) the flow an inbound line belongs to. A SYN without ACK opens a passive
 * connection towards a fresh remote port unless an active open is waiting for its peer's SYN;
 * an MP_JOIN SYN from an unbound address variable comes from a new script-side address.
 */
export function inboundConnection(s: RunState, line: TcpLine, flags: ParsedFlags): Connection {
  const syn = (flags.flags & TCP_FLAG.SYN) !== 0;
  const ack = (flags.flags & TCP_FLAG.ACK) !== 0;
  const remote = resolveEndpoint(s, line.endpoints?.src);
  const local = resolveEndpoint(s, line.endpoints?.dst);
  const current = s.currentConnection;
  let conn: Connection;
  if (syn && !ack && (!current || current.remoteIsn !== undefined)) {
    let remoteIp = remote.ip ?? s.remoteIp;
    let addressId: number | undefined;
    if (!remote.ip && remote.unbound && hasOption(line, 'mp_join_syn')) ({ ip: remoteIp, id: addressId } = s.mptcp.newScriptAddress());
    conn = new Connection(
      'tcp',
      { ip: local.ip ?? s.localIp, port: local.port ?? s.config.bindPort },
      { ip: remoteIp, port: remote.port ?? s.takeEphemeralPort() },
    );
    if (addressId !== undefined) conn.join.scriptAddressId = addressId;
    conn.remoteIsn = line.body.seq.start >>> 0;
    s.connections.push(conn);
  } else {
    const found = line.endpoints ? selectConnection(s, local, remote) : current;
    if (!found) throw new ScriptError('packet', 'no connection for this packet: inject a SYN or call connect() first', line.loc);
    conn = found;
    if (syn) conn.remoteIsn = line.body.seq.start >>> 0;
  }
  bindEndpoints(s, local, remote, conn);
  return conn;
}

/** Builds the wire packet for an inbound TCP line (addresses, remapped numbers, options). */
export function buildInbound(s: RunState, line: TcpLine, flags: ParsedFlags, conn: Connection): Packet {
  const b = line.body;
  const syn = (flags.flags & TCP_FLAG.SYN) !== 0;
  const hasAck = (flags.flags & TCP_FLAG.ACK) !== 0;
  const options: TcpOption[] = Array.isArray(b.options)
    ? scriptTcpOptions(b.options, (n) => s.mptcp.inbound(n as MptcpOptionNode, { payloadLength: b.seq.length, scriptSeq: b.seq.start, conn }))
    : [];
  for (const [i, o] of options.entries()) {
    if (o.kind === 'timestamp' && hasAck) {
      const live = conn.inboundTsEcr(o.ecr, s.config.tcpTsEcrScaled);
      if (live === undefined)
        throw new ScriptError(
          'packet',
          `unable to infer live TS ecr for script TS ecr ${o.ecr}: no matching or preceding outbound TS val`,
          (b.options as { loc: TcpLine['loc'] }[])[i]!.loc,
        );
      options[i] = { ...o, ecr: live };
    } else if (o.kind === 'sack') {
      options[i] = { kind: 'sack', blocks: o.blocks.map(([l, r]) => [conn.inboundAck(l, syn), conn.inboundAck(r, syn)]) };
    }
  }
  const seq = conn.inboundSeq(b.seq.start, syn);
  const ack = hasAck ? conn.inboundAck(b.ack?.value ?? 0, syn) : (b.ack?.value ?? 0);
  const tos = line.ipInfo?.tos;
  return {
    ip: {
      version: s.family,
      tos: tos ? (tos.kind === 'tos' ? tos.value : ECN_BITS[tos.kind]!) : 0,
      flowLabel: line.ipInfo?.flowlabel?.value ?? 0,
      ttl: line.ipInfo?.ttl?.value ?? 255,
      protocol: IPPROTO.TCP,
      id: 0,
      fragment: 0,
      src: conn.remote.ip,
      dst: conn.local.ip,
    },
    transport: {
      kind: 'tcp',
      tcp: {
        srcPort: conn.remote.port,
        dstPort: conn.local.port,
        seq,
        ack,
        flags: flags.flags,
        reserved: 0,
        window: b.win?.value ?? 0,
        urgentPointer: b.urg?.value ?? 0,
        options,
      },
    },
    payload: new Uint8Array(b.seq.length),
  };
}

/**
 * Maps a packet the kernel sent into script space: relative seq/ack, SACK edges, TS vals
 * (packetdrill checks TS val only with --tcp_ts_tick_usecs and never checks TS ecr, so
 * those take the script's values here).
 */
export function outboundView(
  s: RunState,
  line: TcpLine,
  expectedOptions: TcpOption[] | 'any' | undefined,
  conn: Connection,
  live: Packet,
  raw: Uint8Array,
): ScriptViewTcp {
  if (live.transport.kind !== 'tcp') throw new Error('outboundView: not a TCP packet');
  const t = live.transport.tcp;
  const syn = (t.flags & TCP_FLAG.SYN) !== 0;
  if (syn) conn.learnLocalIsn(line.body.seq.start, t.seq);
  if (conn.local.port === 0) conn.local = { ip: live.ip.src, port: t.srcPort };
  const wantOpts = Array.isArray(expectedOptions) ? expectedOptions : [];
  const nodes = Array.isArray(line.body.options) ? line.body.options : [];
  const options = t.options.map((o, i): TcpOption => {
    const want = wantOpts[i];
    const node = nodes[i];
    if (node && isMptcpNode(node)) {
      // The MPTCP layer fills the expectation's wildcards from the live option and maps both to script space.
      const pair = s.mptcp.outbound(node, o, conn, live.payload);
      wantOpts[i] = pair.expected;
      return pair.actual;
    }
    if (o.kind === 'sack') return { kind: 'sack', blocks: o.blocks.map(([l, r]) => [conn.outboundAck(l, syn), conn.outboundAck(r, syn)]) };
    if (o.kind === 'timestamp') {
      const scriptVal = want?.kind === 'timestamp' ? want.val : undefined;
      const mapped = conn.outboundTsVal(scriptVal, o.val);
      const checkVal = s.config.tcpTsTickUsecs > 0;
      return { kind: 'timestamp', val: checkVal || scriptVal === undefined ? mapped : scriptVal, ecr: want?.kind === 'timestamp' ? want.ecr : o.ecr };
    }
    return o;
  });
  return {
    flags: t.flags,
    reserved: t.reserved,
    seq: conn.outboundSeq(t.seq, syn),
    ack: t.flags & TCP_FLAG.ACK ? conn.outboundAck(t.ack, syn) : t.ack,
    window: t.window,
    urgentPointer: t.urgentPointer,
    options,
    payloadLength: live.payload.length,
    payloadAllZero: live.payload.every((x) => x === 0),
    ip: { version: live.ip.version, tos: live.ip.tos, ttl: live.ip.ttl, headerOk: ipv4HeaderChecksumOk(raw) },
  };
}

const STANDARD_OPTIONS = new Set(['nop', 'eol', 'sackOK', 'mss', 'wscale', 'sack', 'timestamp', 'md5', 'fastopen', 'fastopen-exp', 'accecn']);

export function isMptcpNode(n: TcpOptionNode): n is MptcpOptionNode {
  return !STANDARD_OPTIONS.has(n.kind);
}

/** Stands in for an MPTCP option of an outbound line until outboundView fills it from the live packet. */
export const MPTCP_PLACEHOLDER: TcpOption = { kind: 'mptcp', bytes: Uint8Array.from([30, 2]) };
