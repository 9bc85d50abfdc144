import { mapIpv4ToIpv6 } from '../codec/address.js';

export const AF_UNSPEC = 0;
export const AF_INET = 2;
export const AF_INET6 = 10;

/** struct sockaddr_in / sockaddr_in6 for an address's wire bytes (16 or 28 bytes). */
export function encodeSockaddr(family: number, ip: Uint8Array, port: number): Buffer {
  if (family === AF_INET) {
    const b = Buffer.alloc(16);
    b.writeUInt16LE(AF_INET, 0);
    b.writeUInt16BE(port, 2);
    b.set(ip.length === 4 ? ip : ip.subarray(12), 4);
    return b;
  }
  const b = Buffer.alloc(28); // sockaddr_in6, or another family's header with zeroes after it
  b.writeUInt16LE(family, 0);
  if (family === AF_INET6) {
    b.writeUInt16BE(port, 2);
    b.set(ip.length === 16 ? ip : mapIpv4ToIpv6(ip), 8);
  }
  return b;
}

/** Decodes a sockaddr_in/in6 (an IPv4-mapped IPv6 address comes back as its 4 IPv4 bytes). */
export function decodeSockaddr(b: Buffer): { family: number; ip: Uint8Array; port: number } {
  const family = b.readUInt16LE(0);
  const port = b.readUInt16BE(2);
  if (family === AF_INET) return { family, ip: Uint8Array.from(b.subarray(4, 8)), port };
  const ip = Uint8Array.from(b.subarray(8, 24));
  const mapped = ip.subarray(0, 10).every((x) => x === 0) && ip[10] === 0xff && ip[11] === 0xff;
  return { family, ip: mapped ? ip.slice(12) : ip, port };
}
