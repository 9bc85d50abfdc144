// Flake detection for `--repeat N`: the attempts of one script+variant become one result.
import type { RunAttempt, RunResult } from './result.js';
import { isFailing, runKey } from './suites.js';

/** A run result as one attempt (its identity and aggregate fields dropped). */
export function toAttempt(r: RunResult): RunAttempt {
  const { script: _s, variant: _v, attempts: _a, passRate: _p, ...attempt } = r;
  return attempt;
}

/** The attempts a result stands for: its `attempts` if aggregated, else itself. */
export function attemptsOf(r: RunResult): RunAttempt[] {
  return r.attempts ?? [toAttempt(r)];
}

/**
 * One result from the attempts of a run (at least one). Verdict:
 * - every attempt that ran passed -> `pass`; none ran (all skipped) -> `skip`;
 * - none passed -> the first failing attempt's verdict (`fail`, `timeout` or `error`);
 * - some passed and some failed -> `flaky`.
 * `passRate` is `k/n`: passed / attempts that ran (skipped attempts are not counted; `0/0` when
 * all skipped). `error`, `log` and `skipReason` are those of the representative attempt: the first
 * failing one, else the first; `warnings` are the union of all attempts'; `durationMs` the sum;
 * `kernelSplats` those of every attempt.
 */
export function aggregateAttempts(id: Pick<RunResult, 'script' | 'variant'>, attempts: readonly RunAttempt[]): RunResult {
  if (attempts.length === 0) throw new Error(`aggregateAttempts: no attempts for ${id.script} ${id.variant}`);
  const ran = attempts.filter((a) => a.verdict !== 'skip');
  const passed = ran.filter((a) => a.verdict === 'pass').length;
  const failed = ran.filter((a) => isFailing(a.verdict, true));
  const rep = failed[0] ?? attempts[0]!;
  const verdict = ran.length === 0 ? 'skip' : failed.length === 0 ? 'pass' : passed === 0 ? failed[0]!.verdict : 'flaky';
  const out: RunResult = {
    script: id.script,
    variant: id.variant,
    verdict,
    durationMs: attempts.reduce((s, a) => s + a.durationMs, 0),
    warnings: [...new Set(attempts.flatMap((a) => a.warnings))],
    log: rep.log,
    attempts: [...attempts],
    passRate: `${passed}/${ran.length}`,
  };
  if (rep.error) out.error = rep.error;
  const splats = attempts.flatMap((a) => a.kernelSplats ?? []);
  if (splats.length) out.kernelSplats = splats;
  if (rep.skipReason !== undefined) out.skipReason = rep.skipReason;
  if (rep.kernel !== undefined) out.kernel = rep.kernel;
  return out;
}

/**
 * Groups the runs of the same script+variant (in order of first appearance) and aggregates each
 * group with `aggregateAttempts()`. A run that appears once and has no `attempts` is returned as
 * is (no `attempts`/`passRate`), so this is a no-op without `--repeat`; already aggregated
 * results are flattened, so it is idempotent.
 */
export function aggregateRepeats(results: readonly RunResult[]): RunResult[] {
  const groups = new Map<string, RunResult[]>();
  for (const r of results) {
    const k = runKey(r);
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(r);
  }
  return [...groups.values()].map((g) => {
    if (g.length === 1 && !g[0]!.attempts) return g[0]!;
    return aggregateAttempts(g[0]!, g.flatMap(attemptsOf));
  });
}
