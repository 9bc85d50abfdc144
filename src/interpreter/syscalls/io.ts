// Data transfer: read/recv and write/send. Written data is zero bytes; read data is not checked.
// A NULL buffer is passed as a null pointer (the kernel answers EFAULT).
import { libc } from '../../sys/libc.js';
import type { SyscallAction } from '../../parser/ast.js';
import type { RunState } from '../state.js';
import { dataBuffer, expectArgs, fdOf, num, type Handler } from './common.js';

const len = (s: RunState, call: SyscallAction) => Math.max(0, num(s, call, 2, 'length'));

export const ioHandlers: Record<string, Handler> = {
  read(s, call) {
    expectArgs(call, 3);
    return { fn: libc.read, args: [fdOf(s, call), dataBuffer(s, call, 1, 2), len(s, call)] };
  },
  recv(s, call) {
    expectArgs(call, 4);
    return { fn: libc.recv, args: [fdOf(s, call), dataBuffer(s, call, 1, 2), len(s, call), num(s, call, 3, 'flags')] };
  },
  write(s, call) {
    expectArgs(call, 3);
    return { fn: libc.write, args: [fdOf(s, call), dataBuffer(s, call, 1, 2), len(s, call)] };
  },
  send(s, call) {
    expectArgs(call, 4);
    return { fn: libc.send, args: [fdOf(s, call), dataBuffer(s, call, 1, 2), len(s, call), num(s, call, 3, 'flags')] };
  },
};
