// V8 compiles functions on first call; the first packet of a script would pay for parsing and
// compiling the whole inject/capture/compare path (milliseconds, seen as timing errors on the
// first handshake). Running that path once on made-up packets before the clock starts removes it.
import { compareTcp, describeTcp } from '../assertions/outbound.js';
import { parseIp } from '../codec/address.js';
import { decodePacket, encodePacket, IPPROTO, TCP_FLAG, type Packet } from '../codec/packet.js';
import { parseTcpFlags } from '../codec/tcp-flags.js';
import type { PacketAction, SourceLocation, TcpBody } from '../parser/ast.js';
import { Connection } from './connection.js';
import { buildInbound, outboundView } from './packets.js';
import type { RunState } from './state.js';

const at: SourceLocation = { start: { offset: 0, line: 1, column: 1 }, end: { offset: 0, line: 1, column: 1 } };

export function warmUpHotPaths(s: RunState): void {
  const body: TcpBody = {
    kind: 'tcp',
    loc: at,
    flags: { text: 'S.', loc: at },
    seq: { start: 0, end: 0, length: 0, loc: at },
    ack: { value: 1, loc: at },
    win: { value: 65535, loc: at },
    options: [{ kind: 'mss', value: 1460, loc: at }, { kind: 'nop', loc: at }, { kind: 'nop', loc: at }, { kind: 'timestamp', val: 1, ecr: 0, loc: at }],
    optionsLoc: at,
  };
  const line = { kind: 'packet', direction: 'outbound', encapsulations: [], loc: at, body } as PacketAction & { body: TcpBody };
  const ip = s.family === 4 ? parseIp('192.0.2.1') : parseIp('2001:db8::1');
  for (let i = 0; i < 50; i++) {
    const packet: Packet = {
      ip: { version: s.family, tos: 0, flowLabel: 0, ttl: 64, protocol: IPPROTO.TCP, id: 0, fragment: 0, src: ip, dst: ip },
      transport: {
        kind: 'tcp',
        tcp: {
          srcPort: 1,
          dstPort: 2,
          seq: i,
          ack: 1,
          flags: TCP_FLAG.SYN | TCP_FLAG.ACK,
          reserved: 0,
          window: 65535,
          urgentPointer: 0,
          options: [{ kind: 'mss', mss: 1460 }, { kind: 'nop' }, { kind: 'nop' }, { kind: 'timestamp', val: i, ecr: 0 }],
        },
      },
      payload: new Uint8Array(0),
    };
    const bytes = encodePacket(packet);
    const decoded = decodePacket(bytes);
    const conn = new Connection('tcp', { ip, port: 2 }, { ip, port: 1 });
    conn.remoteIsn = 0;
    const view = outboundView(s, line, [{ kind: 'mss', mss: 1460 }, { kind: 'nop' }, { kind: 'timestamp', val: 1, ecr: 0 }], conn, decoded, bytes);
    compareTcp(line, parseTcpFlags('S.') as { flags: number }, [{ kind: 'mss', mss: 1460 }], view);
    describeTcp(view);
    const inbound = { ...line, direction: 'inbound' } as PacketAction & { body: TcpBody };
    encodePacket(buildInbound(s, inbound, parseTcpFlags('S') as { flags: number }, conn));
  }
}
