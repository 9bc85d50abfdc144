// The one result model every reporter (TAP, JUnit, JSON) reads.
import type { IpVersion } from '../interpreter/config.js';

export type Verdict = 'pass' | 'fail' | 'timeout' | 'skip' | 'error';

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
}
