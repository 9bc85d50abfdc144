// Shared pieces of the syscall handlers: the table entry type and argument helpers.
import type { Expr, SyscallAction } from '../../parser/ast.js';
import type { LibcFunction } from '../../sys/libc.js';
import { ScriptError } from '../errors.js';
import type { RunState } from '../state.js';

/** A prepared call: the libc function and its arguments, plus what to do with the outcome. */
export interface Invocation {
  fn: LibcFunction;
  args: unknown[];
  /** fd-returning calls map script fds to live ones instead of comparing the numbers. */
  returnsFd?: boolean;
  /** Runs after a successful call (result >= 0): bookkeeping and out-parameter checks. */
  after?: (result: number) => void;
}

/** Turns one script call into an Invocation; throws ScriptError on bad arguments. */
export type Handler = (s: RunState, call: SyscallAction) => Invocation;

export function arg(call: SyscallAction, i: number): Expr {
  const a = call.args[i];
  if (!a) throw new ScriptError('syscall', `${call.name}() needs at least ${i + 1} arguments, got ${call.args.length}`, call.loc);
  return a;
}

export function expectArgs(call: SyscallAction, ...counts: number[]): void {
  if (!counts.includes(call.args.length))
    throw new ScriptError('syscall', `${call.name}() takes ${counts.join(' or ')} arguments, got ${call.args.length}`, call.loc);
}

export const num = (s: RunState, call: SyscallAction, i: number, what: string) => Number(s.evaluator.int(arg(call, i), `${call.name} ${what}`));
export const fdOf = (s: RunState, call: SyscallAction, i = 0) => s.liveFd(num(s, call, i, 'fd'));
export const isEllipsis = (e: Expr | undefined) => !e || e.kind === 'ellipsis';

/** A byte count argument; `...`/NULL buffers are allocated here (contents never checked). */
export function buffer(s: RunState, call: SyscallAction, lenIndex: number): Buffer {
  return Buffer.alloc(Math.max(0, num(s, call, lenIndex, 'length')));
}

/** An int out-parameter compared after the call: `[expected]` or `...` (not checked). */
export function checkIntOut(s: RunState, call: SyscallAction, e: Expr, buf: Buffer, what: string): void {
  if (isEllipsis(e)) return;
  const want = s.evaluator.int(e, `${call.name} ${what}`);
  const got = BigInt(buf.readInt32LE(0));
  if (got !== want) throw new ScriptError('syscall', `${call.name}: expected ${what} ${want}, got ${got}`, e.loc);
}
