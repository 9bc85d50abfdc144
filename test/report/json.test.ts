import { describe, expect, it } from 'vitest';
import { buildResultsJson, formatJson, RESULTS_SCHEMA } from '../../src/report/json.js';
import { run } from './helpers.js';

const meta = {
  startedAt: new Date('2025-03-01T10:00:00.000Z'),
  finishedAt: '2025-03-01T10:02:30.500Z',
  complete: true,
  argv: ['tsdrill', 'run', '--repeat', '2', 'scripts/'],
  kernel: '6.12.0-mptcp',
  version: '0.1.0',
  repeat: 2,
};

describe('formatJson', () => {
  it('writes the documented top level and one run per script+variant', () => {
    const results = [
      run('scripts/mp_capable/a.pkt', 'ipv4', 'pass', { durationMs: 10 }),
      run('scripts/mp_capable/a.pkt', 'ipv4', 'fail', { durationMs: 20 }),
      run('scripts/mp_join/b.pkt', 'ipv6', 'skip', { skipReason: 'no v6' }),
      run('scripts/mp_join/b.pkt', 'ipv6', 'skip', { skipReason: 'no v6' }),
    ];
    const text = formatJson(results, meta);
    expect(text.endsWith('}\n')).toBe(true);
    const doc = JSON.parse(text);
    expect(doc).toEqual(buildResultsJson(results, meta));
    expect(Object.keys(doc)).toEqual(['schema', 'version', 'startedAt', 'finishedAt', 'durationMs', 'complete', 'argv', 'kernel', 'repeat', 'strict', 'ok', 'totals', 'runs']);
    expect(doc).toMatchObject({
      schema: RESULTS_SCHEMA,
      startedAt: '2025-03-01T10:00:00.000Z',
      finishedAt: '2025-03-01T10:02:30.500Z',
      durationMs: 150500,
      complete: true,
      argv: meta.argv,
      kernel: '6.12.0-mptcp',
      repeat: 2,
      strict: false,
      ok: true,
      totals: { pass: 0, fail: 0, flaky: 1, skip: 1, timeout: 0, error: 0, total: 2 },
    });
    expect(doc.runs).toHaveLength(2);
    expect(doc.runs[0]).toMatchObject({ suite: 'mp_capable', script: 'scripts/mp_capable/a.pkt', variant: 'ipv4', verdict: 'flaky', passRate: '1/2', durationMs: 30 });
    expect(doc.runs[0].error).toMatchObject({ message: 'bad ack', kind: 'packet', file: 'scripts/mp_capable/a.pkt', line: 3, column: 5 });
    expect(doc.runs[0].attempts.map((a: { verdict: string; durationMs: number }) => [a.verdict, a.durationMs])).toEqual([
      ['pass', 10],
      ['fail', 20],
    ]);
    expect(doc.runs[1]).toMatchObject({ suite: 'mp_join', verdict: 'skip', skipReason: 'no v6', passRate: '0/0' });
  });

  it('ok is false when a run failed, when a flake counts under strict, or when incomplete', () => {
    const flaky = [run('s/d/a.pkt', 'ipv4', 'pass'), run('s/d/a.pkt', 'ipv4', 'timeout')];
    expect(buildResultsJson(flaky, meta).ok).toBe(true);
    expect(buildResultsJson(flaky, { ...meta, strict: true }).ok).toBe(false);
    expect(buildResultsJson([run('s/d/a.pkt', 'ipv4', 'pass')], { ...meta, complete: false, planned: 3 })).toMatchObject({ ok: false, complete: false, planned: 3 });
    expect(buildResultsJson([run('s/d/a.pkt', 'ipv4', 'error')], meta)).toMatchObject({ ok: false, totals: { error: 1, total: 1 } });
  });

  it('single runs carry no attempts/passRate; optional meta fields are omitted', () => {
    const doc = JSON.parse(formatJson([run('s/d/a.pkt', 'ipv4', 'pass')], { ...meta, version: undefined, repeat: undefined }));
    expect(doc.runs[0]).toEqual({ suite: 'd', script: 's/d/a.pkt', variant: 'ipv4', verdict: 'pass', durationMs: 12, warnings: [], log: [] });
    expect(doc).not.toHaveProperty('version');
    expect(doc).not.toHaveProperty('planned');
    expect(doc.repeat).toBe(1);
  });

  it('the example in docs/results-schema.md is a valid document of this schema', async () => {
    const { readFileSync } = await import('node:fs');
    const md = readFileSync(new URL('../../docs/results-schema.md', import.meta.url), 'utf8');
    const m = /```json\n([\s\S]*?)\n```/.exec(md);
    const example = JSON.parse(m![1]!);
    expect(example.schema).toBe(RESULTS_SCHEMA);
    // Same keys, in the same order, as what formatJson writes.
    const real = buildResultsJson([run('s/d/a.pkt', 'ipv4', 'pass')], { ...meta, planned: 1 });
    expect(Object.keys(example)).toEqual(Object.keys(real));
    expect(Object.keys(example.totals)).toEqual(Object.keys(real.totals));
  });
});
