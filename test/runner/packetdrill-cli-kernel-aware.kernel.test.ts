// The packetdrill drop-in (`tsdrill [flags] x.pkt`, in the caller's netns): an unmet
// `// require:` exits 4 (kselftest's skip) with the reason; a kernel splat fails the script.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { assertBuilt, hasTun, ROOT } from '../helpers/kernel.js';

const tmp = mkdtempSync(join(tmpdir(), 'tsdrill-dropin-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function dropIn(args: string[], env: Record<string, string> = {}) {
  assertBuilt();
  return execa('unshare', ['-n', '--', process.execPath, join(ROOT, 'bin/tsdrill.js'), ...args], { reject: false, timeout: 60_000, cwd: ROOT, env });
}

describe.skipIf(!hasTun || process.getuid?.() !== 0)('packetdrill drop-in, kernel-aware', () => {
  it('a script whose kernel lacks what it requires exits 4 with the reason', async () => {
    const f = join(tmp, 'needs.pkt');
    writeFileSync(f, '// require: sysctl net.tsdrill_test.absent\n0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n');
    const r = await dropIn(['--ip_version=ipv4', f]);
    expect(r.stderr).toBe(`${f}: SKIP: kernel lacks sysctl net.tsdrill_test.absent`);
    expect(r.exitCode).toBe(4);
  });

  it('a kernel splat during the script fails it (exit 1) with the splat on stderr', async () => {
    const r = await dropIn(['--ip_version=ipv4', 'test/fixtures/splat/fake-splat.pkt'], { TSDRILL_KMSG_SELFTEST_TAG: randomBytes(8).toString('hex') });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^fake-splat\.pkt: kernel splat: WARNING: CPU: 0 PID: 0 at tsdrill\/test\/fixtures\/splat\/fake-splat\.sh:1 /);
    expect(r.stderr).toContain('Call Trace:\n tsdrill_test_fake_frame+0x0/0x0\n---[ end trace 0000000000000000 ]---');
  });
});
