// Non-socket fds and zero-copy transfers: pipe, open, splice, sendfile; plus ioctl and
// getsockname/getpeername. Script fds of pipes and files are mapped to live fds like sockets.
import { wrongForm } from '../../assertions/messages.js';
import type { Expr, SyscallAction } from '../../parser/ast.js';
import { libc } from '../../sys/libc.js';
import { ScriptError } from '../errors.js';
import { describeExpr } from '../eval.js';
import type { RunState } from '../state.js';
import { arg, expectArgs, fdOf, isEllipsis, isNull, num, outParamError, type Handler, type Invocation } from './common.js';
import { newFd } from './poll.js';

/** An `[n]` pointer-to-integer argument of `size` bytes (4: int, 8: off_t/loff_t), or NULL/`...`. */
function intRef(s: RunState, call: SyscallAction, e: Expr, size: 4 | 8, what: string): Buffer | null {
  if (isNull(e)) return null;
  const b = Buffer.alloc(size);
  if (isEllipsis(e)) return b;
  if (e.kind !== 'array' || e.items.length !== 1)
    throw ScriptError.from('syscall', e.loc, wrongForm({ subject: call.name, expected: `${what} as [integer], NULL or ...`, found: describeExpr(e) }));
  const v = s.evaluator.int(e, `${call.name} ${what}`);
  if (size === 8) b.writeBigInt64LE(BigInt.asIntN(64, v));
  else b.writeInt32LE(Number(BigInt.asIntN(32, v)));
  return b;
}

export const fileHandlers: Record<string, Handler> = {
  pipe(s, call): Invocation {
    expectArgs(call, 1);
    const fds = arg(call, 0);
    if (fds.kind !== 'array' || fds.items.length !== 2)
      throw ScriptError.from('syscall', fds.loc, wrongForm({ subject: call.name, expected: '[read_fd, write_fd]', found: describeExpr(fds) }));
    const scriptFds = fds.items.map((e) => Number(s.evaluator.int(e, `${call.name} fd`)));
    const buf = Buffer.alloc(8);
    return {
      fn: libc.pipe,
      args: [buf],
      after: () => {
        s.files.set(scriptFds[0]!, buf.readInt32LE(0));
        s.files.set(scriptFds[1]!, buf.readInt32LE(4));
      },
    };
  },

  open(s, call) {
    expectArgs(call, 2, 3);
    const path = s.evaluator.string(arg(call, 0), `${call.name} path`);
    const mode = call.args.length === 3 ? num(s, call, 2, 'mode') : 0;
    return newFd(s, call, { fn: libc.open, args: [path, num(s, call, 1, 'flags'), mode] });
  },

  splice(s, call): Invocation {
    expectArgs(call, 6);
    const offIn = intRef(s, call, arg(call, 1), 8, 'off_in');
    const offOut = intRef(s, call, arg(call, 3), 8, 'off_out');
    return {
      fn: libc.splice,
      args: [fdOf(s, call, 0), offIn, fdOf(s, call, 2), offOut, num(s, call, 4, 'length'), num(s, call, 5, 'flags')],
    };
  },

  sendfile(s, call): Invocation {
    expectArgs(call, 4);
    const offset = intRef(s, call, arg(call, 2), 8, 'offset');
    return { fn: libc.sendfile, args: [fdOf(s, call, 0), fdOf(s, call, 1), offset, num(s, call, 3, 'count')] };
  },

  /**
   * `ioctl(fd, req)`, `ioctl(fd, req, n)` (an integer argument) or `ioctl(fd, req, [n])`: an
   * int passed by reference, holding n on entry (FIONBIO) and compared with n afterwards
   * (SIOCINQ/FIONREAD, SIOCOUTQ, SIOCOUTQNSD).
   */
  ioctl(s, call): Invocation {
    expectArgs(call, 2, 3);
    const fd = fdOf(s, call);
    const req = num(s, call, 1, 'request');
    const a = call.args[2];
    if (!a || isNull(a)) return { fn: libc.ioctlInt, args: [fd, req, 0] };
    if (a.kind !== 'array' && !isEllipsis(a)) return { fn: libc.ioctlInt, args: [fd, req, Number(s.evaluator.int(a, `${call.name} argument`))] };
    const buf = Buffer.alloc(8);
    if (a.kind === 'array') buf.writeInt32LE(Number(BigInt.asIntN(32, s.evaluator.int(a, `${call.name} argument`))));
    return {
      fn: libc.ioctl,
      args: [fd, req, buf],
      after: () => {
        if (a.kind !== 'array') return;
        const want = BigInt.asIntN(32, s.evaluator.int(a, `${call.name} argument`));
        const got = BigInt(buf.readInt32LE(0));
        if (got !== want) throw outParamError(call, `expected ${describeExpr(call.args[1]!)} value ${want}, got ${got}`, a.items[0]!.loc, `Bad ioctl returned value: expected ${want} actual ${got}`);
      },
    };
  },

  getsockname: sockname,
  getpeername: sockname,
};

/** getsockname/getpeername(fd, ..., ...): the address is live, so it is not compared. */
function sockname(s: RunState, call: SyscallAction): Invocation {
  expectArgs(call, 3);
  const addr = isNull(call.args[1]) ? null : Buffer.alloc(128);
  const len = isNull(call.args[2]) ? null : Buffer.alloc(4);
  len?.writeUInt32LE(addr ? 128 : 0);
  return { fn: call.name === 'getsockname' ? libc.getsockname : libc.getpeername, args: [fdOf(s, call), addr, len] };
}
