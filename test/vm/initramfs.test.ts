import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findBusybox, guestCommandScript, initramfsEntries, initScript, isStaticElf64, MARK, moduleEntryName, type GuestPlan } from '../../src/vm/initramfs.js';

const plan: GuestPlan = {
  release: '6.12.95+deb12-amd64',
  modules: ['/c/lib/modules/r/kernel/fs/netfs/netfs.ko.xz', '/c/lib/modules/r/kernel/fs/9p/9p.ko.xz'],
  modulesShared: true,
  mounts: [
    { tag: 'io', hostPath: '/tmp/tsdrill-vm-x', guestPath: '/tmp/tsdrill-vm-x', readonly: false },
    { tag: 'out0', hostPath: '/w/out', guestPath: '/w/out', readonly: false },
  ],
  command: '/tmp/tsdrill-vm-x/guest.sh',
  kernelLog: '/tmp/tsdrill-vm-x/kernel.log',
  heartbeat: '/tmp/tsdrill-vm-x/alive',
  heartbeatSec: 5,
};

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('initramfs listing', () => {
  it('has busybox, its applets, numbered modules (unpacked) and the init', () => {
    const entries = initramfsEntries(plan, Buffer.from('BB'), (p) => Buffer.from(`elf:${p}`));
    const byPath = new Map(entries.map((e) => [e.path, e]));
    expect(byPath.get('/bin/busybox')).toMatchObject({ kind: 'file', mode: 0o755 });
    expect(byPath.get('/bin/sh')).toEqual({ kind: 'symlink', path: '/bin/sh', target: 'busybox' });
    expect(byPath.get('/sbin/modprobe')).toMatchObject({ kind: 'symlink', target: '../bin/busybox' });
    expect(byPath.get('/dev/console')).toMatchObject({ kind: 'chardev', major: 5, minor: 1 });
    expect(moduleEntryName(0, plan.modules[0]!)).toBe('/boot-modules/00-netfs.ko');
    const mod = byPath.get('/boot-modules/01-9p.ko');
    expect(mod?.kind === 'file' && Buffer.from(mod.data).toString()).toBe('elf:/c/lib/modules/r/kernel/fs/9p/9p.ko.xz');
    expect(entries.at(-1)).toMatchObject({ kind: 'file', path: '/init', mode: 0o755 });
    // Every file's folder comes before it.
    const seen = new Set<string>(['']);
    for (const e of entries) {
      expect(seen.has(e.path.slice(0, e.path.lastIndexOf('/')))).toBe(true);
      if (e.kind === 'dir') seen.add(e.path);
    }
  });
});

describe('init script', () => {
  const text = initScript(plan);
  it('loads the modules in order before mounting the root, and mounts the shares after it', () => {
    const at = (s: string) => {
      const i = text.indexOf(s);
      expect(i, s).toBeGreaterThan(-1);
      return i;
    };
    expect(at('insmod /boot-modules/00-netfs.ko')).toBeLessThan(at('insmod /boot-modules/01-9p.ko'));
    expect(at('insmod /boot-modules/01-9p.ko')).toBeLessThan(at('ninep root /newroot ro,cache=loose'));
    expect(at("ninep modules '/lib/modules/6.12.95+deb12-amd64' ro")).toBeLessThan(at('ninep root'));
    expect(at('mount -t tmpfs tmpfs $R/tmp')).toBeLessThan(at("ninep io $R'/tmp/tsdrill-vm-x' rw,cache=none"));
    expect(at("ninep out0 $R'/w/out' rw")).toBeLessThan(at(MARK.booted.replace('tsdrill-vm: ', 'say "')));
    expect(at("chroot $R /bin/sh '/tmp/tsdrill-vm-x/guest.sh'")).toBeLessThan(at('say "exit $rc"'));
    expect(text.trimEnd().endsWith('reboot -f')).toBe(true);
  });
  it('is valid shell', () => {
    const r = spawnSync('sh', ['-n'], { input: text, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('guest command script', () => {
  it('runs the command from the directory with only the given environment, quoting every word', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsdrill-vm-test-'));
    dirs.push(dir);
    const script = join(dir, 'guest.sh');
    writeFileSync(
      script,
      guestCommandScript({
        cwd: dir,
        env: { PATH: process.env.PATH!, X: "it's $HOME" },
        argv: ['sh', '-c', 'pwd; printf "%s|" "$X" "$1" "$2"; echo "${HOME-unset}" >&2', 'sh', 'a b', "c'd"],
        stdout: join(dir, 'out'),
        stderr: join(dir, 'err'),
      }),
    );
    expect(spawnSync('sh', [script]).status).toBe(0);
    expect(readFileSync(join(dir, 'out'), 'utf8')).toBe(`${dir}\nit's $HOME|a b|c'd|`);
    expect(readFileSync(join(dir, 'err'), 'utf8')).toBe('unset\n');
  });
});

describe('busybox', () => {
  it('tells a static ELF from a dynamic one', () => {
    const fd = openSync(process.execPath, 'r');
    const node = Buffer.alloc(1 << 16);
    readSync(fd, node, 0, node.length, 0);
    closeSync(fd);
    expect(isStaticElf64(node)).toBe(false); // node is dynamically linked
    expect(isStaticElf64(Buffer.from('#!/bin/sh\n'))).toBe(false);
  });
  it('names the package to install when there is no static busybox', () => {
    expect(() => findBusybox(['/nonexistent/busybox', process.execPath])).toThrow(/install Debian's busybox-static/);
  });
});
