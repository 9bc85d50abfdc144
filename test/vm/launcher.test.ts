// The launcher against a stand-in for QEMU (a shell script printing what a guest's console
// would): outcomes, time-outs, and that no process is left behind.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { kvmFailed, probeAccel } from '../../src/vm/accel.js';
import { launchGuest, type LaunchOptions } from '../../src/vm/launcher.js';

const ROOT = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'tsdrill-launcher-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A fake QEMU: `body` is shell; it writes its PID first, so the test can check it is gone. */
function fakeQemu(name: string, body: string): { qemu: string; pidFile: string } {
  const qemu = join(dir, name);
  const pidFile = join(dir, `${name}.pid`);
  writeFileSync(qemu, `#!/bin/sh\necho $$ > ${pidFile}\n${body}\n`);
  chmodSync(qemu, 0o755);
  return { qemu, pidFile };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const pidOf = (f: string) => Number(readFileSync(f, "utf8"));

const base: Omit<LaunchOptions, 'qemu'> = { args: [], bootTimeoutMs: 5000, hangTimeoutMs: 5000 };

describe('launchGuest', () => {
  it("reports the guest command's exit status, the boot time and the console", async () => {
    const { qemu } = fakeQemu('ok', 'printf "[ 0.1] Linux version\\r\\ntsdrill-vm: booted in 1.2 s\\r\\n"; echo "tsdrill-vm: exit 1"');
    const lines: string[] = [];
    const r = await launchGuest({ ...base, qemu, onConsoleLine: (l) => lines.push(l) });
    expect(r.outcome).toEqual({ kind: 'exited', status: 1 });
    expect(r.bootMs).toBeGreaterThanOrEqual(0);
    expect(r.bootLine).toBe('tsdrill-vm: booted in 1.2 s');
    expect(lines).toEqual(['[ 0.1] Linux version', 'tsdrill-vm: booted in 1.2 s', 'tsdrill-vm: exit 1']);
  });

  it('reports a kernel panic with its message and the last console lines', async () => {
    const { qemu } = fakeQemu('panic', 'echo "[ 1.0] BUG: unable to handle page fault"; echo "[ 1.1] Kernel panic - not syncing: Fatal exception"; exit 0');
    const r = await launchGuest({ ...base, qemu });
    expect(r.outcome).toEqual({ kind: 'panic', message: 'Fatal exception' });
    expect(r.consoleTail).toContain('[ 1.0] BUG: unable to handle page fault');
  });

  it("reports the init's own error", async () => {
    const { qemu } = fakeQemu('initerr', 'echo "tsdrill-vm: error: cannot mount the host\'s root (9p tag root)"');
    const r = await launchGuest({ ...base, qemu });
    expect(r.outcome).toEqual({ kind: 'init-error', message: "cannot mount the host's root (9p tag root)" });
  });

  it('a guest that never boots is killed at the boot time-out, and its process is gone', async () => {
    const { qemu, pidFile } = fakeQemu('noboot', 'echo "Decompressing Linux... crc error"; exec sleep 60');
    const t0 = Date.now();
    const r = await launchGuest({ ...base, qemu, bootTimeoutMs: 700 });
    expect(r.outcome).toEqual({ kind: 'boot-timeout' });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(r.consoleTail).toEqual(['Decompressing Linux... crc error']);
    expect(alive(pidOf(pidFile))).toBe(false);
  });

  it('a booted guest that goes silent is hung; one that keeps its heartbeat is not', async () => {
    const { qemu, pidFile } = fakeQemu('hang', 'echo "tsdrill-vm: booted in 1 s"; exec sleep 60');
    const r = await launchGuest({ ...base, qemu, hangTimeoutMs: 700 });
    expect(r.outcome.kind).toBe('hung');
    expect(alive(pidOf(pidFile))).toBe(false);

    const beat = join(dir, 'alive');
    const { qemu: q2 } = fakeQemu('beat', `echo "tsdrill-vm: booted in 1 s"; for i in 1 2 3 4 5 6; do touch ${beat}; sleep 0.3; done; echo "tsdrill-vm: exit 0"`);
    const r2 = await launchGuest({ ...base, qemu: q2, hangTimeoutMs: 1000, heartbeatFile: beat });
    expect(r2.outcome).toEqual({ kind: 'exited', status: 0 });
  });

  it('an abort (Ctrl-C) stops the guest and leaves no process', async () => {
    const { qemu, pidFile } = fakeQemu('abort', 'echo "tsdrill-vm: booted in 1 s"; exec sleep 60');
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 500);
    const r = await launchGuest({ ...base, qemu, signal: ac.signal });
    expect(r.outcome).toEqual({ kind: 'interrupted' });
    expect(alive(pidOf(pidFile))).toBe(false);
  });

  it('a guest that ignores SIGTERM is killed', async () => {
    const { qemu, pidFile } = fakeQemu('stubborn', 'trap "" TERM; echo "tsdrill-vm: booted in 1 s"; while :; do sleep 0.1; done');
    const r = await launchGuest({ ...base, qemu, hangTimeoutMs: 300 });
    expect(r.outcome.kind).toBe('hung');
    expect(alive(pidOf(pidFile))).toBe(false);
  }, 15_000);

  it('QEMU failing to start is reported with its stderr', async () => {
    const { qemu } = fakeQemu('qfail', 'echo "qemu-system-x86_64: -kernel /x: linux kernel too old to load a ram disk" >&2; exit 1');
    const r = await launchGuest({ ...base, qemu });
    expect(r.outcome).toEqual({ kind: 'qemu-exit', code: 1, signal: null, stderr: 'qemu-system-x86_64: -kernel /x: linux kernel too old to load a ram disk' });
    const missing = await launchGuest({ ...base, qemu: join(dir, 'no-such-qemu') });
    expect(missing.outcome).toMatchObject({ kind: 'qemu-exit', stderr: expect.stringMatching(/no-such-qemu.*(No such file|ENOENT)/) });
  });

  it('tsdrill killed with SIGKILL (no handler runs) still takes its guest with it', async () => {
    expect(inject('buildError')).toBe('');
    const { qemu, pidFile } = fakeQemu('orphan', 'echo "tsdrill-vm: booted in 1 s"; exec sleep 60');
    const launcher = pathToFileURL(join(ROOT, 'dist/src/vm/launcher.js')).href;
    const code = `import(${JSON.stringify(launcher)}).then((m) => m.launchGuest({ qemu: ${JSON.stringify(qemu)}, args: [], bootTimeoutMs: 60000, hangTimeoutMs: 60000 }));`;
    const parent = spawn(process.execPath, ['-e', code], { stdio: 'ignore' });
    for (let i = 0; i < 100 && !existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 100));
    const pid = pidOf(pidFile);
    expect(alive(pid)).toBe(true);
    parent.kill('SIGKILL');
    for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
    expect(alive(pid)).toBe(false);
  });
});

describe('KVM or TCG', () => {
  it('falls back to TCG without /dev/kvm, saying why', () => {
    expect(probeAccel(join(dir, 'no-kvm'))).toEqual({ accel: 'tcg', reason: `no ${join(dir, 'no-kvm')}` });
  });
  it('takes a QEMU that died on KVM before boot for a KVM failure, not a kernel one', () => {
    const q = (stderr: string, signal: NodeJS.Signals | null = null) => ({ kind: 'qemu-exit' as const, code: 1, signal, stderr });
    expect(kvmFailed(q('KVM internal error. Suberror: 1\nemulation failure'), false)).toBe(true);
    expect(kvmFailed(q('', 'SIGABRT'), false)).toBe(true);
    expect(kvmFailed(q('KVM internal error'), true)).toBe(false);
    expect(kvmFailed({ kind: 'panic', message: 'VFS: Unable to mount root' }, false)).toBe(false);
  });
});

