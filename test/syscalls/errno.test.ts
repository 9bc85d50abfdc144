import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERRNO_BY_NAME, errnoMessage, errnoName, errnoNumber } from '../../src/syscalls/errno.js';

describe('errno table', () => {
  it('maps names to numbers', () => {
    expect(ERRNO_BY_NAME.get('EPERM')).toBe(1);
    expect(ERRNO_BY_NAME.get('EAGAIN')).toBe(11);
    expect(ERRNO_BY_NAME.get('EWOULDBLOCK')).toBe(11);
    expect(ERRNO_BY_NAME.get('EDEADLK')).toBe(35);
    expect(ERRNO_BY_NAME.get('EDEADLOCK')).toBe(35);
    expect(ERRNO_BY_NAME.get('EOPNOTSUPP')).toBe(95);
    expect(ERRNO_BY_NAME.get('ENOTSUP')).toBe(95);
    expect(ERRNO_BY_NAME.get('ECONNREFUSED')).toBe(111);
    expect(ERRNO_BY_NAME.get('EINPROGRESS')).toBe(115);
    expect(ERRNO_BY_NAME.get('EHWPOISON')).toBe(133);
    expect(ERRNO_BY_NAME.get('EPOLLIN')).toBeUndefined();
    expect(errnoNumber('ETIMEDOUT')).toBe(110);
    expect(errnoNumber('ETIMEOUT')).toBeUndefined();
  });

  it('covers every Linux errno 1..133 (41 and 58 are unused)', () => {
    const numbers = new Set(ERRNO_BY_NAME.values());
    for (let n = 1; n <= 133; n++) {
      if (n === 41 || n === 58) expect(numbers.has(n), String(n)).toBe(false);
      else expect(numbers.has(n), String(n)).toBe(true);
    }
    expect(ERRNO_BY_NAME.size).toBe(134); // 131 numbers + 3 alias names
  });

  it('names numbers canonically', () => {
    expect(errnoName(111)).toBe('ECONNREFUSED');
    expect(errnoName(11)).toBe('EAGAIN');
    expect(errnoName(35)).toBe('EDEADLK');
    expect(errnoName(95)).toBe('EOPNOTSUPP');
    expect(errnoName(41)).toBe('errno 41');
    expect(errnoName(9999)).toBe('errno 9999');
    expect(errnoName(-1)).toBe('errno -1');
  });

  it('round-trips name -> number -> name (aliases to the canonical name)', () => {
    const aliases: Record<string, string> = { EWOULDBLOCK: 'EAGAIN', EDEADLOCK: 'EDEADLK', ENOTSUP: 'EOPNOTSUPP' };
    for (const [name, n] of ERRNO_BY_NAME) {
      expect(errnoName(n)).toBe(aliases[name] ?? name);
      expect(ERRNO_BY_NAME.get(errnoName(n))).toBe(n);
    }
  });

  it("gives glibc's strerror texts", () => {
    expect(errnoMessage(111)).toBe('Connection refused');
    expect(errnoMessage(115)).toBe('Operation now in progress');
    expect(errnoMessage(11)).toBe('Resource temporarily unavailable');
    expect(errnoMessage(104)).toBe('Connection reset by peer');
    expect(errnoMessage(0)).toBe('Success');
    expect(errnoMessage(41)).toBe('Unknown error 41');
    expect(errnoMessage(4242)).toBe('Unknown error 4242');
    for (const n of ERRNO_BY_NAME.values()) expect(errnoMessage(n)).not.toMatch(/^Unknown error/);
  });
});

describe('errno table against the C library', () => {
  const cc = [process.env['CC'], 'cc', 'gcc', 'clang']
    .filter((c): c is string => !!c)
    .find((c) => spawnSync(c, ['--version'], { stdio: 'ignore' }).status === 0);
  const dir = mkdtempSync(join(tmpdir(), 'tsdrill-errno-'));
  let built: string | undefined;
  let unavailable: string | undefined = cc ? undefined : 'no C compiler (cc/gcc/clang, or $CC) found';
  if (cc) {
    // Every name is an object-like macro in <errno.h>, so #ifdef guards names the headers lack.
    const lines = [...ERRNO_BY_NAME.keys()].map(
      (n) => `#ifdef ${n}\n  printf("N %s %d\\n", "${n}", ${n});\n#endif`,
    );
    const src = [
      '#include <errno.h>',
      '#include <stdio.h>',
      '#include <string.h>',
      'int main(void) {',
      ...lines,
      '  for (int i = 0; i <= 140; i++) printf("S %d %s\\n", i, strerror(i));',
      '  return 0;',
      '}',
      '',
    ].join('\n');
    writeFileSync(join(dir, 'errno.c'), src);
    const r = spawnSync(cc, ['-o', join(dir, 'errno'), join(dir, 'errno.c')], { encoding: 'utf8' });
    if (r.status === 0) built = join(dir, 'errno');
    else unavailable = `cannot build against <errno.h> (install libc6-dev): ${r.stderr.split('\n')[0]}`;
  }
  if (unavailable) {
    rmSync(dir, { recursive: true, force: true });
    console.warn(`errno.test: skipping the C cross-check: ${unavailable}`);
  }

  it.skipIf(unavailable !== undefined)(
    `matches <errno.h> and strerror()${unavailable ? ` (SKIPPED: ${unavailable})` : ''}`,
    () => {
      try {
        const run = spawnSync(built!, [], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C', LANG: 'C' } });
        expect(run.status).toBe(0);
        const values = new Map<string, number>();
        const texts = new Map<number, string>();
        for (const line of run.stdout.trim().split('\n')) {
          const m = /^([NS]) (\S+) (.*)$/.exec(line);
          if (!m) continue;
          if (m[1] === 'N') values.set(m[2]!, Number(m[3]));
          else texts.set(Number(m[2]), m[3]!);
        }
        expect(values.size).toBe(ERRNO_BY_NAME.size);
        for (const [name, n] of ERRNO_BY_NAME) expect([name, values.get(name)]).toEqual([name, n]);
        for (const n of new Set(ERRNO_BY_NAME.values())) expect([n, errnoMessage(n)]).toEqual([n, texts.get(n)]);
        // Numbers the table lacks (0 aside) are the ones glibc does not know either.
        for (const [n, text] of texts) {
          if (n > 0 && !/^Unknown error/.test(text)) expect([n, errnoName(n)]).not.toEqual([n, `errno ${n}`]);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
