// The struct layouts the syscall handlers build by hand: byte-level expectations, and (when a C
// compiler is present) the same structs filled by C with known values, compared byte for byte.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CMSGHDR_SIZE,
  cmsgLen,
  cmsgSpace,
  decodeCmsgs,
  decodeEpollEvents,
  decodeIovecs,
  decodeLinger,
  decodeMsghdr,
  decodePollfds,
  decodeScmTimestamping,
  decodeSockExtendedErr,
  encodeCmsgs,
  encodeEpollEvents,
  encodeIovecs,
  encodeMsghdr,
  encodePollfds,
  encodeScmTimestamping,
  encodeSockExtendedErr,
  EPOLL_EVENT_SIZE,
  IOVEC_SIZE,
  MSGHDR_SIZE,
  POLLFD_SIZE,
  SCM_TIMESTAMPING_SIZE,
  SOCK_EXTENDED_ERR_SIZE,
} from '../../../src/interpreter/syscalls/structs.js';
import { flagNames, flagNamesHex } from '../../../src/interpreter/syscalls/flags.js';

const hex = (b: Buffer) => b.toString('hex');

describe('iovec', () => {
  it('is {base u64, len u64}, one slot even when empty', () => {
    const b = encodeIovecs([
      { base: 0x1122334455667788n, len: 5 },
      { base: 0x10n, len: 0 },
    ]);
    expect(b.length).toBe(2 * IOVEC_SIZE);
    expect(hex(b)).toBe('8877665544332211' + '0500000000000000' + '1000000000000000' + '0000000000000000');
    expect(decodeIovecs(b, 2)).toEqual([
      { base: 0x1122334455667788n, len: 5 },
      { base: 0x10n, len: 0 },
    ]);
    expect(encodeIovecs([]).length).toBe(IOVEC_SIZE);
  });
});

describe('msghdr', () => {
  it('places every field at its LP64 offset, padding zeroed', () => {
    const m = { name: 0xa0n, namelen: 28, iov: 0xb0n, iovlen: 3, control: 0xc0n, controllen: 64, flags: 0x2020 };
    const b = encodeMsghdr(m, Buffer.alloc(MSGHDR_SIZE, 0xff));
    expect(b.length).toBe(56);
    expect(b.readBigUInt64LE(0)).toBe(0xa0n);
    expect(b.readUInt32LE(8)).toBe(28);
    expect(b.readUInt32LE(12)).toBe(0); // padding
    expect(b.readBigUInt64LE(16)).toBe(0xb0n);
    expect(b.readBigUInt64LE(24)).toBe(3n);
    expect(b.readBigUInt64LE(32)).toBe(0xc0n);
    expect(b.readBigUInt64LE(40)).toBe(64n);
    expect(b.readInt32LE(48)).toBe(0x2020);
    expect(b.readUInt32LE(52)).toBe(0);
    expect(decodeMsghdr(b)).toEqual(m);
  });
});

describe('cmsg', () => {
  it('uses CMSG_LEN in cmsg_len and CMSG_SPACE between messages', () => {
    expect(CMSGHDR_SIZE).toBe(16);
    expect(cmsgLen(4)).toBe(20);
    expect(cmsgSpace(4)).toBe(24);
    expect(cmsgSpace(48)).toBe(64);
    const int = Buffer.from([1, 0, 0, 0]);
    const b = encodeCmsgs([
      { level: 6, type: 36, data: int },
      { level: 1, type: 37, data: Buffer.alloc(48, 7) },
    ]);
    expect(b.length).toBe(24 + 64);
    expect(b.readBigUInt64LE(0)).toBe(20n);
    expect(b.readInt32LE(8)).toBe(6);
    expect(b.readInt32LE(12)).toBe(36);
    expect(b.readBigUInt64LE(24)).toBe(64n);
    expect(decodeCmsgs(b, b.length)).toEqual([
      { level: 6, type: 36, data: int },
      { level: 1, type: 37, data: Buffer.alloc(48, 7) },
    ]);
  });

  it('stops at msg_controllen and at malformed headers', () => {
    const b = encodeCmsgs([
      { level: 6, type: 36, data: Buffer.alloc(4) },
      { level: 6, type: 36, data: Buffer.alloc(4) },
    ]);
    expect(decodeCmsgs(b, 24)).toHaveLength(1);
    expect(decodeCmsgs(b, 0)).toHaveLength(0);
    const bad = Buffer.from(b);
    bad.writeBigUInt64LE(4n, 24); // cmsg_len smaller than the header
    expect(decodeCmsgs(bad, bad.length)).toHaveLength(1);
  });
});

describe('pollfd, epoll_event', () => {
  it('pollfd is {int fd, short events, short revents}', () => {
    const b = encodePollfds([
      { fd: 4, events: 0x5, revents: 0 },
      { fd: -1, events: 0x2000, revents: 0x10 },
    ]);
    expect(b.length).toBe(2 * POLLFD_SIZE);
    expect(hex(b)).toBe('04000000' + '0500' + '0000' + 'ffffffff' + '0020' + '1000');
    expect(decodePollfds(b, 2)).toEqual([
      { fd: 4, events: 5, revents: 0 },
      { fd: -1, events: 0x2000, revents: 0x10 },
    ]);
  });

  it('epoll_event is packed on x86_64 (data at offset 4)', () => {
    const b = encodeEpollEvents([{ events: 0x80000004, data: 0x0102030405060708n }]);
    expect(b.length).toBe(EPOLL_EVENT_SIZE);
    if (process.arch === 'x64') expect(hex(b)).toBe('04000080' + '0807060504030201');
    else expect(hex(b)).toBe('04000080' + '00000000' + '0807060504030201');
    expect(decodeEpollEvents(b, 1)).toEqual([{ events: 0x80000004, data: 0x0102030405060708n }]);
    expect(encodeEpollEvents([], 5).length).toBe(5 * EPOLL_EVENT_SIZE);
  });
});

describe('sock_extended_err, scm_timestamping, linger', () => {
  it('sock_extended_err: u32 errno, u8 origin/type/code/pad, u32 info, u32 data', () => {
    const e = { ee_errno: 42, ee_origin: 4, ee_type: 0, ee_code: 0, ee_pad: 0, ee_info: 2, ee_data: 3999 };
    const b = encodeSockExtendedErr(e);
    expect(b.length).toBe(SOCK_EXTENDED_ERR_SIZE);
    expect(hex(b)).toBe('2a000000' + '04000000' + '02000000' + '9f0f0000');
    expect(decodeSockExtendedErr(b)).toEqual(e);
  });

  it('scm_timestamping: three timespecs', () => {
    const ts = [
      { sec: 1700000000n, nsec: 123n },
      { sec: 0n, nsec: 0n },
      { sec: 5n, nsec: 999999999n },
    ];
    const b = encodeScmTimestamping(ts);
    expect(b.length).toBe(SCM_TIMESTAMPING_SIZE);
    expect(b.readBigInt64LE(32)).toBe(5n);
    expect(decodeScmTimestamping(b)).toEqual(ts);
  });

  it('linger: two ints', () => {
    const b = Buffer.alloc(8);
    b.writeInt32LE(1, 0);
    b.writeInt32LE(30, 4);
    expect(decodeLinger(b)).toEqual({ onoff: 1, linger: 30 });
  });
});

describe('flag names', () => {
  it('names bits, leaves unknown bits in hex', () => {
    expect(flagNames(0x5, 'POLL')).toBe('POLLIN|POLLOUT');
    expect(flagNames(0, 'POLL')).toBe('0');
    expect(flagNames(0x2000 | 0x40000000, 'POLL')).toBe('POLLRDHUP|0x40000000');
    expect(flagNames(0x80000000 | 0x8 | 0x4, 'EPOLL')).toBe('EPOLLOUT|EPOLLERR|EPOLLET');
    expect(flagNamesHex(0x2020, 'MSG')).toBe('MSG_TRUNC|MSG_ERRQUEUE (0x2020)');
    expect(flagNamesHex(0, 'MSG')).toBe('0x0');
  });
});

// ---------------------------------------------------------------------------------------
// The same structs as the C compiler lays them out
// ---------------------------------------------------------------------------------------

const hasCc = spawnSync('cc', ['--version']).status === 0;
if (!hasCc) console.warn('[tsdrill tests] no C compiler: struct layouts are not cross-checked against C');
const tmp = mkdtempSync(join(tmpdir(), 'tsdrill-structs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const C_PROGRAM = String.raw`
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/epoll.h>
#include <poll.h>
#include <linux/errqueue.h>
static void dump(const char *name, const void *p, size_t n) {
  const unsigned char *b = p;
  printf("%s ", name);
  for (size_t i = 0; i < n; i++) printf("%02x", b[i]);
  printf("\n");
}
int main(void) {
  struct iovec iov[2] = { { (void *)0x1122334455667788ull, 5 }, { (void *)0x10, 0 } };
  dump("iovec", iov, sizeof iov);
  struct msghdr m; memset(&m, 0, sizeof m);
  m.msg_name = (void *)0xa0; m.msg_namelen = 28; m.msg_iov = (void *)0xb0; m.msg_iovlen = 3;
  m.msg_control = (void *)0xc0; m.msg_controllen = 64; m.msg_flags = 0x2020;
  dump("msghdr", &m, sizeof m);
  union { char buf[CMSG_SPACE(4) + CMSG_SPACE(48)]; struct cmsghdr align; } u; memset(&u, 0, sizeof u);
  struct msghdr c; memset(&c, 0, sizeof c); c.msg_control = u.buf; c.msg_controllen = sizeof u.buf;
  struct cmsghdr *h = CMSG_FIRSTHDR(&c);
  h->cmsg_len = CMSG_LEN(4); h->cmsg_level = 6; h->cmsg_type = 36; memset(CMSG_DATA(h), 1, 1);
  h = CMSG_NXTHDR(&c, h);
  h->cmsg_len = CMSG_LEN(48); h->cmsg_level = 1; h->cmsg_type = 37; memset(CMSG_DATA(h), 7, 48);
  dump("cmsgs", u.buf, sizeof u.buf);
  struct pollfd p[2] = { { 4, 5, 0 }, { -1, 0x2000, 0x10 } };
  dump("pollfd", p, sizeof p);
  struct epoll_event e = { 0x80000004u, { .u64 = 0x0102030405060708ull } };
  dump("epoll_event", &e, sizeof e);
  struct sock_extended_err x = { 42, 4, 0, 0, 0, 2, 3999 };
  dump("sock_extended_err", &x, sizeof x);
  struct scm_timestamping t = { { { 1700000000, 123 }, { 0, 0 }, { 5, 999999999 } } };
  dump("scm_timestamping", &t, sizeof t);
  return 0;
}
`;

describe.skipIf(!hasCc)('layouts match the C compiler', () => {
  const dumps = new Map<string, string>();
  if (hasCc) {
    writeFileSync(join(tmp, 'structs.c'), C_PROGRAM);
    const cc = spawnSync('cc', ['-o', join(tmp, 'structs'), join(tmp, 'structs.c')], { encoding: 'utf8' });
    if (cc.status !== 0) throw new Error(`cc failed: ${cc.stderr}`);
    const run = spawnSync(join(tmp, 'structs'), { encoding: 'utf8' });
    for (const line of run.stdout.trim().split('\n')) {
      const [name, bytes] = line.split(' ');
      dumps.set(name!, bytes!);
    }
  }

  it('iovec[2]', () => {
    expect(hex(encodeIovecs([
      { base: 0x1122334455667788n, len: 5 },
      { base: 0x10n, len: 0 },
    ]))).toBe(dumps.get('iovec'));
  });

  it('msghdr', () => {
    expect(hex(encodeMsghdr({ name: 0xa0n, namelen: 28, iov: 0xb0n, iovlen: 3, control: 0xc0n, controllen: 64, flags: 0x2020 }))).toBe(dumps.get('msghdr'));
  });

  it('two cmsgs built with CMSG_FIRSTHDR/CMSG_NXTHDR', () => {
    const first = Buffer.alloc(4);
    first[0] = 1;
    expect(hex(encodeCmsgs([
      { level: 6, type: 36, data: first },
      { level: 1, type: 37, data: Buffer.alloc(48, 7) },
    ]))).toBe(dumps.get('cmsgs'));
  });

  it('pollfd[2], epoll_event, sock_extended_err, scm_timestamping', () => {
    expect(hex(encodePollfds([
      { fd: 4, events: 5, revents: 0 },
      { fd: -1, events: 0x2000, revents: 0x10 },
    ]))).toBe(dumps.get('pollfd'));
    expect(hex(encodeEpollEvents([{ events: 0x80000004, data: 0x0102030405060708n }]))).toBe(dumps.get('epoll_event'));
    expect(hex(encodeSockExtendedErr({ ee_errno: 42, ee_origin: 4, ee_type: 0, ee_code: 0, ee_pad: 0, ee_info: 2, ee_data: 3999 }))).toBe(dumps.get('sock_extended_err'));
    expect(hex(encodeScmTimestamping([
      { sec: 1700000000n, nsec: 123n },
      { sec: 0n, nsec: 0n },
      { sec: 5n, nsec: 999999999n },
    ]))).toBe(dumps.get('scm_timestamping'));
  });
});
