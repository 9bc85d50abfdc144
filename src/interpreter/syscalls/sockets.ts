// Socket life cycle: socket, bind, listen, accept, connect, shutdown, close, fcntl.
import type { SyscallAction } from '../../parser/ast.js';
import { libc } from '../../sys/libc.js';
import { Connection } from '../connection.js';
import { AF_UNSPEC, decodeSockaddr, encodeSockaddr } from '../sockaddr.js';
import type { RunState, ScriptSocket } from '../state.js';
import { arg, expectArgs, fdOf, isEllipsis, num, type Handler, type Invocation } from './common.js';

const SOCK_TYPE_MASK = 0xf;
const SOCK_STREAM = 1;
const IPPROTO_TCP = 6;

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
        type: listener?.type ?? SOCK_STREAM,
        protocol: listener?.protocol ?? IPPROTO_TCP,
        listening: false,
        boundPort: listener?.boundPort ?? 0,
        connection: conn,
      });
    },
  };
}

/**
 * An active open (connect, or sendto/sendmsg with MSG_FASTOPEN) on a TCP socket: the flow
 * exists from the call on, since the kernel's SYN may leave before the call returns. A socket
 * whose flow is already under way (connect() again for EALREADY/EISCONN, connect() after a
 * Fast Open sendto) keeps it: its ISNs are already learnt.
 */
export function startActiveOpen(s: RunState, sock: ScriptSocket | undefined): void {
  if (!sock || (sock.type & SOCK_TYPE_MASK) !== SOCK_STREAM || sock.connection) return;
  const conn = new Connection('tcp', { ip: s.localIp, port: 0 }, { ip: s.remoteIp, port: s.config.connectPort });
  conn.scriptFd = sock.scriptFd;
  conn.others = s.connections;
  sock.connection = conn;
  s.connections.push(conn);
}

export const socketHandlers: Record<string, Handler> = {
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
    const addr = encodeSockaddr(sock?.domain ?? s.defaultDomain, s.localIp, s.config.bindPort);
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
    // A family in place of the address (`connect(3, AF_UNSPEC, ...)`, `AF_PACKET`) sends a sockaddr of that family.
    const family = isEllipsis(call.args[1]) ? domain : Number(s.evaluator.int(arg(call, 1), 'connect address family'));
    const unspec = family === AF_UNSPEC;
    const addr = encodeSockaddr(family, s.remoteIp, unspec ? 0 : s.config.connectPort);
    if (!unspec) startActiveOpen(s, sock);
    return {
      fn: libc.connect,
      args: [fdOf(s, call), addr, addr.length],
      after: () => {
        // Disconnected: a later connect() opens a new flow.
        if (unspec && sock) sock.connection = undefined;
      },
    };
  },

  close(s, call) {
    expectArgs(call, 1);
    const scriptFd = num(s, call, 0, 'fd');
    return {
      fn: libc.close,
      args: [s.liveFd(scriptFd)],
      after: () => {
        s.sockets.delete(scriptFd);
        s.files.delete(scriptFd);
      },
    };
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
};
