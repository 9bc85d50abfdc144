// Runs one QEMU guest to its end: captures the console, watches for the init's marks, enforces
// the boot and hang time-outs, and always leaves no QEMU process behind (time-out, Ctrl-C, an
// exception in the caller: the process is killed and awaited).
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { MARK } from './initramfs.js';

export type GuestOutcome =
  /** The guest's command ran; its exit status. */
  | { kind: 'exited'; status: number }
  /** The init could not set the guest up (a module, a mount): its message. */
  | { kind: 'init-error'; message: string }
  | { kind: 'panic'; message: string }
  | { kind: 'boot-timeout' }
  | { kind: 'hung'; silentSec: number }
  /** QEMU ended without the guest saying how its command ended. */
  | { kind: 'qemu-exit'; code: number | null; signal: NodeJS.Signals | null; stderr: string }
  | { kind: 'interrupted' };

export interface LaunchResult {
  outcome: GuestOutcome;
  /** From QEMU's start to the init's "booted" line, when it came. */
  bootMs?: number;
  /** The console's last lines (carriage returns removed). */
  consoleTail: string[];
  /** The init's "booted ..." line. */
  bootLine?: string;
}

export interface LaunchOptions {
  qemu: string;
  args: readonly string[];
  bootTimeoutMs: number;
  /** After boot: a guest that neither touches `heartbeatFile` nor prints for this long is hung. */
  hangTimeoutMs: number;
  heartbeatFile?: string;
  signal?: AbortSignal;
  /** Every console line as it comes (for --vm-verbose and the console log). */
  onConsoleLine?: (line: string) => void;
  tailLines?: number;
  /** Run QEMU under `setpriv --pdeathsig KILL` (default true). */
  orphanGuard?: boolean;
}

const PANIC = /Kernel panic - not syncing: ?(.*)/;

export function launchGuest(opts: LaunchOptions): Promise<LaunchResult> {
  const tailMax = opts.tailLines ?? 30;
  const tail: string[] = [];
  const started = Date.now();
  let lastSign = started;
  let bootMs: number | undefined;
  let bootLine: string | undefined;
  let outcome: GuestOutcome | undefined;
  let stderr = '';

  // setpriv (util-linux) execs QEMU with PR_SET_PDEATHSIG: a tsdrill killed with SIGKILL, which
  // runs no handler, still takes its guest with it.
  const [file, args] = opts.orphanGuard === false ? [opts.qemu, opts.args] : ['setpriv', ['--pdeathsig', 'KILL', '--', opts.qemu, ...opts.args]];
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  // Our own exit (an uncaught error, process.exit) must not orphan the guest.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  let killTimer: NodeJS.Timeout | undefined;
  const stop = (why: GuestOutcome) => {
    outcome ??= why;
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    killTimer ??= setTimeout(() => child.kill('SIGKILL'), 3000);
  };

  // The init powers off right after its last line; a guest that does not is stopped.
  let powerOffTimer: NodeJS.Timeout | undefined;
  const powerOffSoon = () => (powerOffTimer ??= setTimeout(() => stop(outcome!), 15_000));

  const onLine = (raw: string) => {
    const line = raw.replace(/\r/g, '');
    lastSign = Date.now();
    tail.push(line);
    if (tail.length > tailMax) tail.shift();
    opts.onConsoleLine?.(line);
    if (line.startsWith(MARK.booted) && bootMs === undefined) {
      bootMs = Date.now() - started;
      bootLine = line;
    } else if (line.startsWith(MARK.exit)) {
      outcome ??= { kind: 'exited', status: Number(line.slice(MARK.exit.length).trim()) };
      powerOffSoon();
    } else if (line.startsWith(MARK.error)) {
      outcome ??= { kind: 'init-error', message: line.slice(MARK.error.length) };
      powerOffSoon();
    } else {
      const panic = PANIC.exec(line);
      if (panic) outcome ??= { kind: 'panic', message: panic[1]!.trim() };
    }
  };
  let partial = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop()!;
    for (const p of parts) onLine(p);
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (c: string) => {
    if (stderr.length < 64 * 1024) stderr += c;
  });

  const watchdog = setInterval(() => {
    const now = Date.now();
    if (bootMs === undefined) {
      if (now - started > opts.bootTimeoutMs) stop({ kind: 'boot-timeout' });
      return;
    }
    let beat = lastSign;
    if (opts.heartbeatFile) {
      try {
        beat = Math.max(beat, statSync(opts.heartbeatFile).mtimeMs);
      } catch {
        /* not yet written */
      }
    }
    if (now - beat > opts.hangTimeoutMs) stop({ kind: 'hung', silentSec: Math.round((now - beat) / 1000) });
  }, 250);

  const onAbort = () => stop({ kind: 'interrupted' });
  if (opts.signal?.aborted) onAbort();
  else opts.signal?.addEventListener('abort', onAbort, { once: true });

  return new Promise((resolve) => {
    let spawnError: Error | undefined;
    child.on('error', (e) => (spawnError = e));
    child.on('close', (code, signal) => {
      if (partial) onLine(partial);
      clearInterval(watchdog);
      clearTimeout(killTimer);
      clearTimeout(powerOffTimer);
      process.removeListener('exit', killOnExit);
      opts.signal?.removeEventListener('abort', onAbort);
      const result = outcome ?? { kind: 'qemu-exit', code, signal, stderr: spawnError ? `${opts.qemu}: ${spawnError.message}` : stderr.trim() };
      resolve({ outcome: result, consoleTail: tail, ...(bootMs !== undefined ? { bootMs } : {}), ...(bootLine ? { bootLine } : {}) });
    });
  });
}
