import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/diagnostics/code-frame.js';
import { parseScript } from '../../src/parser/index.js';
import { addResults, verdictOf, type KernelResults } from '../../src/conformance/results.js';
import { scriptTags } from '../../src/conformance/tags.js';

const KNOWN = new Set(['3.1-mpc-syn-no-key', '3.2-join-syn', '3.5-fastclose-tx']);
const UNTESTABLE = new Set(['3.1-key-unique']);

function tagsOf(source: string) {
  return scriptTags(parseScript(source, 's.pkt'), 's.pkt', source, KNOWN, UNTESTABLE);
}

describe('scriptTags', () => {
  it('reads ids separated by commas or blanks, each with its own column', () => {
    const { tags, problems } = tagsOf('// conforms: 3.1-mpc-syn-no-key,3.2-join-syn\n0 socket(..., SOCK_STREAM, IPPROTO_MPTCP) = 3 // conforms: 3.5-fastclose-tx\n');
    expect(problems).toEqual([]);
    expect(tags.map((t) => [t.id, t.loc.start.line, t.loc.start.column, t.loc.end.column])).toEqual([
      ['3.1-mpc-syn-no-key', 1, 14, 32],
      ['3.2-join-syn', 1, 33, 45],
      ['3.5-fastclose-tx', 2, 60, 76],
    ]);
  });

  it('an unknown id is an error with a caret under it and the nearest known id', () => {
    const source = '// A comment.\n// conforms: 3.2-join-syn 3.1-mpc-syn-nokey\n0 close(3) = 0\n';
    const { tags, problems } = tagsOf(source);
    expect(tags.map((t) => t.id)).toEqual(['3.2-join-syn']);
    expect(problems).toHaveLength(1);
    const p = problems[0]!;
    expect(formatDiagnostic(source, { severity: 'error', message: p.message, file: p.file, loc: p.loc })).toBe(
      [
        'error: unknown requirement id "3.1-mpc-syn-nokey" (did you mean "3.1-mpc-syn-no-key"?)',
        ' --> s.pkt:2:27',
        '  |',
        '2 | // conforms: 3.2-join-syn 3.1-mpc-syn-nokey',
        '  |                           ^^^^^^^^^^^^^^^^^',
      ].join('\n'),
    );
  });

  it('an id claimed twice by one script, an untestable id and an empty tag are errors', () => {
    const { problems } = tagsOf('// conforms: 3.2-join-syn\n// conforms: 3.1-key-unique, 3.2-join-syn\n// conforms:\n0 close(3) = 0\n');
    expect(problems.map((p) => [p.loc.start.line, p.loc.start.column, p.message])).toEqual([
      [2, 14, 'requirement "3.1-key-unique" is listed as untestable; move it to `requirements:` before claiming it'],
      [2, 30, 'duplicate requirement id "3.2-join-syn" (already claimed at line 1)'],
      [3, 1, '`conforms:` names no requirement id'],
    ]);
  });
});

const doc = (runs: object[], kernel?: string) => JSON.stringify({ schema: 'tsdrill-results/1', kernel, runs });

describe('results', () => {
  it("a run's kernel wins over the document's, which wins over the file name", () => {
    const into = new Map<string, KernelResults>();
    addResults(into, doc([{ script: 'scripts/a.pkt', variant: 'ipv4', verdict: 'pass', kernel: '6.12.0' }, { script: 'scripts/a.pkt', variant: 'ipv6', verdict: 'pass' }], '6.18.0'), 'x.json');
    addResults(into, doc([{ script: './scripts/a.pkt', variant: 'ipv4', verdict: 'fail' }]), 'out/vm-6.1.json');
    expect([...into.keys()]).toEqual(['6.12.0', '6.18.0', 'vm-6.1']);
    expect(verdictOf(into.get('vm-6.1')!, 'scripts/a.pkt')).toEqual({ verdict: 'fail', variants: { ipv4: 'fail' } });
  });

  it("a script's verdict is the worst of its variants and repeated entries", () => {
    const into = new Map<string, KernelResults>();
    addResults(
      into,
      doc([
        { script: 'scripts/a.pkt', variant: 'ipv4', verdict: 'pass' },
        { script: 'scripts/a.pkt', variant: 'ipv6', verdict: 'flaky' },
        { script: 'scripts/a.pkt', variant: 'ipv4', verdict: 'skip' },
      ], 'k'),
      'r.json',
    );
    expect(verdictOf(into.get('k')!, 'scripts/a.pkt')).toEqual({ verdict: 'flaky', variants: { ipv4: 'pass', ipv6: 'flaky' } });
  });

  it('a run made from another directory matches by its last two path components, if unambiguous', () => {
    const into = new Map<string, KernelResults>();
    addResults(into, doc([{ script: '/mnt/tsdrill/scripts/dss/x.pkt', variant: 'ipv4', verdict: 'pass' }, { script: '/a/one/y.pkt', variant: 'ipv4', verdict: 'pass' }, { script: '/b/one/y.pkt', variant: 'ipv4', verdict: 'fail' }], 'k'), 'r.json');
    expect(verdictOf(into.get('k')!, 'scripts/dss/x.pkt')?.verdict).toBe('pass');
    expect(verdictOf(into.get('k')!, 'scripts/one/y.pkt')).toBeUndefined();
  });

  it('rejects what is not a results document, naming the file', () => {
    const into = new Map<string, KernelResults>();
    expect(() => addResults(into, '{', 'r.json')).toThrow(/^r\.json: not JSON/);
    expect(() => addResults(into, '{"runs": 3}', 'r.json')).toThrow('r.json: not a tsdrill results document');
    expect(() => addResults(into, doc([{ script: 'a.pkt', verdict: 'great' }]), 'r.json')).toThrow('r.json: runs[0] has no script or no known verdict');
  });
});
