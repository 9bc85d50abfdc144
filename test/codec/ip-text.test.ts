import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIpAddress, parseIpAddress } from '../../src/codec/ip-text.js';
import { hex } from './mptcp/helpers.js';

describe('IP address text', () => {
  it.each([
    ['c0 00 02 01', '192.0.2.1'],
    ['00 00 00 00', '0.0.0.0'],
    ['20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01', '2001:db8::1'],
    ['20 01 0d b8 00 00 00 00 00 01 00 00 00 00 00 01', '2001:db8::1:0:0:1'],
    ['20 01 0d b8 00 00 00 01 00 01 00 01 00 01 00 01', '2001:db8:0:1:1:1:1:1'],
    ['00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00', '::'],
    ['00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01', '::1'],
    ['00 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00', '1::'],
    ['fe 80 00 00 00 00 00 00 00 00 00 00 00 00 ab cd', 'fe80::abcd'],
  ])('%s <-> %s', (bytes, text) => {
    expect(formatIpAddress(hex(bytes))).toBe(text);
    expect(parseIpAddress(text)).toEqual(hex(bytes));
  });

  it.each([
    ['::ffff:192.0.2.1', '00 00 00 00 00 00 00 00 00 00 ff ff c0 00 02 01'],
    ['2001:DB8:0:0:0:0:0:1', '20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01'],
    ['0:0:0:0:0:0:0:0', '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00'],
  ])('parses %s', (text, bytes) => {
    expect(parseIpAddress(text)).toEqual(hex(bytes));
  });

  it.each([':::', '1:2:3:4:5:6:7:8:9', '1::2::3', 'g::1', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7::8', '01.2.3.4', '256.1.1.1', '1.2.3', '', '12345::'])(
    'rejects %j',
    (text) => {
      expect(parseIpAddress(text)).toBeUndefined();
    },
  );

  it('format then parse is the identity on random addresses', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.uint8Array({ minLength: 16, maxLength: 16 })), (b) => {
        expect(parseIpAddress(formatIpAddress(b))).toEqual(b);
      }),
      { numRuns: 2000, seed: 7 },
    );
    // Zero runs are where the formatter has choices; cover them densely.
    fc.assert(
      fc.property(fc.array(fc.constantFrom(0, 0, 0, 1, 0xffff), { minLength: 8, maxLength: 8 }), (groups) => {
        const b = new Uint8Array(16);
        groups.forEach((g, i) => {
          b[2 * i] = g >> 8;
          b[2 * i + 1] = g & 0xff;
        });
        expect(parseIpAddress(formatIpAddress(b))).toEqual(b);
      }),
      { numRuns: 1000, seed: 8 },
    );
  });
});
