// Watches the kernel log during `tsdrill run` and gives each run the splats logged while it was
// in flight. The log is read at every run's start and end (and every 250 ms between), so the
// records of one read were all logged while the same set of runs was in flight: with parallel
// runs a splat goes to each of them, saying which others were there too.
import { basename } from 'node:path';
import { KmsgReader, type KmsgBatch } from '../src/kernel/kmsg.js';
import { kernelRecord, SplatRecognizer, type Splat } from '../src/kernel/splat.js';
import type { KernelSplat, RunResult } from '../src/report/result.js';

/** tsdrill's own test sets it to admit its fake splat (see kernelRecord()). */
export const SELFTEST_TAG_ENV = 'TSDRILL_KMSG_SELFTEST_TAG';

const POLL_MS = 250;
/** At a run's end, how long a splat still being logged is waited for. */
const SETTLE_MS = 25;
const SETTLE_TRIES = 8;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Where the records come from: a KmsgReader, or a fake in tests. */
export interface KernelLogSource {
  read(): KmsgBatch;
  close(): void;
}

export class KernelLogWatch {
  readonly #reader: KernelLogSource;
  readonly #recognizer = new SplatRecognizer();
  readonly #selftestTag: string | undefined;
  readonly #inFlight = new Set<string>();
  /** Runs in flight at any read during the splat in progress. */
  #pendingRuns = new Set<string>();
  readonly #byRun = new Map<string, KernelSplat[]>();
  readonly #outside: Splat[] = [];
  readonly #timer: NodeJS.Timeout;
  /** Records the ring buffer overwrote before we read them. */
  lost = 0;

  constructor(reader: KernelLogSource, selftestTag?: string) {
    this.#reader = reader;
    this.#selftestTag = selftestTag;
    this.#timer = setInterval(() => this.#poll(), POLL_MS);
    this.#timer.unref();
  }

  /** Starts watching /dev/kmsg (or `path`); returns why not when it cannot be read. */
  static start(opts: { path?: string; selftestTag?: string } = {}): KernelLogWatch | { unavailable: string } {
    try {
      return new KernelLogWatch(KmsgReader.open(opts.path), opts.selftestTag || undefined);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      return { unavailable: `cannot read ${opts.path ?? '/dev/kmsg'}: ${err.code ?? err.message}` };
    }
  }

  /** A run starts (`run` names it in reports: `script variant`). */
  async begin(run: string): Promise<void> {
    await this.#settle();
    this.#inFlight.add(run);
  }

  /** A run ended: the splats logged while it was in flight. */
  async end(run: string): Promise<KernelSplat[]> {
    await this.#settle();
    this.#inFlight.delete(run);
    const splats = this.#byRun.get(run) ?? [];
    this.#byRun.delete(run);
    return splats;
  }

  /** Stops watching; returns the splats logged while no run was in flight. */
  close(): Splat[] {
    clearInterval(this.#timer);
    this.#poll();
    this.#attribute(this.#recognizer.flush());
    this.#reader.close();
    return this.#outside;
  }

  /**
   * Reads the log, and ends the splat being logged, if any, before the set of runs in flight
   * changes: it waits while records keep coming (another CPU may still be printing it).
   */
  async #settle(): Promise<void> {
    this.#poll();
    for (let i = 0; i < SETTLE_TRIES && this.#recognizer.inSplat; i++) {
      await sleep(SETTLE_MS);
      if (this.#poll() === 0) break;
    }
    this.#attribute(this.#recognizer.flush());
  }

  /** Reads what was logged since the last read; returns the number of records. */
  #poll(): number {
    const batch = this.#reader.read();
    this.lost += batch.lost;
    for (const raw of batch.records) {
      const r = kernelRecord(raw, this.#selftestTag);
      if (r) this.#attribute(this.#recognizer.push(r));
    }
    if (this.#recognizer.inSplat) for (const run of this.#inFlight) this.#pendingRuns.add(run);
    return batch.records.length;
  }

  #attribute(splats: Splat[]): void {
    if (splats.length === 0) return;
    const runs = new Set([...this.#pendingRuns, ...this.#inFlight]);
    this.#pendingRuns = new Set();
    for (const s of splats) {
      if (runs.size === 0) this.#outside.push(s);
      for (const run of runs) {
        const list = this.#byRun.get(run) ?? [];
        list.push({ ...s, inFlight: [...runs].filter((x) => x !== run) });
        this.#byRun.set(run, list);
      }
    }
  }
}

/**
 * The watch of a `tsdrill run` (or undefined, after saying why on `warn`), admitting the test
 * suite's fake splat when its tag is in the environment.
 */
export function watchKernelLog(warn: (line: string) => void, env: NodeJS.ProcessEnv = process.env): KernelLogWatch | undefined {
  const w = KernelLogWatch.start({ selftestTag: env[SELFTEST_TAG_ENV] });
  if (w instanceof KernelLogWatch) return w;
  warn(`tsdrill: not watching the kernel log for splats: ${w.unavailable}`);
  return undefined;
}

/** Says what the watch saw outside any run, when it ends. */
export function reportUnattributed(watch: KernelLogWatch | undefined, warn: (text: string) => void): void {
  if (!watch) return;
  for (const s of watch.close()) warn(`tsdrill: kernel ${s.kind} logged while no run was in flight:\n${s.text}`);
  if (watch.lost) warn(`tsdrill: ${watch.lost} kernel log records were overwritten before they could be read`);
}

/**
 * The run's result with the splats logged during it: they fail a run that passed or was
 * skipped; a run that failed already keeps its own error, and its splats are reported beside it.
 */
export function withKernelSplats(r: RunResult, splats: readonly KernelSplat[]): RunResult {
  if (splats.length === 0) return r;
  const out: RunResult = { ...r, kernelSplats: [...splats] };
  if (r.verdict !== 'pass' && r.verdict !== 'skip') return out;
  const first = splats[0]!;
  const more = splats.length > 1 ? ` (and ${splats.length - 1} more)` : '';
  const message = `kernel splat while the run was in flight: ${first.title}${more}`;
  const notes = splats.map((s) => {
    const which = splats.length > 1 ? `${s.kind}: ` : '';
    const n = s.inFlight.length;
    if (n === 0) return `= ${which}no other run was in flight`;
    return `= ${which}${n} other run${n === 1 ? ' was' : 's were'} in flight, it may come from any of them: ${s.inFlight.join(', ')}`;
  });
  out.verdict = 'fail';
  delete out.skipReason;
  out.error = {
    message,
    kind: 'kernel-splat',
    file: r.script,
    framed: [`error: ${message}`, ...notes.map((n) => `  ${n}`)].join('\n'),
    legacy: `${basename(r.script)}: kernel splat: ${first.title}`,
  };
  return out;
}
