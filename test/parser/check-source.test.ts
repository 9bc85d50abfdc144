// checkSource(): every problem of a source text at once (tsdrill parse, a language server).
import { describe, expect, it } from 'vitest';
import { loadParser } from './helpers.js';

const { checkSource, parseScript, ParseError } = await loadParser();

const FIRST = '0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n';

describe('checkSource', () => {
  it('gives the AST and no diagnostics for a good script', () => {
    const r = checkSource(`${FIRST}+0 close(3) = 0\n`, 'good.pkt');
    expect(r.diagnostics).toEqual([]);
    expect(r.script?.events).toHaveLength(2);
  });

  it('gives every semantic problem in source order, one per independent check', () => {
    const text = `${FIRST}+0 < S 0:0(0) win 70000 <mss 70000,wscale 300,nop>\n-1 close(3) = 0\n+0 < . 1:1(0) ack 1 win 1 <nop,nop,nop>\n`;
    const r = checkSource(text, 'many.pkt');
    expect(r.script).toBeUndefined();
    expect(r.diagnostics.map((d) => [d.loc.start.line, d.message])).toEqual([
      // The window stops that line's check before its options are looked at.
      [2, 'window 70000 is too large (maximum 65535)'],
      [3, 'negative time'],
      [4, 'TCP options take 3 bytes, which is not a multiple of 4'],
    ]);
    expect(r.diagnostics.every((d) => d.file === 'many.pkt' && d.severity === 'error')).toBe(true);
  });

  it('checks each option on its own and skips the list size once one of them is wrong', () => {
    const r = checkSource(`${FIRST}+0 < S 0:0(0) win 1 <mss 70000,wscale 300,nop>\n`, 'opts.pkt');
    expect(r.diagnostics.map((d) => d.message)).toEqual(['MSS 70000 is too large (maximum 65535)', 'window scale 300 is too large (maximum 255)']);
  });

  it('gives the one syntax error (the parser cannot go past it), with a located note', () => {
    const r = checkSource(`${FIRST}+0 < [ttl 1, ttl 2] S 0:0(0) win 1\n`, 'dup.pkt');
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]!.message).toBe('ttl given twice in IP info');
    expect(r.diagnostics[0]!.notes).toMatchObject([{ text: 'note: ttl first given here', loc: { start: { line: 2, column: 7 }, end: { line: 2, column: 12 } } }]);
  });

  it('agrees with parseScript, whose ParseError keeps the first problem as its headline', () => {
    const text = `${FIRST}+0 < S 0:0(0) win 70000\n+0 < S 0:0(0) win 70001\n`;
    let thrown: unknown;
    try {
      parseScript(text, 'two.pkt');
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ParseError);
    const e = thrown as InstanceType<typeof ParseError>;
    expect(e.diagnostic.message).toBe('window 70000 is too large (maximum 65535)');
    expect(e.message).toBe('two.pkt:2:19: semantic error: window 70000 is too large (maximum 65535)');
    expect(e.diagnostics).toEqual(checkSource(text, 'two.pkt').diagnostics);
    expect(e.format(text).split('\n').filter((l) => l.startsWith('error: '))).toHaveLength(2);
  });
});
