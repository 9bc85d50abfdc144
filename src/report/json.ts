// results.json: the schema is documented in docs/results-schema.md (`tsdrill-results/1`).
import { aggregateRepeats } from './flaky.js';
import type { RunResult } from './result.js';
import { countVerdicts, dirKey, suiteNames, type Totals } from './suites.js';

export const RESULTS_SCHEMA = 'tsdrill-results/1';

export interface JsonMeta {
  startedAt: Date | string;
  finishedAt: Date | string;
  /** False when the run was interrupted (SIGINT/SIGTERM) before every planned run finished. */
  complete: boolean;
  /** The command line (without `node`): e.g. `['tsdrill', 'run', '-j', '4', 'scripts/']`. */
  argv: readonly string[];
  /** `uname -r` of the kernel under test. */
  kernel: string;
  /** tsdrill's version. */
  version?: string;
  /** `--repeat N` (1 when absent). */
  repeat?: number;
  /** `--strict`: flaky runs fail. */
  strict?: boolean;
  /** Number of planned runs (script × variant), when known; `runs.length` may be smaller if incomplete. */
  planned?: number;
}

export interface JsonRun extends RunResult {
  /** The directory suite the run belongs to (`mp_capable`), as in the TAP and JUnit reports. */
  suite: string;
}

export interface ResultsJson {
  schema: typeof RESULTS_SCHEMA;
  version?: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  complete: boolean;
  argv: string[];
  kernel: string;
  repeat: number;
  strict: boolean;
  planned?: number;
  /** True when no run failed (flaky counts as failed only when strict) and the run was complete. */
  ok: boolean;
  totals: Totals & { total: number };
  runs: JsonRun[];
}

const iso = (d: Date | string) => (typeof d === 'string' ? d : d.toISOString());

/** The results document as an object (repeats aggregated). */
export function buildResultsJson(results: readonly RunResult[], meta: JsonMeta): ResultsJson {
  const runs = aggregateRepeats(results);
  const names = suiteNames(runs.map((r) => r.script));
  const totals = countVerdicts(runs);
  const strict = meta.strict ?? false;
  const failing = totals.fail + totals.timeout + totals.error + (strict ? totals.flaky : 0);
  const startedAt = iso(meta.startedAt);
  const finishedAt = iso(meta.finishedAt);
  const doc: ResultsJson = {
    schema: RESULTS_SCHEMA,
    ...(meta.version !== undefined ? { version: meta.version } : {}),
    startedAt,
    finishedAt,
    durationMs: Math.max(0, Date.parse(finishedAt) - Date.parse(startedAt)) || 0,
    complete: meta.complete,
    argv: [...meta.argv],
    kernel: meta.kernel,
    repeat: meta.repeat ?? 1,
    strict,
    ...(meta.planned !== undefined ? { planned: meta.planned } : {}),
    ok: meta.complete && failing === 0,
    totals: { ...totals, total: runs.length },
    runs: runs.map((r) => ({ suite: names.get(dirKey(r.script))!, ...r })),
  };
  return doc;
}

/** results.json text (2-space indented, trailing newline). */
export function formatJson(results: readonly RunResult[], meta: JsonMeta): string {
  return JSON.stringify(buildResultsJson(results, meta), null, 2) + '\n';
}
