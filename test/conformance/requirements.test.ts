import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConformanceError } from '../../src/conformance/errors.js';
import { LEVELS, parseRequirements, SIDES } from '../../src/conformance/requirements.js';

const REQ = (extra = '') => `title: T
requirements:
  - id: 3.1-mpc-syn-no-key
    section: "3.1"
    level: MUST
    side: initiator
    text: The SYN has no key.
  - id: 3.2-join-syn
    section: "3.2"
    level: SHOULD
    side: initiator
    text: Token.
    gap: not yet
${extra}`;

function problemsOf(source: string): string {
  try {
    parseRequirements(source, 'r.yaml');
  } catch (e) {
    if (e instanceof ConformanceError) return e.format();
    throw e;
  }
  throw new Error('no error');
}

describe('parseRequirements', () => {
  it('reads ids, levels, sides, gaps and where each id is written', () => {
    const set = parseRequirements(REQ(), 'r.yaml');
    expect(set.title).toBe('T');
    expect(set.requirements.map((r) => [r.id, r.section, r.level, r.side, r.gap])).toEqual([
      ['3.1-mpc-syn-no-key', '3.1', 'MUST', 'initiator', undefined],
      ['3.2-join-syn', '3.2', 'SHOULD', 'initiator', 'not yet'],
    ]);
    expect(set.requirements[1]!.loc.start).toMatchObject({ line: 8, column: 9 });
    expect(set.untestable).toEqual([]);
  });

  it('a duplicate id is an error at the second one, with line, column and caret', () => {
    const out = problemsOf(REQ(`  - id: 3.1-mpc-syn-no-key\n    section: "3.1"\n    level: MAY\n    side: both\n    text: again\n`));
    expect(out).toBe(
      [
        'error: duplicate requirement id "3.1-mpc-syn-no-key" (first defined at line 3)',
        '  --> r.yaml:14:9',
        '   |',
        '14 |   - id: 3.1-mpc-syn-no-key',
        '   |         ^^^^^^^^^^^^^^^^^^',
      ].join('\n'),
    );
  });

  it('reports every bad field, each at its place', () => {
    const out = problemsOf(`requirements:\n  - id: 3.1-x\n    section: "3.1"\n    level: MUSTNT\n    side: server\n  - id: Bad Id\n    section: "3.1"\n    level: MAY\n    side: both\n    text: t\n    colour: red\n`);
    expect(out).toContain('error: level "MUSTNT" is not one of MUST, SHOULD, MAY\n --> r.yaml:4:12');
    expect(out).toContain('error: side "server" is not one of initiator, listener, sender, receiver, both\n --> r.yaml:5:11');
    expect(out).toContain('error: missing `text:`');
    expect(out).toContain('error: id "Bad Id" is not of the form <section>-<name>');
    expect(out).toContain('error: unknown field `colour`');
  });

  it('an untestable requirement needs a reason, and its id must not also be testable', () => {
    expect(problemsOf(REQ(`untestable:\n  - id: 3.1-keys\n    section: "3.1"\n    level: MUST\n    side: both\n    text: random keys\n`))).toContain('an untestable requirement needs `reason:`');
  });

  it('an id must start with its section', () => {
    expect(problemsOf(`requirements:\n  - id: 3.4-x\n    section: "3.1"\n    level: MAY\n    side: both\n    text: t\n`)).toContain('id "3.4-x" does not start with its section 3.1');
  });

  it('a YAML syntax error points at the file position', () => {
    expect(problemsOf('requirements:\n  - id: [unclosed\n')).toMatch(/^error: .*\n --> r\.yaml:\d+:\d+/);
  });

  it('the RFC 8684 file is valid: unique ids, every MUST/SHOULD/MAY, every side, reasons for the untestable', () => {
    const set = parseRequirements(readFileSync('conformance/rfc8684.yaml', 'utf8'), 'conformance/rfc8684.yaml');
    expect(set.requirements.length).toBeGreaterThan(60);
    expect(new Set(set.requirements.map((r) => r.level))).toEqual(new Set(LEVELS));
    for (const s of set.requirements.map((r) => r.side)) expect(SIDES).toContain(s);
    expect(set.untestable.every((u) => u.reason.length > 10)).toBe(true);
    // Every section of RFC 8684 §3 with wire-observable rules is represented.
    const sections = new Set(set.requirements.map((r) => r.section.split('.').slice(0, 2).join('.')));
    for (const s of ['3.1', '3.2', '3.3', '3.4', '3.5', '3.6', '3.7', '3.8']) expect(sections).toContain(s);
  });
});
