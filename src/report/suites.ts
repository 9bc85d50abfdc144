// Shared naming and counting for the reporters: suites (one per script directory), run names,
// and which verdicts fail a run.
import { posix, resolve } from 'node:path';
import type { RunResult, Verdict } from './result.js';

/** The identity of a run: script and IP variant (repeats of a run share it). */
export interface RunId {
  script: string;
  variant: RunResult['variant'];
}

/** Key of a run (script + variant); repeats of the same run share it. */
export function runKey(r: RunId): string {
  return `${r.script}\0${r.variant}`;
}

/** The directory a script belongs to (its parent path, `.` for none): the grouping key of a suite. */
export function dirKey(script: string): string {
  return posix.dirname(script.replace(/\\/g, '/'));
}

/**
 * The label of a directory key: its last component (`scripts/mp_capable` -> `mp_capable`). For
 * scripts named without a directory (`cd mp_capable && tsdrill run *.pkt`) it is the working
 * directory's name, as the MPTCP CI names a suite after the directory it ran.
 */
function lastComponent(key: string): string {
  const b = posix.basename(key === '.' || key === '..' ? resolve(key) : key);
  return b === '' || b === '.' || b === '..' ? 'root' : b;
}

/**
 * Suite names for a set of scripts: directory key -> name. The name is the parent directory's
 * name (`scripts/mp_capable/x.pkt` -> `mp_capable`); when two different directories share that
 * name (`a/x`, `b/x`), both use their whole path instead, so suites never merge.
 */
export function suiteNames(scripts: Iterable<string>): Map<string, string> {
  const byLabel = new Map<string, Set<string>>();
  for (const s of scripts) {
    const k = dirKey(s);
    const l = lastComponent(k);
    if (!byLabel.has(l)) byLabel.set(l, new Set());
    byLabel.get(l)!.add(k);
  }
  const names = new Map<string, string>();
  for (const [label, keys] of byLabel) {
    for (const k of keys) names.set(k, keys.size === 1 ? label : k.replace(/^\.\//, '').replace(/^\/+/, '') || label);
  }
  return names;
}

/** Display name of a run inside its suite: `<suite>/<file> <variant>` (`mp_capable/client.pkt ipv6`). */
export function runName(r: RunId, suite: string): string {
  return `${suite}/${posix.basename(r.script.replace(/\\/g, '/'))} ${r.variant}`;
}

/** Does this verdict fail the run? `flaky` does only under `--strict`. */
export function isFailing(v: Verdict, strict = false): boolean {
  return v === 'fail' || v === 'timeout' || v === 'error' || (strict && v === 'flaky');
}

export interface Totals {
  pass: number;
  fail: number;
  flaky: number;
  skip: number;
  timeout: number;
  error: number;
}

/** Counts of each verdict. */
export function countVerdicts(results: readonly RunResult[]): Totals {
  const t: Totals = { pass: 0, fail: 0, flaky: 0, skip: 0, timeout: 0, error: 0 };
  for (const r of results) t[r.verdict]++;
  return t;
}

export interface Suite {
  /** Directory key (parent path of the scripts). */
  key: string;
  /** Display name (`mp_capable`). */
  name: string;
  results: RunResult[];
}

/** Groups results by directory, in order of first appearance. */
export function groupBySuite(results: readonly RunResult[]): Suite[] {
  const names = suiteNames(results.map((r) => r.script));
  const suites = new Map<string, Suite>();
  for (const r of results) {
    const key = dirKey(r.script);
    if (!suites.has(key)) suites.set(key, { key, name: names.get(key)!, results: [] });
    suites.get(key)!.results.push(r);
  }
  return [...suites.values()];
}

/** `file:line:col` of an error, or just the file when it has no line. */
export function errorAt(e: { file: string; line?: number; column?: number }): string {
  if (e.line === undefined) return e.file;
  return e.column === undefined ? `${e.file}:${e.line}` : `${e.file}:${e.line}:${e.column}`;
}

/**
 * Text safe for YAML/XML/a terminal: ANSI escape sequences removed, `\r\n`/`\r` made `\n`, other
 * control characters (but tab and newline) replaced by U+FFFD.
 */
export function printable(text: string): string {
  return text
    .replace(/\x1b\[[0-?]*[ -/]*[@-~]/g, '')
    .replace(/\r\n?/g, '\n')
    .replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '\ufffd');
}

/**
 * The kernel splats of a run as one text for a report: each splat whole, after a line that says
 * what it is and which other runs were in flight. '' when there are none.
 */
export function kernelSplatsText(r: Pick<RunResult, 'kernelSplats'>): string {
  return (r.kernelSplats ?? [])
    .map((s) => {
      const others = s.inFlight.length ? `; also in flight: ${s.inFlight.join(', ')}` : '';
      return `--- kernel ${s.kind} while the run was in flight${others}\n${s.text}`;
    })
    .join('\n');
}
