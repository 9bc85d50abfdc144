import { internetChecksum, pseudoHeader } from './checksum.js';
import { CodecError } from './errors.js';
import { decodeTcpOptions, encodeTcpOptions, type TcpOption } from './tcp-options.js';

export const IPPROTO = { ICMP: 1, TCP: 6, UDP: 17, ICMPV6: 58 } as const;

/** TCP flag bits as they sit in the 16-bit word after the data offset nibble (AE is bit 8). */
export const TCP_FLAG = {
  FIN: 0x01,
  SYN: 0x02,
  RST: 0x04,
  PSH: 0x08,
  ACK: 0x10,
  URG: 0x20,
  ECE: 0x40,
  CWR: 0x80,
  AE: 0x100,
} as const;

export interface IpHeader {
  version: 4 | 6;
  /** IPv4 TOS byte / IPv6 traffic class (ECN in the low two bits). */
  tos: number;
  /** IPv6 only. */
  flowLabel: number;
  /** TTL / hop limit. */
  ttl: number;
  protocol: number;
  /** IPv4 only: identification and the flags+fragment-offset word. */
  id: number;
  fragment: number;
  src: Uint8Array;
  dst: Uint8Array;
  /** Filled by the decoder (and by the encoder's output); ignored on input to encode. */
  headerLength?: number;
  totalLength?: number;
  checksum?: number;
}

export interface TcpHeader {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  /** FIN..CWR plus AE (see TCP_FLAG). */
  flags: number;
  /** The three reserved bits between the data offset and AE. */
  reserved: number;
  window: number;
  urgentPointer: number;
  options: TcpOption[];
  /** Filled by the decoder. */
  dataOffset?: number;
  checksum?: number;
}

export interface UdpHeader {
  srcPort: number;
  dstPort: number;
  length?: number;
  checksum?: number;
}

export interface IcmpHeader {
  type: number;
  code: number;
  /** The 4 bytes after the checksum (id/sequence, unused+MTU, ...). */
  rest: number;
  checksum?: number;
}

export type Transport =
  | { kind: 'tcp'; tcp: TcpHeader }
  | { kind: 'udp'; udp: UdpHeader }
  | { kind: 'icmp'; icmp: IcmpHeader }
  | { kind: 'other' };

export interface Packet {
  ip: IpHeader;
  transport: Transport;
  /** Everything after the transport header (for ICMP errors: the quoted packet). */
  payload: Uint8Array;
}

/** Decodes a layer-3 packet (what a TUN device carries without packet info). */
export function decodePacket(bytes: Uint8Array): Packet {
  if (bytes.length < 1) throw new CodecError('empty packet');
  const version = bytes[0]! >>> 4;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let ip: IpHeader;
  let l4: Uint8Array;
  if (version === 4) {
    if (bytes.length < 20) throw new CodecError(`IPv4 packet of ${bytes.length} bytes is shorter than its header`);
    const headerLength = (bytes[0]! & 0x0f) * 4;
    const totalLength = view.getUint16(2);
    if (headerLength < 20 || headerLength > bytes.length) throw new CodecError(`IPv4 header length ${headerLength} is invalid`);
    ip = {
      version: 4,
      tos: bytes[1]!,
      flowLabel: 0,
      ttl: bytes[8]!,
      protocol: bytes[9]!,
      id: view.getUint16(4),
      fragment: view.getUint16(6),
      src: bytes.slice(12, 16),
      dst: bytes.slice(16, 20),
      headerLength,
      totalLength,
      checksum: view.getUint16(10),
    };
    l4 = bytes.subarray(headerLength, Math.min(bytes.length, Math.max(totalLength, headerLength)));
  } else if (version === 6) {
    if (bytes.length < 40) throw new CodecError(`IPv6 packet of ${bytes.length} bytes is shorter than its header`);
    const word = view.getUint32(0);
    const payloadLength = view.getUint16(4);
    ip = {
      version: 6,
      tos: (word >>> 20) & 0xff,
      flowLabel: word & 0xfffff,
      ttl: bytes[7]!,
      protocol: bytes[6]!,
      id: 0,
      fragment: 0,
      src: bytes.slice(8, 24),
      dst: bytes.slice(24, 40),
      headerLength: 40,
      totalLength: 40 + payloadLength,
    };
    l4 = bytes.subarray(40, Math.min(bytes.length, 40 + payloadLength));
  } else {
    throw new CodecError(`unknown IP version ${version}`);
  }
  const { transport, payload } = decodeTransport(ip.protocol, l4);
  return { ip, transport, payload };
}

function decodeTransport(protocol: number, b: Uint8Array): { transport: Transport; payload: Uint8Array } {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (protocol === IPPROTO.TCP) {
    if (b.length < 20) throw new CodecError(`TCP segment of ${b.length} bytes is shorter than its header`);
    const dataOffset = (b[12]! >>> 4) * 4;
    if (dataOffset < 20 || dataOffset > b.length) throw new CodecError(`TCP data offset ${dataOffset} is invalid`);
    const word = view.getUint16(12);
    const tcp: TcpHeader = {
      srcPort: view.getUint16(0),
      dstPort: view.getUint16(2),
      seq: view.getUint32(4),
      ack: view.getUint32(8),
      dataOffset,
      flags: word & 0x1ff,
      reserved: (word >>> 9) & 0x7,
      window: view.getUint16(14),
      checksum: view.getUint16(16),
      urgentPointer: view.getUint16(18),
      options: decodeTcpOptions(b.subarray(20, dataOffset)),
    };
    return { transport: { kind: 'tcp', tcp }, payload: b.slice(dataOffset) };
  }
  if (protocol === IPPROTO.UDP) {
    if (b.length < 8) throw new CodecError(`UDP datagram of ${b.length} bytes is shorter than its header`);
    const udp: UdpHeader = { srcPort: view.getUint16(0), dstPort: view.getUint16(2), length: view.getUint16(4), checksum: view.getUint16(6) };
    return { transport: { kind: 'udp', udp }, payload: b.slice(8) };
  }
  if (protocol === IPPROTO.ICMP || protocol === IPPROTO.ICMPV6) {
    if (b.length < 8) throw new CodecError(`ICMP message of ${b.length} bytes is shorter than its header`);
    const icmp: IcmpHeader = { type: b[0]!, code: b[1]!, checksum: view.getUint16(2), rest: view.getUint32(4) };
    return { transport: { kind: 'icmp', icmp }, payload: b.slice(8) };
  }
  return { transport: { kind: 'other' }, payload: b.slice() };
}

/** Encodes a packet, computing lengths and every checksum (IP header, TCP/UDP/ICMP). */
export function encodePacket(p: Packet): Uint8Array {
  const l4 = encodeTransport(p);
  const isV4 = p.ip.version === 4;
  const header = new Uint8Array(isV4 ? 20 : 40);
  const hv = new DataView(header.buffer);
  if (isV4) {
    header[0] = 0x45;
    header[1] = p.ip.tos;
    hv.setUint16(2, 20 + l4.length);
    hv.setUint16(4, p.ip.id);
    hv.setUint16(6, p.ip.fragment);
    header[8] = p.ip.ttl;
    header[9] = p.ip.protocol;
    header.set(p.ip.src, 12);
    header.set(p.ip.dst, 16);
    hv.setUint16(10, internetChecksum(header));
  } else {
    hv.setUint32(0, (6 << 28) | ((p.ip.tos & 0xff) << 20) | (p.ip.flowLabel & 0xfffff));
    hv.setUint16(4, l4.length);
    header[6] = p.ip.protocol;
    header[7] = p.ip.ttl;
    header.set(p.ip.src, 8);
    header.set(p.ip.dst, 24);
  }
  // Transport checksum over the pseudo-header (ICMPv4 has none).
  const csumOffset = p.transport.kind === 'tcp' ? 16 : p.transport.kind === 'udp' ? 6 : p.transport.kind === 'icmp' ? 2 : -1;
  if (csumOffset >= 0) {
    const chunks = p.ip.protocol === IPPROTO.ICMP ? [l4] : [pseudoHeader(p.ip.src, p.ip.dst, p.ip.protocol, l4.length), l4];
    let c = internetChecksum(...chunks);
    if (c === 0 && p.transport.kind === 'udp') c = 0xffff;
    new DataView(l4.buffer).setUint16(csumOffset, c);
  }
  const out = new Uint8Array(header.length + l4.length);
  out.set(header, 0);
  out.set(l4, header.length);
  return out;
}

function encodeTransport(p: Packet): Uint8Array {
  const t = p.transport;
  if (t.kind === 'tcp') {
    const opts = encodeTcpOptions(t.tcp.options);
    if (opts.length % 4 !== 0) throw new CodecError(`TCP options are ${opts.length} bytes, not a multiple of 4`);
    if (opts.length > 40) throw new CodecError(`TCP options are ${opts.length} bytes, more than 40`);
    const hlen = 20 + opts.length;
    const b = new Uint8Array(hlen + p.payload.length);
    const v = new DataView(b.buffer);
    v.setUint16(0, t.tcp.srcPort);
    v.setUint16(2, t.tcp.dstPort);
    v.setUint32(4, t.tcp.seq >>> 0);
    v.setUint32(8, t.tcp.ack >>> 0);
    v.setUint16(12, ((hlen / 4) << 12) | ((t.tcp.reserved & 7) << 9) | (t.tcp.flags & 0x1ff));
    v.setUint16(14, t.tcp.window);
    v.setUint16(18, t.tcp.urgentPointer);
    b.set(opts, 20);
    b.set(p.payload, hlen);
    return b;
  }
  if (t.kind === 'udp') {
    const b = new Uint8Array(8 + p.payload.length);
    const v = new DataView(b.buffer);
    v.setUint16(0, t.udp.srcPort);
    v.setUint16(2, t.udp.dstPort);
    v.setUint16(4, b.length);
    b.set(p.payload, 8);
    return b;
  }
  if (t.kind === 'icmp') {
    const b = new Uint8Array(8 + p.payload.length);
    const v = new DataView(b.buffer);
    b[0] = t.icmp.type;
    b[1] = t.icmp.code;
    v.setUint32(4, t.icmp.rest >>> 0);
    b.set(p.payload, 8);
    return b;
  }
  return p.payload.slice();
}

/** Verifies the IPv4 header checksum of raw packet bytes (IPv6 has none). */
export function ipv4HeaderChecksumOk(bytes: Uint8Array): boolean {
  if (bytes[0]! >>> 4 !== 4) return true;
  const hl = (bytes[0]! & 0x0f) * 4;
  return internetChecksum(bytes.subarray(0, hl)) === 0;
}
