// Regression: "events 1-3.5 ms late after a scavenge inside a run": with node's default young
// generation the main thread collected garbage while the script clock ran. A run process's
// node flags must leave a whole script without a collection after the one before the clock.
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { RUN_PROCESS_NODE_FLAGS } from '../../runner/run-process.js';
import { assertBuilt, hasTun, ROOT } from '../helpers/kernel.js';

// 400 SYNs to a closed port, 0.5 ms apart (the kernel answers each with a RST): a run that
// allocates several megabytes, as the longer corpus scripts do.
const SCRIPT_TEXT = ['--tolerance_usecs=1000000', '0 < S 0:0(0) win 32792 <mss 1000>', ...Array(399).fill('+.0005 < S 0:0(0) win 32792 <mss 1000>')].join('\n') + '\n';

describe.skipIf(!hasTun)('run process node flags (kernel)', () => {
  it('run a script with no garbage collection while its clock runs', async () => {
    assertBuilt();
    const code = `
      import { PerformanceObserver } from 'node:perf_hooks';
      import { parseScript } from './dist/src/parser/index.js';
      import { buildConfig } from './dist/src/interpreter/config.js';
      import { runScript } from './dist/src/interpreter/run.js';
      import { clocks, libc } from './dist/src/sys/libc.js';
      const gcs = [];
      new PerformanceObserver((list) => gcs.push(...list.getEntries().map((e) => e.startTime + performance.timeOrigin))).observe({ entryTypes: ['gc'] });
      const file = '/tmp/tsdrill-gc-test.pkt';
      const script = parseScript(${JSON.stringify(SCRIPT_TEXT)}, file, {});
      const config = buildConfig(script.options.map((o) => ({ name: o.name, value: o.value })), [{ name: 'ip_version', value: 'ipv4' }]);
      // Two runs, as a reused run process does; the second one is checked.
      await runScript(script, file, config);
      if (libc.unshare(0x40000000) !== 0) throw new Error('unshare(CLONE_NEWNET) failed'); // as child.ts does per job
      const outcome = await runScript(script, file, config);
      const [endNs, endMs] = [clocks.monotonicNs(), performance.timeOrigin + performance.now()];
      // The script clock's start in the observer's time base.
      const startMs = endMs - Number(endNs - outcome.clockStartNs) / 1e6;
      await new Promise((r) => setTimeout(r, 100)); // let the observer deliver
      console.log(JSON.stringify({ error: outcome.error?.message, during: gcs.filter((t) => t >= startMs && t <= endMs).length, total: gcs.length }));
      process.exit(0);
    `;
    const r = await execa('unshare', ['-n', '--', process.execPath, ...RUN_PROCESS_NODE_FLAGS, '--input-type=module', '-e', code], { cwd: ROOT, reject: false, timeout: 60_000 });
    expect(r.stderr).toBe('');
    const got = JSON.parse(r.stdout) as { error?: string; during: number; total: number };
    expect(got.error).toBeUndefined();
    expect(got.total).toBeGreaterThanOrEqual(2); // the collections before each clock start were seen
    expect(got.during).toBe(0);
  });
});
