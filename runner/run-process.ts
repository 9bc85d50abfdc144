import { execa, type ResultPromise } from 'execa';
import { fileURLToPath } from 'node:url';
import { RESULT_MARKER } from '../src/cli/job.js';
import type { RunResult } from '../src/report/result.js';

const childEntry = fileURLToPath(new URL('../src/cli/child.js', import.meta.url));

/** How a run process ended, as far as the runner saw it. */
export interface ProcessOutcome {
  /** The child's RunResult, if it printed one. */
  result?: RunResult;
  stderr: string;
  exitCode?: number;
  signal?: string;
}

/**
 * One run process: `unshare -n -- node child.js`, started before its job is known so that
 * node's start-up, module loading and thread start-up (~0.25 s) overlap the previous run. It
 * lives in a network namespace of its own and in a process group of its own: a timeout or
 * Ctrl-C kills it and every command it started (a script's `sleep` would otherwise outlive it).
 */
export class RunProcess {
  private readonly child: ResultPromise;
  private stdout = '';
  private stderr = '';
  private resultLine: ((line: string) => void) | undefined;
  /** Settles when the process has exited (never rejects). */
  readonly exited: Promise<{ exitCode?: number; signal?: string }>;

  constructor(currentNetns: boolean) {
    // --expose-gc: the run collects its set-up garbage before the script clock starts.
    const node = [process.execPath, '--expose-gc', childEntry];
    const [file, ...args] = currentNetns ? node : ['unshare', '-n', '--', ...node];
    this.child = execa(file!, args, { reject: false, stdin: 'pipe', buffer: false, detached: true });
    this.child.stdout!.on('data', (chunk: Buffer) => {
      this.stdout += chunk.toString('utf8');
      const at = this.stdout.indexOf(RESULT_MARKER);
      const end = this.stdout.indexOf('\n', at);
      if (at >= 0 && end >= 0) this.resultLine?.(this.stdout.slice(at + RESULT_MARKER.length, end));
    });
    this.child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
    // A spare that is never used gets its stdin closed; EPIPE there is not an error.
    this.child.stdin!.on('error', () => undefined);
    this.exited = this.child.then((r) => ({ exitCode: r.exitCode, signal: r.signal }));
  }

  /**
   * Hands the job to the process and resolves with its result line as soon as it is printed:
   * the process then exits on its own (the kernel takes its TUN device and namespace down),
   * and the runner need not wait for that.
   */
  run(job: unknown): Promise<ProcessOutcome> {
    const printed = new Promise<string>((resolve) => (this.resultLine = resolve));
    this.child.stdin!.end(`${JSON.stringify(job)}\n`);
    return Promise.race([
      printed.then((line) => ({ result: JSON.parse(line) as RunResult, stderr: this.stderr })),
      // stdout may still hold the result line when the exit is seen: read it after the streams end.
      this.exited.then(async (how) => {
        await new Promise((r) => setImmediate(r));
        const line = this.stdout.split('\n').find((l) => l.startsWith(RESULT_MARKER));
        return { ...how, stderr: this.stderr, result: line ? (JSON.parse(line.slice(RESULT_MARKER.length)) as RunResult) : undefined };
      }),
    ]);
  }

  /** Kills the process and everything it started. */
  kill(): void {
    try {
      if (this.child.pid) process.kill(-this.child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }

  /** A spare that was not needed: closing stdin makes it exit. */
  discard(): void {
    this.child.stdin!.end();
  }
}

/**
 * Keeps two run processes per job slot started ahead of need (a run shorter than a process's
 * start-up, ~0.3 s, would otherwise wait for its successor), never more than the runs still to
 * come. take() returns a started process and starts its replacement.
 */
export class RunProcessPool {
  private readonly ready: RunProcess[] = [];
  private readonly all = new Set<RunProcess>();
  private toStart: number;

  constructor(
    private readonly opts: { jobs: number; runs: number; currentNetns: boolean },
  ) {
    this.toStart = opts.runs;
    for (let i = 0; i < 2 * opts.jobs; i++) this.startOne();
  }

  private startOne(): void {
    if (this.toStart <= 0) return;
    this.toStart--;
    const p = new RunProcess(this.opts.currentNetns);
    this.all.add(p);
    void p.exited.then(() => this.all.delete(p));
    this.ready.push(p);
  }

  take(): RunProcess {
    if (this.ready.length === 0) {
      this.toStart++;
      this.startOne();
    }
    const p = this.ready.shift()!;
    this.startOne();
    return p;
  }

  /** Kills every process still running (Ctrl-C). */
  killAll(): void {
    for (const p of this.all) p.kill();
  }

  /** Ends unused spares and waits for every process to be gone; kills what lingers. */
  async close(graceMs = 5000): Promise<void> {
    for (const p of this.ready.splice(0)) p.discard();
    const timer = setTimeout(() => this.killAll(), graceMs);
    await Promise.all([...this.all].map((p) => p.exited));
    clearTimeout(timer);
  }
}
