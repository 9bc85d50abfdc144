// Readiness: poll() with per-entry revents checks, and epoll_create/epoll_ctl/epoll_wait.
import { wrongForm } from '../../assertions/messages.js';
import type { Expr, SyscallAction } from '../../parser/ast.js';
import { libc } from '../../sys/libc.js';
import { ScriptError } from '../errors.js';
import { describeExpr } from '../eval.js';
import type { RunState } from '../state.js';
import { flagNames } from './flags.js';
import { arg, expectArgs, fdOf, isEllipsis, isNull, num, outParamError, structFields, type Handler, type Invocation } from './common.js';
import { decodeEpollEvents, decodePollfds, encodeEpollEvents, encodePollfds, type Pollfd } from './structs.js';

interface ScriptPollfd {
  scriptFd: number;
  events: number;
  revents?: Expr;
}

function pollfdList(s: RunState, call: SyscallAction, e: Expr): ScriptPollfd[] {
  const items = e.kind === 'array' ? e.items : e.kind === 'struct' ? [e] : undefined;
  if (!items) throw ScriptError.from('syscall', e.loc, wrongForm({ subject: call.name, expected: '[{fd=..., events=..., revents=...}, ...]', found: describeExpr(e) }));
  return items.map((it) => {
    const f = structFields(call, it, 'pollfd', ['fd', 'events', 'revents']);
    const need = (n: string) => {
      const v = f.get(n)?.value;
      if (!v) throw new ScriptError('syscall', `${call.name}: pollfd needs ${n}=...`, it.loc);
      return v;
    };
    const revents = f.get('revents')?.value;
    return {
      scriptFd: Number(s.evaluator.int(need('fd'), `${call.name} fd`)),
      events: Number(s.evaluator.int(need('events'), `${call.name} events`)),
      revents: revents && !isEllipsis(revents) ? revents : undefined,
    };
  });
}

/** epoll_data as the script writes it: `fd=N`, `u32=N`, `ptr=N` or `u64=N` (script values, opaque to the kernel). */
const EPOLL_DATA = ['fd', 'ptr', 'u32', 'u64'] as const;

interface ScriptEpollEvent {
  events?: Expr;
  data?: { name: (typeof EPOLL_DATA)[number]; value: Expr };
  loc: Expr['loc'];
}

function epollEvent(call: SyscallAction, e: Expr): ScriptEpollEvent {
  const f = structFields(call, e, 'epoll_event', ['events', ...EPOLL_DATA]);
  const dataName = EPOLL_DATA.find((n) => f.has(n));
  return { events: f.get('events')?.value, data: dataName ? { name: dataName, value: f.get(dataName)!.value } : undefined, loc: e.loc };
}

function epollData(s: RunState, call: SyscallAction, d: ScriptEpollEvent['data']): bigint {
  if (!d || isEllipsis(d.value)) return 0n;
  const v = s.evaluator.int(d.value, `${call.name} ${d.name}`);
  return d.name === 'fd' || d.name === 'u32' ? BigInt.asUintN(32, v) : BigInt.asUintN(64, v);
}

export const pollHandlers: Record<string, Handler> = {
  poll(s, call): Invocation {
    expectArgs(call, 3);
    const list = pollfdList(s, call, arg(call, 0));
    const nfds = isEllipsis(call.args[1]) ? list.length : num(s, call, 1, 'nfds');
    if (nfds > list.length) throw new ScriptError('syscall', `${call.name}: nfds ${nfds} but ${list.length} pollfd${list.length === 1 ? '' : 's'} listed`, arg(call, 1).loc);
    const buf = encodePollfds(list.map((p): Pollfd => ({ fd: p.scriptFd < 0 ? p.scriptFd : s.liveFd(p.scriptFd), events: p.events, revents: 0 })));
    return {
      fn: libc.poll,
      args: [buf, nfds, num(s, call, 2, 'timeout')],
      after: () => {
        decodePollfds(buf, nfds).forEach((got, i) => {
          const e = list[i]!.revents;
          if (!e) return;
          const want = Number(s.evaluator.int(e, `${call.name} revents`)) & 0xffff;
          if (got.revents !== want)
            throw outParamError(
              call,
              `expected revents ${flagNames(want, 'POLL')} for pollfd ${i}, got ${flagNames(got.revents, 'POLL')}`,
              e.loc,
              `Expected revents of 0x${want.toString(16)} but got 0x${got.revents.toString(16)} for pollfd ${i}`,
            );
        });
      },
    };
  },

  epoll_create(s, call) {
    expectArgs(call, 1);
    return newFd(s, call, { fn: libc.epollCreate, args: [num(s, call, 0, 'size')] });
  },

  epoll_create1(s, call) {
    expectArgs(call, 1);
    return newFd(s, call, { fn: libc.epollCreate1, args: [num(s, call, 0, 'flags')] });
  },

  epoll_ctl(s, call): Invocation {
    expectArgs(call, 4);
    const evExpr = arg(call, 3);
    let ev: Buffer | null = null;
    if (!isNull(evExpr)) {
      const e = isEllipsis(evExpr) ? undefined : epollEvent(call, evExpr);
      const events = e?.events && !isEllipsis(e.events) ? Number(s.evaluator.int(e.events, `${call.name} events`)) : 0;
      ev = encodeEpollEvents([{ events, data: epollData(s, call, e?.data) }]);
    }
    return { fn: libc.epollCtl, args: [fdOf(s, call, 0), num(s, call, 1, 'op'), fdOf(s, call, 2), ev] };
  },

  epoll_wait(s, call): Invocation {
    expectArgs(call, 4);
    const evExpr = arg(call, 1);
    const expected = isEllipsis(evExpr) ? undefined : (evExpr.kind === 'array' ? evExpr.items : [evExpr]).map((e) => epollEvent(call, e));
    const max = num(s, call, 2, 'maxevents');
    const buf = encodeEpollEvents([], Math.max(1, max));
    return {
      fn: libc.epollWait,
      args: [fdOf(s, call, 0), buf, max, num(s, call, 3, 'timeout')],
      after: (n) => {
        if (!expected) return;
        const got = decodeEpollEvents(buf, n);
        if (n > expected.length)
          throw outParamError(call, `${n} events ready but the script lists ${expected.length}`, evExpr.loc, `Expected ${expected.length} epoll events but got ${n}`);
        got.forEach((g, i) => {
          const e = expected[i]!;
          if (e.events && !isEllipsis(e.events)) {
            const want = Number(BigInt.asUintN(32, s.evaluator.int(e.events, `${call.name} events`)));
            if (g.events !== want)
              throw outParamError(
                call,
                `expected events ${flagNames(want, 'EPOLL')} for epoll_event ${i}, got ${flagNames(g.events, 'EPOLL')}`,
                e.events.loc,
                `Expected events of 0x${want.toString(16)} but got 0x${g.events.toString(16)} for epoll_event ${i}`,
              );
          }
          if (e.data && !isEllipsis(e.data.value)) {
            const want = epollData(s, call, e.data);
            const value = e.data.name === 'fd' || e.data.name === 'u32' ? BigInt.asUintN(32, g.data) : g.data;
            if (value !== want)
              throw outParamError(call, `expected ${e.data.name} ${want} for epoll_event ${i}, got ${value}`, e.data.value.loc, `Expected epoll data ${want} but got ${value} for epoll_event ${i}`);
          }
        });
      },
    };
  },
};

/** A call returning a new non-socket fd: the script's number is mapped to the live one. */
export function newFd(s: RunState, call: SyscallAction, inv: Omit<Invocation, 'returnsFd'>): Invocation {
  return {
    ...inv,
    returnsFd: true,
    after: (liveFd) => {
      inv.after?.(liveFd);
      if (isEllipsis(call.result)) return;
      s.files.set(Number(s.evaluator.int(call.result, `${call.name} result`)), liveFd);
    },
  };
}
