// Entry point of one run: executed by the runner inside a fresh network namespace
// (`unshare -n`). Prints one JSON RunResult line on stdout; logs go to stderr.
import { writeSync } from 'node:fs';
import { libc } from '../sys/libc.js';
import { RESULT_MARKER, type ChildJob } from './job.js';
import { runJob } from './run-job.js';

runJob(JSON.parse(process.env.TSDRILL_JOB ?? '{}') as ChildJob)
  .then((r) => {
    writeSync(1, `${RESULT_MARKER}${JSON.stringify(r)}\n`);
    // A blocking call may still sit in its thread; process.exit() would wait for it.
    libc.exit(0);
  })
  .catch((e) => {
    writeSync(2, `tsdrill child crashed: ${e instanceof Error ? e.stack : String(e)}\n`);
    libc.exit(3);
  });
