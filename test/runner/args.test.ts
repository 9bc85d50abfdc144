import { describe, expect, it } from 'vitest';
import { HELP, parseArgs, UsageError } from '../../runner/args.js';

const parse = (...argv: string[]) => parseArgs(argv, 2);

describe('parseArgs', () => {
  it('defaults: help with no arguments, one job per core, 180 s timeout, every variant', () => {
    expect(parse().command).toBe('help');
    expect(parse('run', 'scripts/')).toMatchObject({ command: 'run', paths: ['scripts/'], jobs: 2, timeoutSec: 180, toleranceScale: 1, repeat: 1, strict: false, pcapMode: 'fail', flags: [] });
    expect(parse('run', 'scripts/').variants).toBeUndefined();
  });

  it('reads our own options, with the value inline or as the next argument', () => {
    const a = parse('run', '-j', '3', '--timeout=9', '--tolerance-scale', '2.5', '--repeat=4', '--strict', '--junit', 'j.xml', '--json=r.json', '--pcap-dir', 'p', '--pcap=all', '--current-netns', 'a.pkt', 'b/');
    expect(a).toMatchObject({ jobs: 3, timeoutSec: 9, toleranceScale: 2.5, repeat: 4, strict: true, junit: 'j.xml', json: 'r.json', pcapDir: 'p', pcapMode: 'all' });
    expect(a).toMatchObject({ currentNetns: true, paths: ['a.pkt', 'b/'] });
    expect(parse('run', '--filter', 'mp_.*join', 'x').filter?.test('scripts/mp_join/a.pkt')).toBe(true);
    expect(parse('run', '--jobs=5', 'x').jobs).toBe(5);
  });

  it('forwards packetdrill\'s flags to the runs in order, and reads its --ip_version as the variants', () => {
    const a = parse('run', '--tolerance_usecs=10000', '-D', 'TFO_COOKIE=abc', '--strict_segments', '-v', '--ip_version=ipv4,ipv6', 'x.pkt');
    expect(a.flags).toEqual([
      { name: 'tolerance_usecs', value: '10000' },
      { name: 'define', value: 'TFO_COOKIE=abc' },
      { name: 'strict_segments', value: undefined },
      { name: 'verbose' },
    ]);
    expect(a.variants).toEqual(['ipv4', 'ipv6']);
    expect(a.verbose).toBe(true);
    expect(parse('run', '--mtu', '1400', 'x').flags).toEqual([{ name: 'mtu', value: '1400' }]);
  });

  it('takes `check` as another name of parse, and --print-ast there', () => {
    expect(parse('check', '--print-ast', 'x.pkt')).toMatchObject({ command: 'parse', printAst: true, paths: ['x.pkt'] });
    expect(parse('--version').command).toBe('version');
    expect(parse('run', '-h').command).toBe('help');
  });

  it.each([
    [['frobnicate'], "unknown command 'frobnicate' (expected run, parse or help)"],
    [['run'], 'tsdrill run needs at least one script or directory'],
    [['parse'], 'tsdrill parse needs at least one script or directory'],
    [['run', '--no-such-flag', 'x'], 'unknown option --no-such-flag; see tsdrill --help'],
    [['run', '-j', '0', 'x'], 'bad -j: 0 (expected a positive integer)'],
    [['run', '--timeout=1.5', 'x'], 'bad --timeout: 1.5 (expected a positive integer)'],
    [['run', '--tolerance-scale=0', 'x'], 'bad --tolerance-scale: 0 (expected a positive number)'],
    [['run', '--pcap=some', 'x'], 'bad --pcap: some (expected all or fail)'],
    [['run', '--ip_version=ipv5', 'x'], "bad IP version 'ipv5' (expected ipv4, ipv4-mapped-ipv6, ipv6)"],
    [['run', '--strict=yes', 'x'], 'option --strict takes no value'],
    [['run', 'x', '--json'], 'option --json requires a value'],
  ])('%j is a usage error: %s', (argv, message) => {
    let thrown: unknown;
    try {
      parseArgs(argv, 2);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(UsageError);
    expect((thrown as Error).message).toBe(message);
  });

  it('reports a bad --filter regex with the engine\'s reason', () => {
    expect(() => parse('run', '--filter', '(', 'x')).toThrow(/^bad --filter: .*/);
  });
});

describe('HELP', () => {
  it('lists every exit status the CLI returns', () => {
    const exit = HELP.slice(HELP.indexOf('Exit status:')).replace(/\s+/g, ' ');
    for (const status of ['0 all passed', '1 a run failed', '2 usage or parse error', '3 internal error', '130 interrupted']) expect(exit).toContain(status);
  });
});
