import { describe, expect, it } from 'vitest';
import { formatDuration, formatSummary, table } from '../../src/report/summary.js';
import { err, run } from './helpers.js';

describe('formatSummary', () => {
  const results = [
    run('scripts/mp_capable/client.pkt', 'ipv4', 'pass', { durationMs: 1200 }),
    run('scripts/mp_capable/client.pkt', 'ipv6', 'fail', { durationMs: 850, error: err('scripts/mp_capable/client.pkt', 'bad ack', 12) }),
    run('scripts/mp_join/hang.pkt', 'ipv4', 'timeout', { durationMs: 180000, error: { ...err('scripts/mp_join/hang.pkt', 'timed out'), line: undefined, column: undefined } }),
    run('scripts/mp_join/syn.pkt', 'ipv4', 'skip'),
    run('scripts/add_addr/a.pkt', 'ipv4', 'pass', { durationMs: 100 }),
    run('scripts/add_addr/a.pkt', 'ipv4', 'fail', { durationMs: 100, error: err('scripts/add_addr/a.pkt', 'late by 3ms', 7) }),
    run('scripts/add_addr/a.pkt', 'ipv4', 'pass', { durationMs: 100 }),
  ];

  it('prints counts, slowest runs, flaky runs with pass rate and failures with file:line, aligned', () => {
    expect(formatSummary(results, { wallMs: 185_000, slowest: 3 })).toBe(
      [
        '5 runs: 1 passed, 1 failed, 1 timed out, 1 flaky, 1 skipped in 3m05s',
        '',
        'slowest:',
        '  3m00s  scripts/mp_join/hang.pkt ipv4       timeout',
        '   1.2s  scripts/mp_capable/client.pkt ipv4  pass',
        '  850ms  scripts/mp_capable/client.pkt ipv6  fail',
        '',
        'flaky:',
        '  2/3  scripts/add_addr/a.pkt ipv4  scripts/add_addr/a.pkt:7:5  late by 3ms',
        '',
        'failures:',
        '  FAIL     scripts/mp_capable/client.pkt ipv6  scripts/mp_capable/client.pkt:12:5  bad ack',
        '  TIMEOUT  scripts/mp_join/hang.pkt ipv4       scripts/mp_join/hang.pkt            timed out',
        '',
      ].join('\n'),
    );
  });

  it('all passed: just the counts and the slowest; strict lists flakes as failures; interrupted is said', () => {
    expect(formatSummary([run('s/d/a.pkt', 'ipv4', 'pass', { durationMs: 5 })], { slowest: 0 })).toBe('1 run: 1 passed, 0 failed\n');
    const strict = formatSummary(results.slice(4), { strict: true, slowest: 0, interrupted: true });
    expect(strict).toBe(
      [
        '1 run: 0 passed, 0 failed, 1 flaky (interrupted)',
        '',
        'flaky:',
        '  2/3  scripts/add_addr/a.pkt ipv4  scripts/add_addr/a.pkt:7:5  late by 3ms',
        '',
        'failures:',
        '  FLAKY  scripts/add_addr/a.pkt ipv4  scripts/add_addr/a.pkt:7:5  late by 3ms',
        '',
      ].join('\n'),
    );
  });

  it('truncates lines to the terminal width', () => {
    const out = formatSummary(results, { columns: 40 });
    for (const l of out.split('\n')) expect(l.length).toBeLessThanOrEqual(40);
    expect(out).toContain('…');
  });
});

describe('formatDuration and table', () => {
  it('formats durations', () => {
    expect([0, 999, 1000, 12_345, 59_999, 60_000, 185_000, 3_725_000].map(formatDuration)).toEqual(['0ms', '999ms', '1.0s', '12.3s', '1m00s', '1m00s', '3m05s', '1h02m05s']);
  });

  it('aligns columns, right-aligning the ones asked, without trailing spaces', () => {
    expect(table([['a', 'bbb', ''], ['cc', 'd', 'e']], [0])).toEqual(['   a  bbb', '  cc  d    e']);
  });
});
