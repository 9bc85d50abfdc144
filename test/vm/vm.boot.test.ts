// Boots a real Debian kernel (not the host's) under QEMU and runs scripts there, as
// `tsdrill run --kernel` does for a user (npm run test:vm; minutes under TCG, so not in npm test).
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, statSync } from 'node:fs';
import { loadavg, release, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { defaultCacheDir, resolveKernel, type KernelUnderTest } from '../../src/vm/kernel.js';
import { debianTestKernel } from './helpers.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/tsdrill.js');
const scratch = mkdtempSync(join(tmpdir(), 'tsdrill-vm-boot-test-'));
// The runs' own temporary folders go here, so the test can see that none is left behind.
const runTmp = join(scratch, 'tmp');
let kernel: KernelUnderTest;
let kernelArg: string;

/**
 * The scripts the guest runs. Today scripts/tcp: the MPTCP scripts fail on Debian's 6.1 and 6.12
 * (they write /proc/sys/net/mptcp/syn_retrans_before_tcp_fallback, which those kernels lack)
 * until scripts can declare what they need (issue 16, the kernel-aware half); then scripts/.
 */
const SUITE = process.env.TSDRILL_VM_TEST_SUITE ?? 'scripts/tcp';

/**
 * This test checks that the runs happen in the guest and are judged there (semantics, results
 * on the host), not the guest's timing: under TCG that depends on how busy the host is (at a
 * host load average of ~20 on 2 cores we measured injection errors of 6 ms median, 91 ms p99
 * in the guest: bench/RESULTS.md, "VM"). So the timing tolerances get room here; the default
 * TCG factor (x4, src/vm/accel.ts) is exercised by the other tests' runs.
 */
const TOLERANCE_SCALE = process.env.TSDRILL_VM_TEST_TOLERANCE_SCALE ?? '20';

function tsdrill(args: string[], opts: { timeoutMs?: number } = {}) {
  return spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, TMPDIR: runTmp, CI: 'true' },
    timeout: opts.timeoutMs ?? 20 * 60_000,
  });
}

/** QEMU processes whose command line mentions `needle` (this test's own files only). */
function qemuWith(needle: string): number[] {
  const pids: number[] = [];
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
      if (cmd.startsWith('qemu-system') && cmd.includes(needle)) pids.push(Number(p));
    } catch {
      /* gone */
    }
  }
  return pids;
}

beforeAll(async () => {
  expect(inject('buildError')).toBe('');
  spawnSync('mkdir', ['-p', runTmp]);
  kernelArg = debianTestKernel();
  kernel = await resolveKernel(kernelArg, { cacheDir: defaultCacheDir(), say: (l) => process.stderr.write(`${l}\n`) });
  expect(kernel.release).not.toBe(release());
}, 15 * 60_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe(`tsdrill run --kernel (a Debian kernel under QEMU)`, () => {
  it(`runs ${SUITE} in the guest: TAP on stdout, JSON and JUnit on the host, each result naming the guest's kernel, none failing but on timing`, () => {
    const out = join(scratch, 'out');
    const r = tsdrill(['run', '--kernel', kernelArg, '--json', join(out, 'results.json'), '--junit', join(out, 'junit.xml'), '--vm-log', join(out, 'kernel.log'), '--tolerance-scale', TOLERANCE_SCALE, SUITE]);
    const why = `exit ${r.status}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
    expect(r.stderr, why).toMatch(new RegExp(`booting ${kernel.release.replace(/[.+]/g, '\\$&')} under (TCG|KVM)`));
    expect(r.stdout, why).toMatch(/^TAP version 13$/m);
    const json = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { kernel: string; runs: { kernel?: string; verdict: string; script: string; variant: string; error?: { kind: string; message: string } }[] };
    expect(json.kernel).toBe(kernel.release);
    expect(json.runs.length).toBeGreaterThan(0);
    const timingOnly: string[] = [];
    for (const run of json.runs) {
      expect(run.kernel).toBe(kernel.release);
      // A timing failure says how busy the host was, not what the kernel did (see above).
      if (run.verdict === 'fail' && run.error?.kind === 'timing') timingOnly.push(`${run.script} ${run.variant}: ${run.error.message}`);
      else expect(['pass', 'skip'], `${run.script} ${run.variant}: ${run.verdict} ${run.error?.message ?? ''}`).toContain(run.verdict);
    }
    if (timingOnly.length) console.warn(`timing failures in the TCG guest (host load ${loadavg().map((l) => l.toFixed(1)).join(' ')}):\n${timingOnly.join('\n')}`);
    expect(timingOnly.length, timingOnly.join('\n')).toBeLessThan(json.runs.length);
    expect(r.status, why).toBe(timingOnly.length ? 1 : 0);
    expect(readFileSync(join(out, 'junit.xml'), 'utf8')).toMatch(/<testsuites/);
    expect(readFileSync(join(out, 'kernel.log'), 'utf8')).toMatch(new RegExp(`Linux version ${kernel.release.replace(/[.+]/g, '\\$&')}`));
    expect(readdirSync(runTmp)).toEqual([]);
  });

  it('a corrupt kernel image: a clear error with the console, exit 4, no QEMU left, no temporary folder', () => {
    const bad = join(scratch, 'vmlinuz-corrupt');
    copyFileSync(kernel.image, bad);
    truncateSync(bad, Math.floor(statSync(kernel.image).size / 2));
    const r = tsdrill(['run', '--kernel', bad, '--vm-boot-timeout', '60', 'scripts/tcp/connect-refused.pkt'], { timeoutMs: 5 * 60_000 });
    const why = `exit ${r.status}\n--- stderr\n${r.stderr}`;
    expect(r.status, why).toBe(4);
    expect(r.stderr, why).toMatch(/tsdrill: error: .*(did not boot in time|QEMU ended before the guest finished|kernel panic)/);
    expect(qemuWith(bad)).toEqual([]);
    expect(readdirSync(runTmp)).toEqual([]);
  });

  it('Ctrl-C during the run stops the guest: exit 130, no QEMU left', async () => {
    const child = spawn(process.execPath, [BIN, 'run', '--kernel', kernelArg, 'scripts/tcp'], { cwd: ROOT, env: { ...process.env, TMPDIR: runTmp }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    await new Promise<void>((res) => {
      const t = setInterval(() => {
        if (/guest booted/.test(stderr) || child.exitCode !== null) (clearInterval(t), res());
      }, 200);
    });
    child.kill('SIGINT');
    const code = await new Promise<number | null>((res) => child.on('close', res));
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/interrupted/);
    expect(qemuWith(kernel.image)).toEqual([]);
    expect(existsSync(runTmp) && readdirSync(runTmp)).toEqual([]);
  });
});
