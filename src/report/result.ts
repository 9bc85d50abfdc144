// The one result model every reporter (TAP, JUnit, JSON) reads.
import type { IpVersion } from '../interpreter/config.js';

/**
 * `flaky` is never produced by a single run: only `aggregateRepeats()` (src/report/flaky.ts)
 * gives it to a script+variant that both passed and failed under `--repeat N`.
 */
export type Verdict = 'pass' | 'fail' | 'timeout' | 'skip' | 'error' | 'flaky';

export interface RunError {
  /** One line: what went wrong. */
  message: string;
  /** Kind of failure: packet, timing, syscall, command, runtime, parse, setup, crash. */
  kind: string;
  file: string;
  line?: number;
  column?: number;
  /** The framed diagnostic (code frame, expected/actual, decoded packet). */
  framed: string;
  /** The reference packetdrill's one-line form: `file:line: error handling packet: ...`. */
  legacy: string;
}

/** A kernel splat (WARNING, BUG, Oops, KASAN, ...) logged while a run was in flight. */
export interface KernelSplat {
  /** `WARNING`, `BUG`, `Oops`, `KASAN`, `UBSAN`, `kmemleak`, `lockdep` or `Call Trace`. */
  kind: string;
  /** Its headline (`WARNING: CPU: 1 PID: 42 at net/mptcp/protocol.c:...`). */
  title: string;
  /** The whole splat as the kernel logged it, one line per log record. */
  text: string;
  /** The other runs in flight when it was logged (`script variant`): it may come from any of them. */
  inFlight: string[];
}

export interface RunResult {
  /** Script path as given/discovered (relative to the working directory). */
  script: string;
  variant: IpVersion;
  verdict: Verdict;
  durationMs: number;
  error?: RunError;
  warnings: string[];
  skipReason?: string;
  /** Lines of verbose output and stderr of the run. */
  log: string[];
  /** `uname -r` of the kernel the run tested (the guest's under `--kernel`). */
  kernel?: string;
  /**
   * Under `--repeat N` (set by `aggregateRepeats()`): every attempt, in run order. Absent for a
   * single run. The aggregate's `durationMs` is the sum of the attempts' durations.
   */
  attempts?: RunAttempt[];
  /** Under `--repeat N`: `k/n`, passed attempts / attempts that ran (skips excluded). */
  passRate?: string;
  /** Kernel splats logged while the run was in flight (a pass or skip then becomes a fail). */
  kernelSplats?: KernelSplat[];
}

/** One attempt of a repeated run: a RunResult without its identity and aggregate fields. */
export type RunAttempt = Omit<RunResult, 'script' | 'variant' | 'attempts' | 'passRate'>;
