// Verdicts from `tsdrill run --json` documents (docs/results-schema.md), grouped by the kernel
// they were obtained on: a run's own `kernel` (uname -r), else the document's, else a label made
// from the file name (results-6.12.json -> "results-6.12").
import { basename } from 'node:path';
import type { Verdict } from '../report/result.js';

export interface ScriptVerdict {
  /** Worst verdict over the script's IP variants (see VERDICT_RANK). */
  verdict: Verdict;
  /** Variant -> verdict, as run. */
  variants: Record<string, Verdict>;
}

export interface KernelResults {
  kernel: string;
  /** Script path (normalised, see scriptKey) -> verdict. */
  scripts: Map<string, ScriptVerdict>;
}

/** Worse first: a requirement or script shows the worst verdict among its runs. */
export const VERDICT_RANK: readonly Verdict[] = ['fail', 'error', 'timeout', 'flaky', 'pass', 'skip'];

export function worse(a: Verdict, b: Verdict): Verdict {
  return VERDICT_RANK.indexOf(a) <= VERDICT_RANK.indexOf(b) ? a : b;
}

/** Scripts are matched by path with `./` and backslashes normalised. */
export function scriptKey(path: string): string {
  return path.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
}

interface JsonRun {
  script?: unknown;
  variant?: unknown;
  verdict?: unknown;
  kernel?: unknown;
}

const VERDICTS = new Set<string>(VERDICT_RANK);

/** Reads one results document into per-kernel verdicts (merged into `into`). Throws Error naming the file. */
export function addResults(into: Map<string, KernelResults>, text: string, file: string): void {
  let doc: { kernel?: unknown; runs?: unknown };
  try {
    doc = JSON.parse(text) as typeof doc;
  } catch (e) {
    throw new Error(`${file}: not JSON (${(e as Error).message})`);
  }
  if (typeof doc !== 'object' || doc === null || !Array.isArray(doc.runs)) throw new Error(`${file}: not a tsdrill results document (no "runs" list; see docs/results-schema.md)`);
  const fallback = typeof doc.kernel === 'string' && doc.kernel ? doc.kernel : basename(file).replace(/\.json$/i, '');
  (doc.runs as JsonRun[]).forEach((run, i) => {
    if (typeof run?.script !== 'string' || typeof run.verdict !== 'string' || !VERDICTS.has(run.verdict))
      throw new Error(`${file}: runs[${i}] has no script or no known verdict (${VERDICT_RANK.join(', ')})`);
    const kernel = typeof run.kernel === 'string' && run.kernel ? run.kernel : fallback;
    let k = into.get(kernel);
    if (!k) into.set(kernel, (k = { kernel, scripts: new Map() }));
    const key = scriptKey(run.script);
    const verdict = run.verdict as Verdict;
    const variant = typeof run.variant === 'string' ? run.variant : '?';
    const prev = k.scripts.get(key);
    if (!prev) k.scripts.set(key, { verdict, variants: { [variant]: verdict } });
    else {
      prev.verdict = worse(prev.verdict, verdict);
      prev.variants[variant] = prev.variants[variant] === undefined ? verdict : worse(prev.variants[variant]!, verdict);
    }
  });
}

/**
 * The verdict of `script` on one kernel: exact path first; else, when the run was made from
 * another directory (a VM's mount, CI's clone), the entry ending with the same last two path
 * components (`mp_join/server-join-handshake.pkt`), if exactly one does.
 */
export function verdictOf(k: KernelResults, script: string): ScriptVerdict | undefined {
  const key = scriptKey(script);
  const exact = k.scripts.get(key);
  if (exact) return exact;
  const tail = key.split('/').slice(-2).join('/');
  const matches = [...k.scripts].filter(([p]) => p === tail || p.endsWith(`/${tail}`));
  return matches.length === 1 ? matches[0]![1] : undefined;
}
