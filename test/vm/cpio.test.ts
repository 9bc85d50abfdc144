import { describe, expect, it } from 'vitest';
import { writeCpio } from '../../src/vm/cpio.js';

/** Reads a newc archive back: name, mode, size, rdev and data of each entry up to the trailer. */
function readCpio(buf: Buffer) {
  const out: { name: string; mode: number; data: Buffer; rdev: [number, number] }[] = [];
  let off = 0;
  const align = () => (off = (off + 3) & ~3);
  for (;;) {
    expect(buf.toString('ascii', off, off + 6)).toBe('070701');
    const field = (i: number) => parseInt(buf.toString('ascii', off + 6 + i * 8, off + 14 + i * 8), 16);
    const mode = field(1);
    const size = field(6);
    const rdev: [number, number] = [field(9), field(10)];
    const nameSize = field(11);
    const name = buf.toString('utf8', off + 110, off + 110 + nameSize - 1);
    off += 110 + nameSize;
    align();
    const data = buf.subarray(off, off + size);
    off += size;
    align();
    if (name === 'TRAILER!!!') return { entries: out, end: off };
    out.push({ name, mode, data, rdev });
  }
}

describe('writeCpio', () => {
  it('writes entries in order, with modes, data, symlink targets and device numbers, then the trailer', () => {
    const buf = writeCpio([
      { kind: 'dir', path: '/bin' },
      { kind: 'file', path: '/bin/busybox', data: Buffer.from('abcde'), mode: 0o755 },
      { kind: 'symlink', path: '/bin/sh', target: 'busybox' },
      { kind: 'chardev', path: '/dev/console', major: 5, minor: 1 },
    ]);
    const { entries, end } = readCpio(buf);
    expect(end).toBe(buf.length);
    expect(entries.map((e) => [e.name, e.mode.toString(8)])).toEqual([
      ['bin', '40755'],
      ['bin/busybox', '100755'],
      ['bin/sh', '120777'],
      ['dev/console', '20600'],
    ]);
    expect(entries[1]!.data.toString()).toBe('abcde');
    expect(entries[2]!.data.toString()).toBe('busybox');
    expect(entries[3]!.rdev).toEqual([5, 1]);
  });

  it('pads names and data to 4 bytes whatever their length', () => {
    for (let n = 0; n < 6; n++) {
      const buf = writeCpio([{ kind: 'file', path: `/${'x'.repeat(n + 1)}`, data: Buffer.alloc(n, 7) }]);
      const { entries } = readCpio(buf);
      expect(entries[0]!.data).toEqual(Buffer.alloc(n, 7));
      expect(buf.length % 4).toBe(0);
    }
  });
});
