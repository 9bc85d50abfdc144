import { execa, type ResultPromise } from 'execa';
import { fileURLToPath } from 'node:url';
import { READY_MARKER, RESULT_MARKER } from '../src/cli/job.js';
import type { RunResult } from '../src/report/result.js';

const childEntry = fileURLToPath(new URL('../src/cli/child.js', import.meta.url));

/**
 * node's flags for run processes (the timing bench uses them too).
 * --expose-gc: each run collects garbage before its script clock starts.
 * --single-threaded-gc: the job's real-time main thread must never wait for a GC helper
 * thread (normal priority, so starved while real-time threads take the CPUs: stalls of 0.5 s).
 * --no-memory-reducer: it compacted the worker threads' heaps (24 times in 105 corpus runs:
 *   2-2.5 ms pauses after ~5 ms of marking steps; none with the flag, seen with --trace-gc).
 * (A 32 MB young generation removed the main thread's 1-3.5 ms scavenges inside runs, but the
 * rare scavenge left then took 10-20 ms: more corpus rows failed. Not used.)
 */
export const RUN_PROCESS_NODE_FLAGS = ['--expose-gc', '--single-threaded-gc', '--no-memory-reducer'];

/** How one job ended, as far as the runner saw it. */
export interface ProcessOutcome {
  /** The child's RunResult, if it printed one. */
  result?: RunResult;
  stderr: string;
  exitCode?: number;
  signal?: string;
}

/**
 * A run process (src/cli/child.ts): `unshare -n -- node child.js`, started before it has work
 * so that node's start-up, module loading and thread start-up (~0.3 s of CPU) are paid once
 * for up to 25 jobs, each of which gets a network namespace of its own inside. It has a process
 * group of its own: a timeout or Ctrl-C kills it and every command it started (a script's
 * `sleep` would otherwise outlive it).
 */
export class RunProcess {
  private readonly child: ResultPromise;
  private stdout = '';
  private stderr = '';
  private onResult: ((line: string) => void) | undefined;
  private onReady: (() => void) | undefined;
  /** It printed READY and has not been given a job since. */
  private ready = false;
  /** Settles when the process has exited (never rejects). */
  readonly exited: Promise<{ exitCode?: number; signal?: string }>;
  private hasExited = false;

  constructor(currentNetns: boolean) {
    const node = [process.execPath, ...RUN_PROCESS_NODE_FLAGS, childEntry, ...(currentNetns ? ['--current-netns'] : [])];
    const [file, ...args] = currentNetns ? node : ['unshare', '-n', '--', ...node];
    this.child = execa(file!, args, { reject: false, stdin: 'pipe', buffer: false, detached: true });
    this.child.stdout!.on('data', (chunk: Buffer) => this.takeLines(chunk.toString('utf8')));
    this.child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
    // A process that is never given a job gets its stdin closed; EPIPE there is not an error.
    this.child.stdin!.on('error', () => undefined);
    this.exited = this.child.then((r) => {
      this.hasExited = true;
      return { exitCode: r.exitCode, signal: r.signal };
    });
  }

  private takeLines(text: string): void {
    this.stdout += text;
    for (let nl = this.stdout.indexOf('\n'); nl >= 0; nl = this.stdout.indexOf('\n')) {
      const line = this.stdout.slice(0, nl);
      this.stdout = this.stdout.slice(nl + 1);
      if (line.startsWith(RESULT_MARKER)) this.onResult?.(line.slice(RESULT_MARKER.length));
      else if (line === READY_MARKER) {
        this.ready = true;
        this.onReady?.();
      }
    }
  }

  /** Resolves true when the process can take a job, false if it exits first. */
  whenReady(): Promise<boolean> {
    if (this.ready) return Promise.resolve(true);
    if (this.hasExited) return Promise.resolve(false);
    return Promise.race([new Promise<boolean>((resolve) => (this.onReady = () => resolve(true))), this.exited.then(() => false)]);
  }

  /** Hands the job over; resolves with its result as soon as it is printed (or with how the process ended). */
  run(job: unknown): Promise<ProcessOutcome> {
    this.ready = false;
    this.stderr = '';
    const printed = new Promise<string>((resolve) => (this.onResult = resolve));
    this.child.stdin!.write(`${JSON.stringify(job)}\n`);
    return Promise.race([
      printed.then((line) => ({ result: JSON.parse(line) as RunResult, stderr: this.stderr })),
      // stdout may still hold the result line when the exit is seen: let the streams finish.
      this.exited.then(async (how) => {
        await new Promise((r) => setImmediate(r));
        return { ...how, stderr: this.stderr };
      }),
    ]).finally(() => (this.onResult = undefined));
  }

  /** Kills the process and everything it started. */
  kill(): void {
    try {
      if (this.child.pid) process.kill(-this.child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }

  /** No more jobs: closing stdin makes it exit. */
  end(): void {
    this.child.stdin!.end();
  }
}

/**
 * The run processes of one `tsdrill run` or corpus run: two per job slot (one runs while the
 * other cleans up after its last job or starts), never more than there are runs. A process
 * that exits (after its last job, a crash or a kill) is replaced while runs remain.
 */
export class RunProcessPool {
  private readonly idle: RunProcess[] = [];
  private readonly all = new Set<RunProcess>();
  private readonly waiters: ((p: RunProcess) => void)[] = [];
  private runsLeft: number;
  private closed = false;

  constructor(private readonly opts: { jobs: number; runs: number; currentNetns: boolean }) {
    this.runsLeft = opts.runs;
    for (let i = 0; i < Math.min(2 * opts.jobs, opts.runs); i++) this.start();
  }

  private start(): void {
    const p = new RunProcess(this.opts.currentNetns);
    this.all.add(p);
    void p.exited.then(() => {
      this.all.delete(p);
      const i = this.idle.indexOf(p);
      if (i >= 0) this.idle.splice(i, 1);
      if (!this.closed && (this.waiters.length > 0 || this.all.size < Math.min(2 * this.opts.jobs, this.runsLeft))) this.start();
    });
    void p.whenReady().then((ready) => ready && this.offer(p));
  }

  private offer(p: RunProcess): void {
    if (this.closed) return p.end();
    const waiter = this.waiters.shift();
    if (waiter) waiter(p);
    else this.idle.push(p);
  }

  /** A process ready for a job (waits for one to finish starting or cleaning up). */
  take(): Promise<RunProcess> {
    this.runsLeft--;
    const p = this.idle.shift();
    if (p) return Promise.resolve(p);
    if (this.all.size === 0) this.start();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** After its job: the process comes back once it says it is ready again (or is replaced). */
  giveBack(p: RunProcess): void {
    if (this.runsLeft <= 0) return p.end();
    void p.whenReady().then((ready) => ready && this.offer(p));
  }

  /** Kills every process (Ctrl-C). */
  killAll(): void {
    this.closed = true;
    for (const p of this.all) p.kill();
  }

  /** Ends the idle processes and waits for every process to be gone; kills what lingers. */
  async close(graceMs = 5000): Promise<void> {
    this.closed = true;
    for (const p of this.idle.splice(0)) p.end();
    for (const p of this.all) p.end();
    const timer = setTimeout(() => this.killAll(), graceMs);
    await Promise.all([...this.all].map((p) => p.exited));
    clearTimeout(timer);
  }
}
