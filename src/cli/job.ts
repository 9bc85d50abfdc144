import type { Flag, IpVersion } from '../interpreter/config.js';

/** What the runner asks one child process to run (passed as JSON in TSDRILL_JOB). */
export interface ChildJob {
  file: string;
  /** Script path as the user named it (for reports). */
  display: string;
  variant: IpVersion;
  flags: Flag[];
  /** Multiplies the run's timing tolerance (CI on slow or debug kernels). */
  toleranceScale: number;
  /** Write the run's tun0 traffic here (a pcap file path) when it fails, or always with 'all'. */
  pcap?: { path: string; mode: 'fail' | 'all' };
}

/** Prefix of the one stdout line that carries the child's RunResult as JSON. */
export const RESULT_MARKER = '@@tsdrill-result@@';
