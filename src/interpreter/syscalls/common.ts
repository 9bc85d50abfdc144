// Shared pieces of the syscall handlers: the table entry type and argument helpers.
import { syscallFailure, syscallMismatch, wrongForm } from '../../assertions/messages.js';
import type { Note } from '../../diagnostics/code-frame.js';
import type { Expr, StructField, SyscallAction } from '../../parser/ast.js';
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
  /**
   * Memory the arguments point to only by address (iovec bases, cmsg buffers inside a
   * msghdr): referenced here so it outlives a blocking call on the syscall thread.
   */
  keepAlive?: unknown[];
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
  if (got !== want) throw ScriptError.from('syscall', e.loc, syscallMismatch({ call: call.name, what, expected: want, actual: got }));
}

/** `NULL` (or a literal 0) where a pointer is expected. */
export const isNull = (e: Expr | undefined) => (e?.kind === 'word' && e.name === 'NULL') || (e?.kind === 'int' && e.value === 0n);

/**
 * Memory whose address is written into another struct (iovec bases, msghdr fields): backed by
 * its own ArrayBuffer, which V8 never moves. At least one byte, so that it has an address.
 */
export function pinned(size: number): Buffer {
  return Buffer.from(new ArrayBuffer(Math.max(1, size)));
}

/** A data pointer argument of `len` bytes: `...` allocates zeros, `NULL` passes a null pointer. */
export function dataBuffer(s: RunState, call: SyscallAction, bufIndex: number, lenIndex: number): Buffer | null {
  if (isNull(arg(call, bufIndex))) return null;
  return buffer(s, call, lenIndex);
}

/** An out-parameter mismatch, pointing at the script field, with packetdrill's one-line form. */
export function outParamError(call: SyscallAction, message: string, loc: Expr['loc'], legacy?: string, notes: Note[] = []): ScriptError {
  return ScriptError.from('syscall', loc, syscallFailure({ call: call.name, text: message, legacy, notes }));
}

/** The fields of a `{name=value, ...}` struct by name; unknown names are an error. */
export function structFields(call: SyscallAction, e: Expr, what: string, allowed: readonly string[]): Map<string, StructField> {
  if (e.kind !== 'struct') {
    const found = e.kind === 'list' || e.kind === 'array' ? 'a list' : 'a value';
    throw ScriptError.from('syscall', e.loc, wrongForm({ subject: call.name, expected: `${what} {${allowed.join(', ')}}`, found: found }));
  }
  const fields = new Map<string, StructField>();
  for (const f of e.fields) {
    if (!allowed.includes(f.name)) throw new ScriptError('syscall', `${call.name}: unknown ${what} field '${f.name}' (expected one of ${allowed.join(', ')})`, f.loc);
    fields.set(f.name, f);
  }
  return fields;
}
