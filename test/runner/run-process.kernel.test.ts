// Run processes are reused: each job must still get a network namespace of its own, and the
// process must say when it can take the next one.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assertBuilt, hasTun, ROOT } from '../helpers/kernel.js';

const job = (name: string) => ({ file: join(ROOT, 'test/fixtures/reuse', name), display: name, variant: 'ipv4', flags: [], toleranceScale: 1 });

describe.skipIf(!hasTun)('run process (kernel)', async () => {
  assertBuilt();
  const { RunProcess } = (await import(join(ROOT, 'dist/runner/run-process.js'))) as typeof import('../../runner/run-process.js');
  const proc = new RunProcess(false);
  afterAll(async () => {
    proc.end();
    await proc.exited;
  });

  it('runs jobs one after the other, each in a fresh network namespace', async () => {
    expect(await proc.whenReady()).toBe(true);
    const first = await proc.run(job('leaves-a-device.pkt'));
    expect(first.result?.verdict).toBe('pass');
    expect(await proc.whenReady()).toBe(true);
    const second = await proc.run(job('sees-a-fresh-netns.pkt'));
    expect(second.result?.error?.message).toBeUndefined();
    expect(second.result?.verdict).toBe('pass');
  });

  // Regression: "runs stalled 0.4-0.9 s with reused processes": the real-time main thread
  // waited for a GC helper thread of normal priority, starved by real-time threads.
  // The memory reducer compacted the threads' heaps during runs (2-2.5 ms pauses, --trace-gc).
  it('runs node with single-threaded GC (no helper thread to wait for) and no memory reducer', async () => {
    const pid = (proc as unknown as { child: { pid: number } }).child.pid;
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    expect(argv).toContain('--single-threaded-gc');
    expect(argv).toContain('--no-memory-reducer');
  });

  // Regression: "timing failures at -j2 (syscalls and packets 4-14 ms late)": after a job the
  // main thread stayed SCHED_RR, so setting up the next job (netns, parsing, a full GC) ran at
  // real-time priority and delayed the run of the other process.
  it('sets up the next job at normal priority: the main thread leaves SCHED_RR when a run ends', async () => {
    expect(await proc.whenReady()).toBe(true);
    const done = await proc.run(job('leaves-a-device.pkt'));
    expect(done.result?.verdict).toBe('pass');
    expect(await proc.whenReady()).toBe(true);
    const pid = (proc as unknown as { child: { pid: number } }).child.pid;
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const policy = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[38]);
    expect(policy).toBe(0); // SCHED_OTHER (SCHED_RR is 2)
  });
});
