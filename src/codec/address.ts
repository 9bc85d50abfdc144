import { CodecError } from './errors.js';
import { formatIpAddress, parseIpAddress } from './ip-text.js';

/** Parses a textual IPv4 or IPv6 address into its wire bytes (4 or 16). */
export function parseIp(text: string): Uint8Array {
  const bytes = parseIpAddress(text);
  if (!bytes) throw new CodecError(`not an IP address: ${text}`);
  return bytes;
}

/** Formats wire bytes as text (IPv6 in the RFC 5952 shortest form). */
export function formatIp(bytes: Uint8Array): string {
  return formatIpAddress(bytes);
}

/** `::ffff:a.b.c.d` for an IPv4 address (ipv4-mapped-ipv6 sockets). */
export function mapIpv4ToIpv6(v4: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  out[10] = 0xff;
  out[11] = 0xff;
  out.set(v4, 12);
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
