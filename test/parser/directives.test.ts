// Comments kept in the AST, and the `// name: value` directives read from them.

import { describe, expect, test } from 'vitest';
import { scriptDirectives } from '../../src/parser/directives.js';
import { loadParser } from './helpers.js';

const { parseScript } = await loadParser();

const SCRIPT = [
  '// require: sysctl net.mptcp.enabled',
  '--tolerance_usecs=10000 // a trailing comment',
  '/* a block',
  '   comment */',
  '0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3',
  '//conforms:3.1-mpc-syn-key  ',
  '// Note: not a directive',
  '+0 close(3) = 0 // conforms: after an event',
  '',
].join('\n');

describe('comments', () => {
  test('every comment is kept once, in source order, with its location and style', () => {
    const s = parseScript(SCRIPT, 't.pkt');
    expect(s.comments.map((c) => [c.style, c.text, c.loc.start.line, c.loc.start.column])).toEqual([
      ['line', ' require: sysctl net.mptcp.enabled', 1, 1],
      ['line', ' a trailing comment', 2, 25],
      ['block', ' a block\n   comment ', 3, 1],
      ['line', 'conforms:3.1-mpc-syn-key  ', 6, 1],
      ['line', ' Note: not a directive', 7, 1],
      ['line', ' conforms: after an event', 8, 17],
    ]);
    expect(s.comments[2]!.loc.end).toEqual({ offset: SCRIPT.indexOf('*/') + 2, line: 4, column: 14 });
  });

  test('a script without comments has none', () => {
    expect(parseScript('0 close(3) = 0\n', 't.pkt').comments).toEqual([]);
  });

  test('comment text inside strings and commands is not a comment', () => {
    const s = parseScript('0 `echo "// no"`\n+0 write(3, "/* no */", 1) = 1\n', 't.pkt');
    expect(s.comments).toEqual([]);
  });
});

describe('directives', () => {
  test('known names only, value trimmed, value location on the value', () => {
    const s = parseScript(SCRIPT, 't.pkt');
    const all = scriptDirectives(s);
    expect(all.map((d) => [d.name, d.value])).toEqual([
      ['require', 'sysctl net.mptcp.enabled'],
      ['conforms', '3.1-mpc-syn-key'],
      ['conforms', 'after an event'],
    ]);
    const line6 = SCRIPT.split('\n')[5]!;
    expect(all[1]!.valueLoc.start.column).toBe(line6.indexOf('3.1') + 1);
    expect(all[1]!.valueLoc.end.column).toBe(line6.indexOf('key') + 4);
    expect(all[2]!.valueLoc.start).toMatchObject({ line: 8, column: SCRIPT.split('\n')[7]!.indexOf('after') + 1 });
  });

  test('filtered by name', () => {
    const s = parseScript(SCRIPT, 't.pkt');
    expect(scriptDirectives(s, 'require').map((d) => d.value)).toEqual(['sysctl net.mptcp.enabled']);
  });
});
