// setsockopt/getsockopt with int, string and struct linger values.
import { syscallMismatch } from '../../assertions/messages.js';
import type { Expr, SyscallAction } from '../../parser/ast.js';
import { libc } from '../../sys/libc.js';
import { ScriptError } from '../errors.js';
import type { RunState } from '../state.js';
import { decodeLinger } from './structs.js';
import { arg, checkIntOut, expectArgs, fdOf, isEllipsis, num, type Handler } from './common.js';

/** The bytes a setsockopt value stands for: `[int]`, a string, `{onoff=.., linger=..}`. */
function sockoptValue(s: RunState, e: Expr, len: number | undefined): Buffer {
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

export const sockoptHandlers: Record<string, Handler> = {
  setsockopt(s, call) {
    expectArgs(call, 5);
    const len = isEllipsis(call.args[4]) ? undefined : num(s, call, 4, 'optlen');
    const buf = sockoptValue(s, arg(call, 3), len);
    return { fn: libc.setsockopt, args: [fdOf(s, call), num(s, call, 1, 'level'), num(s, call, 2, 'optname'), buf, len ?? buf.length] };
  },

  getsockopt(s, call: SyscallAction) {
    expectArgs(call, 5);
    const value = arg(call, 3);
    const lenExpr = arg(call, 4);
    const want = isEllipsis(lenExpr) ? 4 : Number(s.evaluator.int(lenExpr, 'getsockopt optlen'));
    const room = Math.max(want, value.kind === 'string' ? 256 : 4);
    const buf = Buffer.alloc(Math.max(room, 256));
    const lenBuf = Buffer.alloc(4);
    lenBuf.writeUInt32LE(room);
    return {
      fn: libc.getsockopt,
      args: [fdOf(s, call), num(s, call, 1, 'level'), num(s, call, 2, 'optname'), buf, lenBuf],
      after: () => {
        const gotLen = lenBuf.readUInt32LE(0);
        if (value.kind === 'struct' && value.fields[0]?.name === 'onoff') {
          const got = decodeLinger(buf);
          for (const f of value.fields) {
            if (f.name !== 'onoff' && f.name !== 'linger') throw new ScriptError('syscall', `getsockopt: unknown linger field '${f.name}' (expected onoff, linger)`, f.loc);
            if (isEllipsis(f.value)) continue;
            const want = Number(s.evaluator.int(f.value, `getsockopt linger ${f.name}`));
            if (got[f.name] !== want) throw ScriptError.from('syscall', f.value.loc, syscallMismatch({ call: 'getsockopt', what: `linger ${f.name}`, expected: want, actual: got[f.name], legacy: `Bad getsockopt optval: expected linger.${f.name} ${want} actual ${got[f.name]}` }));
          }
        } else if (value.kind === 'string') {
          const got = buf.toString('latin1', 0, gotLen).replace(/\0.*$/s, '');
          const expected = s.evaluator.string(value, 'getsockopt value');
          if (got !== expected) throw ScriptError.from('syscall', value.loc, syscallMismatch({ call: 'getsockopt', what: 'optval', expected: `"${expected}"`, actual: `"${got}"` }));
        } else checkIntOut(s, call, value, buf, 'optval');
        if (!isEllipsis(lenExpr) && gotLen !== want) throw ScriptError.from('syscall', lenExpr.loc, syscallMismatch({ call: 'getsockopt', what: 'optlen', expected: want, actual: gotLen }));
      },
    };
  },
};
