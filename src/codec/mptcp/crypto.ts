// MPTCP key-derived values (RFC 8684 §3.1, §3.2, §3.3.1, §3.4.1). Pure functions over
// node:crypto; no state, no script knowledge.
//
// Byte order: a key is 8 wire bytes; the bigint K stands for those bytes read big-endian,
// so K = 0x0102030405060708 hashes the bytes 01 02 .. 08. The packetdrill fork stores a
// script literal such as `key[k=2]` in host order (wire bytes 02 00 00 00 00 00 00 00 on
// x86); converting a script literal to K (a byte swap) is the interpreter's job.

import { createHash, createHmac } from 'node:crypto';
import { parseIpAddress } from '../ip-text.js';

/** SHA-256 for MPTCP v1 (RFC 8684), SHA-1 for v0 (RFC 6824). */
export type MptcpHash = 'sha256' | 'sha1';

/** The 8 wire bytes of a 64-bit key (big-endian). */
export function keyBytes(key: bigint): Buffer {
  if (typeof key !== 'bigint' || key < 0n || key >= 1n << 64n) {
    throw new RangeError(`MPTCP key ${String(key)} is not an unsigned 64-bit bigint`);
  }
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(key);
  return b;
}

function u32(value: number, what: string): Buffer {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new RangeError(`${what} ${value} is not an unsigned 32-bit integer`);
  }
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value);
  return b;
}

function keyDigest(key: bigint, hash: MptcpHash): Buffer {
  return createHash(hash).update(keyBytes(key)).digest();
}

/** Token: most significant 32 bits of H(key). */
export function mptcpToken(key: bigint, hash: MptcpHash = 'sha256'): number {
  return keyDigest(key, hash).readUInt32BE(0);
}

/** Initial data sequence number: least significant 64 bits of H(key). */
export function mptcpIdsn(key: bigint, hash: MptcpHash = 'sha256'): bigint {
  const d = keyDigest(key, hash);
  return d.readBigUInt64BE(d.length - 8);
}

/**
 * MP_JOIN HMAC: HMAC-H(key = keyA || keyB, msg = nonceA || nonceB), each nonce 4 bytes in
 * network order. A is the sender of the option carrying the HMAC (RFC 8684 §3.2): the
 * SYN-ACK uses (Key-B || Key-A, R-B || R-A) with B the host answering the join, the third ACK
 * (Key-A || Key-B, R-A || R-B). Returns the whole digest (32 bytes for SHA-256; RFC 8684 always uses SHA-256 here, SHA-1
 * is for RFC 6824).
 */
export function joinHmac(keyA: bigint, keyB: bigint, nonceA: number, nonceB: number, hash: MptcpHash = 'sha256'): Buffer {
  return createHmac(hash, Buffer.concat([keyBytes(keyA), keyBytes(keyB)]))
    .update(Buffer.concat([u32(nonceA, 'nonce'), u32(nonceB, 'nonce')]))
    .digest();
}

/** The SYN-ACK form: left-most 64 bits of `joinHmac`, as carried in MP_JOIN (length 16). */
export function joinHmacTrunc64(keyA: bigint, keyB: bigint, nonceA: number, nonceB: number, hash: MptcpHash = 'sha256'): bigint {
  return joinHmac(keyA, keyB, nonceA, nonceB, hash).readBigUInt64BE(0);
}

/** The third-ACK form: left-most 160 bits (20 bytes) of `joinHmac`, as in MP_JOIN (length 24). */
export function joinHmac160(keyA: bigint, keyB: bigint, nonceA: number, nonceB: number, hash: MptcpHash = 'sha256'): Uint8Array {
  return new Uint8Array(joinHmac(keyA, keyB, nonceA, nonceB, hash).subarray(0, 20));
}

/**
 * ADD_ADDR HMAC (RFC 8684 §3.4.1): right-most 64 bits of HMAC-SHA256(key = keyA || keyB,
 * msg = address id (1) || address (4 or 16) || port (2, big-endian)), where A is the sender
 * of the ADD_ADDR. Without a port in the option the message still carries 2 zero bytes, i.e.
 * pass `port` 0 (the default). The packetdrill fork always hashes port 0 even when a port is
 * advertised (a quirk, §7.4 of the script reference); the caller decides which to pass.
 * `address` is the 4/16 address bytes or their text form.
 */
export function addAddrHmac(keyA: bigint, keyB: bigint, addressId: number, address: Uint8Array | string, port = 0): bigint {
  if (!Number.isInteger(addressId) || addressId < 0 || addressId > 255) {
    throw new RangeError(`address id ${addressId} is not an unsigned 8-bit integer`);
  }
  if (!Number.isInteger(port) || port < 0 || port > 0xffff) {
    throw new RangeError(`port ${port} is not an unsigned 16-bit integer`);
  }
  const addr = typeof address === 'string' ? parseIpAddress(address) : address;
  if (!addr || (addr.length !== 4 && addr.length !== 16)) {
    throw new RangeError(`address ${typeof address === 'string' ? JSON.stringify(address) : `of ${address.length} bytes`} is not IPv4 or IPv6`);
  }
  const msg = Buffer.alloc(1 + addr.length + 2);
  msg[0] = addressId;
  msg.set(addr, 1);
  msg.writeUInt16BE(port, 1 + addr.length);
  const d = createHmac('sha256', Buffer.concat([keyBytes(keyA), keyBytes(keyB)])).update(msg).digest();
  return d.readBigUInt64BE(d.length - 8);
}

/**
 * DSS checksum (RFC 8684 §3.3.1): the TCP checksum algorithm (16-bit ones' complement of the
 * ones' complement sum) over the pseudo-header DSN (8 bytes, the full 64-bit DSN even when
 * the option carries 4) || SSN (4) || data-level length (2) || zero (2), followed by the
 * payload (an odd last byte is padded with zero). The result is the 16-bit value as written
 * big-endian in the option. The packetdrill fork's computed checksum covers the pseudo-header
 * only (§7.4 quirk); that is `dssChecksum(dsn, ssn, dll, new Uint8Array(0))`.
 */
export function dssChecksum(dsn64: bigint, ssn: number, dll: number, payload: Uint8Array): number {
  if (typeof dsn64 !== 'bigint' || dsn64 < 0n || dsn64 >= 1n << 64n) {
    throw new RangeError(`DSN ${String(dsn64)} is not an unsigned 64-bit bigint`);
  }
  if (!Number.isInteger(dll) || dll < 0 || dll > 0xffff) {
    throw new RangeError(`data-level length ${dll} is not an unsigned 16-bit integer`);
  }
  const header = Buffer.alloc(16);
  header.writeBigUInt64BE(dsn64);
  header.set(u32(ssn, 'subflow sequence number'), 8);
  header.writeUInt16BE(dll, 12);
  let sum = 0;
  const add = (bytes: Uint8Array) => {
    let i = 0;
    for (; i + 1 < bytes.length; i += 2) sum += (bytes[i]! << 8) | bytes[i + 1]!;
    if (i < bytes.length) sum += bytes[i]! << 8;
    // Fold often enough that `sum` stays far below 2^53.
    sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  };
  add(header);
  add(payload);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}
