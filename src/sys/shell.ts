// Child processes of a run (the `ip` set-up, backtick commands, python for code events), with
// node:child_process directly: execa costs ~110 ms to import, paid by every run's process.
// (The runner, a single long-lived process, keeps using execa.)
import { spawn, spawnSync } from 'node:child_process';

export interface ShellResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** stdout and stderr interleaved as they came. */
  output: string;
  stdout: string;
  stderr: string;
}

/** Runs a command line through /bin/sh -c, as packetdrill does for backtick commands. */
export function runShell(command: string, opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<ShellResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const all: Buffer[] = [];
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => (all.push(c), out.push(c)));
    child.stderr.on('data', (c: Buffer) => (all.push(c), err.push(c)));
    child.on('error', reject);
    const text = (b: Buffer[]) => Buffer.concat(b).toString('utf8');
    child.on('close', (exitCode, signal) => resolve({ exitCode, signal, output: text(all), stdout: text(out), stderr: text(err) }));
  });
}

/** Runs a program synchronously; throws with the command line, exit code and stderr on failure. */
export function runChecked(file: string, args: string[], input?: string): void {
  const r = spawnSync(file, args, { input, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], encoding: 'utf8' });
  if (r.error) throw new Error(`${[file, ...args].join(' ')} failed: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${[file, ...args].join(' ')} failed (exit ${r.status ?? r.signal}): ${(r.stderr || r.stdout).trim()}`);
}
