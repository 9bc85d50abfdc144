// Every expected value here is computed without crypto.ts: hash inputs are built byte by
// byte and handed to node:crypto directly, or taken from the Linux kernel's KUnit vectors.
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  addAddrHmac,
  dssChecksum,
  joinHmac,
  joinHmac160,
  joinHmacTrunc64,
  keyBytes,
  mptcpIdsn,
  mptcpToken,
} from '../../../src/codec/mptcp/crypto.js';
import { hex } from './helpers.js';

const KEY_A = 0x0102030405060708n;
const KEY_B = 0x1112131415161718n;

describe('keys are 8 big-endian wire bytes', () => {
  it('keyBytes', () => {
    expect(keyBytes(KEY_A)).toEqual(Buffer.from(hex('01 02 03 04 05 06 07 08')));
    // The fork's script literal key[k=2] is wire bytes 02 00 .. 00, i.e. this value here.
    expect(keyBytes(0x0200000000000000n)).toEqual(Buffer.from(hex('02 00 00 00 00 00 00 00')));
    expect(() => keyBytes(1n << 64n)).toThrow(RangeError);
    expect(() => keyBytes(-1n)).toThrow(RangeError);
  });
});

describe('token and IDSN', () => {
  const cases = [
    { key: KEY_A, wire: '0102030405060708' },
    { key: 0x0200000000000000n, wire: '0200000000000000' },
    { key: 0n, wire: '0000000000000000' },
    { key: 0xffffffffffffffffn, wire: 'ffffffffffffffff' },
  ];
  it.each(cases)('SHA-256 key 0x$wire', ({ key, wire }) => {
    const d = createHash('sha256').update(Buffer.from(wire, 'hex')).digest();
    expect(mptcpToken(key)).toBe(parseInt(d.subarray(0, 4).toString('hex'), 16));
    expect(mptcpToken(key, 'sha256')).toBe(parseInt(d.subarray(0, 4).toString('hex'), 16));
    expect(mptcpIdsn(key)).toBe(BigInt(`0x${d.subarray(24, 32).toString('hex')}`));
  });
  it.each(cases)('SHA-1 key 0x$wire', ({ key, wire }) => {
    const d = createHash('sha1').update(Buffer.from(wire, 'hex')).digest();
    expect(mptcpToken(key, 'sha1')).toBe(parseInt(d.subarray(0, 4).toString('hex'), 16));
    expect(mptcpIdsn(key, 'sha1')).toBe(BigInt(`0x${d.subarray(12, 20).toString('hex')}`));
  });
});

describe('MP_JOIN HMAC', () => {
  // Linux net/mptcp/crypto_test.c: the key and message strings are used as raw ASCII bytes,
  // key1/key2 = first/last 8 bytes read big-endian, nonce1/nonce2 likewise from the message.
  const kernelVectors = [
    {
      key: '0b0b0b0b0b0b0b0b',
      msg: '48692054',
      result: '8385e24fb4235ac37556b6b886db106284a1da671699f46db1f235ec622dcafa',
    },
    {
      key: 'aaaaaaaaaaaaaaaa',
      msg: 'dddddddd',
      result: '2c5e219164ff1dca1c4a92318d847bb6b9d44492984e1eb71aff9022f71046e9',
    },
    {
      key: '0102030405060708',
      msg: 'cdcdcdcd',
      result: 'e73b9ba9969969cefb04aa0d6df18ec2fcc075b6f23b4d8c4da736a5dbbc6e7d',
    },
  ];
  it.each(kernelVectors)('kernel KUnit vector key="$key" msg="$msg"', ({ key, msg, result }) => {
    const k = Buffer.from(key, 'ascii');
    const m = Buffer.from(msg, 'ascii');
    const hmac = joinHmac(k.readBigUInt64BE(0), k.readBigUInt64BE(8), m.readUInt32BE(0), m.readUInt32BE(4));
    expect(hmac.toString('hex')).toBe(result);
    expect(joinHmacTrunc64(k.readBigUInt64BE(0), k.readBigUInt64BE(8), m.readUInt32BE(0), m.readUInt32BE(4))).toBe(
      BigInt(`0x${result.slice(0, 16)}`),
    );
    expect(
      Buffer.from(joinHmac160(k.readBigUInt64BE(0), k.readBigUInt64BE(8), m.readUInt32BE(0), m.readUInt32BE(4))).toString('hex'),
    ).toBe(result.slice(0, 40));
  });

  it('key = keyA || keyB, msg = nonceA || nonceB in network order', () => {
    const expected = createHmac('sha256', hex('01 02 03 04 05 06 07 08 11 12 13 14 15 16 17 18'))
      .update(hex('00 00 00 2a | de ad be ef'))
      .digest();
    expect(joinHmac(KEY_A, KEY_B, 42, 0xdeadbeef)).toEqual(expected);
    expect(joinHmacTrunc64(KEY_A, KEY_B, 42, 0xdeadbeef)).toBe(expected.readBigUInt64BE(0));
    expect(joinHmac160(KEY_A, KEY_B, 42, 0xdeadbeef)).toEqual(new Uint8Array(expected.subarray(0, 20)));
    // The order matters (the SYN-ACK and the ACK use opposite orders).
    expect(joinHmac(KEY_B, KEY_A, 0xdeadbeef, 42)).not.toEqual(expected);
  });

  it('SHA-1 variant (RFC 6824)', () => {
    const expected = createHmac('sha1', hex('01 02 03 04 05 06 07 08 11 12 13 14 15 16 17 18'))
      .update(hex('00 00 00 01 | 00 00 00 02'))
      .digest();
    expect(joinHmac(KEY_A, KEY_B, 1, 2, 'sha1')).toEqual(expected);
    expect(joinHmac160(KEY_A, KEY_B, 1, 2, 'sha1')).toEqual(new Uint8Array(expected));
  });
});

describe('ADD_ADDR HMAC', () => {
  const key = hex('01 02 03 04 05 06 07 08 11 12 13 14 15 16 17 18');
  const right64 = (msg: Uint8Array) => {
    const d = createHmac('sha256', key).update(msg).digest();
    return BigInt(`0x${d.subarray(24).toString('hex')}`);
  };
  it('IPv4, no port: message id || addr || 00 00', () => {
    const want = right64(hex('01 | c0 00 02 02 | 00 00'));
    expect(addAddrHmac(KEY_A, KEY_B, 1, hex('c0 00 02 02'))).toBe(want);
    expect(addAddrHmac(KEY_A, KEY_B, 1, '192.0.2.2', 0)).toBe(want);
  });
  it('IPv4 with port 8080', () => {
    expect(addAddrHmac(KEY_A, KEY_B, 3, '10.0.0.1', 8080)).toBe(right64(hex('03 | 0a 00 00 01 | 1f 90')));
  });
  it('IPv6 with port', () => {
    const addr = '20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01';
    expect(addAddrHmac(KEY_A, KEY_B, 7, '2001:db8::1', 443)).toBe(right64(hex(`07 | ${addr} | 01 bb`)));
    expect(addAddrHmac(KEY_A, KEY_B, 7, hex(addr), 443)).toBe(right64(hex(`07 | ${addr} | 01 bb`)));
  });
  it('rejects bad inputs', () => {
    expect(() => addAddrHmac(KEY_A, KEY_B, 256, '1.2.3.4')).toThrow(RangeError);
    expect(() => addAddrHmac(KEY_A, KEY_B, 1, '1.2.3')).toThrow(RangeError);
    expect(() => addAddrHmac(KEY_A, KEY_B, 1, new Uint8Array(5))).toThrow(RangeError);
    expect(() => addAddrHmac(KEY_A, KEY_B, 1, '1.2.3.4', 65536)).toThrow(RangeError);
  });
});

describe('DSS checksum', () => {
  /** Reference: lay out the pseudo-header and payload, pad, add 16-bit words with end-around carry. */
  function reference(dsn: bigint, ssn: number, dll: number, payload: Uint8Array): number {
    const bytes: number[] = [];
    for (let i = 7; i >= 0; i--) bytes.push(Number((dsn >> BigInt(8 * i)) & 0xffn));
    bytes.push((ssn >>> 24) & 0xff, (ssn >>> 16) & 0xff, (ssn >>> 8) & 0xff, ssn & 0xff);
    bytes.push(dll >> 8, dll & 0xff, 0, 0);
    bytes.push(...payload);
    if (bytes.length % 2) bytes.push(0);
    let sum = 0;
    for (let i = 0; i < bytes.length; i += 2) {
      sum += bytes[i]! * 256 + bytes[i + 1]!;
      if (sum > 0xffff) sum -= 0xffff;
    }
    return 0xffff - sum;
  }

  it('hand-computed vectors', () => {
    // words 0000 0000 0000 0001 | 0000 0001 | 0000 | 0000 -> sum 2 -> ~ = fffd
    expect(dssChecksum(1n, 1, 0, new Uint8Array(0))).toBe(0xfffd);
    // 0102+0304+0506+0708+0a0b+0c0d+0003+0000+6162+6300 = ea91 -> ~ = 156e
    expect(dssChecksum(0x0102030405060708n, 0x0a0b0c0d, 3, new TextEncoder().encode('abc'))).toBe(0x156e);
  });

  it('matches the reference implementation', () => {
    let seed = 12345;
    const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    for (let i = 0; i < 300; i++) {
      const dsn = (BigInt(rand()) << 32n) | BigInt(rand());
      const ssn = rand();
      const dll = rand() & 0xffff;
      const payload = Uint8Array.from({ length: rand() % 1500 }, () => rand() & 0xff);
      expect(dssChecksum(dsn, ssn, dll, payload)).toBe(reference(dsn, ssn, dll, payload));
    }
    const ones = new Uint8Array(65535).fill(0xff);
    const d = 0xffffffffffffffffn;
    expect(dssChecksum(d, 0xffffffff, 0xffff, ones)).toBe(reference(d, 0xffffffff, 0xffff, ones));
  });

  it('a receiver summing the header with the checksum in place gets 0xffff', () => {
    const payload = new TextEncoder().encode('hello, multipath');
    const cs = dssChecksum(1000n, 1, payload.length, payload);
    const header = hex(`00 00 00 00 00 00 03 e8 | 00 00 00 01 | 00 10 | ${cs.toString(16).padStart(4, '0')}`);
    const all = [...header, ...payload];
    let sum = 0;
    for (let i = 0; i < all.length; i += 2) sum += (all[i]! << 8) | (all[i + 1] ?? 0);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    expect(sum).toBe(0xffff);
  });

  it('fork quirk: pseudo-header only is the empty-payload checksum', () => {
    expect(dssChecksum(5n, 1, 100, new Uint8Array(0))).toBe(reference(5n, 1, 100, new Uint8Array(0)));
  });

  it('rejects out-of-range inputs', () => {
    expect(() => dssChecksum(-1n, 0, 0, new Uint8Array(0))).toThrow(RangeError);
    expect(() => dssChecksum(0n, 2 ** 32, 0, new Uint8Array(0))).toThrow(RangeError);
    expect(() => dssChecksum(0n, 0, 65536, new Uint8Array(0))).toThrow(RangeError);
  });
});
