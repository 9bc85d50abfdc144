// Data transfer: read/recv and write/send. Written data is zero bytes; read data is not checked.
import { libc } from '../../sys/libc.js';
import { buffer, expectArgs, fdOf, num, type Handler } from './common.js';

export const ioHandlers: Record<string, Handler> = {
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
};
