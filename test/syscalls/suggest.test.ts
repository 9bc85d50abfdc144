import { describe, expect, it } from 'vitest';
import { boundedDamerauLevenshtein, maxSuggestionDistance, prefixFamily, suggestSymbol } from '../../src/syscalls/suggest.js';
import { LINUX_SYMBOLS } from '../../src/syscalls/symbols.js';

const NAMES = [...LINUX_SYMBOLS.keys()];

describe('boundedDamerauLevenshtein', () => {
  it('computes optimal-string-alignment distances', () => {
    expect(boundedDamerauLevenshtein('', '', 3)).toBe(0);
    expect(boundedDamerauLevenshtein('ABC', 'ABC', 3)).toBe(0);
    expect(boundedDamerauLevenshtein('ABC', 'ABD', 3)).toBe(1); // substitution
    expect(boundedDamerauLevenshtein('ABC', 'ABCD', 3)).toBe(1); // insertion
    expect(boundedDamerauLevenshtein('ABCD', 'ABD', 3)).toBe(1); // deletion
    expect(boundedDamerauLevenshtein('ABCD', 'ACBD', 3)).toBe(1); // transposition
    expect(boundedDamerauLevenshtein('KITTEN', 'SITTING', 5)).toBe(3);
    expect(boundedDamerauLevenshtein('CA', 'ABC', 5)).toBe(3); // OSA, not unrestricted DL
  });

  it('stops at the limit', () => {
    expect(boundedDamerauLevenshtein('AAAAAAAA', 'BBBBBBBB', 2)).toBe(3);
    expect(boundedDamerauLevenshtein('A', 'ABCDEFG', 2)).toBe(3);
  });

  it('agrees with an unbounded reference on random strings', () => {
    const ref = (a: string, b: string): number => {
      const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
        Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
      );
      for (let i = 1; i <= a.length; i++) {
        for (let j = 1; j <= b.length; j++) {
          const cost = a[i - 1] === b[j - 1] ? 0 : 1;
          let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
          if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
          d[i]![j] = v;
        }
      }
      return d[a.length]![b.length]!;
    };
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const word = (): string => Array.from({ length: rand(9) }, () => 'ABC_'[rand(4)]).join('');
    for (let k = 0; k < 2000; k++) {
      const a = word();
      const b = word();
      const limit = rand(5);
      expect(boundedDamerauLevenshtein(a, b, limit), `${a} ${b} ${limit}`).toBe(Math.min(ref(a, b), limit + 1));
    }
  });
});

describe('suggestSymbol', () => {
  it('finds the intended constant', () => {
    const cases: Record<string, string> = {
      SO_REUSEADDRR: 'SO_REUSEADDR',
      TCP_NODELY: 'TCP_NODELAY',
      SO_RESUEADDR: 'SO_REUSEADDR', // transposition
      TCP_NOTSENT_LOWATT: 'TCP_NOTSENT_LOWAT',
      EINPROGRES: 'EINPROGRESS',
      ECONNREFUESD: 'ECONNREFUSED',
      ETIMEOUT: 'ETIMEDOUT',
      O_NONBLOK: 'O_NONBLOCK',
      MSG_ZEROCPY: 'MSG_ZEROCOPY',
      IPPROTO_MPCTP: 'IPPROTO_MPTCP',
      SHUT_RDDWR: 'SHUT_RDWR',
      TCP_FASTOPEN_CONECT: 'TCP_FASTOPEN_CONNECT',
      EPOLLONESHOOT: 'EPOLLONESHOT',
      so_reuseaddr: 'SO_REUSEADDR', // case-insensitive
    };
    for (const [typo, want] of Object.entries(cases)) expect([typo, suggestSymbol(typo, NAMES)]).toEqual([typo, want]);
  });

  it('returns undefined for nonsense and far-off names', () => {
    for (const name of ['', 'X', 'BANANA', 'XYZZY_PLUGH', 'FOOBARBAZ_QUUX', 'SO_', 'TCP_TOTALLY_UNKNOWN', 'CMSG_LEVEL_IP', 'MPTCP_SUBFLOWS']) {
      expect([name, suggestSymbol(name, NAMES)]).toEqual([name, undefined]);
    }
  });

  it('never suggests the name itself', () => {
    expect(suggestSymbol('SO_REUSEADDR', ['SO_REUSEADDR'])).toBeUndefined();
    expect(suggestSymbol('SO_REUSEADDR', ['SO_REUSEADDR', 'SO_REUSEPORT'])).toBeUndefined(); // distance 4 > 3
  });

  it('respects max(1, floor(len/4))', () => {
    expect(maxSuggestionDistance('EIO')).toBe(1);
    expect(maxSuggestionDistance('SO_MARK')).toBe(1);
    expect(maxSuggestionDistance('SO_REUSEADDR')).toBe(3);
    expect(suggestSymbol('ABCDEFGH', ['ABCDEFXY'])).toBe('ABCDEFXY'); // 2 <= 2
    expect(suggestSymbol('ABCDEFGH', ['ABCDEXYZ'])).toBeUndefined(); // 3 > 2
    expect(suggestSymbol('EIX', ['EIO'])).toBe('EIO');
    expect(suggestSymbol('EXX', ['EIO'])).toBeUndefined();
  });

  it('prefers the same prefix family on a tie, then the smaller distance wins anyway', () => {
    expect(prefixFamily('SO_REUSEADDR')).toBe('SO_');
    expect(prefixFamily('EAGAIN')).toBe('');
    // Both are one edit away from SO_MARKS; only SO_MARK shares its family.
    expect(suggestSymbol('SO_MARKS', ['TO_MARKS', 'SO_MARK'])).toBe('SO_MARK');
    expect(suggestSymbol('SO_MARKS', ['SO_MARK', 'TO_MARKS'])).toBe('SO_MARK');
    // Closer beats same family.
    expect(suggestSymbol('TCP_ABCDEFGH', ['TCP_ABCDXYGH', 'TCQ_ABCDEFGH'])).toBe('TCQ_ABCDEFGH');
    // Deterministic among equals: nearest length, then alphabetical.
    expect(suggestSymbol('TCP_ABCD', ['TCP_ABCE', 'TCP_ABCF'])).toBe('TCP_ABCE');
    expect(suggestSymbol('TCP_ABCD', ['TCP_ABCF', 'TCP_ABCE'])).toBe('TCP_ABCE');
  });

  it('accepts any iterable', () => {
    expect(suggestSymbol('TCP_NODELY', LINUX_SYMBOLS.keys())).toBe('TCP_NODELAY');
    expect(suggestSymbol('TCP_NODELY', new Set(NAMES))).toBe('TCP_NODELAY');
  });

  it('is fast over the whole table', () => {
    const typos = NAMES.slice(0, 300).map((n) => `${n}X`);
    const start = performance.now();
    for (const t of typos) suggestSymbol(t, NAMES);
    const perCall = (performance.now() - start) / typos.length;
    expect(perCall).toBeLessThan(5); // milliseconds; typically well under 1
  });
});
