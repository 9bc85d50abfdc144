// An inbound script line turned into the bytes the injector writes (flow state updated), with
// its dump for verbose logs.
import { encodePacket } from '../codec/packet.js';
import type { IcmpBody, PacketAction } from '../parser/ast.js';
import { ScriptError } from './errors.js';
import { buildIcmpInbound } from './icmp.js';
import { describeIcmpLine, describeTcpLine } from './packet-dump.js';
import { buildInbound, inboundConnection, lineFlags, type TcpLine } from './packets.js';
import type { RunState } from './state.js';

export interface PreparedInbound {
  bytes: Uint8Array;
  /** The line in packetdrill's short form (built only when a verbose log asks for it). */
  describe: () => string;
}

/** The wire bytes of an inbound line (flow state updated), and its dump for verbose logs. */
export function prepareInbound(s: RunState, line: PacketAction): PreparedInbound {
  if (line.body.kind === 'icmp') {
    const body = line.body;
    const packet = buildIcmpInbound(s, line as PacketAction & { body: IcmpBody }, s.currentConnection);
    return { bytes: encodePacket(packet), describe: () => describeIcmpLine(body) };
  }
  if (line.body.kind !== 'tcp') throw new ScriptError('runtime', `${line.body.kind.toUpperCase()} packets are not supported yet`, line.body.loc);
  const tcpLine = line as TcpLine;
  const flags = lineFlags(tcpLine);
  const conn = inboundConnection(s, tcpLine, flags);
  const packet = buildInbound(s, tcpLine, flags, conn);
  const options = packet.transport.kind === 'tcp' ? packet.transport.tcp.options : [];
  return { bytes: encodePacket(packet), describe: () => describeTcpLine(tcpLine, flags, options) };
}
