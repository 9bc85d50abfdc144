import type { Flag, IpVersion } from '../interpreter/config.js';

/** What the runner asks a run process to run (one JSON line on its stdin). */
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

/** Prefix of the stdout line that carries a job's RunResult as JSON. */
export const RESULT_MARKER = '@@tsdrill-result@@';
/** The stdout line a run process prints when it can take a job. */
export const READY_MARKER = '@@tsdrill-ready@@';
