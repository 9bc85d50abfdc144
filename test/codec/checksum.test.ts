import { describe, expect, it } from 'vitest';
import { internetChecksum } from '../../src/codec/checksum.js';

describe('internetChecksum', () => {
  it('matches the RFC 1071 worked example', () => {
    // RFC 1071 §3: bytes 00 01 f2 03 f4 f5 f6 f7 sum to 0xddf2, checksum = ~0xddf2.
    expect(internetChecksum(Uint8Array.from([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]))).toBe(~0xddf2 & 0xffff);
  });

  it('gives the same result whatever the chunk boundaries, odd ones included', () => {
    const bytes = Uint8Array.from({ length: 37 }, (_, i) => (i * 37 + 11) & 0xff);
    const whole = internetChecksum(bytes);
    for (const cut of [1, 2, 3, 17, 36]) expect(internetChecksum(bytes.subarray(0, cut), bytes.subarray(cut))).toBe(whole);
  });
});
