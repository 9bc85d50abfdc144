import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ERRNO_BY_NAME } from '../../src/syscalls/errno.js';
import { LINUX_SYMBOLS, lookupSymbol, SYMBOLS_NEWER_THAN_HEADERS } from '../../src/syscalls/symbols.js';

const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

describe('LINUX_SYMBOLS', () => {
  it('holds the well-known values', () => {
    const expected: Record<string, bigint> = {
      NULL: 0n,
      AF_UNSPEC: 0n,
      AF_INET: 2n,
      AF_INET6: 10n,
      AF_PACKET: 17n,
      PF_INET6: 10n,
      SOCK_STREAM: 1n,
      SOCK_DGRAM: 2n,
      SOCK_NONBLOCK: 0o4000n,
      SOCK_CLOEXEC: 0o2000000n,
      IPPROTO_TCP: 6n,
      IPPROTO_MPTCP: 262n,
      SOL_SOCKET: 1n,
      SOL_IP: 0n,
      SOL_TCP: 6n,
      SOL_IPV6: 41n,
      SOL_MPTCP: 284n,
      SO_REUSEADDR: 2n,
      SO_ERROR: 4n,
      SO_TIMESTAMPING: 37n,
      SO_ZEROCOPY: 60n,
      SO_EE_ORIGIN_ZEROCOPY: 5n,
      SO_EE_ORIGIN_TIMESTAMPING: 4n,
      SO_EE_CODE_ZEROCOPY_COPIED: 1n,
      SOF_TIMESTAMPING_OPT_ID: 128n,
      SCM_TSTAMP_ACK: 2n,
      TCP_NODELAY: 1n,
      TCP_INFO: 11n,
      TCP_CONGESTION: 13n,
      TCP_MD5SIG: 14n,
      TCP_FASTOPEN: 23n,
      TCP_NOTSENT_LOWAT: 25n,
      TCP_FASTOPEN_CONNECT: 30n,
      TCP_ZEROCOPY_RECEIVE: 35n,
      TCP_INQ: 36n,
      TCP_CM_INQ: 36n,
      TCP_TX_DELAY: 37n,
      TCP_IS_MPTCP: 43n,
      TCP_REPAIR_OFF_NO_WP: -1n,
      TCP_CA_CWR: 2n,
      TCP_CA_Loss: 4n,
      TCP_INFINITE_SSTHRESH: 0x7fffffffn,
      TCP_NLA_TTL: 26n,
      IP_TOS: 1n,
      IP_MTU_DISCOVER: 10n,
      IP_PMTUDISC_PROBE: 3n,
      IPV6_TCLASS: 67n,
      MPTCP_INFO: 1n,
      MPTCP_TCPINFO: 2n,
      MPTCP_SUBFLOW_ADDRS: 3n,
      MPTCP_FULL_INFO: 4n,
      O_RDWR: 2n,
      O_NONBLOCK: 0o4000n,
      F_GETFL: 3n,
      F_SETFL: 4n,
      FD_CLOEXEC: 1n,
      LOCK_EX: 2n,
      SEEK_END: 2n,
      MSG_ZEROCOPY: 0x4000000n,
      MSG_FASTOPEN: 0x20000000n,
      SIOCINQ: 0x541bn,
      FIONREAD: 0x541bn,
      SIOCOUTQ: 0x5411n,
      SIOCOUTQNSD: 0x894bn,
      POLLRDHUP: 0x2000n,
      EPOLLET: 0x80000000n,
      EPOLL_CTL_MOD: 3n,
      SPLICE_F_NONBLOCK: 2n,
      CAP_NET_ADMIN: 12n,
      SHUT_RDWR: 2n,
      EINPROGRESS: 115n,
      EAGAIN: 11n,
      EWOULDBLOCK: 11n,
    };
    for (const [name, value] of Object.entries(expected)) {
      expect([name, lookupSymbol(name)]).toEqual([name, value]);
    }
  });

  it('returns undefined for unknown names', () => {
    expect(lookupSymbol('SO_REUSEADDRR')).toBeUndefined();
    expect(lookupSymbol('')).toBeUndefined();
    expect(lookupSymbol('so_reuseaddr')).toBeUndefined();
  });

  it('includes every errno', () => {
    for (const [name, n] of ERRNO_BY_NAME) expect(LINUX_SYMBOLS.get(name)).toBe(BigInt(n));
  });

  it('has only well-formed names', () => {
    expect(LINUX_SYMBOLS.size).toBeGreaterThan(800);
    for (const name of LINUX_SYMBOLS.keys()) expect(name).toMatch(/^[A-Z][A-Za-z0-9_]*$/);
  });
});

// --- cross-check against the C headers -------------------------------------

/**
 * Two translation units, because glibc's and the kernel's uapi headers cannot
 * all be included together. Where both define a name, glibc (what packetdrill
 * itself is built against) wins.
 */
const TRANSLATION_UNITS: ReadonlyArray<{ name: string; includes: string[] }> = [
  {
    name: 'glibc',
    includes: [
      '#define _GNU_SOURCE',
      '#include <stdio.h>',
      '#include <sys/socket.h>',
      '#include <netinet/in.h>',
      '#include <netinet/tcp.h>',
      '#include <netinet/udp.h>',
      '#include <fcntl.h>',
      '#include <sys/file.h>',
      '#include <unistd.h>',
      '#include <poll.h>',
      '#include <sys/epoll.h>',
      '#include <errno.h>',
      '#include <sys/ioctl.h>',
      '#include <linux/sockios.h>',
      '#include <linux/errqueue.h>',
      '#include <linux/net_tstamp.h>',
      '#include <linux/capability.h>',
      '#include <linux/mptcp.h>',
    ],
  },
  {
    name: 'uapi',
    includes: [
      '#include <stdio.h>',
      '#include <time.h>',
      '#include <linux/types.h>',
      '#include <linux/socket.h>',
      '#include <asm/socket.h>',
      '#include <linux/sockios.h>',
      '#include <linux/in.h>',
      '#include <linux/in6.h>',
      '#include <linux/tcp.h>',
      '#include <linux/eventpoll.h>',
      '#include <linux/errqueue.h>',
      '#include <linux/net_tstamp.h>',
      '#include <linux/capability.h>',
      '#include <asm/errno.h>',
      '#include <asm/ioctls.h>',
    ],
  },
];

function findCompiler(): string | undefined {
  for (const cc of [process.env['CC'], 'cc', 'gcc', 'clang'].filter((c): c is string => !!c)) {
    const r = spawnSync(cc, ['--version'], { stdio: 'ignore' });
    if (r.status === 0) return cc;
  }
  return undefined;
}

/** Flag that lifts the compiler's cap on reported errors (all must be seen at once). */
function errorLimitFlag(cc: string): string {
  const version = spawnSync(cc, ['--version'], { encoding: 'utf8' }).stdout ?? '';
  return /clang/i.test(version) ? '-ferror-limit=0' : '-fmax-errors=0';
}

/** Why the C cross-check cannot run here, or undefined when it can. */
function cCheckUnavailable(cc: string | undefined, dir: string): string | undefined {
  if (!cc) return 'no C compiler (cc/gcc/clang, or $CC) found';
  for (const tu of TRANSLATION_UNITS) {
    const file = join(dir, `headers-${tu.name}.c`);
    writeFileSync(file, `${tu.includes.join('\n')}\nint main(void) { return 0; }\n`);
    const r = spawnSync(cc, ['-fsyntax-only', file], { encoding: 'utf8' });
    if (r.status !== 0) {
      return `headers for the ${tu.name} unit not usable (install linux-libc-dev and libc6-dev): ${r.stderr.split('\n')[0]}`;
    }
  }
  return undefined;
}

/**
 * Values of `names` as the headers of one translation unit define them. Names
 * the headers lack make the compiler fail on their line; they are dropped and
 * the program is rebuilt until it compiles.
 */
function probeUnit(cc: string, dir: string, tu: { name: string; includes: string[] }, names: readonly string[]): Map<string, bigint> {
  let live = [...names];
  const src = join(dir, `probe-${tu.name}.c`);
  const exe = join(dir, `probe-${tu.name}`);
  for (let attempt = 0; attempt < 20; attempt++) {
    const head = [...tu.includes, 'int main(void) {'];
    const body = live.map((n) => `printf("%s %lld\\n", "${n}", (long long)(${n}));`);
    writeFileSync(src, [...head, ...body, 'return 0; }', ''].join('\n'));
    const r = spawnSync(cc, ['-w', errorLimitFlag(cc), '-o', exe, src], { encoding: 'utf8' });
    if (r.status === 0) {
      const run = spawnSync(exe, [], { encoding: 'utf8' });
      if (run.status !== 0) throw new Error(`probe ${tu.name} failed: ${run.stderr}`);
      const values = new Map<string, bigint>();
      for (const line of run.stdout.trim().split('\n')) {
        const [n, v] = line.split(' ');
        if (n && v) values.set(n, BigInt(v));
      }
      return values;
    }
    const bad = new Set<number>();
    const re = new RegExp(`probe-${tu.name}\\.c:(\\d+):\\d+: (?:fatal )?error`, 'g');
    for (const m of r.stderr.matchAll(re)) bad.add(Number(m[1]) - head.length - 1);
    if (bad.size === 0 || [...bad].some((i) => i < 0 || i >= live.length)) {
      throw new Error(`cannot attribute compiler errors in ${tu.name} unit:\n${r.stderr.slice(0, 2000)}`);
    }
    live = live.filter((_, i) => !bad.has(i));
  }
  throw new Error(`probe ${tu.name} did not converge`);
}

describe('LINUX_SYMBOLS against the C headers', () => {
  const cc = findCompiler();
  const dir = mkdtempSync(join(tmpdir(), 'tsdrill-symbols-'));
  const unavailable = cCheckUnavailable(cc, dir);
  if (unavailable) {
    rmSync(dir, { recursive: true, force: true });
    console.warn(`symbols.test: skipping the C header cross-check: ${unavailable}`);
  }

  it.skipIf(unavailable !== undefined)(
    `matches every value the installed headers define${unavailable ? ` (SKIPPED: ${unavailable})` : ''}`,
    () => {
      try {
        const names = [...LINUX_SYMBOLS.keys()].filter((n) => n !== 'NULL');
        const fromHeaders = new Map<string, bigint>();
        for (const tu of TRANSLATION_UNITS) {
          for (const [n, v] of probeUnit(cc!, dir, tu, names)) if (!fromHeaders.has(n)) fromHeaders.set(n, v);
        }
        const mismatches: string[] = [];
        for (const [n, v] of fromHeaders) {
          if (LINUX_SYMBOLS.get(n) !== v) mismatches.push(`${n}: table ${LINUX_SYMBOLS.get(n)}, headers ${v}`);
        }
        expect(mismatches).toEqual([]);
        // Guard against a vacuous pass: every name the table does not declare
        // as newer than the headers (or kernel-internal) must have been checked.
        const unchecked = names.filter((n) => !fromHeaders.has(n) && !SYMBOLS_NEWER_THAN_HEADERS.has(n));
        expect(unchecked).toEqual([]);
        const newerChecked = [...SYMBOLS_NEWER_THAN_HEADERS].filter((n) => fromHeaders.has(n));
        if (newerChecked.length > 0) {
          console.info(`symbols.test: newer headers also confirmed ${newerChecked.length} post-6.1 names: ${newerChecked.join(' ')}`);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});

// --- corpus coverage --------------------------------------------------------

/** Names that corpus scripts define themselves with -D on their command line. */
const SCRIPT_DEFINES = new Set(['TFO_COOKIE', 'CMSG_LEVEL_IP', 'CMSG_TYPE_RECVERR', 'CODE']);

function corpusDir(): string {
  return process.env['TSDRILL_CORPUS_DIR'] ?? resolve(REPO_ROOT, '../shared/corpus');
}

function listPkt(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) listPkt(p, out);
    else if (e.name.endsWith('.pkt')) out.push(p);
  }
  return out;
}

/**
 * Blank out what is not script syntax: comments, `shell` commands,
 * %{ python }% blocks and "strings". Newlines are kept so lines still line up.
 */
function stripNonSyntax(src: string): string {
  let out = '';
  let i = 0;
  const blank = (end: number): void => {
    out += src.slice(i, end).replace(/[^\n]/g, ' ');
    i = end;
  };
  const until = (close: string, from: number): number => {
    const j = src.indexOf(close, from);
    return j < 0 ? src.length : j + close.length;
  };
  while (i < src.length) {
    if (src.startsWith('/*', i)) blank(until('*/', i + 2));
    else if (src.startsWith('//', i)) {
      const j = src.indexOf('\n', i);
      blank(j < 0 ? src.length : j);
    }
    else if (src.startsWith('%{', i)) blank(until('}%', i + 2));
    else if (src[i] === '`') blank(until('`', i + 1));
    else if (src[i] === '"') {
      let j = i + 1;
      while (j < src.length && src[j] !== '"') j += src[j] === '\\' ? 2 : 1;
      blank(Math.min(j + 1, src.length));
    } else out += src[i++];
  }
  return out;
}

// A syscall event: optional timing, then a lower-case name and '('.
const SYSCALL_START = /^\s*(?:[+*]?\s*[0-9.]+(?:\s*(?:~|\.\.\.)\s*\+?[0-9.]+)?|\*)\s+[a-z_][a-z0-9_]*\s*\(/;

/** UPPER_CASE identifiers used in syscall events, with one file each uses it in. */
function corpusSyscallIdentifiers(dir: string): { ids: Map<string, string>; events: number } {
  const ids = new Map<string, string>();
  let events = 0;
  for (const file of listPkt(dir)) {
    const lines = stripNonSyntax(readFileSync(file, 'utf8')).split('\n');
    for (let k = 0; k < lines.length; k++) {
      if (!SYSCALL_START.test(lines[k]!)) continue;
      events++;
      // Collect the call up to its balanced closing parenthesis (it may span lines) ...
      let text = '';
      let rest = '';
      let depth = 0;
      let done = false;
      for (; k < lines.length && !done; k++) {
        const line = lines[k]!;
        for (let c = 0; c < line.length; c++) {
          const ch = line[c]!;
          if (ch === '(' || ch === '[' || ch === '{') depth++;
          else if ((ch === ')' || ch === ']' || ch === '}') && --depth === 0) {
            text += line.slice(0, c + 1);
            rest = line.slice(c + 1);
            done = true;
            break;
          }
        }
        if (!done) text += `${line}\n`;
      }
      k--;
      // ... then `= result [ERRNO]`, dropping the free-text `(note)` after it.
      rest = rest.replace(/\(.*$/, '');
      for (const id of `${text} ${rest}`.match(/\b[A-Z][A-Z0-9_]*\b/g) ?? []) {
        if (!ids.has(id)) ids.set(id, relative(dir, file));
      }
    }
  }
  return { ids, events };
}

describe('corpus coverage', () => {
  const dir = corpusDir();
  const present = existsSync(dir);
  if (!present) console.warn(`symbols.test: corpus not found at ${dir} (set TSDRILL_CORPUS_DIR); skipping`);

  it.skipIf(!present)(`knows every constant used in corpus syscall lines${present ? '' : ` (SKIPPED: no corpus at ${dir})`}`, () => {
    const { ids, events } = corpusSyscallIdentifiers(dir);
    // The extractor must actually see the corpus's syscalls.
    expect(events).toBeGreaterThan(1000);
    for (const known of ['SO_REUSEADDR', 'EINPROGRESS', 'O_NONBLOCK', 'IPPROTO_MPTCP', 'SCM_TSTAMP_ACK']) {
      expect(ids.has(known), known).toBe(true);
    }
    const missing = [...ids]
      .filter(([id]) => !SCRIPT_DEFINES.has(id) && lookupSymbol(id) === undefined)
      .map(([id, file]) => `${id} (${file})`);
    expect(missing).toEqual([]);
  });
});
