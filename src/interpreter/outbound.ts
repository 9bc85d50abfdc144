// An outbound script line: wait for the kernel's next packet of the line's flow (joining a
// burst where the line expects one larger segment), map it into script space, and compare it
// field by field and in time.
import { packetMismatch, packetTimedOut } from '../assertions/messages.js';
import { compareTcp, describeTcp } from '../assertions/outbound.js';
import { bytesEqual } from '../codec/address.js';
import { TCP_FLAG, type Packet } from '../codec/packet.js';
import type { Event, PacketAction } from '../parser/ast.js';
import type { ScriptClock } from './clock.js';
import type { RunConfig } from './config.js';
import { Connection } from './connection.js';
import { ScriptError } from './errors.js';
import type { OutboundQueue } from './outbound-queue.js';
import { describeLive, describeTcpLine, fmtSecs } from './packet-dump.js';
import { bindEndpoints, lineFlags, MPTCP_PLACEHOLDER, outboundView, resolveEndpoint, selectConnection, type TcpLine } from './packets.js';
import { scriptTcpOptions } from './script-packet.js';
import type { RunState } from './state.js';
import { checkTiming, type TimeWindow } from './timing.js';

/** What expecting a packet needs of the run. */
export interface OutboundContext {
  s: RunState;
  config: RunConfig;
  clock: ScriptClock;
  outbound: OutboundQueue;
  /** The previous event's expected time (the wait's deadline counts from it). */
  prevExpected: number | undefined;
  log: (line: string) => void;
  /** Mismatches of a run with --non_fatal=packet go here instead of failing it. */
  warnings: string[];
}

/** Waits for the next packet of the line's flow, then compares it field by field; returns its kernel time. */
export async function expectOutbound(ctx: OutboundContext, line: PacketAction, w: TimeWindow, tol: number, ev: Event): Promise<number> {
  const { s, clock } = ctx;
  if (line.body.kind !== 'tcp') throw new ScriptError('runtime', `${line.body.kind.toUpperCase()} packets are not supported yet`, line.body.loc);
  const tcpLine = line as TcpLine;
  const local = resolveEndpoint(s, tcpLine.endpoints?.src);
  const remote = resolveEndpoint(s, tcpLine.endpoints?.dst);
  const flags = lineFlags(tcpLine);
  // The kernel opening a new MPTCP subflow: its SYN belongs to no flow we know yet.
  const newSubflow = (flags.flags & (TCP_FLAG.SYN | TCP_FLAG.ACK)) === TCP_FLAG.SYN && Array.isArray(tcpLine.body.options) && tcpLine.body.options.some((o) => o.kind === 'mp_join_syn');
  let conn = newSubflow ? undefined : tcpLine.endpoints ? selectConnection(s, local, remote) : s.currentConnection;
  if (!conn && !newSubflow) throw new ScriptError('packet', 'no connection to expect this packet on: no SYN was injected and no connect() was made', line.loc);
  const timeoutUsecs = Math.floor((Math.max(w.start, w.end) - (ctx.prevExpected ?? 0) + 2e6) / 1e6) * 1e6;
  const deadline = clock.nowUsecs() + timeoutUsecs;
  const isNewSubflowSyn = (p: Packet) =>
    p.transport.kind === 'tcp' &&
    (p.transport.tcp.flags & (TCP_FLAG.SYN | TCP_FLAG.ACK)) === TCP_FLAG.SYN &&
    (!remote.ip || bytesEqual(remote.ip, p.ip.dst)) &&
    !s.connections.some((c) => c.matchesOutgoing(p));
  // MPTCP runs only (the fork's socket matching): a packet on another known subflow first fails the line.
  const foreign = s.mptcp.kernelKey === undefined ? undefined : (p: Packet) => s.connections.some((c) => c !== conn && c.matchesOutgoing(p));
  const first = await ctx.outbound.next(conn ? (p) => conn!.matchesOutgoing(p) : isNewSubflowSyn, deadline, line.loc, foreign);
  if (!first)
    throw ScriptError.from('packet', line.loc, packetTimedOut({ seconds: timeoutUsecs / 1e6 }));
  if (!conn) {
    const t = first.packet.transport as { tcp: { srcPort: number; dstPort: number } };
    conn = new Connection('tcp', { ip: first.packet.ip.src, port: t.tcp.srcPort }, { ip: first.packet.ip.dst, port: t.tcp.dstPort });
    s.connections.push(conn);
  }
  const found = ctx.config.strictSegments ? first : await ctx.outbound.aggregate(first, tcpLine.body.seq.length, conn, deadline, line.loc);
  const expectedOptions = Array.isArray(tcpLine.body.options) ? scriptTcpOptions(tcpLine.body.options, () => MPTCP_PLACEHOLDER) : tcpLine.body.options;
  const view = outboundView(s, tcpLine, expectedOptions, conn, found.packet, found.cap.bytes);
  bindEndpoints(s, local, remote, conn);
  const actualAt = clock.usecsOf(found.cap.timeNs);
  const actualText = describeTcp(view);
  ctx.log(`outbound sniffed packet: ${fmtSecs(actualAt)} ${actualText}`);
  const mismatches = compareTcp(tcpLine, flags, expectedOptions, view);
  if (mismatches.length) {
    const m = packetMismatch({
      mismatches,
      scriptPacket: `${fmtSecs(w.start)} ${describeTcpLine(tcpLine, flags, expectedOptions)}`,
      actualPacket: `${fmtSecs(actualAt)} ${actualText}`,
      livePacket: describeLive(found.packet),
    });
    const err = ScriptError.from('packet', m.loc, m);
    if (ctx.config.nonFatal.has('packet')) ctx.warnings.push(err.message);
    else throw err;
  }
  checkTiming(w, tol, actualAt, 'outbound packet', ev.time.loc);
  return actualAt;
}
