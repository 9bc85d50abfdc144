// The system calls a script can make: one table, merged from one module per family.
import type { SyscallAction } from '../../parser/ast.js';
import { ScriptError } from '../errors.js';
import type { RunState } from '../state.js';
import type { Handler, Invocation } from './common.js';
import { fileHandlers } from './files.js';
import { ioHandlers } from './io.js';
import { msgHandlers } from './msg.js';
import { pollHandlers } from './poll.js';
import { socketHandlers } from './sockets.js';
import { sockoptHandlers } from './sockopt.js';

export type { Invocation } from './common.js';

const handlers: Record<string, Handler> = {
  ...socketHandlers,
  ...ioHandlers,
  ...sockoptHandlers,
  ...msgHandlers,
  ...pollHandlers,
  ...fileHandlers,
};

export const SUPPORTED_SYSCALLS: readonly string[] = Object.keys(handlers).sort();

export function prepareSyscall(s: RunState, call: SyscallAction): Invocation {
  const h = handlers[call.name];
  if (!h) throw new ScriptError('syscall', `unknown system call: '${call.name}' (supported: ${SUPPORTED_SYSCALLS.join(', ')})`, call.nameLoc);
  return h(s, call);
}
