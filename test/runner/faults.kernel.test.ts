import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { assertBuilt, hasTun, ROOT, tsdrill } from '../helpers/kernel.js';

const tmp = mkdtempSync(join(tmpdir(), 'tsdrill-faults-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const sleepsLeft = async () => (await execa('pgrep', ['-f', 'sleep 60'], { reject: false })).stdout.trim();

describe.skipIf(!hasTun)('runner faults (kernel)', () => {
  it('reports a hanging run as `# timeout`, kills what it started, and still runs the others', async () => {
    const r = await tsdrill(['run', '--timeout', '2', '--ip_version=ipv4', 'test/fixtures/slow/hangs.pkt', 'scripts/tcp/connect-refused.pkt']);
    expect(r.stdout).toMatch(/^ {4}not ok 1 - slow\/hangs\.pkt ipv4 # timeout$/m);
    expect(r.stdout).toMatch(/^ {4}ok 1 - tcp\/connect-refused\.pkt ipv4 # time=\d+ms$/m);
    expect(r.exitCode).toBe(1);
    expect(await sleepsLeft()).toBe('');
  });

  it('on SIGINT kills the runs, writes results marked incomplete and exits 130', async () => {
    assertBuilt();
    const json = join(tmp, 'interrupted.json');
    const run = execa(process.execPath, [join(ROOT, 'bin/tsdrill.js'), 'run', '--ip_version=ipv4', '--json', json, 'test/fixtures/slow/hangs.pkt'], {
      cwd: ROOT,
      reject: false,
      env: { CI: 'true' },
    });
    await new Promise((r) => setTimeout(r, 2000));
    run.kill('SIGINT');
    const r = await run;
    expect(r.exitCode).toBe(130);
    expect(r.stdout).toMatch(/not ok 1 - slow\/hangs\.pkt ipv4 # interrupted/);
    expect(JSON.parse(readFileSync(json, 'utf8'))).toMatchObject({ complete: false });
    expect(await sleepsLeft()).toBe('');
  });
});
