// `// require:` end to end: probed in the run's own network namespace before the run; what the
// kernel lacks skips the run, with the reason, in TAP, JUnit and JSON.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ResultsJson } from '../../src/report/json.js';
import { parseTap } from '../report/helpers.js';
import { hasTun, tsdrill } from '../helpers/kernel.js';

const tmp = mkdtempSync(join(tmpdir(), 'tsdrill-require-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const BODY = '0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 close(3) = 0\n';
const script = (dir: string, name: string, ...requires: string[]) => {
  writeFileSync(join(dir, name), [...requires.map((r) => `// require: ${r}`), BODY].join('\n'));
};

describe.skipIf(!hasTun)('// require: (kernel)', () => {
  it('skips a run whose kernel lacks what it needs, with the reason; runs one whose kernel has it', async () => {
    const dir = join(tmp, 'req');
    mkdirSync(dir);
    script(dir, 'absent-sysctl.pkt', 'sysctl net.mptcp.tsdrill_test_absent');
    script(dir, 'newer-kernel.pkt', 'mptcp', 'kernel >= 999.0');
    script(dir, 'has-all.pkt', 'mptcp', 'sysctl net.ipv4.tcp_rmem', 'kernel >= 3.0', 'sockopt SOL_TCP TCP_NODELAY', 'command sh');
    const json = join(tmp, 'req.json');
    const junit = join(tmp, 'req.xml');
    const r = await tsdrill(['run', '--ip_version=ipv4', '--json', json, '--junit', junit, dir]);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^ {4}ok \d+ - req\/absent-sysctl\.pkt ipv4 # SKIP kernel lacks sysctl net\.mptcp\.tsdrill_test_absent$/m);
    expect(r.stdout).toMatch(/^ {4}ok \d+ - req\/newer-kernel\.pkt ipv4 # SKIP kernel lacks version >= 999\.0 \(it is \S+\)$/m);
    expect(r.stdout).toMatch(/^ {4}ok \d+ - req\/has-all\.pkt ipv4 # time=\d+ms$/m);
    const tap = parseTap(r.stdout);
    expect(tap.children[0]!.final).toMatchObject({ ok: true, pass: 3, skip: 2 });
    const results = JSON.parse(readFileSync(json, 'utf8')) as ResultsJson;
    expect(Object.fromEntries(results.runs.map((x) => [x.script.split('/').pop(), [x.verdict, x.skipReason]]))).toEqual({
      'absent-sysctl.pkt': ['skip', 'kernel lacks sysctl net.mptcp.tsdrill_test_absent'],
      'has-all.pkt': ['pass', undefined],
      'newer-kernel.pkt': ['skip', expect.stringMatching(/^kernel lacks version >= 999\.0/)],
    });
    const xml = readFileSync(junit, 'utf8');
    expect(xml.match(/<skipped\/>/g)).toHaveLength(2);
    expect(xml).toContain('skipped: kernel lacks sysctl net.mptcp.tsdrill_test_absent');
  });

  // The host's interfaces have sysctls (net.ipv4.conf.<if>.*) in the host's namespace only: a
  // run that requires one is skipped, which shows the probe runs in the run's namespace.
  const hostIf = readdirSync('/sys/class/net').find((n) => n !== 'lo' && /^[A-Za-z0-9_-]+$/.test(n));
  it.skipIf(!hostIf)('probes sysctls in the run’s own network namespace, not the host’s', async () => {
    const dir = join(tmp, 'netns');
    mkdirSync(dir);
    script(dir, 'host-iface.pkt', `sysctl net.ipv4.conf.${hostIf}.forwarding`);
    const r = await tsdrill(['run', '--ip_version=ipv4', dir]);
    expect(r.stdout).toContain(`# SKIP kernel lacks sysctl net.ipv4.conf.${hostIf}.forwarding`);
    expect(r.exitCode).toBe(0);
  });

  it('a malformed requirement is a parse error (exit 2) that points at it', async () => {
    const dir = join(tmp, 'bad');
    mkdirSync(dir);
    script(dir, 'bad.pkt', 'sysctl');
    const r = await tsdrill(['run', dir]);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`error: 'sysctl' needs a value\n --> ${join(dir, 'bad.pkt')}:1:19`);
    expect(r.stderr).toContain('= help: the form is `// require: sysctl net.mptcp.enabled`');
  });
});
