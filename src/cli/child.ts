// Entry point of a run process, started by the runner inside a fresh network namespace
// (`unshare -n`) before it has work: it loads the code and starts its threads, prints READY,
// then runs jobs (one JSON line each on stdin) one after the other, each in a network
// namespace of its own, printing one RunResult line and READY again when it can take the
// next. It exits when stdin ends, after MAX_JOBS jobs, or when a run could not be cleaned up.
// Logs go to stderr.
import { writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { INJECT_THREAD } from '../injector/injector.js';
import { TUN_DRAIN_THREAD } from '../injector/tun.js';
import { BLOCKING_THREAD } from '../interpreter/blocking.js';
import { libc } from '../sys/libc.js';
import { prestartWorker, processDirty } from '../sys/spare-workers.js';
import { READY_MARKER, RESULT_MARKER, type ChildJob } from './job.js';
import { runJob } from './run-job.js';

/** A process is replaced after this many jobs, so that anything a run leaks stays bounded. */
const MAX_JOBS = 25;
const CLONE_NEWNET = 0x40000000;
/** `--current-netns`: every job runs in the namespace the process was started in. */
const currentNetns = process.argv.includes('--current-netns');

// The threads load koffi one after the other, before the first job: koffi must not load in one
// thread while another uses it (see spare-workers.ts).
await prestartWorker(TUN_DRAIN_THREAD);
await prestartWorker(INJECT_THREAD);
await prestartWorker(BLOCKING_THREAD);
writeSync(1, `${READY_MARKER}\n`);

let jobs = 0;
for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  if (!line.trim()) continue;
  try {
    // A fresh network namespace for this thread, so for everything the run creates: tun0, its
    // sockets, the shell commands it starts. (The other threads only use the run's fds.)
    if (!currentNetns && libc.unshare(CLONE_NEWNET) < 0) throw new Error('unshare(CLONE_NEWNET) failed');
    const result = await runJob(JSON.parse(line) as ChildJob);
    writeSync(1, `${RESULT_MARKER}${JSON.stringify(result)}\n`);
  } catch (e) {
    writeSync(2, `tsdrill child crashed: ${e instanceof Error ? e.stack : String(e)}\n`);
    libc.exit(3);
  }
  const dirty = processDirty();
  if (dirty) writeSync(2, `tsdrill run process: exiting after this job: ${dirty}\n`);
  // A blocking call may still sit in its thread; process.exit() would wait for it.
  if (dirty || ++jobs >= MAX_JOBS) libc.exit(0);
  writeSync(1, `${READY_MARKER}\n`);
}
libc.exit(0);
