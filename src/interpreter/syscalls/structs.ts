// Byte layouts of the C structs the script's system calls pass to and read back from the
// kernel (Linux, LP64: x86_64 and arm64). Pure: pointers are given as addresses (bigint), so
// the encoders can be unit-tested without libc; the handlers supply real addresses.

/** struct iovec { void *iov_base; size_t iov_len; } */
export const IOVEC_SIZE = 16;
/** struct msghdr: name, namelen(+pad), iov, iovlen, control, controllen, flags(+pad). */
export const MSGHDR_SIZE = 56;
/** struct cmsghdr { size_t cmsg_len; int cmsg_level; int cmsg_type; } then data, 8-aligned. */
export const CMSGHDR_SIZE = 16;
/** struct pollfd { int fd; short events; short revents; } */
export const POLLFD_SIZE = 8;
/**
 * struct epoll_event { uint32_t events; epoll_data_t data; }: packed on x86_64 (12 bytes,
 * data at offset 4), naturally aligned elsewhere (16 bytes, data at offset 8).
 */
export const EPOLL_PACKED = process.arch === 'x64' || process.arch === 'ia32';
export const EPOLL_EVENT_SIZE = EPOLL_PACKED ? 12 : 16;
const EPOLL_DATA_OFFSET = EPOLL_PACKED ? 4 : 8;
/** struct sock_extended_err (linux/errqueue.h). */
export const SOCK_EXTENDED_ERR_SIZE = 16;
/** struct scm_timestamping { struct timespec ts[3]; } */
export const SCM_TIMESTAMPING_SIZE = 48;

const align8 = (n: number) => (n + 7) & ~7;
export const cmsgLen = (dataLen: number) => CMSGHDR_SIZE + dataLen;
export const cmsgSpace = (dataLen: number) => CMSGHDR_SIZE + align8(dataLen);

export interface IovecEntry {
  base: bigint;
  len: number;
}

/** The iovec array (at least one slot, so that it always has an address). */
export function encodeIovecs(entries: readonly IovecEntry[]): Buffer {
  const b = Buffer.alloc(Math.max(1, entries.length) * IOVEC_SIZE);
  entries.forEach((e, i) => {
    b.writeBigUInt64LE(e.base, i * IOVEC_SIZE);
    b.writeBigUInt64LE(BigInt(e.len), i * IOVEC_SIZE + 8);
  });
  return b;
}

export function decodeIovecs(b: Buffer, count: number): IovecEntry[] {
  return Array.from({ length: count }, (_, i) => ({
    base: b.readBigUInt64LE(i * IOVEC_SIZE),
    len: Number(b.readBigUInt64LE(i * IOVEC_SIZE + 8)),
  }));
}

export interface Msghdr {
  name: bigint;
  namelen: number;
  iov: bigint;
  iovlen: number;
  control: bigint;
  controllen: number;
  flags: number;
}

export function encodeMsghdr(m: Msghdr, into: Buffer = Buffer.alloc(MSGHDR_SIZE)): Buffer {
  into.fill(0, 0, MSGHDR_SIZE);
  into.writeBigUInt64LE(m.name, 0);
  into.writeUInt32LE(m.namelen >>> 0, 8);
  into.writeBigUInt64LE(m.iov, 16);
  into.writeBigUInt64LE(BigInt(m.iovlen), 24);
  into.writeBigUInt64LE(m.control, 32);
  into.writeBigUInt64LE(BigInt(m.controllen), 40);
  into.writeInt32LE(m.flags | 0, 48);
  return into;
}

export function decodeMsghdr(b: Buffer): Msghdr {
  return {
    name: b.readBigUInt64LE(0),
    namelen: b.readUInt32LE(8),
    iov: b.readBigUInt64LE(16),
    iovlen: Number(b.readBigUInt64LE(24)),
    control: b.readBigUInt64LE(32),
    controllen: Number(b.readBigUInt64LE(40)),
    flags: b.readInt32LE(48),
  };
}

export interface Cmsg {
  level: number;
  type: number;
  data: Buffer;
}

/** A control buffer holding the messages back to back (CMSG_SPACE each, CMSG_LEN in cmsg_len). */
export function encodeCmsgs(list: readonly Cmsg[]): Buffer {
  const b = Buffer.alloc(list.reduce((n, c) => n + cmsgSpace(c.data.length), 0));
  let off = 0;
  for (const c of list) {
    b.writeBigUInt64LE(BigInt(cmsgLen(c.data.length)), off);
    b.writeInt32LE(c.level, off + 8);
    b.writeInt32LE(c.type, off + 12);
    c.data.copy(b, off + CMSGHDR_SIZE);
    off += cmsgSpace(c.data.length);
  }
  return b;
}

/** Walks a control buffer as CMSG_FIRSTHDR/CMSG_NXTHDR do, up to `controllen` bytes. */
export function decodeCmsgs(b: Buffer, controllen: number): Cmsg[] {
  const out: Cmsg[] = [];
  const end = Math.min(controllen, b.length);
  let off = 0;
  while (off + CMSGHDR_SIZE <= end) {
    const len = Number(b.readBigUInt64LE(off));
    if (len < CMSGHDR_SIZE || off + len > end) break;
    out.push({ level: b.readInt32LE(off + 8), type: b.readInt32LE(off + 12), data: Buffer.from(b.subarray(off + CMSGHDR_SIZE, off + len)) });
    off += align8(len);
  }
  return out;
}

export interface Pollfd {
  fd: number;
  events: number;
  revents: number;
}

export function encodePollfds(list: readonly Pollfd[]): Buffer {
  const b = Buffer.alloc(Math.max(1, list.length) * POLLFD_SIZE);
  list.forEach((p, i) => {
    b.writeInt32LE(p.fd, i * POLLFD_SIZE);
    b.writeUInt16LE(p.events & 0xffff, i * POLLFD_SIZE + 4);
    b.writeUInt16LE(p.revents & 0xffff, i * POLLFD_SIZE + 6);
  });
  return b;
}

export function decodePollfds(b: Buffer, count: number): Pollfd[] {
  return Array.from({ length: count }, (_, i) => ({
    fd: b.readInt32LE(i * POLLFD_SIZE),
    events: b.readUInt16LE(i * POLLFD_SIZE + 4),
    revents: b.readUInt16LE(i * POLLFD_SIZE + 6),
  }));
}

export interface EpollEvent {
  events: number;
  /** epoll_data_t as its u64 view (fd and u32 are the low 32 bits). */
  data: bigint;
}

export function encodeEpollEvents(list: readonly EpollEvent[], count = list.length): Buffer {
  const b = Buffer.alloc(Math.max(1, count) * EPOLL_EVENT_SIZE);
  list.forEach((e, i) => {
    b.writeUInt32LE(e.events >>> 0, i * EPOLL_EVENT_SIZE);
    b.writeBigUInt64LE(BigInt.asUintN(64, e.data), i * EPOLL_EVENT_SIZE + EPOLL_DATA_OFFSET);
  });
  return b;
}

export function decodeEpollEvents(b: Buffer, count: number): EpollEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    events: b.readUInt32LE(i * EPOLL_EVENT_SIZE),
    data: b.readBigUInt64LE(i * EPOLL_EVENT_SIZE + EPOLL_DATA_OFFSET),
  }));
}

export interface SockExtendedErr {
  ee_errno: number;
  ee_origin: number;
  ee_type: number;
  ee_code: number;
  ee_pad: number;
  ee_info: number;
  ee_data: number;
}

export function decodeSockExtendedErr(b: Buffer): SockExtendedErr {
  return {
    ee_errno: b.readUInt32LE(0),
    ee_origin: b.readUInt8(4),
    ee_type: b.readUInt8(5),
    ee_code: b.readUInt8(6),
    ee_pad: b.readUInt8(7),
    ee_info: b.readUInt32LE(8),
    ee_data: b.readUInt32LE(12),
  };
}

export function encodeSockExtendedErr(e: SockExtendedErr): Buffer {
  const b = Buffer.alloc(SOCK_EXTENDED_ERR_SIZE);
  b.writeUInt32LE(e.ee_errno >>> 0, 0);
  b.writeUInt8(e.ee_origin & 0xff, 4);
  b.writeUInt8(e.ee_type & 0xff, 5);
  b.writeUInt8(e.ee_code & 0xff, 6);
  b.writeUInt8(e.ee_pad & 0xff, 7);
  b.writeUInt32LE(e.ee_info >>> 0, 8);
  b.writeUInt32LE(e.ee_data >>> 0, 12);
  return b;
}

export interface Timespec {
  sec: bigint;
  nsec: bigint;
}

export function decodeScmTimestamping(b: Buffer): [Timespec, Timespec, Timespec] {
  const ts = (i: number): Timespec => ({ sec: b.readBigInt64LE(i * 16), nsec: b.readBigInt64LE(i * 16 + 8) });
  return [ts(0), ts(1), ts(2)];
}

export function encodeScmTimestamping(ts: readonly Timespec[]): Buffer {
  const b = Buffer.alloc(SCM_TIMESTAMPING_SIZE);
  ts.slice(0, 3).forEach((t, i) => {
    b.writeBigInt64LE(t.sec, i * 16);
    b.writeBigInt64LE(t.nsec, i * 16 + 8);
  });
  return b;
}

/** struct linger { int l_onoff; int l_linger; } */
export function decodeLinger(b: Buffer): { onoff: number; linger: number } {
  return { onoff: b.readInt32LE(0), linger: b.readInt32LE(4) };
}
