import type { ChildJob } from '../src/cli/job.js';
import type { RunResult } from '../src/report/result.js';
import { RunProcess, type RunProcessPool } from './run-process.js';

export interface RunOneOptions {
  timeoutMs: number;
  /** Run in the caller's network namespace instead of a fresh one. */
  currentNetns: boolean;
  signal?: AbortSignal;
  /** Where run processes come from (started ahead of need); without it, one is started now. */
  pool?: RunProcessPool;
}

/**
 * Runs one script variant in its own process inside a fresh network namespace (`unshare -n`):
 * the namespace, its TUN device, addresses and routes vanish with the process, whatever
 * happens to it, so a crash or a kill cannot leak them into the host.
 */
export async function runOne(job: ChildJob, opts: RunOneOptions): Promise<RunResult> {
  const started = performance.now();
  const proc = opts.pool ? await opts.pool.take() : new RunProcess(opts.currentNetns);
  if (!opts.pool && !(await proc.whenReady())) throw new Error('the run process ended before it was ready');
  let timedOut = false;
  let canceled = false;
  const timer = setTimeout(() => {
    timedOut = true;
    proc.kill();
  }, opts.timeoutMs);
  const onAbort = () => {
    canceled = true;
    proc.kill();
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  if (opts.signal?.aborted) onAbort();
  const r = await proc.run(job);
  clearTimeout(timer);
  opts.signal?.removeEventListener('abort', onAbort);
  if (opts.pool) opts.pool.giveBack(proc);
  else proc.end();
  const durationMs = Math.round(performance.now() - started);
  const stderrLines = r.stderr ? r.stderr.replace(/\n$/, '').split('\n') : [];
  if (r.result) {
    r.result.log.push(...stderrLines);
    return { ...r.result, durationMs };
  }
  const base = { script: job.display, variant: job.variant, durationMs, warnings: [], log: stderrLines };
  if (timedOut) {
    const message = `timed out after ${opts.timeoutMs / 1000} s`;
    return { ...base, verdict: 'timeout', error: { message, kind: 'timeout', file: job.display, framed: `error: ${message}`, legacy: `${job.display}: ${message}` } };
  }
  const how = r.signal ? `signal ${r.signal}` : `exit ${r.exitCode}`;
  const why = canceled ? 'interrupted' : `run process ended without a result (${how}): ${stderrLines.slice(-3).join(' | ') || 'no output'}`;
  return { ...base, verdict: 'error', error: { message: why, kind: 'crash', file: job.display, framed: `error: ${why}`, legacy: `${job.display}: ${why}` } };
}
