import { describe, expect, it } from 'vitest';
import { parseIp } from '../../src/codec/address.js';
import { decodePacket, encodePacket, IPPROTO, TCP_FLAG, type Packet } from '../../src/codec/packet.js';
import { CodecError } from '../../src/codec/errors.js';

// Built and checksummed by an independent Python implementation (struct + RFC 1071 sum).
const SYN_V4 =
  '4500003c00000000ff063910c0000201c0a800029c401f90000003e800000000a0028018851f0000020405b40402080a000000640000000001030307';

const synPacket = (): Packet => ({
  ip: { version: 4, tos: 0, flowLabel: 0, ttl: 255, protocol: IPPROTO.TCP, id: 0, fragment: 0, src: parseIp('192.0.2.1'), dst: parseIp('192.168.0.2') },
  transport: {
    kind: 'tcp',
    tcp: {
      srcPort: 40000,
      dstPort: 8080,
      seq: 1000,
      ack: 0,
      flags: TCP_FLAG.SYN,
      reserved: 0,
      window: 32792,
      urgentPointer: 0,
      options: [{ kind: 'mss', mss: 1460 }, { kind: 'sackOK' }, { kind: 'timestamp', val: 100, ecr: 0 }, { kind: 'nop' }, { kind: 'wscale', shift: 7 }],
    },
  },
  payload: new Uint8Array(0),
});

describe('encodePacket', () => {
  it('builds an IPv4 TCP SYN byte for byte, with both checksums', () => {
    expect(Buffer.from(encodePacket(synPacket())).toString('hex')).toBe(SYN_V4);
  });

  it('rejects TCP options that are not a multiple of 4 bytes', () => {
    const p = synPacket();
    if (p.transport.kind === 'tcp') p.transport.tcp.options = [{ kind: 'wscale', shift: 7 }];
    expect(() => encodePacket(p)).toThrow(/not a multiple of 4/);
  });
});

describe('decodePacket', () => {
  it('decodes every field of the SYN', () => {
    const p = decodePacket(Buffer.from(SYN_V4, 'hex'));
    expect(p.ip).toMatchObject({ version: 4, ttl: 255, protocol: 6, totalLength: 60, headerLength: 20 });
    expect(p.transport.kind).toBe('tcp');
    if (p.transport.kind !== 'tcp') return;
    expect(p.transport.tcp).toMatchObject({ srcPort: 40000, dstPort: 8080, seq: 1000, ack: 0, flags: TCP_FLAG.SYN, window: 32792, dataOffset: 40 });
    expect(p.transport.tcp.options).toEqual(synPacket().transport.kind === 'tcp' ? (synPacket().transport as { tcp: { options: unknown } }).tcp.options : []);
  });

  it('round-trips an IPv6 packet with traffic class, flow label and payload', () => {
    const p = synPacket();
    p.ip = { ...p.ip, version: 6, tos: 0x02, flowLabel: 0xabcde, src: parseIp('2001:db8::1'), dst: parseIp('fd3d:fa7b:d17d::2') };
    p.payload = new Uint8Array([1, 2, 3]);
    const bytes = encodePacket(p);
    const back = decodePacket(bytes);
    expect(back.ip).toMatchObject({ version: 6, tos: 0x02, flowLabel: 0xabcde, ttl: 255, totalLength: 40 + 40 + 3 });
    expect(Buffer.from(encodePacket(back))).toEqual(Buffer.from(bytes));
  });

  it.each([
    ['empty input', ''],
    ['a truncated IPv4 header', '4500003c0000'],
    ['an unknown IP version', '9500003c00000000ff063910c0000201c0a80002'],
    ['a TCP data offset beyond the segment', '45000028000000004006000000000000000000000000000000000000f000000000000000'],
  ])('throws CodecError on %s', (_name, hex) => {
    expect(() => decodePacket(Buffer.from(hex, 'hex'))).toThrow(CodecError);
  });
});
