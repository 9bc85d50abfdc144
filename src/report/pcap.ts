// Classic libpcap files of a run's traffic on its TUN device: LINKTYPE_RAW (each record is a
// bare IPv4 or IPv6 packet, as tun0 carries them without a packet-information header),
// nanosecond timestamps. Opens in tcpdump (`tcpdump -nn -r f.pcap`), tshark and Wireshark.
import type { RunId } from './suites.js';

/** Raw IP; the first nibble of each packet tells IPv4 from IPv6. */
export const LINKTYPE_RAW = 101;
/** Magic of a nanosecond-resolution pcap file. */
export const PCAP_MAGIC_NS = 0xa1b23c4d;
export const PCAP_GLOBAL_HEADER_LEN = 24;
export const PCAP_RECORD_HEADER_LEN = 16;

export interface PcapPacket {
  /** When the packet was seen, in CLOCK_MONOTONIC nanoseconds (the capture's kernel stamp). */
  timeNs: bigint;
  /** The IP packet, from its IP header on. */
  bytes: Uint8Array;
}

export interface PcapOptions {
  /** Bytes kept of each packet (longer ones are truncated, their original length kept). Default 65535. */
  snaplen?: number;
  /** Link type of the records. Default LINKTYPE_RAW (101). */
  linktype?: number;
  /**
   * Added to every `timeNs` to make wall-clock (CLOCK_REALTIME) timestamps, which pcap readers
   * expect: `realtimeNs - monotonicNs` sampled once at the start of the run, e.g.
   * `BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint()` (Node's hrtime is
   * CLOCK_MONOTONIC). Default 0n: timestamps are time since boot (dates in 1970).
   */
  realtimeOffsetNs?: bigint;
}

const NS = 1_000_000_000n;

/**
 * A pcap file (little-endian, version 2.4, nanosecond magic 0xa1b23c4d) with one record per
 * packet, in the given order.
 * @throws RangeError on a timestamp before the epoch or after 2106 (32-bit seconds), or a bad snaplen.
 */
export function writePcap(packets: readonly PcapPacket[], opts: PcapOptions = {}): Buffer {
  const snaplen = opts.snaplen ?? 65535;
  if (!Number.isInteger(snaplen) || snaplen <= 0 || snaplen > 0x7fffffff) throw new RangeError(`pcap: bad snaplen ${snaplen}`);
  const offset = opts.realtimeOffsetNs ?? 0n;
  let size = PCAP_GLOBAL_HEADER_LEN;
  for (const p of packets) size += PCAP_RECORD_HEADER_LEN + Math.min(p.bytes.length, snaplen);
  const buf = Buffer.alloc(size);
  buf.writeUInt32LE(PCAP_MAGIC_NS, 0);
  buf.writeUInt16LE(2, 4); // version major
  buf.writeUInt16LE(4, 6); // version minor
  buf.writeInt32LE(0, 8); // thiszone: UTC
  buf.writeUInt32LE(0, 12); // sigfigs
  buf.writeUInt32LE(snaplen, 16);
  buf.writeUInt32LE(opts.linktype ?? LINKTYPE_RAW, 20);
  let at = PCAP_GLOBAL_HEADER_LEN;
  for (const p of packets) {
    const t = p.timeNs + offset;
    if (t < 0n || t / NS > 0xffffffffn) throw new RangeError(`pcap: timestamp ${t}ns out of range`);
    const incl = Math.min(p.bytes.length, snaplen);
    buf.writeUInt32LE(Number(t / NS), at);
    buf.writeUInt32LE(Number(t % NS), at + 4);
    buf.writeUInt32LE(incl, at + 8);
    buf.writeUInt32LE(p.bytes.length, at + 12);
    buf.set(p.bytes.subarray(0, incl), at + PCAP_RECORD_HEADER_LEN);
    at += PCAP_RECORD_HEADER_LEN + incl;
  }
  return buf;
}

/**
 * File name of a run's pcap: script path and variant, with every character that is not
 * `[A-Za-z0-9._-]` made `_` and directories joined by `__`:
 * `scripts/mp_capable/client.pkt` ipv6 -> `scripts__mp_capable__client.pkt.ipv6.pcap`;
 * `attempt` (1-based, for `--repeat`) adds `.<n>` before `.pcap`.
 */
export function pcapFileName(r: RunId, attempt?: number): string {
  const path = r.script
    .replace(/\\/g, '/')
    .split('/')
    .filter((c) => c !== '' && c !== '.')
    .map((c) => (c === '..' ? 'up' : c.replace(/[^A-Za-z0-9._-]/g, '_')))
    .join('__');
  return `${path}.${r.variant}${attempt !== undefined ? `.${attempt}` : ''}.pcap`;
}
