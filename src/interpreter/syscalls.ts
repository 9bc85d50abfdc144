// The system calls a script can make, each as a table entry: how to turn the script's
// arguments into a real libc call, and what to check or learn from its outcome.
import type { Expr, SyscallAction } from '../parser/ast.js';
import { libc, type LibcFunction } from '../sys/libc.js';
import { Connection } from './connection.js';
import { ScriptError } from './errors.js';
import { describeExpr } from './eval.js';
import { AF_UNSPEC, decodeSockaddr, encodeSockaddr } from './sockaddr.js';
import type { RunState } from './state.js';

/** A prepared call: the libc function and its arguments, plus what to do with the outcome. */
export interface Invocation {
  fn: LibcFunction;
  args: unknown[];
  /** Returns the fd-ness of the result: fd-returning calls map script fds instead of comparing. */
  returnsFd?: boolean;
  /** Runs after a successful call (result >= 0): bookkeeping and out-parameter checks. */
  after?: (result: number) => void;
}

type Handler = (s: RunState, call: SyscallAction) => Invocation;

const SOCK_TYPE_MASK = 0xf;
const IPPROTO_TCP = 6;

function arg(call: SyscallAction, i: number): Expr {
  const a = call.args[i];
  if (!a) throw new ScriptError('syscall', `${call.name}() needs at least ${i + 1} arguments, got ${call.args.length}`, call.loc);
  return a;
}
function expectArgs(call: SyscallAction, ...counts: number[]): void {
  if (!counts.includes(call.args.length))
    throw new ScriptError('syscall', `${call.name}() takes ${counts.join(' or ')} arguments, got ${call.args.length}`, call.loc);
}
const num = (s: RunState, call: SyscallAction, i: number, what: string) => Number(s.evaluator.int(arg(call, i), `${call.name} ${what}`));
const fdOf = (s: RunState, call: SyscallAction, i = 0) => s.liveFd(num(s, call, i, 'fd'));
const isEllipsis = (e: Expr | undefined) => !e || e.kind === 'ellipsis';

/** A byte count argument; `...`/NULL buffers are allocated here (contents never checked). */
function buffer(s: RunState, call: SyscallAction, lenIndex: number): Buffer {
  return Buffer.alloc(Math.max(0, num(s, call, lenIndex, 'length')));
}

function localSockaddr(s: RunState, domain: number, port: number): Buffer {
  return encodeSockaddr(domain, s.localIp, port);
}

/** An int out-parameter compared after the call: `[expected]` or `...` (not checked). */
function intOut(s: RunState, call: SyscallAction, e: Expr, buf: Buffer, what: string): () => void {
  return () => {
    if (isEllipsis(e)) return;
    const want = s.evaluator.int(e, `${call.name} ${what}`);
    const got = BigInt(buf.readInt32LE(0));
    if (got !== want) throw new ScriptError('syscall', `${call.name}: expected ${what} ${want}, got ${got}`, e.loc);
  };
}

const handlers: Record<string, Handler> = {
  socket(s, call) {
    expectArgs(call, 3);
    const domain = isEllipsis(call.args[0]) ? s.defaultDomain : num(s, call, 0, 'domain');
    const type = num(s, call, 1, 'type');
    const protocol = num(s, call, 2, 'protocol');
    return {
      fn: libc.socket,
      args: [domain, type, protocol],
      returnsFd: true,
      after: (liveFd) => {
        const scriptFd = Number(s.evaluator.int(call.result, 'socket result'));
        s.sockets.set(scriptFd, { scriptFd, liveFd, domain, type, protocol, listening: false, boundPort: 0 });
      },
    };
  },

  bind(s, call) {
    expectArgs(call, 3);
    const sock = s.sockets.get(num(s, call, 0, 'fd'));
    const domain = sock?.domain ?? s.defaultDomain;
    const addr = localSockaddr(s, domain, s.config.bindPort);
    return {
      fn: libc.bind,
      args: [fdOf(s, call), addr, addr.length],
      after: () => {
        if (sock) sock.boundPort = s.config.bindPort;
      },
    };
  },

  listen(s, call) {
    expectArgs(call, 2);
    const sock = s.sockets.get(num(s, call, 0, 'fd'));
    return {
      fn: libc.listen,
      args: [fdOf(s, call), num(s, call, 1, 'backlog')],
      after: () => {
        if (sock) sock.listening = true;
      },
    };
  },

  accept: acceptLike,
  accept4: acceptLike,

  connect(s, call) {
    expectArgs(call, 3);
    const sock = s.sockets.get(num(s, call, 0, 'fd'));
    const domain = sock?.domain ?? s.defaultDomain;
    const unspec = !isEllipsis(call.args[1]) && Number(s.evaluator.int(arg(call, 1), 'connect address')) === AF_UNSPEC;
    const addr = unspec ? encodeSockaddr(AF_UNSPEC, s.remoteIp, 0) : encodeSockaddr(domain, s.remoteIp, s.config.connectPort);
    // The flow exists from the call on: the kernel's SYN may leave before connect() returns.
    if (!unspec && sock && (sock.type & SOCK_TYPE_MASK) === 1) {
      const conn = new Connection('tcp', { ip: s.localIp, port: 0 }, { ip: s.remoteIp, port: s.config.connectPort });
      conn.scriptFd = sock.scriptFd;
      sock.connection = conn;
      s.connections.push(conn);
    }
    return { fn: libc.connect, args: [fdOf(s, call), addr, addr.length] };
  },

  read(s, call) {
    expectArgs(call, 3);
    const buf = buffer(s, call, 2);
    return { fn: libc.read, args: [fdOf(s, call), buf, buf.length] };
  },
  recv(s, call) {
    expectArgs(call, 4);
    const buf = buffer(s, call, 2);
    return { fn: libc.recv, args: [fdOf(s, call), buf, buf.length, num(s, call, 3, 'flags')] };
  },
  write(s, call) {
    expectArgs(call, 3);
    const buf = buffer(s, call, 2);
    return { fn: libc.write, args: [fdOf(s, call), buf, buf.length] };
  },
  send(s, call) {
    expectArgs(call, 4);
    const buf = buffer(s, call, 2);
    return { fn: libc.send, args: [fdOf(s, call), buf, buf.length, num(s, call, 3, 'flags')] };
  },

  close(s, call) {
    expectArgs(call, 1);
    const scriptFd = num(s, call, 0, 'fd');
    return { fn: libc.close, args: [s.liveFd(scriptFd)], after: () => void s.sockets.delete(scriptFd) };
  },
  shutdown(s, call) {
    expectArgs(call, 2);
    return { fn: libc.shutdown, args: [fdOf(s, call), num(s, call, 1, 'how')] };
  },
  fcntl(s, call) {
    expectArgs(call, 2, 3);
    const argValue = call.args.length === 3 ? num(s, call, 2, 'arg') : 0;
    return { fn: libc.fcntl, args: [fdOf(s, call), num(s, call, 1, 'cmd'), argValue] };
  },

  setsockopt(s, call) {
    expectArgs(call, 5);
    const value = arg(call, 3);
    const len = isEllipsis(call.args[4]) ? undefined : num(s, call, 4, 'optlen');
    const buf = sockoptValue(s, call, value, len);
    return { fn: libc.setsockopt, args: [fdOf(s, call), num(s, call, 1, 'level'), num(s, call, 2, 'optname'), buf, len ?? buf.length] };
  },

  getsockopt(s, call) {
    expectArgs(call, 5);
    const value = arg(call, 3);
    const lenExpr = arg(call, 4);
    const want = isEllipsis(lenExpr) ? 4 : Number(s.evaluator.int(lenExpr, 'getsockopt optlen'));
    const buf = Buffer.alloc(Math.max(want, value.kind === 'string' ? 256 : 4, 256));
    const lenBuf = Buffer.alloc(4);
    lenBuf.writeUInt32LE(Math.max(want, value.kind === 'string' ? 256 : 4));
    return {
      fn: libc.getsockopt,
      args: [fdOf(s, call), num(s, call, 1, 'level'), num(s, call, 2, 'optname'), buf, lenBuf],
      after: () => {
        const gotLen = lenBuf.readUInt32LE(0);
        if (value.kind === 'string') {
          const got = buf.toString('latin1', 0, gotLen).replace(/\0.*$/s, '');
          const expected = s.evaluator.string(value, 'getsockopt value');
          if (got !== expected) throw new ScriptError('syscall', `getsockopt: expected optval "${expected}", got "${got}"`, value.loc);
        } else if (!isEllipsis(value)) {
          intOut(s, call, value, buf, 'optval')();
        }
        if (!isEllipsis(lenExpr) && gotLen !== want)
          throw new ScriptError('syscall', `getsockopt: expected optlen ${want}, got ${gotLen}`, lenExpr.loc);
      },
    };
  },
};

function acceptLike(s: RunState, call: SyscallAction): Invocation {
  expectArgs(call, call.name === 'accept4' ? 4 : 3);
  const listenerFd = num(s, call, 0, 'fd');
  const listener = s.sockets.get(listenerFd);
  const addr = Buffer.alloc(128);
  const addrLen = Buffer.alloc(4);
  addrLen.writeUInt32LE(addr.length);
  const args: unknown[] = [s.liveFd(listenerFd), addr, addrLen];
  if (call.name === 'accept4') args.push(num(s, call, 3, 'flags'));
  return {
    fn: call.name === 'accept4' ? libc.accept4 : libc.accept,
    args,
    returnsFd: true,
    after: (liveFd) => {
      const scriptFd = Number(s.evaluator.int(call.result, `${call.name} result`));
      const peer = decodeSockaddr(addr);
      // The accepted socket takes over the flow the handshake created for its peer.
      const conn = s.connections.find((c) => c.remote.port === peer.port && c.scriptFd === undefined);
      if (conn) conn.scriptFd = scriptFd;
      s.sockets.set(scriptFd, {
        scriptFd,
        liveFd,
        domain: listener?.domain ?? s.defaultDomain,
        type: listener?.type ?? 1,
        protocol: listener?.protocol ?? IPPROTO_TCP,
        listening: false,
        boundPort: listener?.boundPort ?? 0,
        connection: conn,
      });
    },
  };
}

/** The bytes a setsockopt value stands for: `[int]`, a string, `{onoff=.., linger=..}`. */
function sockoptValue(s: RunState, call: SyscallAction, e: Expr, len: number | undefined): Buffer {
  if (e.kind === 'string') return Buffer.from(s.evaluator.string(e, 'setsockopt value') + '\0', 'latin1').subarray(0, len ?? undefined);
  if (e.kind === 'struct' && e.fields[0]?.name === 'onoff') {
    const b = Buffer.alloc(8);
    b.writeInt32LE(Number(s.evaluator.int(e.fields[0].value, 'linger onoff')), 0);
    const linger = e.fields.find((f) => f.name === 'linger');
    if (linger) b.writeInt32LE(Number(s.evaluator.int(linger.value, 'linger linger')), 4);
    return b;
  }
  if (e.kind === 'ellipsis' || (e.kind === 'word' && e.name === 'NULL')) return Buffer.alloc(len ?? 0);
  const v = s.evaluator.int(e, 'setsockopt value');
  const b = Buffer.alloc(Math.max(len ?? 4, 4));
  if (len === 8) b.writeBigInt64LE(BigInt.asIntN(64, v));
  else b.writeInt32LE(Number(BigInt.asIntN(32, v)));
  if (len !== undefined && len < 4) return b.subarray(0, len);
  return b;
}

export function prepareSyscall(s: RunState, call: SyscallAction): Invocation {
  const h = handlers[call.name];
  if (!h) {
    const known = Object.keys(handlers).sort().join(', ');
    throw new ScriptError('syscall', `unknown system call: '${call.name}' (supported: ${known})`, call.nameLoc);
  }
  return h(s, call);
}

export const SUPPORTED_SYSCALLS = Object.keys(handlers);

/** Kept for messages: a call's argument list as the script wrote it. */
export function describeCall(call: SyscallAction): string {
  return `${call.name}(${call.args.map(describeExpr).join(', ')})`;
}
