import { basename } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aggregateRepeats } from '../../src/report/flaky.js';
import type { RunResult } from '../../src/report/result.js';
import { countVerdicts, isFailing, printable } from '../../src/report/suites.js';
import { formatTapSuite, TapSuiteStream } from '../../src/report/tap.js';
import { err, parseTap, run } from './helpers.js';

const corpus = [
  run('scripts/mp_capable/client.pkt', 'ipv4', 'pass', { durationMs: 12 }),
  run('scripts/mp_capable/client.pkt', 'ipv6', 'fail', { durationMs: 40 }),
  run('scripts/mp_capable/server.pkt', 'ipv4', 'pass', { durationMs: 7 }),
  run('scripts/mp_join/syn.pkt', 'ipv4', 'skip', { skipReason: 'needs CONFIG_MPTCP_IPV6' }),
  run('scripts/mp_join/hang.pkt', 'ipv4', 'timeout'),
  run('scripts/add_addr/a.pkt', 'ipv4', 'pass'),
  run('scripts/add_addr/a.pkt', 'ipv4', 'fail'),
  run('scripts/add_addr/a.pkt', 'ipv4', 'pass'),
  run('scripts/add_addr/b.pkt', 'ipv6', 'pass'),
];

describe('formatTapSuite', () => {
  it('prints one subtest per directory, in the MPTCP CI shape', () => {
    const text = formatTapSuite(corpus.slice(0, 3));
    expect(text).toBe(
      [
        'TAP version 13',
        '1..1',
        '# Subtest: mp_capable',
        '    1..3',
        '    ok 1 - mp_capable/client.pkt ipv4 # time=12ms',
        '    not ok 2 - mp_capable/client.pkt ipv6 # time=40ms',
        '      ---',
        '      message: "bad ack"',
        '      severity: fail',
        '      kind: "packet"',
        '      at: "scripts/mp_capable/client.pkt:3:5"',
        '      legacy: |-',
        '        scripts/mp_capable/client.pkt:3: error handling packet: bad ack',
        '      diagnostic: |-',
        '        error: bad ack',
        '          3 | +0 > S. 0:0(0) ack 1',
        '            |    ^',
        '          expected ack 1, got ack 2',
        '      ...',
        '    ok 3 - mp_capable/server.pkt ipv4 # time=7ms',
        'not ok 1 test: packetdrill_mp_capable',
        '# pass 2, fail 1, flaky 0, skip 0, timeout 0, error 0',
        '',
      ].join('\n'),
    );
  });

  it('parses with tap-parser: nested subtests, pass/fail/todo/skip counts, diagnostics', () => {
    const tree = parseTap(formatTapSuite(corpus));
    expect(tree.plan).toEqual({ start: 1, end: 3 });
    expect(tree.asserts.map((a) => [a.ok, a.id, a.name])).toEqual([
      [false, 1, 'test: packetdrill_mp_capable'],
      [false, 2, 'test: packetdrill_mp_join'],
      [true, 3, 'test: packetdrill_add_addr'],
    ]);
    expect(tree.final).toMatchObject({ ok: false, count: 3, pass: 1, fail: 2, todo: 0, skip: 0, bailout: false });
    expect(tree.children.map((c) => c.name)).toEqual(['mp_capable', 'mp_join', 'add_addr']);

    const [capable, join, addr] = tree.children;
    expect(capable!.final).toMatchObject({ ok: false, count: 3, pass: 2, fail: 1, todo: 0, skip: 0 });
    expect(capable!.asserts[0]).toMatchObject({ ok: true, name: 'mp_capable/client.pkt ipv4', time: 12 });
    expect(capable!.asserts[1]!.diag).toEqual({
      message: 'bad ack',
      severity: 'fail',
      kind: 'packet',
      at: 'scripts/mp_capable/client.pkt:3:5',
      legacy: 'scripts/mp_capable/client.pkt:3: error handling packet: bad ack',
      diagnostic: err('scripts/mp_capable/client.pkt').framed,
    });

    expect(join!.final).toMatchObject({ ok: false, count: 2, pass: 1, fail: 1, skip: 1 });
    expect(join!.asserts[0]).toMatchObject({ ok: true, name: 'mp_join/syn.pkt ipv4', skip: 'needs CONFIG_MPTCP_IPV6' });
    expect(join!.asserts[1]).toMatchObject({ ok: false, id: 2, name: 'mp_join/hang.pkt ipv4 # timeout' });

    // The repeated add_addr/a.pkt ipv4 (pass, fail, pass) is one flaky point, a TODO, not a failure.
    expect(addr!.plan).toEqual({ start: 1, end: 2 });
    expect(addr!.final).toMatchObject({ ok: true, count: 2, pass: 2, fail: 0, todo: 1, skip: 0 });
    expect(addr!.asserts[0]).toMatchObject({ ok: true, name: 'add_addr/a.pkt ipv4', todo: 'flaky (passed 2/3)' });
    expect(addr!.asserts[0]!.diag).toMatchObject({
      message: 'flaky: passed 2/3',
      attempts: ['attempt 1: pass', 'attempt 2: fail: bad ack (scripts/add_addr/a.pkt:3:5)', 'attempt 3: pass'],
    });
    expect(addr!.asserts[1]).toMatchObject({ ok: true, name: 'add_addr/b.pkt ipv6', todo: false });
  });

  it('a directory of flaky and passing runs passes; --strict makes a flake fail it', () => {
    const rs = [run('s/d/a.pkt', 'ipv4', 'fail'), run('s/d/a.pkt', 'ipv4', 'pass'), run('s/d/b.pkt', 'ipv4', 'pass')];
    const lax = parseTap(formatTapSuite(rs));
    expect(lax.final).toMatchObject({ ok: true, pass: 1, fail: 0 });
    expect(lax.children[0]!.final).toMatchObject({ pass: 2, fail: 0, todo: 1 });

    const text = formatTapSuite(rs, { strict: true });
    expect(text).toContain('    not ok 1 - d/a.pkt ipv4 # flaky (passed 1/2)\n');
    const strict = parseTap(text);
    expect(strict.final).toMatchObject({ ok: false, pass: 0, fail: 1 });
    expect(strict.children[0]!.final).toMatchObject({ pass: 1, fail: 1, todo: 0 });
    expect(strict.children[0]!.asserts[0]!.diag).toMatchObject({ message: 'bad ack', attempts: ['attempt 1: fail: bad ack (s/d/a.pkt:3:5)', 'attempt 2: pass'] });
  });

  it("flakyDirective 'ignore' prints mptcp_lib.sh's `# IGNORE flaky`, a plain pass for tap-parser", () => {
    const text = formatTapSuite([run('s/d/a.pkt', 'ipv4', 'fail'), run('s/d/a.pkt', 'ipv4', 'pass')], { flakyDirective: 'ignore' });
    expect(text).toContain('    ok 1 - d/a.pkt ipv4 # IGNORE flaky (passed 1/2)\n');
    const t = parseTap(text);
    expect(t.children[0]!.final).toMatchObject({ ok: true, pass: 1, todo: 0, fail: 0 });
  });

  it('a directory whose runs were all skipped is `ok # SKIP`', () => {
    const t = parseTap(formatTapSuite([run('s/d/a.pkt', 'ipv4', 'skip'), run('s/d/a.pkt', 'ipv6', 'skip', { skipReason: 'no ipv6' })]));
    expect(t.asserts[0]).toMatchObject({ ok: true, name: 'test: packetdrill_d', skip: 'all runs skipped' });
    expect(t.final).toMatchObject({ ok: true, skip: 1, pass: 1 });
    expect(t.children[0]!.final).toMatchObject({ skip: 2, pass: 2 });
  });

  it('escapes # in names, keeps YAML valid for odd diagnostics (leading spaces, ANSI, CR, quotes)', () => {
    const e = { ...err('s/d/we#ird.pkt'), message: 'a "quoted" #message', framed: '   leading\n\x1b[31mred\x1b[0m\r\nnext\n\n end', legacy: 'x: \\ y' };
    const text = formatTapSuite([run('s/d/we#ird.pkt', 'ipv4', 'error', { error: e })]);
    const t = parseTap(text);
    const a = t.children[0]!.asserts[0]!;
    expect(a).toMatchObject({ ok: false, name: 'd/we#ird.pkt ipv4' });
    expect(a.diag).toMatchObject({ message: 'a "quoted" #message', diagnostic: '   leading\nred\nnext\n\n end', legacy: 'x: \\ y' });
  });

  it('groups by directory in order of first appearance; two directories with the same name stay apart', () => {
    // A script named without a directory belongs to the working directory's suite.
    const cwd = basename(process.cwd());
    const t = parseTap(formatTapSuite([run('a/x/1.pkt', 'ipv4', 'pass'), run('b/x/2.pkt', 'ipv4', 'pass'), run('top.pkt', 'ipv6', 'pass')]));
    expect(t.children.map((c) => c.name)).toEqual(['a/x', 'b/x', cwd]);
    expect(t.asserts.map((a) => a.name)).toEqual(['test: packetdrill_a/x', 'test: packetdrill_b/x', `test: packetdrill_${cwd}`]);
    expect(t.children[2]!.asserts[0]!.name).toBe(`${cwd}/top.pkt ipv6`);
  });

  it('empty input is a valid empty plan', () => {
    const text = formatTapSuite([]);
    expect(text).toBe('TAP version 13\n1..0\n# pass 0, fail 0, flaky 0, skip 0, timeout 0, error 0\n');
    expect(parseTap(text).final).toMatchObject({ ok: true, count: 0 });
  });

  it('accepts already aggregated results (same text as the raw attempts)', async () => {
    const { aggregateRepeats } = await import('../../src/report/flaky.js');
    expect(formatTapSuite(aggregateRepeats(corpus))).toBe(formatTapSuite(corpus));
  });
});

describe('formatTapSuite property', () => {
  const text = fc.string({ unit: 'binary', maxLength: 40 });
  const lines = fc.array(fc.oneof(text, fc.constantFrom('---', '...', '  ok 1 - x', '# Subtest: y', 'not ok 2', '', '  ')), { maxLength: 5 }).map((l) => l.join('\n'));
  const result = fc.record({
    dir: fc.constantFrom('scripts/a', 'scripts/b', 'c', 'x/a'),
    file: fc.constantFrom('one.pkt', 'two#.pkt', 'three.pkt'),
    variant: fc.constantFrom('ipv4' as const, 'ipv6' as const),
    verdict: fc.constantFrom('pass' as const, 'fail' as const, 'timeout' as const, 'error' as const, 'skip' as const),
    message: text,
    framed: lines,
    legacy: text,
    skipReason: text,
    durationMs: fc.nat(100_000),
  });
  it('tap-parser always agrees with the verdicts (nested counts, directory lines), whatever the texts', () => {
    fc.assert(
      fc.property(fc.array(result, { maxLength: 25 }), fc.boolean(), (rs, strict) => {
        const results: RunResult[] = rs.map((r) =>
          run(`${r.dir}/${r.file}`, r.variant, r.verdict, {
            durationMs: r.durationMs,
            skipReason: r.skipReason,
            error: { ...err(`${r.dir}/${r.file}`), message: r.message, framed: r.framed, legacy: r.legacy },
          }),
        );
        const tree = parseTap(formatTapSuite(results, { strict }));
        const runs = aggregateRepeats(results);
        const dirs = new Set(runs.map((r) => r.script.slice(0, r.script.lastIndexOf('/'))));
        expect(tree.final.count).toBe(dirs.size);
        expect(tree.children).toHaveLength(dirs.size);
        const nested = { count: 0, pass: 0, fail: 0, todo: 0, skip: 0 };
        for (const c of tree.children) for (const k of Object.keys(nested) as (keyof typeof nested)[]) nested[k] += c.final[k];
        const t = countVerdicts(runs);
        const failing = runs.filter((r) => isFailing(r.verdict, strict)).length;
        expect(nested).toEqual({ count: runs.length, pass: runs.length - failing, fail: failing, todo: strict ? 0 : t.flaky, skip: t.skip });
        const failedDirs = new Set(runs.filter((r) => isFailing(r.verdict, strict)).map((r) => r.script.slice(0, r.script.lastIndexOf('/'))));
        expect(tree.final.fail).toBe(failedDirs.size);
        // The diagnostics survive YAML intact (but control characters replaced).
        tree.children.forEach((c, ci) => {
          const dirRuns = runs.filter((r) => r.script.slice(0, r.script.lastIndexOf('/')) === [...dirs][ci]);
          expect(c.asserts).toHaveLength(dirRuns.length);
          c.asserts.forEach((a, i) => {
            const r = dirRuns[i]!;
            if (r.verdict === 'skip' || r.verdict === 'pass') return;
            expect(a.diag).toMatchObject({ diagnostic: printable(r.error!.framed) });
            if (isFailing(r.verdict, strict)) expect(a.diag).toMatchObject({ message: printable(r.error!.message), legacy: printable(r.error!.legacy) });
          });
        });
      }),
      { numRuns: 200 },
    );
  });
});

describe('TapSuiteStream', () => {
  const planned = [
    { script: 'scripts/mp_capable/client.pkt', variant: 'ipv4' as const },
    { script: 'scripts/mp_capable/client.pkt', variant: 'ipv6' as const },
    { script: 'scripts/mp_join/syn.pkt', variant: 'ipv4' as const },
  ];

  it('prints a directory as soon as its runs are done, in directory order and plan order', () => {
    const s = new TapSuiteStream(planned);
    expect(s.header()).toBe('TAP version 13\n1..2\n');
    // mp_join finishes first: held back until mp_capable is printed.
    expect(s.add(run('scripts/mp_join/syn.pkt', 'ipv4', 'pass', { durationMs: 3 }))).toBe('');
    expect(s.add(run('scripts/mp_capable/client.pkt', 'ipv6', 'pass', { durationMs: 5 }))).toBe('');
    expect(s.add(run('scripts/mp_capable/client.pkt', 'ipv4', 'pass', { durationMs: 4 }))).toBe(
      [
        '# Subtest: mp_capable',
        '    1..2',
        '    ok 1 - mp_capable/client.pkt ipv4 # time=4ms',
        '    ok 2 - mp_capable/client.pkt ipv6 # time=5ms',
        'ok 1 test: packetdrill_mp_capable',
        '# Subtest: mp_join',
        '    1..1',
        '    ok 1 - mp_join/syn.pkt ipv4 # time=3ms',
        'ok 2 test: packetdrill_mp_join',
        '',
      ].join('\n'),
    );
    expect(s.ok).toBe(true);
    expect(s.finish()).toBe('# pass 3, fail 0, flaky 0, skip 0, timeout 0, error 0\n');
    expect(s.finish()).toBe('');
  });

  it('aggregates repeats per run (repeat option) before printing the directory', () => {
    const s = new TapSuiteStream(planned.slice(2), { repeat: 3 });
    const out = [s.header()];
    out.push(s.add(run('scripts/mp_join/syn.pkt', 'ipv4', 'pass')));
    out.push(s.add(run('scripts/mp_join/syn.pkt', 'ipv4', 'fail')));
    expect(out.join('')).toBe('TAP version 13\n1..1\n');
    out.push(s.add(run('scripts/mp_join/syn.pkt', 'ipv4', 'pass')));
    out.push(s.finish());
    const t = parseTap(out.join(''));
    expect(t.children[0]!.asserts[0]).toMatchObject({ ok: true, todo: 'flaky (passed 2/3)' });
    expect(t.children[0]!.asserts[0]!.time).toBeNull();
    expect(t.final).toMatchObject({ ok: true, pass: 1 });
    expect(t.comments).toContain('# pass 0, fail 0, flaky 1, skip 0, timeout 0, error 0');
  });

  it('finish({interrupted}) closes incomplete directories with `not ok # interrupted` points', () => {
    const s = new TapSuiteStream(planned);
    let text = s.header();
    text += s.add(run('scripts/mp_join/syn.pkt', 'ipv4', 'pass'));
    text += s.add(run('scripts/mp_capable/client.pkt', 'ipv4', 'pass'));
    text += s.finish({ interrupted: true });
    expect(text).toContain('    not ok 2 - mp_capable/client.pkt ipv6 # interrupted\n');
    expect(text).toContain('# pass 2, fail 0, flaky 0, skip 0, timeout 0, error 0, not run 1 (interrupted)\n');
    const t = parseTap(text);
    expect(t.final).toMatchObject({ ok: false, count: 2, pass: 1, fail: 1 });
    expect(t.children[0]!.asserts[1]).toMatchObject({ ok: false, name: 'mp_capable/client.pkt ipv6 # interrupted', diag: { message: 'not run: the run was interrupted' } });
    expect(t.children[1]!.final).toMatchObject({ ok: true, pass: 1 });
  });

  it('rejects unplanned and surplus results, and add() after finish()', () => {
    const s = new TapSuiteStream(planned);
    expect(() => s.add(run('scripts/other/x.pkt', 'ipv4', 'pass'))).toThrow(/unplanned/);
    s.add(run('scripts/mp_join/syn.pkt', 'ipv4', 'pass'));
    expect(() => s.add(run('scripts/mp_join/syn.pkt', 'ipv4', 'pass'))).toThrow(/too many/);
    s.finish();
    expect(() => s.add(run('scripts/mp_capable/client.pkt', 'ipv4', 'pass'))).toThrow(/after finish/);
  });

  it('ok turns false on a failure (and on a flake only with strict)', () => {
    const s = new TapSuiteStream(planned.slice(2), { repeat: 2, strict: true });
    s.add(run('scripts/mp_join/syn.pkt', 'ipv4', 'pass'));
    expect(s.ok).toBe(true);
    s.add(run('scripts/mp_join/syn.pkt', 'ipv4', 'fail'));
    expect(s.ok).toBe(false);
  });
});

