import { describe, expect, it } from 'vitest';
import { classifyKernelArg, defaultCacheDir, KernelSpecError, type PathProbe } from '../../src/vm/kernel.js';
import { fakeBzImage } from './helpers.js';

/** A file system of a few paths: folders end with '/'. */
function probe(entries: Record<string, Buffer | 'dir'>): PathProbe {
  return {
    kind: (p) => (entries[p] === 'dir' ? 'dir' : entries[p] ? 'file' : undefined),
    head: (p) => entries[p] as Buffer,
  };
}

describe('--kernel K', () => {
  it('a bzImage/vmlinuz file is an image', () => {
    expect(classifyKernelArg('/boot/vmlinuz-6.1', probe({ '/boot/vmlinuz-6.1': fakeBzImage('6.1.0') }))).toEqual({ kind: 'image', path: '/boot/vmlinuz-6.1' });
  });
  it('a file that is not a bzImage is refused, saying why', () => {
    expect(() => classifyKernelArg('/tmp/x', probe({ '/tmp/x': Buffer.alloc(4096) }))).toThrow(/not a bzImage\/vmlinuz \(no "HdrS"/);
  });
  it('a folder with arch/x86/boot/bzImage is a built tree', () => {
    expect(classifyKernelArg('/src/linux', probe({ '/src/linux': 'dir', '/src/linux/arch/x86/boot/bzImage': fakeBzImage('6.12.0') }))).toEqual({
      kind: 'tree',
      path: '/src/linux',
    });
  });
  it('a source tree not built yet says to build it', () => {
    expect(() => classifyKernelArg('/src/linux', probe({ '/src/linux': 'dir', '/src/linux/arch/x86': 'dir' }))).toThrow(/without arch\/x86\/boot\/bzImage: build it first/);
    expect(() => classifyKernelArg('/home', probe({ '/home': 'dir' }))).toThrow(KernelSpecError);
  });
  it('a .deb file is a package file; a bare name is a Debian package to fetch', () => {
    expect(classifyKernelArg('/k/linux-image.deb', probe({ '/k/linux-image.deb': Buffer.alloc(10) }))).toEqual({ kind: 'deb', path: '/k/linux-image.deb' });
    expect(classifyKernelArg('linux-image-6.1.0-57-amd64-unsigned', probe({}))).toEqual({ kind: 'package', name: 'linux-image-6.1.0-57-amd64-unsigned' });
  });
  it('a missing path is not taken for a package name', () => {
    expect(() => classifyKernelArg('./bzImage-missing/x', probe({}))).toThrow(/no such file or folder/);
    expect(() => classifyKernelArg('missing.deb', probe({}))).toThrow(/no such file or folder/);
    expect(() => classifyKernelArg('Not A Name', probe({}))).toThrow(/neither a file, a folder nor a Debian package name/);
  });
  it('caches under TSDRILL_CACHE_DIR, else XDG_CACHE_HOME, else ~/.cache', () => {
    expect(defaultCacheDir({ TSDRILL_CACHE_DIR: '/c' })).toBe('/c');
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/x' })).toBe('/x/tsdrill');
  });
});
