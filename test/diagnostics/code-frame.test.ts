import { describe, expect, it } from 'vitest';
import { formatDiagnostic, noteText } from '../../src/diagnostics/code-frame.js';

const source = ['0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3', ...Array.from({ length: 8 }, () => '+0 close(3) = 0'), '+0 > . 1:1(0) ack 1001 win 500'].join('\n');
const at = (line: number, column: number, length: number) => ({
  start: { offset: 0, line, column },
  end: { offset: 0, line, column: column + length },
});

describe('formatDiagnostic', () => {
  it('frames the location with a caret run, plain notes as "=" lines', () => {
    const text = formatDiagnostic(source, { severity: 'error', message: 'expected ack 1001, got ack 1', file: 'x.pkt', loc: at(10, 13, 8), notes: ['script packet: ...', ''] });
    expect(text).toBe(['error: expected ack 1001, got ack 1', '  --> x.pkt:10:13', '   |', '10 | +0 > . 1:1(0) ack 1001 win 500', '   |             ^^^^^^^^', '   = script packet: ...', ''].join('\n'));
  });

  it('frames each located note at its own place after the plain notes, with one gutter width', () => {
    const text = formatDiagnostic(source, {
      severity: 'error',
      message: 'ttl given twice in IP info',
      file: 'x.pkt',
      loc: at(1, 3, 6),
      notes: [{ text: 'also: expected win 500, got win 502', loc: at(10, 22, 7) }, 'plain', { text: 'first given here', loc: at(2, 4, 5) }],
    });
    expect(text).toBe(
      [
        'error: ttl given twice in IP info',
        '  --> x.pkt:1:3',
        '   |',
        ' 1 | 0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3',
        '   |   ^^^^^^',
        '   = plain',
        'also: expected win 500, got win 502',
        '  --> x.pkt:10:22',
        '   |',
        '10 | +0 > . 1:1(0) ack 1001 win 500',
        '   |                      ^^^^^^^',
        // A note without a "word:" prefix is headed "note:".
        'note: first given here',
        '  --> x.pkt:2:4',
        '   |',
        ' 2 | +0 close(3) = 0',
        '   |    ^^^^^',
      ].join('\n'),
    );
  });

  it('reads the text of either kind of note', () => {
    expect(noteText('plain')).toBe('plain');
    expect(noteText({ text: 'located', loc: at(1, 1, 1) })).toBe('located');
  });
});
