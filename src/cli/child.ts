// Entry point of one run process, started by the runner inside a fresh network namespace
// (`unshare -n`), usually before its job is known: it loads the code and starts its threads,
// then reads the job (one JSON line) on stdin, runs it, prints one RunResult line on stdout
// and exits. Logs go to stderr. Stdin closed without a job: a spare the runner did not need.
import { writeSync } from 'node:fs';
import { INJECT_THREAD } from '../injector/injector.js';
import { TUN_DRAIN_THREAD } from '../injector/tun.js';
import { BLOCKING_THREAD } from '../interpreter/blocking.js';
import { libc } from '../sys/libc.js';
import { prestartWorker } from '../sys/spare-workers.js';
import { RESULT_MARKER, type ChildJob } from './job.js';
import { runJob } from './run-job.js';

// The threads load koffi now, one after the other, and the job starts only once they are
// done: koffi must not load in one thread while another uses it (see spare-workers.ts).
const threadsLoaded = prestartWorker(TUN_DRAIN_THREAD)
  .then(() => prestartWorker(INJECT_THREAD))
  .then(() => prestartWorker(BLOCKING_THREAD));

function readJobLine(): Promise<string | undefined> {
  return new Promise((resolve) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const nl = text.indexOf('\n');
      if (nl < 0) return;
      process.stdin.off('data', onData);
      process.stdin.pause();
      resolve(text.slice(0, nl));
    };
    process.stdin.on('data', onData);
    process.stdin.once('end', () => resolve(undefined));
  });
}

const line = await readJobLine();
await threadsLoaded;
if (line === undefined) libc.exit(0);
runJob(JSON.parse(line!) as ChildJob, { processExitsAfter: true })
  .then((r) => {
    writeSync(1, `${RESULT_MARKER}${JSON.stringify(r)}\n`);
    // A blocking call may still sit in its thread; process.exit() would wait for it.
    libc.exit(0);
  })
  .catch((e) => {
    writeSync(2, `tsdrill child crashed: ${e instanceof Error ? e.stack : String(e)}\n`);
    libc.exit(3);
  });
