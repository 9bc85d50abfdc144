import { describe, expect, it } from 'vitest';
import { bzImageRelease, isBzImage } from '../../src/vm/bzimage.js';
import { fakeBzImage } from './helpers.js';

describe('bzImage header', () => {
  it('reads the release from the version string', () => {
    expect(isBzImage(fakeBzImage('6.1.0-57-amd64 (debian-kernel@lists.debian.org) #1 SMP'))).toBe(true);
    expect(bzImageRelease(fakeBzImage('6.1.0-57-amd64 (debian-kernel@lists.debian.org) #1 SMP'))).toBe('6.1.0-57-amd64');
  });
  it('gives nothing for an image without a version string or without the magic', () => {
    expect(bzImageRelease(fakeBzImage(undefined))).toBeUndefined();
    expect(isBzImage(Buffer.alloc(0x1000))).toBe(false);
    expect(bzImageRelease(Buffer.from('not a kernel'))).toBeUndefined();
  });
});
