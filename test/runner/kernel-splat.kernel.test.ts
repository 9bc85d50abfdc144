// A kernel splat logged during a run fails it, with the splat in TAP, JUnit and JSON (issue 16).
// The splat is fake: test/fixtures/splat/fake-splat.sh writes it to /dev/kmsg from user space,
// tagged with a nonce that only the tsdrill run below is given (see that script for why no
// other run on the machine takes it for a real one).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ResultsJson } from '../../src/report/json.js';
import { parseTap } from '../report/helpers.js';
import { hasTun, tsdrill } from '../helpers/kernel.js';

const canWriteKmsg = hasTun && process.getuid?.() === 0;
const tmp = mkdtempSync(join(tmpdir(), 'tsdrill-splat-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const FAKE = 'test/fixtures/splat/fake-splat.pkt';
const QUIET = 'test/fixtures/splat/quiet.pkt'; // runs after FAKE (discovery sorts)
const FAKE_TITLE = 'WARNING: CPU: 0 PID: 0 at tsdrill/test/fixtures/splat/fake-splat.sh:1 fake_splat+0x0/0x0 (written by the tsdrill test suite, not a kernel bug)';

describe.skipIf(!canWriteKmsg)('kernel splats during runs (root, /dev/kmsg)', () => {
  it('the run that logs a WARNING fails with the whole splat in TAP, JUnit and JSON; the quiet run after it passes', async () => {
    const tag = randomBytes(8).toString('hex');
    const json = join(tmp, 'seq.json');
    const junit = join(tmp, 'seq.xml');
    const r = await tsdrill(['run', '-j', '1', '--ip_version=ipv4', '--json', json, '--junit', junit, FAKE, QUIET], { env: { TSDRILL_KMSG_SELFTEST_TAG: tag } });
    expect(r.exitCode).toBe(1);
    const [fake, quiet] = parseTap(r.stdout).children[0]!.asserts;
    expect(quiet).toMatchObject({ ok: true, name: 'splat/quiet.pkt ipv4' });
    expect(quiet!.diag).toBeNull();
    expect(fake).toMatchObject({ ok: false, name: 'splat/fake-splat.pkt ipv4' });
    const text = ['------------[ cut here ]------------', FAKE_TITLE, 'Call Trace:', ' tsdrill_test_fake_frame+0x0/0x0', '---[ end trace 0000000000000000 ]---'].join('\n');
    expect(fake!.diag).toMatchObject({ kind: 'kernel-splat', message: `kernel splat while the run was in flight: ${FAKE_TITLE}`, kernel_splats: [{ kind: 'WARNING', title: FAKE_TITLE, text }] });

    const results = JSON.parse(readFileSync(json, 'utf8')) as ResultsJson;
    expect(results.runs.map((x) => [x.script, x.verdict, x.kernelSplats?.length ?? 0])).toEqual([
      [FAKE, 'fail', 1],
      [QUIET, 'pass', 0],
    ]);
    expect(results.runs[0]!.kernelSplats![0]).toEqual({ kind: 'WARNING', title: FAKE_TITLE, text, inFlight: [] });
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toContain('type="kernel-splat"');
    expect(xml).toContain(' tsdrill_test_fake_frame+0x0/0x0');
  });

  it('with parallel runs, the run in flight beside it fails too, saying which run was in flight with it', async () => {
    const tag = randomBytes(8).toString('hex');
    const mark = join(tmp, `mark-${tag}`);
    const r = await tsdrill(['run', '-j', '2', '--ip_version=ipv4', FAKE, QUIET], { env: { TSDRILL_KMSG_SELFTEST_TAG: tag, TSDRILL_TEST_SPLAT_MARK: mark } });
    expect(r.exitCode).toBe(1);
    const [fake, quiet] = parseTap(r.stdout).children[0]!.asserts;
    expect(fake).toMatchObject({ ok: false });
    expect(fake!.diag).toMatchObject({ kernel_splats: [{ title: FAKE_TITLE, in_flight: [`${QUIET} ipv4`] }] });
    expect(quiet).toMatchObject({ ok: false });
    expect(quiet!.diag).toMatchObject({ kind: 'kernel-splat', kernel_splats: [{ title: FAKE_TITLE, in_flight: [`${FAKE} ipv4`] }] });
    expect(String(quiet!.diag!.diagnostic)).toContain(`1 other run was in flight, it may come from any of them: ${FAKE} ipv4`);
  });

  it('a line written to /dev/kmsg from user space fails no run when the run was not given its tag', async () => {
    const r = await tsdrill(['run', '--ip_version=ipv4', FAKE], { env: { TSDRILL_KMSG_SELFTEST_TAG: '' } });
    expect(r.stdout).toMatch(/^ok 1 test: packetdrill_splat$/m);
    expect(r.exitCode).toBe(0);
  });
});
