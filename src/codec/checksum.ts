/**
 * The Internet checksum (RFC 1071) over several chunks, as if they were one buffer: an odd
 * chunk boundary is handled by carrying the dangling byte into the next chunk.
 */
export function internetChecksum(...chunks: Uint8Array[]): number {
  let sum = 0;
  let odd = false;
  for (const c of chunks) {
    for (let i = 0; i < c.length; i++) {
      sum += odd ? c[i]! : c[i]! << 8;
      odd = !odd;
    }
    sum = (sum & 0xffff) + (sum >>> 16);
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** The TCP/UDP pseudo-header for the checksum of a transport segment. */
export function pseudoHeader(src: Uint8Array, dst: Uint8Array, protocol: number, length: number): Uint8Array {
  if (src.length === 4) {
    const p = new Uint8Array(12);
    p.set(src, 0);
    p.set(dst, 4);
    p[9] = protocol;
    p[10] = length >>> 8;
    p[11] = length & 0xff;
    return p;
  }
  const p = new Uint8Array(40);
  p.set(src, 0);
  p.set(dst, 16);
  new DataView(p.buffer).setUint32(32, length);
  p[39] = protocol;
  return p;
}
