import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { conformanceMain } from '../../src/conformance/command.js';
import { formatMatrixHtml } from '../../src/conformance/html.js';
import { buildMatrix, orderedRows } from '../../src/conformance/matrix.js';
import { parseRequirements } from '../../src/conformance/requirements.js';
import { addResults, type KernelResults } from '../../src/conformance/results.js';

const dir = mkdtempSync(join(tmpdir(), 'tsdrill-conformance-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const YAML = `title: Test <RFC>
requirements:
  - id: 3.1-a
    section: "3.1"
    level: MUST
    side: listener
    text: A & B.
  - id: 3.1-b
    section: "3.1"
    level: SHOULD
    side: both
    text: B.
  - id: 3.3.1-c
    section: "3.3.1"
    level: MUST
    side: sender
    text: C.
    gap: needs two subflows
  - id: 3.3-d
    section: "3.3"
    level: MAY
    side: receiver
    text: D.
untestable:
  - id: 3.9-e
    section: "3.9"
    level: SHOULD
    side: both
    text: E.
    reason: advisory
`;

function write(rel: string, text: string): string {
  const p = join(dir, rel);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text);
  return p;
}

function run(argv: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = conformanceMain(argv, { out: (s) => void (out += s), err: (s) => void (err += s) });
  return { code, out, err };
}

const set = parseRequirements(YAML, 'r.yaml');
const tagged = [
  { file: 'scripts/x/one.pkt', tags: [{ id: '3.1-a', loc: set.requirements[0]!.loc }, { id: '3.3-d', loc: set.requirements[0]!.loc }] },
  { file: 'scripts/x/two.pkt', tags: [{ id: '3.1-a', loc: set.requirements[0]!.loc }] },
];
function kernels(): KernelResults[] {
  const into = new Map<string, KernelResults>();
  addResults(into, JSON.stringify({ kernel: '6.18', runs: [{ script: 'scripts/x/one.pkt', variant: 'ipv4', verdict: 'pass' }, { script: 'scripts/x/two.pkt', variant: 'ipv4', verdict: 'fail' }] }), 'a.json');
  addResults(into, JSON.stringify({ kernel: '6.1', runs: [{ script: 'scripts/x/one.pkt', variant: 'ipv4', verdict: 'pass' }] }), 'b.json');
  return [...into.values()];
}

describe('buildMatrix', () => {
  const m = buildMatrix(set, tagged, kernels());

  it('gives each requirement its scripts and, per kernel, the worst verdict of those that ran', () => {
    const a = m.rows.find((r) => r.req.id === '3.1-a')!;
    expect(a.scripts.map((s) => s.script)).toEqual(['scripts/x/one.pkt', 'scripts/x/two.pkt']);
    expect(m.kernels).toEqual(['6.18', '6.1']);
    expect(a.verdicts).toEqual(['fail', 'pass']);
    expect(m.rows.find((r) => r.req.id === '3.1-b')!.verdicts).toEqual([undefined, undefined]);
  });

  it('lists requirements no script claims first, then by section', () => {
    expect(orderedRows(m).map((r) => r.req.id)).toEqual(['3.1-b', '3.3.1-c', '3.1-a', '3.3-d']);
  });

  it('totals per section and overall: covered, MUSTs covered, passing per kernel', () => {
    expect(m.sections.map((s) => [s.section, s.requirements, s.covered, s.mustCovered, s.must, s.passing])).toEqual([
      ['3.1', 2, 1, 1, 1, [0, 1]],
      ['3.3', 1, 1, 0, 0, [1, 1]],
      ['3.3.1', 1, 0, 0, 1, [0, 0]],
    ]);
    expect(m.totals).toEqual({ requirements: 4, covered: 2, must: 2, mustCovered: 1, passing: [1, 2] });
  });

  it('HTML: escaped text, uncovered first with the reason, a column per kernel', () => {
    const html = formatMatrixHtml(m, { requirementsFile: 'r.yaml', command: 'tsdrill conformance', scriptHref: (s) => `../${s}` });
    expect(html).toContain('Test &lt;RFC&gt;');
    expect(html).toContain('A &amp; B.');
    expect(html).not.toContain('<RFC>');
    expect(html.indexOf('id="uncovered"')).toBeLessThan(html.indexOf('id="matrix"'));
    expect(html).toContain('<td>needs two subflows</td>');
    expect(html).toContain('<th>6.18</th><th>6.1</th><th>scripts</th>');
    expect(html).toContain('<a href="../scripts/x/two.pkt"><code>scripts/x/two.pkt</code></a>');
  });
});

describe('tsdrill conformance', () => {
  const req = write('r.yaml', YAML);
  write('s/one.pkt', '// conforms: 3.1-a, 3.3-d\n0 close(3) = 0\n');
  write('s/sub/two.pkt', '0 close(3) = 0 // conforms: 3.1-a\n');
  write('s/untagged.pkt', '0 close(3) = 0\n');
  const results = write('6.18-results.json', JSON.stringify({ runs: [{ script: join(dir, 's/one.pkt'), variant: 'ipv4', verdict: 'pass' }] }));

  it('prints the matrix: coverage, uncovered requirements with why, verdicts, totals, untestable', () => {
    const r = run(['--requirements', req, '--results', results, join(dir, 's')]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('coverage: 2/4 requirements (50%), MUST 1/2 (50%)');
    expect(r.out).toContain('kernels: 6.18-results');
    expect(r.out).toMatch(/Not covered by any script \(2\):\n {2}3\.1-b {2}SHOULD {2}both: B\.\n {6}why: no reason given/);
    expect(r.out).toContain('why: needs two subflows');
    expect(r.out).toMatch(/3\.1-a +MUST +listener +pass\n {6}.*one\.pkt: pass\n {6}.*two\.pkt: not run/);
    expect(r.out).toMatch(/total +4 +2 \(50%\) +1\/2 \(50%\) +2\/2\n/);
    expect(r.out).toContain('3.9-e  SHOULD  both: E.\n      why: advisory');
  });

  it('writes the HTML page with --html', () => {
    const out = join(dir, 'out/matrix.html');
    expect(run(['--requirements', req, '--html', out, join(dir, 's')]).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toMatch(/^<!doctype html>[\s\S]*<\/html>\n$/);
  });

  it('an unknown id in a script: exit 2, file:line:col and a caret on stderr, no matrix', () => {
    const bad = write('bad/x.pkt', '0 close(3) = 0\n// conforms: 3.1-a 3.7-nope\n');
    const r = run(['--requirements', req, bad]);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain(`error: unknown requirement id "3.7-nope"\n --> ${bad}:2:20\n  |\n2 | // conforms: 3.1-a 3.7-nope\n  |                    ^^^^^^^^\n`);
    expect(r.err).toContain('tsdrill conformance: 1 problem');
  });

  it('a duplicate id in the requirements file: exit 2 with its position', () => {
    const dup = write('dup.yaml', YAML.replace('id: 3.1-b', 'id: 3.1-a'));
    const r = run(['--requirements', dup, join(dir, 's')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`duplicate requirement id "3.1-a" (first defined at line 3)\n --> ${dup}:8:9`);
  });

  it('usage errors and unreadable inputs: exit 2, one line, no stack trace', () => {
    expect(run(['--frobnicate']).err).toBe("tsdrill conformance: unknown option '--frobnicate' (see tsdrill conformance --help)\n");
    expect(run(['--results']).code).toBe(2);
    const r = run(['--requirements', req, '--results', join(dir, 'missing.json'), join(dir, 's')]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`tsdrill conformance: cannot read ${join(dir, 'missing.json')}: ENOENT\n`);
    expect(run(['--help']).out).toContain('Usage: tsdrill conformance');
  });

  it("every tag in this repository's scripts names a known RFC 8684 requirement", () => {
    const r = run(['scripts']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/coverage: \d+\/\d+ requirements/);
  });

  // A person reads the page in a browser: Chromium's DOM of it has the tables and rows.
  // Asynchronous: a synchronous wait of several seconds blocks the test worker's event loop,
  // and vitest's RPC from the worker times out under load ("Timeout calling onTaskUpdate").
  it.skipIf(!existsSync('/usr/bin/chromium'))('the page renders in Chromium with its sections and rows', async () => {
    const out = join(dir, 'browser.html');
    expect(run(['--requirements', req, '--results', results, '--html', out, join(dir, 's')]).code).toBe(0);
    const { stdout: dom } = await promisify(execFile)('/usr/bin/chromium', ['--headless', '--no-sandbox', '--disable-gpu', '--dump-dom', `file://${out}`], { encoding: 'utf8', timeout: 60_000 });
    expect(dom).toContain('<h1>RFC 8684 conformance matrix</h1>');
    expect(dom.match(/<tr[ >]/g)?.length).toBeGreaterThanOrEqual(4 + 4 + 2);
    expect(dom).toContain('class="v pass"');
  });
});
