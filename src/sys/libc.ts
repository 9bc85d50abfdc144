// The one place that binds libc through koffi. Everything kernel-facing (TUN device, packet
// socket, the script's socket syscalls, clocks) goes through these functions, so the FFI
// surface and its pitfalls (koffi 3: pointers are BigInt; errno must be read right after a
// sync call or inside an async completion callback) live in one file.
import koffi from 'koffi';

const lib = koffi.load('libc.so.6');

// ioctl/fcntl are variadic in C; declared non-variadic on purpose so they can run `.async`
// and take a plain pointer (same ABI on x86-64 and arm64).
export const libc = {
  open: lib.func('int open(const char *path, int flags, int mode)'),
  close: lib.func('int close(int fd)'),
  read: lib.func('long read(int fd, void *buf, unsigned long n)'),
  write: lib.func('long write(int fd, const void *buf, unsigned long n)'),
  ioctl: lib.func('int ioctl(int fd, unsigned long req, void *arg)'),
  ioctlInt: lib.func('ioctl', 'int', ['int', 'unsigned long', 'long']),
  fcntl: lib.func('int fcntl(int fd, int cmd, long arg)'),
  socket: lib.func('int socket(int domain, int type, int protocol)'),
  bind: lib.func('int bind(int fd, const void *addr, unsigned int len)'),
  listen: lib.func('int listen(int fd, int backlog)'),
  accept: lib.func('int accept(int fd, void *addr, void *len)'),
  accept4: lib.func('int accept4(int fd, void *addr, void *len, int flags)'),
  connect: lib.func('int connect(int fd, const void *addr, unsigned int len)'),
  shutdown: lib.func('int shutdown(int fd, int how)'),
  setsockopt: lib.func('int setsockopt(int fd, int level, int name, const void *val, unsigned int len)'),
  getsockopt: lib.func('int getsockopt(int fd, int level, int name, void *val, void *len)'),
  getsockname: lib.func('int getsockname(int fd, void *addr, void *len)'),
  getpeername: lib.func('int getpeername(int fd, void *addr, void *len)'),
  send: lib.func('long send(int fd, const void *buf, unsigned long n, int flags)'),
  recv: lib.func('long recv(int fd, void *buf, unsigned long n, int flags)'),
  sendto: lib.func('long sendto(int fd, const void *buf, unsigned long n, int flags, const void *addr, unsigned int alen)'),
  recvfrom: lib.func('long recvfrom(int fd, void *buf, unsigned long n, int flags, void *addr, void *alen)'),
  sendmsg: lib.func('long sendmsg(int fd, const void *msg, int flags)'),
  recvmsg: lib.func('long recvmsg(int fd, void *msg, int flags)'),
  readv: lib.func('long readv(int fd, const void *iov, int cnt)'),
  writev: lib.func('long writev(int fd, const void *iov, int cnt)'),
  poll: lib.func('int poll(void *fds, unsigned long n, int timeout)'),
  clockGettime: lib.func('int clock_gettime(int clk, void *ts)'),
  clockNanosleep: lib.func('int clock_nanosleep(int clk, int flags, const void *req, void *rem)'),
  strerror: lib.func('const char *strerror(int errnum)'),
  ifNameToIndex: lib.func('unsigned int if_nametoindex(const char *name)'),
  exit: lib.func('void _exit(int code)'),
  getpid: lib.func('int getpid(void)'),
  unshare: lib.func('int unshare(int flags)'),
  schedSetscheduler: lib.func('int sched_setscheduler(int pid, int policy, const void *param)'),
  // Script system calls beyond sockets (src/interpreter/syscalls/{files,poll}.ts).
  pipe: lib.func('int pipe(void *fds)'),
  epollCreate: lib.func('int epoll_create(int size)'),
  epollCreate1: lib.func('int epoll_create1(int flags)'),
  epollCtl: lib.func('int epoll_ctl(int epfd, int op, int fd, void *event)'),
  epollWait: lib.func('int epoll_wait(int epfd, void *events, int maxevents, int timeout)'),
  splice: lib.func('long splice(int fdIn, void *offIn, int fdOut, void *offOut, unsigned long len, unsigned int flags)'),
  sendfile: lib.func('long sendfile(int outFd, int inFd, void *offset, unsigned long count)'),
};

export type LibcFunction = (typeof libc)[keyof typeof libc];

export function errno(): number {
  return koffi.errno();
}

/** The address of a Buffer's backing store, for building msghdr/iovec by hand. */
export function addressOf(buf: Buffer): bigint {
  return koffi.address(buf) as bigint;
}

export class SyscallError extends Error {
  constructor(
    readonly call: string,
    readonly errnoValue: number,
  ) {
    super(`${call} failed: ${libc.strerror(errnoValue)} (errno ${errnoValue})`);
  }
}

/** Runs a sync libc call that returns < 0 on failure, throwing SyscallError with the call's text. */
export function check(call: string, result: number): number {
  if (result < 0) throw new SyscallError(call, koffi.errno());
  return result;
}

const SCHED_OTHER = 0;
const SCHED_RR = 2;

/** sched_setscheduler() on the calling thread; returns what could not be done. */
function setSchedulingPolicy(policy: number, name: string, priority: number): string[] {
  const param = Buffer.alloc(4);
  param.writeInt32LE(priority);
  return libc.schedSetscheduler(0, policy, param) < 0 ? [`sched_setscheduler(${name}): errno ${koffi.errno()}`] : [];
}

/**
 * As packetdrill does: real-time round-robin priority (lowest, 1, by default) for the run's
 * threads, so a busy machine delays them less. Best effort: returns what could not be done.
 * (No mlockall: with MCL_FUTURE V8's heap reservations fail and the process dies with SIGILL.)
 */
export function raiseSchedulingPriority(priority = 1): string[] {
  return setSchedulingPolicy(SCHED_RR, 'SCHED_RR', priority);
}

/**
 * Back to the normal policy after a run: a reused run process sets up its next job (netns,
 * parsing, a full GC) there, and at real-time priority that work delayed the runs of other
 * processes by milliseconds (timing failures at -j2).
 */
export function restoreSchedulingPriority(): string[] {
  return setSchedulingPolicy(SCHED_OTHER, 'SCHED_OTHER', 0);
}

const CLOCK_REALTIME = 0;
const CLOCK_MONOTONIC = 1;
const TIMER_ABSTIME = 1;
const timespec = Buffer.alloc(16);

function clockNs(clock: number): bigint {
  check('clock_gettime', libc.clockGettime(clock, timespec));
  return timespec.readBigInt64LE(0) * 1_000_000_000n + timespec.readBigInt64LE(8);
}

export const clocks = {
  monotonicNs: () => clockNs(CLOCK_MONOTONIC),
  realtimeNs: () => clockNs(CLOCK_REALTIME),
};

const NS_PER_S = 1_000_000_000n;
const spinNow = Buffer.alloc(16);
// tv_sec and tv_nsec as 32-bit words (the low halves: seconds since boot fit).
const spinNowWords = new Int32Array(spinNow.buffer, spinNow.byteOffset, 4);

/**
 * Spins until CLOCK_MONOTONIC reaches `targetNs` and returns the last reading. Nothing is
 * allocated while spinning (a BigInt per reading made garbage whose collections stalled spins
 * by ~200 µs): nanoseconds counted from the target's second are exact in a double.
 */
export function spinUntilMonotonic(targetNs: bigint): bigint {
  const targetSec = Number(targetNs / NS_PER_S);
  const targetNsec = Number(targetNs % NS_PER_S);
  do libc.clockGettime(CLOCK_MONOTONIC, spinNow);
  while ((spinNowWords[0]! - targetSec) * 1e9 + spinNowWords[2]! < targetNsec);
  return BigInt(spinNowWords[0]!) * NS_PER_S + BigInt(spinNowWords[2]!);
}

/** Sleeps the calling thread until CLOCK_MONOTONIC `ns` (at once if past); no event loop. */
export function sleepUntilMonotonic(ns: bigint): void {
  const at = Buffer.alloc(16);
  at.writeBigInt64LE(ns / NS_PER_S, 0);
  at.writeBigInt64LE(ns % NS_PER_S, 8);
  libc.clockNanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, at, null);
}

export function pollReadable(fd: number, onReadable: () => void): { close(): void } {
  const handle = koffi.node.poll(fd, { readable: true }, () => onReadable());
  return handle as unknown as { close(): void };
}
