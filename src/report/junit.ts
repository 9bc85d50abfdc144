// JUnit XML (Jenkins/GitLab/GitHub flavour): one <testsuite> per script directory, one
// <testcase> per run.
import { createRequire } from 'node:module';
import type { Builder } from 'junit-report-builder';
import { aggregateRepeats } from './flaky.js';
import type { RunResult } from './result.js';
import { errorAt, groupBySuite, kernelSplatsText, printable, runName } from './suites.js';

export interface JunitOptions {
  /** The run was interrupted: every suite gets `<property name="incomplete" value="true"/>`. */
  incomplete?: boolean;
  /** `--strict`: a flaky run is a <failure>. */
  strict?: boolean;
  /** Timestamp of the suites (the run's start). */
  timestamp?: Date;
  /** Name of the root <testsuites>. Default `tsdrill`. */
  name?: string;
}

// The package is CommonJS whose module.exports is the builder; its types declare an ES default
// export, which NodeNext resolution types as the namespace. require() gives the builder itself.
const builder = createRequire(import.meta.url)('junit-report-builder') as Builder;

const seconds = (ms: number) => Math.round(ms) / 1000;

/**
 * JUnit XML for the results (repeats are aggregated first):
 * - `<testsuite name="packetdrill_<dir>">`, `<testcase name="<dir>/<file> <variant>"
 *   classname="packetdrill_<dir>" file="<script>" time="<seconds>">`;
 * - fail/timeout: `<failure message="one-line message" type="<kind>">framed diagnostic</failure>`;
 *   error (crash, setup): `<error message=... type=...>framed</error>`;
 * - skip: `<skipped/>` (reason in system-out);
 * - kernel splats: in the <failure> they caused (`type="kernel-splat"`), else in system-out;
 * - flaky (unless strict): passes, with properties `flaky=true`, `passRate=k/n` and the failed
 *   attempts' diagnostics in system-out; with `strict` it is a <failure type="flaky">;
 * - warnings and the run's log go to system-err.
 */
export function formatJunit(results: readonly RunResult[], opts: JunitOptions = {}): string {
  const b = builder.newBuilder().name(opts.name ?? 'tsdrill');
  for (const suite of groupBySuite(aggregateRepeats(results))) {
    const ts = b.testSuite().name(`packetdrill_${suite.name}`);
    ts.time(seconds(suite.results.reduce((s, r) => s + r.durationMs, 0)));
    if (opts.timestamp) ts.timestamp(opts.timestamp);
    if (opts.incomplete) ts.property('incomplete', 'true').property('incompleteReason', 'the run was interrupted before every script finished');
    for (const r of suite.results) {
      const tc = ts.testCase().className(`packetdrill_${suite.name}`).name(runName(r, suite.name)).file(r.script).time(seconds(r.durationMs));
      if (r.passRate !== undefined) tc.property('passRate', r.passRate);
      const out: string[] = [];
      const e = r.error;
      // The splat text goes with the failure it caused, else beside the run's own failure.
      const splats = kernelSplatsText(r);
      const splatFailure = e?.kind === 'kernel-splat';
      switch (r.verdict) {
        case 'pass':
          break;
        case 'skip':
          tc.skipped();
          if (r.skipReason) out.push(`skipped: ${r.skipReason}`);
          break;
        case 'fail':
        case 'timeout':
          tc.failure(printable(e?.message ?? r.verdict), r.verdict === 'timeout' ? 'timeout' : e?.kind ?? 'fail');
          if (e) tc.stacktrace(printable(splatFailure ? `${e.framed}\n${splats}` : e.framed));
          break;
        case 'error':
          tc.error(printable(e?.message ?? 'error'), e?.kind ?? 'error', e ? printable(e.framed) : undefined);
          break;
        case 'flaky':
          tc.property('flaky', 'true');
          if (opts.strict) {
            tc.failure(printable(`flaky: passed ${r.passRate ?? '?'}${e ? `; ${e.message}` : ''}`), 'flaky');
            if (e) tc.stacktrace(printable(e.framed));
          } else {
            out.push(`flaky: passed ${r.passRate ?? '?'}`);
          }
          (r.attempts ?? []).forEach((a, i) => {
            if (!a.error) return;
            out.push(`--- attempt ${i + 1}: ${a.verdict}${a.error.line !== undefined ? ` at ${errorAt(a.error)}` : ''}`, a.error.framed);
          });
          break;
      }
      if (splats && !splatFailure) out.push(splats);
      if (out.length) tc.standardOutput(printable(out.join('\n')));
      const err = [...r.warnings.map((w) => `warning: ${w}`), ...r.log];
      if (err.length) tc.standardError(printable(err.join('\n')));
    }
  }
  return b.build();
}
