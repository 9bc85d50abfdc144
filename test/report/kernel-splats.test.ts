// Kernel splats in the reports: TAP's YAML block, JUnit, results.json.
import { describe, expect, it } from 'vitest';
import { formatJson } from '../../src/report/json.js';
import { formatJunit } from '../../src/report/junit.js';
import type { KernelSplat } from '../../src/report/result.js';
import { formatTapSuite } from '../../src/report/tap.js';
import { withKernelSplats } from '../../runner/kernel-log-watch.js';
import { parseTap, run } from './helpers.js';

const SPLAT: KernelSplat = {
  kind: 'WARNING',
  title: 'WARNING: CPU: 1 PID: 166 at net/mptcp/protocol.c:9 f+0x79/0xff0',
  text: ['------------[ cut here ]------------', 'WARNING: CPU: 1 PID: 166 at net/mptcp/protocol.c:9 f+0x79/0xff0', 'Call Trace:', ' <TASK>', ' f+0x79/0xff0', ' </TASK>', '---[ end trace 0000000000000000 ]---'].join('\n'),
  inFlight: ['s/d/b.pkt ipv6'],
};
const failedBySplat = withKernelSplats(run('s/d/a.pkt', 'ipv4', 'pass'), [SPLAT]);
const failedAnyway = withKernelSplats(run('s/d/c.pkt', 'ipv4', 'fail'), [{ ...SPLAT, inFlight: [] }]);

describe('kernel splats in TAP', () => {
  it('a YAML list with each splat whole (a literal block), its kind, title and the other runs in flight', () => {
    const tree = parseTap(formatTapSuite([failedBySplat, failedAnyway]));
    const [bySplat, anyway] = tree.children[0]!.asserts;
    expect(bySplat).toMatchObject({ ok: false, name: 'd/a.pkt ipv4' });
    expect(bySplat!.diag).toMatchObject({
      kind: 'kernel-splat',
      message: `kernel splat while the run was in flight: ${SPLAT.title}`,
      kernel_splats: [{ kind: 'WARNING', title: SPLAT.title, in_flight: ['s/d/b.pkt ipv6'], text: SPLAT.text }],
    });
    // A run that failed on its own keeps its error; the splat is beside it.
    expect(anyway!.diag).toMatchObject({ kind: 'packet', kernel_splats: [{ kind: 'WARNING', text: SPLAT.text }] });
    expect((anyway!.diag!.kernel_splats as object[])[0]).not.toHaveProperty('in_flight');
  });
});

describe('kernel splats in JUnit', () => {
  it('the failure a splat caused carries its text; beside another failure it goes to system-out', () => {
    const xml = formatJunit([failedBySplat, failedAnyway]);
    const [a, c] = xml.split('<testcase').slice(1);
    expect(a).toMatch(/<failure message="kernel splat while the run was in flight: [^"]*" type="kernel-splat">/);
    expect(a).toContain('--- kernel WARNING while the run was in flight; also in flight: s/d/b.pkt ipv6\n------------[ cut here ]------------');
    expect(a).toContain('---[ end trace 0000000000000000 ]---');
    expect(c).toMatch(/<failure message="bad ack" type="packet">/);
    expect(c).toMatch(/<system-out><!\[CDATA\[--- kernel WARNING while the run was in flight\n------------\[ cut here \]/);
  });
});

describe('kernel splats in results.json', () => {
  it('kernelSplats on the run, as in the result model', () => {
    const meta = { startedAt: new Date(0), finishedAt: new Date(1000), complete: true, argv: [], kernel: '6.18.0' };
    const doc = JSON.parse(formatJson([failedBySplat], meta));
    expect(doc.ok).toBe(false);
    expect(doc.runs[0]).toMatchObject({ verdict: 'fail', error: { kind: 'kernel-splat' }, kernelSplats: [SPLAT] });
  });
});
