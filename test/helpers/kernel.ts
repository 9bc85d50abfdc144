import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { expect, inject } from 'vitest';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Kernel-facing tests need /dev/net/tun (and root, as CI has). They are skipped only when the
 * device is truly absent, and the reason is printed so a skip is never silent.
 */
export const hasTun = existsSync('/dev/net/tun');
if (!hasTun) console.warn('[tsdrill tests] /dev/net/tun is absent on this machine: kernel tests are SKIPPED');

/** Kernel tests use dist/: fail with the compiler's output when the build failed. */
export function assertBuilt(): void {
  expect(inject('buildError'), 'the build must succeed before kernel tests run').toBe('');
}

/** Runs an ES module snippet (importing from dist/) in a fresh network namespace. */
export async function inNetns(code: string): Promise<{ stdout: string; stderr: string; exitCode: number | undefined }> {
  assertBuilt();
  const r = await execa('unshare', ['-n', '--', process.execPath, '--input-type=module', '-e', code], {
    cwd: ROOT,
    reject: false,
    timeout: 30_000,
  });
  return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode };
}

/** The built CLI, as a user runs it. */
export async function tsdrill(args: string[], opts: { cwd?: string; timeout?: number; env?: Record<string, string> } = {}) {
  assertBuilt();
  return execa(process.execPath, [`${ROOT}bin/tsdrill.js`, ...args], { cwd: opts.cwd ?? ROOT, reject: false, timeout: opts.timeout ?? 120_000, env: { CI: 'true', ...opts.env } });
}
