import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { RESULT_MARKER, type ChildJob } from '../src/cli/job.js';
import type { RunResult } from '../src/report/result.js';

const childEntry = fileURLToPath(new URL('../src/cli/child.js', import.meta.url));

export interface RunOneOptions {
  timeoutMs: number;
  /** Run in the caller's network namespace instead of a fresh one. */
  currentNetns: boolean;
  signal?: AbortSignal;
}

/**
 * Runs one script variant in its own process inside a fresh network namespace (`unshare -n`):
 * the namespace, its TUN device, addresses and routes vanish with the process, whatever
 * happens to it, so a crash or a kill cannot leak them into the host.
 */
export async function runOne(job: ChildJob, opts: RunOneOptions): Promise<RunResult> {
  const started = performance.now();
  const node = [process.execPath, childEntry];
  const [file, ...args] = opts.currentNetns ? node : ['unshare', '-n', '--', ...node];
  // Its own process group: a timeout or Ctrl-C kills the run and every command it started
  // (a script's `sleep` would otherwise outlive it).
  const child = execa(file!, args, {
    env: { TSDRILL_JOB: JSON.stringify(job) },
    reject: false,
    stdin: 'ignore',
    detached: true,
  });
  let timedOut = false;
  let canceled = false;
  const killGroup = () => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup();
  }, opts.timeoutMs);
  const onAbort = () => {
    canceled = true;
    killGroup();
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  if (opts.signal?.aborted) onAbort();
  const r = await child;
  clearTimeout(timer);
  opts.signal?.removeEventListener('abort', onAbort);
  const durationMs = Math.round(performance.now() - started);
  const line = r.stdout.split('\n').find((l) => l.startsWith(RESULT_MARKER));
  if (line) {
    const result = JSON.parse(line.slice(RESULT_MARKER.length)) as RunResult;
    if (r.stderr) result.log.push(...r.stderr.split('\n'));
    return { ...result, durationMs };
  }
  const base = { script: job.display, variant: job.variant, durationMs, warnings: [], log: r.stderr ? r.stderr.split('\n') : [] };
  if (timedOut) {
    const message = `timed out after ${opts.timeoutMs / 1000} s`;
    return { ...base, verdict: 'timeout', error: { message, kind: 'timeout', file: job.display, framed: `error: ${message}`, legacy: `${job.display}: ${message}` } };
  }
  const why = canceled ? 'interrupted' : `run process ended without a result (${r.signal ? `signal ${r.signal}` : `exit ${r.exitCode}`}): ${r.stderr.trim().split('\n').slice(-3).join(' | ') || r.shortMessage}`;
  return { ...base, verdict: 'error', error: { message: why, kind: 'crash', file: job.display, framed: `error: ${why}`, legacy: `${job.display}: ${why}` } };
}
