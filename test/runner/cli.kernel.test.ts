import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Parser } from 'tap-parser';
import { afterAll, describe, expect, it } from 'vitest';
import type { ResultsJson } from '../../src/report/json.js';
import { hasTun, ROOT, tsdrill } from '../helpers/kernel.js';

const tmp = mkdtempSync(join(tmpdir(), 'tsdrill-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Parses TAP with tap-parser; returns its final counts. */
function parseTap(text: string): Promise<{ ok: boolean; pass: number; fail: number; count: number }> {
  return new Promise((resolve) => {
    const p = new Parser((results) => resolve({ ok: results.ok, pass: results.pass, fail: results.fail, count: results.count }));
    p.end(text);
  });
}

/** Times, raw sequence numbers and ports differ run to run; goldens keep the words. */
function normalize(text: string): string {
  return text
    .replace(/\b\d+\.\d{6}\b/g, 'S.SSSSSS')
    .replace(/\b\d+\.\d{3} ms\b/g, 'M.MMM ms')
    .replace(/seq \d+ ack \d+/g, 'seq N ack N')
    .replace(/TCP \d+ > \d+/g, 'TCP P > P');
}

const FIXTURES = join(ROOT, 'test/fixtures/kernel');

describe.skipIf(!hasTun)('tsdrill run (kernel)', () => {
  it('runs our scripts/ in all three IP variants, every run passing, as TAP that tap-parser accepts', async () => {
    const r = await tsdrill(['run', '-j', '2', 'scripts/'], { timeout: 280_000 });
    expect(r.stderr).toBe('');
    const tap = await parseTap(r.stdout);
    expect(tap).toMatchObject({ ok: true, fail: 0 });
    for (const dir of ['tcp', 'mp_capable', 'mp_join', 'dss']) expect(r.stdout).toMatch(new RegExp(`^ok \\d+ test: packetdrill_${dir}$`, 'm'));
    const runs = r.stdout.match(/^ {4}ok \d+ - tcp\/\S+\.pkt (ipv4|ipv4-mapped-ipv6|ipv6) # time=\d+ms$/gm) ?? [];
    expect(runs.length).toBeGreaterThanOrEqual(9);
    expect(r.exitCode).toBe(0);
  }, 300_000);

  it.each(readdirSync(FIXTURES).filter((f) => f.endsWith('.pkt')))(
    'fails %s with the framed error in its golden file (exit 1)',
    async (name) => {
      const json = join(tmp, `${name}.json`);
      const r = await tsdrill(['run', '--ip_version=ipv4', '--json', json, `test/fixtures/kernel/${name}`]);
      expect(r.exitCode).toBe(1);
      expect(r.stdout).toMatch(/^not ok 1 test: packetdrill_kernel$/m);
      const results = JSON.parse(readFileSync(json, 'utf8')) as ResultsJson;
      const diagnostic = normalize(results.runs[0]!.error!.framed) + '\n';
      const golden = join(FIXTURES, name.replace(/\.pkt$/, '.errors.txt'));
      if (process.env.UPDATE_GOLDEN) writeFileSync(golden, diagnostic);
      expect(existsSync(golden), `${golden} is missing: run with UPDATE_GOLDEN=1 and review it`).toBe(true);
      expect(diagnostic).toBe(readFileSync(golden, 'utf8'));
    },
  );

  it('writes a pcap of a failed run that names the script and variant', async () => {
    const dir = join(tmp, 'pcaps');
    const r = await tsdrill(['run', '--ip_version=ipv4', '--pcap-dir', dir, 'test/fixtures/kernel/wrong-ack.pkt']);
    expect(r.exitCode).toBe(1);
    const files = readdirSync(dir);
    expect(files).toEqual(['test__fixtures__kernel__wrong-ack.pkt.ipv4.pcap']);
    const pcap = readFileSync(join(dir, files[0]!));
    expect(pcap.readUInt32LE(0)).toBe(0xa1b23c4d); // nanosecond pcap
    expect(pcap.readUInt32LE(20)).toBe(101); // LINKTYPE_RAW: what tun0 carries
    expect(pcap.length).toBeGreaterThan(24 + 2 * (16 + 40)); // at least our SYN and the SYN-ACK
  });
});

describe('tsdrill usage errors (no kernel needed)', () => {
  it('exits 2 with a framed parse error and no stack trace', async () => {
    const bad = join(tmp, 'bad.pkt');
    writeFileSync(bad, '0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 listen(3, 1 = 0\n');
    const r = await tsdrill(['run', bad]);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${bad}:2:`);
    expect(r.stderr).toMatch(/\n\s*\|\s*\^/); // a caret line
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('`tsdrill parse` reports every semantic problem of a file, the first one first, and exits 2', async () => {
    const r = await tsdrill(['parse', 'test/parser/bad/several-problems.pkt']);
    expect(r.exitCode).toBe(2);
    const headlines = r.stderr.split('\n').filter((l) => l.startsWith('error: '));
    expect(headlines).toEqual([
      'error: MSS 70000 is too large (maximum 65535)',
      'error: window scale 300 is too large (maximum 255)',
      'error: window 70000 is too large (maximum 65535)',
      'error: "*" (any time) is only allowed on outbound packets',
    ]);
    expect(r.stderr).toContain(' --> test/parser/bad/several-problems.pkt:5:1');
  });

  it.each([
    [['run', '--no-such-flag', 'scripts/'], /unknown option --no-such-flag/],
    [['run'], /needs at least one script or directory/],
    [['run', '/nonexistent/dir'], /cannot read \/nonexistent\/dir: ENOENT/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['run', '--ip_version=ipv5', 'scripts/'], /bad IP version 'ipv5'/],
  ])('%j exits 2 with a one-line reason', async (args, message) => {
    const r = await tsdrill(args);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('--help explains the commands and flags', async () => {
    const r = await tsdrill(['--help']);
    expect(r.exitCode).toBe(0);
    for (const word of ['tsdrill run', 'tsdrill parse', '--jobs', '--timeout', '--ip_version', '--tolerance-scale', 'Exit status'])
      expect(r.stdout).toContain(word);
  });
});
