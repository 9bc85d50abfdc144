import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/diagnostics/code-frame.js';
import { checkSymbols } from '../../src/interpreter/check-symbols.js';
import { parseScript } from '../../src/parser/index.js';

const check = (text: string, defines: string[] = []) =>
  checkSymbols(parseScript(text, 'typo.pkt'), 'typo.pkt', new Set(defines)).map((d) => formatDiagnostic(text, d));

describe('checkSymbols', () => {
  it('suggests the closest Linux constant for a misspelled sockopt', () => {
    expect(check('0 setsockopt(3, SOL_SOCKET, SO_REUSEADDRR, [1], 4) = 0\n')).toEqual([
      [
        "error: unknown symbol 'SO_REUSEADDRR'; did you mean 'SO_REUSEADDR'?",
        ' --> typo.pkt:1:29',
        '  |',
        '1 | 0 setsockopt(3, SOL_SOCKET, SO_REUSEADDRR, [1], 4) = 0',
        '  |                             ^^^^^^^^^^^^^',
        '  = symbols are Linux constants (SOL_SOCKET, SO_REUSEADDR, O_NONBLOCK, E* errnos...) or -D defines',
      ].join('\n'),
    ]);
  });

  it('checks errnos, flag expressions and struct fields too', () => {
    const out = check('0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCKK) = -1 EINVALL (Invalid argument)\n');
    expect(out.map((o) => o.split('\n')[0])).toEqual([
      "error: unknown symbol 'O_NONBLOCKK'; did you mean 'O_NONBLOCK'?",
      "error: unknown symbol 'EINVALL'; did you mean 'EINVAL'?",
    ]);
  });

  it('accepts known constants and -D defines, and gives no suggestion for nonsense', () => {
    expect(check('0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0\n+0 setsockopt(3, CMSG_LEVEL_IP, IP_TOS, [1], 4) = 0\n', ['CMSG_LEVEL_IP'])).toEqual([]);
    expect(check('0 close(QQQQQQQQQQQQ) = 0\n')[0]!.split('\n')[0]).toBe("error: unknown symbol 'QQQQQQQQQQQQ'");
  });
});
