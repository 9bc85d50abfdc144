// TAP 13 in the shape of the kernel selftests / MPTCP CI: one subtest per script directory, one
// test point per run inside it, then one directory line `ok N test: packetdrill_<dir>`.
//
//   TAP version 13
//   1..2
//   # Subtest: mp_capable
//       1..2
//       ok 1 - mp_capable/client.pkt ipv4 # time=12ms
//       not ok 2 - mp_capable/client.pkt ipv6 # time=40ms
//         ---
//         message: "..."
//         ...
//   not ok 1 test: packetdrill_mp_capable
//   ...
import { aggregateAttempts, aggregateRepeats, attemptsOf } from './flaky.js';
import type { RunAttempt, RunResult } from './result.js';
import { countVerdicts, dirKey, errorAt, isFailing, printable, runKey, runName, suiteNames, type RunId } from './suites.js';

export interface TapOptions {
  /** `--strict`: a flaky run fails (`not ok`) and fails its directory. */
  strict?: boolean;
  /**
   * How a (non-strict) flaky run is marked on its `ok` line:
   * - `todo` (default): `ok N - name # TODO flaky (passed 3/5)`;
   * - `ignore`: `ok N - name # IGNORE flaky (passed 3/5)`, the words the kernel's
   *   net/mptcp/mptcp_lib.sh prints for a subtest it knows to be flaky (not a TAP directive, so a
   *   TAP parser sees a plain pass and does not count it as todo).
   *
   * Why `# TODO` and not `# SKIP`: both are non-failing in TAP, but SKIP means "did not run",
   * which is false (it ran, n times) and which some CIs (kselftest/NIPA style consumers) count or
   * even flag as a problem; TODO means "ran, known not to be reliable yet" and a `# TODO` point is
   * never a failure whether it says ok or not ok. We print `ok` (not `not ok # TODO`) so that a
   * consumer that does not understand TODO still sees a non-failure, while tap-parser and other
   * TAP 13 consumers count it as a todo and can list it.
   */
  flakyDirective?: 'todo' | 'ignore';
}

/**
 * A multi-line YAML value for a TAP diagnostic: a literal block scalar (readable in a log), or a
 * double-quoted string when a block would not round-trip (trailing white space, which TAP
 * parsers trim from lines, or a trailing newline, which `|-` chomps).
 */
function yamlBlock(key: string, text: string, indent: string): string[] {
  const clean = printable(text);
  const lines = clean.split('\n');
  if (clean.endsWith('\n') || lines.some((l) => l !== l.trimEnd())) return [`${indent}${key}: ${JSON.stringify(clean)}`];
  // YAML guesses the indentation from the first non-blank line: if that one starts with white
  // space (a code frame's gutter), say it explicitly.
  const first = lines.find((l) => l !== '') ?? '';
  const head = /^\s/.test(first) ? '|2-' : '|-';
  return [`${indent}${key}: ${head}`, ...lines.map((l) => (l === '' ? '' : `${indent}  ${l}`))];
}

/** A TAP description: one line, `#` escaped (it would start a directive), no leading digits confusion. */
function tapText(s: string): string {
  return printable(s).replace(/\n/g, ' ').replace(/\\/g, '\\\\').replace(/#/g, '\\#');
}

/** The text of a directive's reason: one line, no `#`. */
function reasonText(s: string): string {
  return printable(s).replace(/\n/g, ' ').replace(/#/g, '').trim();
}

function q(s: string): string {
  return JSON.stringify(printable(s));
}

function errorYaml(e: RunResult['error'] & object, indent: string): string[] {
  const lines = [`${indent}message: ${q(e.message)}`, `${indent}severity: fail`, `${indent}kind: ${q(e.kind)}`];
  if (e.line !== undefined) lines.push(`${indent}at: ${q(errorAt(e))}`);
  lines.push(...yamlBlock('legacy', e.legacy, indent));
  lines.push(...yamlBlock('diagnostic', e.framed, indent));
  return lines;
}

/** `kernel_splats:` as a YAML list, each splat's text a literal block. */
function kernelSplatsYaml(r: RunResult, indent: string): string[] {
  if (!r.kernelSplats?.length) return [];
  const lines = [`${indent}kernel_splats:`];
  for (const s of r.kernelSplats) {
    lines.push(`${indent}  - kind: ${q(s.kind)}`, `${indent}    title: ${q(s.title)}`);
    if (s.inFlight.length) lines.push(`${indent}    in_flight: [${s.inFlight.map(q).join(', ')}]`);
    lines.push(...yamlBlock('text', s.text, `${indent}    `));
  }
  return lines;
}

function attemptLine(a: RunAttempt, i: number): string {
  const what = a.error ? `${a.verdict}: ${a.error.message}${a.error.line !== undefined ? ` (${errorAt(a.error)})` : ''}` : a.verdict;
  return `attempt ${i + 1}: ${what}`;
}

/**
 * One TAP test point (and its YAML diagnostic when it failed or was flaky). `name` defaults to
 * `<script> <variant>`.
 */
export function tapTestPoint(id: number, r: RunResult, indent = '', opts: TapOptions & { name?: string } = {}): string[] {
  const name = tapText(opts.name ?? `${r.script} ${r.variant}`);
  const time = ` # time=${Math.round(r.durationMs)}ms`;
  const y = `${indent}  `;
  if (r.verdict === 'skip') return [`${indent}ok ${id} - ${name} # SKIP ${reasonText(r.skipReason ?? '')}`.trimEnd()];
  if (r.verdict === 'pass') return [`${indent}ok ${id} - ${name}${time}`];
  if (r.verdict === 'flaky' && !opts.strict) {
    const rate = `passed ${r.passRate ?? '?'}`;
    const directive = opts.flakyDirective === 'ignore' ? `# IGNORE flaky (${rate})` : `# TODO flaky (${rate})`;
    const lines = [`${indent}ok ${id} - ${name} ${directive}`, `${y}---`, `${y}message: ${q(`flaky: ${rate}`)}`, `${y}severity: todo`];
    if (r.attempts?.length) lines.push(`${y}attempts:`, ...r.attempts.map((a, i) => `${y}  - ${q(attemptLine(a, i))}`));
    if (r.error) {
      if (r.error.line !== undefined) lines.push(`${y}at: ${q(errorAt(r.error))}`);
      lines.push(...yamlBlock('diagnostic', r.error.framed, y));
    }
    lines.push(...kernelSplatsYaml(r, y));
    lines.push(`${y}...`);
    return lines;
  }
  const suffix = r.verdict === 'timeout' ? ' # timeout' : r.verdict === 'flaky' ? ` # flaky (passed ${r.passRate ?? '?'})` : time;
  const lines = [`${indent}not ok ${id} - ${name}${suffix}`, `${y}---`];
  if (r.error) lines.push(...errorYaml(r.error, y));
  else lines.push(`${y}message: ${q(r.verdict)}`, `${y}severity: fail`);
  if (r.attempts && r.attempts.length > 1) lines.push(`${y}attempts:`, ...r.attempts.map((a, i) => `${y}  - ${q(attemptLine(a, i))}`));
  lines.push(...kernelSplatsYaml(r, y));
  lines.push(`${y}...`);
  return lines;
}

interface DirState {
  key: string;
  name: string;
  /** Run keys in plan order, with the number of attempts expected for each. */
  runs: { id: RunId; key: string; expected: number }[];
  expected: number;
  received: RunResult[];
}

export interface TapFinishOptions {
  /** The run was interrupted (SIGINT/SIGTERM): runs without a result are `not ok ... # interrupted`. */
  interrupted?: boolean;
}

/**
 * Streaming TAP: knows the planned runs up front, takes results one at a time in any order, and
 * returns each directory's block as soon as all its runs are done, keeping directory order (a
 * finished directory waits for the directories planned before it). Inside a directory, runs are
 * numbered in plan order. Repeats (`--repeat N`) of a run are aggregated with
 * `aggregateAttempts()` into one test point (pass, fail or flaky).
 *
 * ```ts
 * const tap = new TapSuiteStream(jobs, { repeat: args.repeat, strict: args.strict });
 * out(tap.header());
 * ... for each result: out(tap.add(result));   // '' until a directory is complete
 * out(tap.finish({ interrupted: aborted }));
 * ```
 */
export class TapSuiteStream {
  readonly #dirs: DirState[] = [];
  readonly #byRun = new Map<string, DirState>();
  readonly #opts: TapOptions;
  #next = 0;
  #finished = false;
  readonly #all: RunResult[] = [];

  /**
   * @param planned every planned run: either each (script, variant) once with `repeat` = N, or
   *   one entry per attempt (duplicates) with `repeat` 1; the expected number of results of a run
   *   is (its entries) × repeat. Directories and runs are ordered by first appearance.
   */
  constructor(planned: readonly RunId[], opts: TapOptions & { repeat?: number } = {}) {
    this.#opts = opts;
    const repeat = Math.max(1, Math.floor(opts.repeat ?? 1));
    const names = suiteNames(planned.map((p) => p.script));
    const byDir = new Map<string, DirState>();
    for (const p of planned) {
      const dk = dirKey(p.script);
      let d = byDir.get(dk);
      if (!d) {
        d = { key: dk, name: names.get(dk)!, runs: [], expected: 0, received: [] };
        byDir.set(dk, d);
        this.#dirs.push(d);
      }
      const k = runKey(p);
      let run = d.runs.find((r) => r.key === k);
      if (!run) {
        run = { id: { script: p.script, variant: p.variant }, key: k, expected: 0 };
        d.runs.push(run);
        this.#byRun.set(k, d);
      }
      run.expected += repeat;
      d.expected += repeat;
    }
  }

  /** `TAP version 13` and the plan (one test point per directory). */
  header(): string {
    return `TAP version 13\n1..${this.#dirs.length}\n`;
  }

  /**
   * Records a result; returns the text of every directory completed by it (and of the completed
   * directories that were waiting for it), or '' if there is nothing to print yet.
   * @throws if the run was not planned, or more results arrive for it than planned.
   */
  add(r: RunResult): string {
    if (this.#finished) throw new Error('TapSuiteStream: add() after finish()');
    const d = this.#byRun.get(runKey(r));
    if (!d) throw new Error(`TapSuiteStream: unplanned run ${r.script} ${r.variant}`);
    const k = runKey(r);
    const got = d.received.filter((x) => runKey(x) === k).length;
    if (got >= d.runs.find((x) => x.key === k)!.expected) throw new Error(`TapSuiteStream: too many results for ${r.script} ${r.variant}`);
    d.received.push(r);
    this.#all.push(r);
    let out = '';
    while (this.#next < this.#dirs.length && this.#dirs[this.#next]!.received.length === this.#dirs[this.#next]!.expected) {
      out += this.#emit(this.#dirs[this.#next]!, this.#next + 1, {});
      this.#next++;
    }
    return out;
  }

  /**
   * Returns the remaining directories (incomplete ones with `not ok` points for the runs that have
   * no result) and a closing `# ...` totals comment. Call once.
   */
  finish(opts: TapFinishOptions = {}): string {
    if (this.#finished) return '';
    this.#finished = true;
    let out = '';
    for (; this.#next < this.#dirs.length; this.#next++) out += this.#emit(this.#dirs[this.#next]!, this.#next + 1, opts);
    const results = aggregateRepeats(this.#all);
    const t = countVerdicts(results);
    const missing = this.#dirs.reduce((n, d) => n + d.runs.filter((run) => !d.received.some((x) => runKey(x) === run.key)).length, 0);
    out += `# pass ${t.pass}, fail ${t.fail}, flaky ${t.flaky}, skip ${t.skip}, timeout ${t.timeout}, error ${t.error}`;
    out += missing ? `, not run ${missing}${opts.interrupted ? ' (interrupted)' : ''}\n` : '\n';
    return out;
  }

  /** True while no directory emitted so far (or to be emitted) has failed. */
  get ok(): boolean {
    return !aggregateRepeats(this.#all).some((r) => isFailing(r.verdict, this.#opts.strict));
  }

  #emit(d: DirState, n: number, fin: TapFinishOptions): string {
    const lines = [`# Subtest: ${d.name}`, `    1..${d.runs.length}`];
    let failed = false;
    let ran = 0;
    d.runs.forEach((run, i) => {
      const name = runName(run.id, d.name);
      const attempts = d.received.filter((x) => runKey(x) === run.key);
      if (attempts.length === 0) {
        failed = true;
        const why = fin.interrupted ? 'interrupted' : 'no result';
        lines.push(`    not ok ${i + 1} - ${tapText(name)} # ${why}`, '      ---', `      message: ${q(`not run: ${fin.interrupted ? 'the run was interrupted' : 'no result was recorded'}`)}`, '      severity: fail', '      ...');
        return;
      }
      const r = attempts.length === 1 && run.expected === 1 ? attempts[0]! : aggregateAttempts(run.id, attempts.flatMap(attemptsOf));
      if (r.verdict !== 'skip') ran++;
      if (isFailing(r.verdict, this.#opts.strict)) failed = true;
      lines.push(...tapTestPoint(i + 1, r, '    ', { ...this.#opts, name }));
    });
    const dirName = `test: packetdrill_${tapText(d.name)}`;
    if (failed) lines.push(`not ok ${n} ${dirName}`);
    else if (ran === 0) lines.push(`ok ${n} ${dirName} # SKIP all runs skipped`);
    else lines.push(`ok ${n} ${dirName}`);
    return lines.join('\n') + '\n';
  }
}

/**
 * A whole TAP 13 document, one subtest per directory (see `TapSuiteStream`). Repeated runs of a
 * script+variant are aggregated (flaky detection); directories and runs keep the order of their
 * first appearance in `results`.
 */
export function formatTapSuite(results: readonly RunResult[], opts: TapOptions & TapFinishOptions = {}): string {
  const expanded = results.flatMap((r) => (r.attempts ? r.attempts.map(() => r) : [r]));
  const stream = new TapSuiteStream(expanded, { ...opts, repeat: 1 });
  let out = stream.header();
  // Already aggregated results count for all their attempts at once.
  for (const r of results) {
    if (!r.attempts) {
      out += stream.add(r);
      continue;
    }
    for (const a of r.attempts) out += stream.add({ ...a, script: r.script, variant: r.variant });
  }
  return out + stream.finish(opts);
}
