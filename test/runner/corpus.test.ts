import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareVerdict, corpusDir, corpusFlags, referenceLine, type ReferenceRow } from '../../runner/corpus.js';
import type { RunResult } from '../../src/report/result.js';

const README = join(corpusDir(), 'README.md');

/** The flag list the corpus README gives for a suite and variant, as `--name=value` strings. */
function readmeFlags(suite: 'mptcp' | 'tcp', variant: string): string[] {
  const text = readFileSync(README, 'utf8');
  const section = text.slice(text.indexOf(suite === 'mptcp' ? 'MPTCP fork (`mptcp/`)' : 'google (`tcp/`)'));
  const line = section.split('\n').find((l) => l.trim().startsWith(`* ${variant}:`))!;
  return [...line.matchAll(/(--\w+=\S+|-D \w+=\w+)/g)].map((m) => m[1]!.replace(/^-D /, '--define='));
}

const render = (suite: 'mptcp' | 'tcp', v: 'ipv4' | 'ipv6') =>
  corpusFlags(suite, v)
    .filter((f) => !['send_omit_free', 'tolerance_usecs'].includes(f.name) && f.value !== 'TCP_IS_MPTCP=43')
    .map((f) => `--${f.name}=${f.value}`);

describe.skipIf(!existsSync(README))('corpus runner flags', () => {
  it.each([
    ['mptcp', 'ipv4'],
    ['mptcp', 'ipv6'],
    ['tcp', 'ipv4'],
    ['tcp', 'ipv6'],
  ] as const)('%s %s: exactly the flags the corpus README lists', (suite, variant) => {
    expect(render(suite, variant).sort()).toEqual(readmeFlags(suite, variant).sort());
  });

  it('MPTCP runs get the 300 ms tolerance the verdicts were measured with, every run --send_omit_free', () => {
    expect(corpusFlags('mptcp', 'ipv4')).toContainEqual({ name: 'tolerance_usecs', value: '300000' });
    expect(corpusFlags('tcp', 'ipv6')).toContainEqual({ name: 'send_omit_free' });
    expect(corpusFlags('tcp', 'ipv6').some((f) => f.name === 'tolerance_usecs')).toBe(false);
  });
});

describe('verdict comparison', () => {
  const row = (verdict: ReferenceRow['verdict'], firstError = ''): ReferenceRow => ({ script: 'tcp/x/y.pkt', variant: 'ipv4', verdict, wallMs: 1, firstError });
  const ours = (verdict: RunResult['verdict'], line?: number): RunResult => ({
    script: 'y.pkt',
    variant: 'ipv4',
    verdict,
    durationMs: 1,
    warnings: [],
    log: [],
    error: line === undefined ? undefined : { message: 'm', kind: 'packet', file: 'y.pkt', line, framed: '', legacy: '' },
  });

  it('reads the line of a reference error', () => {
    expect(referenceLine('y.pkt:51: error in Python code')).toBe(51);
    expect(referenceLine('')).toBeUndefined();
  });

  it('agrees on same verdicts, and on failures only when the line is the same', () => {
    expect(compareVerdict(row('pass'), ours('pass')).agree).toBe(true);
    expect(compareVerdict(row('fail', 'y.pkt:12: error handling packet: x'), ours('fail', 12)).agree).toBe(true);
    expect(compareVerdict(row('fail', 'y.pkt:12: error handling packet: x'), ours('fail', 13))).toMatchObject({ agree: false, why: 'both fail, reference on line 12, ours on line 13' });
    expect(compareVerdict(row('pass'), ours('fail', 3))).toMatchObject({ agree: false, why: 'verdict: reference pass, ours fail' });
  });
});
