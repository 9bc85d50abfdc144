import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LINKTYPE_RAW, PCAP_MAGIC_NS, pcapFileName, writePcap } from '../../src/report/pcap.js';

/** A bare TCP header: ports, seq, ack, flags, window; no options. */
function tcp(sport: number, dport: number, seq: number, ack: number, flags: number, payload = 0): Uint8Array {
  const b = Buffer.alloc(20 + payload);
  b.writeUInt16BE(sport, 0);
  b.writeUInt16BE(dport, 2);
  b.writeUInt32BE(seq, 4);
  b.writeUInt32BE(ack, 8);
  b[12] = 5 << 4;
  b[13] = flags;
  b.writeUInt16BE(65535, 14);
  return b;
}
function ipv4(src: number[], dst: number[], l4: Uint8Array): Uint8Array {
  const h = Buffer.alloc(20);
  h[0] = 0x45;
  h.writeUInt16BE(20 + l4.length, 2);
  h[8] = 64;
  h[9] = 6;
  h.set(src, 12);
  h.set(dst, 16);
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += h.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
  h.writeUInt16BE(~sum & 0xffff, 10);
  return Buffer.concat([h, l4]);
}
function ipv6(src: string, dst: string, l4: Uint8Array): Uint8Array {
  const h = Buffer.alloc(40);
  h[0] = 0x60;
  h.writeUInt16BE(l4.length, 4);
  h[6] = 6;
  h[7] = 64;
  const addr = (s: string) => Buffer.from(s.replace(/::/, ':' + '0:'.repeat(9 - s.split(':').length)).split(':').flatMap((g) => [parseInt(g || '0', 16) >> 8, parseInt(g || '0', 16) & 0xff]));
  h.set(addr(src), 8);
  h.set(addr(dst), 24);
  return Buffer.concat([h, l4]);
}

const SYN = 0x02;
const ACK = 0x10;
const packets = [
  { timeNs: 1_700_000_000_123_456_789n, bytes: ipv4([192, 168, 0, 1], [192, 0, 2, 1], tcp(40000, 12345, 0, 0, SYN)) },
  { timeNs: 1_700_000_000_223_456_789n, bytes: ipv4([192, 0, 2, 1], [192, 168, 0, 1], tcp(12345, 40000, 1000, 1, SYN | ACK)) },
  { timeNs: 1_700_000_001_000_000_001n, bytes: ipv6('fd3d:fa7b:d17d::1', 'fd3d:0a0b:17d6::1', tcp(40000, 12345, 1, 1001, ACK, 10)) },
];

/** Reads a pcap back (little-endian, as written). */
function readPcap(buf: Buffer) {
  const header = {
    magic: buf.readUInt32LE(0),
    major: buf.readUInt16LE(4),
    minor: buf.readUInt16LE(6),
    thiszone: buf.readInt32LE(8),
    sigfigs: buf.readUInt32LE(12),
    snaplen: buf.readUInt32LE(16),
    linktype: buf.readUInt32LE(20),
  };
  const records = [];
  for (let at = 24; at < buf.length; ) {
    const incl = buf.readUInt32LE(at + 8);
    records.push({ sec: buf.readUInt32LE(at), nsec: buf.readUInt32LE(at + 4), incl, orig: buf.readUInt32LE(at + 12), data: buf.subarray(at + 16, at + 16 + incl) });
    at += 16 + incl;
  }
  return { header, records };
}

const tcpdump = spawnSync('tcpdump', ['--version'], { encoding: 'utf8' }).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'tsdrill-pcap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writePcap', () => {
  it('writes a nanosecond LINKTYPE_RAW libpcap file: header and records', () => {
    const { header, records } = readPcap(writePcap(packets));
    expect(header).toEqual({ magic: PCAP_MAGIC_NS, major: 2, minor: 4, thiszone: 0, sigfigs: 0, snaplen: 65535, linktype: LINKTYPE_RAW });
    expect(records.map((r) => [r.sec, r.nsec, r.incl, r.orig])).toEqual([
      [1_700_000_000, 123_456_789, 40, 40],
      [1_700_000_000, 223_456_789, 40, 40],
      [1_700_000_001, 1, 70, 70],
    ]);
    expect(Buffer.compare(records[2]!.data, Buffer.from(packets[2]!.bytes))).toBe(0);
    // The magic is written little-endian: `4d 3c b2 a1`.
    expect([...writePcap([]).subarray(0, 4)]).toEqual([0x4d, 0x3c, 0xb2, 0xa1]);
    expect(writePcap([]).length).toBe(24);
  });

  it('adds the realtime offset, truncates to snaplen keeping the original length, rejects bad times', () => {
    const { header, records } = readPcap(writePcap([{ timeNs: 5_000_000_001n, bytes: new Uint8Array(100).fill(7) }], { snaplen: 60, realtimeOffsetNs: 1_000_000_000_999_999_999n }));
    expect(header.snaplen).toBe(60);
    expect(records[0]).toMatchObject({ sec: 1_000_000_006, nsec: 0, incl: 60, orig: 100 });
    expect(records[0]!.data.length).toBe(60);
    expect(() => writePcap([{ timeNs: -1n, bytes: new Uint8Array(1) }])).toThrow(RangeError);
    expect(() => writePcap([{ timeNs: 2n ** 32n * 1_000_000_000n, bytes: new Uint8Array(1) }])).toThrow(RangeError);
    expect(() => writePcap([], { snaplen: 0 })).toThrow(RangeError);
  });

  it.skipIf(!tcpdump)('reads back with tcpdump -nn -r', () => {
    const file = join(dir, 'x.pcap');
    writeFileSync(file, writePcap(packets));
    const out = execFileSync('tcpdump', ['-nn', '-tt', '--time-stamp-precision=nano', '-r', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out.trim().split('\n')).toEqual([
      '1700000000.123456789 IP 192.168.0.1.40000 > 192.0.2.1.12345: Flags [S], seq 0, win 65535, length 0',
      '1700000000.223456789 IP 192.0.2.1.12345 > 192.168.0.1.40000: Flags [S.], seq 1000, ack 1, win 65535, length 0',
      '1700000001.000000001 IP6 fd3d:fa7b:d17d::1.40000 > fd3d:a0b:17d6::1.12345: Flags [.], seq 1:11, ack 1001, win 65535, length 10',
    ]);
  });
});

describe('pcapFileName', () => {
  it('names the file after script and variant, flattened and sanitised', () => {
    expect(pcapFileName({ script: 'scripts/mp_capable/client.pkt', variant: 'ipv6' })).toBe('scripts__mp_capable__client.pkt.ipv6.pcap');
    expect(pcapFileName({ script: './a b/c$.pkt', variant: 'ipv4-mapped-ipv6' }, 3)).toBe('a_b__c_.pkt.ipv4-mapped-ipv6.3.pcap');
    expect(pcapFileName({ script: '../x.pkt', variant: 'ipv4' })).toBe('up__x.pkt.ipv4.pcap');
  });
});
