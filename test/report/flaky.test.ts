import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aggregateRepeats } from '../../src/report/flaky.js';
import type { Verdict } from '../../src/report/result.js';
import { err, run } from './helpers.js';

describe('aggregateRepeats', () => {
  it('leaves single runs untouched (no attempts, no passRate)', () => {
    const rs = [run('s/a.pkt', 'ipv4', 'pass'), run('s/a.pkt', 'ipv6', 'fail')];
    const out = aggregateRepeats(rs);
    expect(out).toEqual(rs);
    expect(out[0]).toBe(rs[0]);
  });

  it('all pass -> pass, all fail -> first failure (its verdict and error), mixed -> flaky', () => {
    const [pass] = aggregateRepeats([run('s/a.pkt', 'ipv4', 'pass', { durationMs: 5 }), run('s/a.pkt', 'ipv4', 'pass', { durationMs: 7 })]);
    expect(pass).toMatchObject({ verdict: 'pass', passRate: '2/2', durationMs: 12 });
    expect(pass!.attempts).toHaveLength(2);
    expect(pass!.error).toBeUndefined();

    const e1 = err('s/a.pkt', 'first', 4);
    const e2 = err('s/a.pkt', 'second', 9);
    const [fail] = aggregateRepeats([run('s/a.pkt', 'ipv4', 'timeout', { error: e1 }), run('s/a.pkt', 'ipv4', 'fail', { error: e2 })]);
    expect(fail).toMatchObject({ verdict: 'timeout', passRate: '0/2', error: e1 });

    const [flaky] = aggregateRepeats([
      run('s/a.pkt', 'ipv4', 'pass', { log: ['ok run'] }),
      run('s/a.pkt', 'ipv4', 'fail', { error: e2, log: ['bad run'], warnings: ['w1'] }),
      run('s/a.pkt', 'ipv4', 'pass', { warnings: ['w1', 'w2'] }),
    ]);
    expect(flaky).toMatchObject({ verdict: 'flaky', passRate: '2/3', error: e2, log: ['bad run'], warnings: ['w1', 'w2'] });
    expect(flaky!.attempts!.map((a) => a.verdict)).toEqual(['pass', 'fail', 'pass']);
    expect(flaky!.attempts![1]!.error).toBe(e2);
    expect(flaky!.attempts![0]).not.toHaveProperty('script');
  });

  it('skipped attempts do not count in the pass rate; all skipped -> skip', () => {
    const [a] = aggregateRepeats([run('s/a.pkt', 'ipv4', 'skip'), run('s/a.pkt', 'ipv4', 'pass')]);
    expect(a).toMatchObject({ verdict: 'pass', passRate: '1/1' });
    const [b] = aggregateRepeats([run('s/a.pkt', 'ipv4', 'skip', { skipReason: 'r' }), run('s/a.pkt', 'ipv4', 'skip')]);
    expect(b).toMatchObject({ verdict: 'skip', passRate: '0/0', skipReason: 'r' });
  });

  it('groups by script+variant, keeping the order of first appearance', () => {
    const out = aggregateRepeats([run('s/b.pkt', 'ipv4', 'pass'), run('s/a.pkt', 'ipv4', 'pass'), run('s/b.pkt', 'ipv6', 'pass'), run('s/b.pkt', 'ipv4', 'fail')]);
    expect(out.map((r) => `${r.script} ${r.variant} ${r.verdict}`)).toEqual(['s/b.pkt ipv4 flaky', 's/a.pkt ipv4 pass', 's/b.pkt ipv6 pass']);
  });

  it('property: verdict follows the pass/fail mix, rate counts passes, idempotent', () => {
    const verdict = fc.constantFrom<Verdict>('pass', 'fail', 'timeout', 'error', 'skip');
    fc.assert(
      fc.property(fc.array(verdict, { minLength: 2, maxLength: 8 }), (vs) => {
        const rs = vs.map((v, i) => run('s/a.pkt', 'ipv4', v, { durationMs: i }));
        const [agg] = aggregateRepeats(rs);
        const ran = vs.filter((v) => v !== 'skip');
        const passed = ran.filter((v) => v === 'pass').length;
        const expected = ran.length === 0 ? 'skip' : passed === ran.length ? 'pass' : passed === 0 ? ran[0] : 'flaky';
        expect(agg!.verdict).toBe(expected);
        expect(agg!.passRate).toBe(`${passed}/${ran.length}`);
        expect(agg!.attempts).toHaveLength(vs.length);
        expect(agg!.durationMs).toBe((vs.length * (vs.length - 1)) / 2);
        expect(aggregateRepeats([agg!])).toEqual([agg]);
        // Splitting the attempts and aggregating twice gives the same result.
        const k = Math.floor(vs.length / 2);
        expect(aggregateRepeats([...aggregateRepeats(rs.slice(0, k)), ...rs.slice(k)])).toEqual([agg]);
      }),
    );
  });
});
