// Message I/O: sendto/recvfrom, sendmsg/recvmsg (msghdr, iovecs, control messages) and
// readv/writev. Written data is zero bytes and received data is not checked; what recvmsg
// returns in msg_flags and msg_control is compared field by field with the script.
import { wrongForm } from '../../assertions/messages.js';
import type { Expr, StructExpr, SyscallAction } from '../../parser/ast.js';
import { addressOf, clocks, libc } from '../../sys/libc.js';
import { lookupSymbol } from '../../syscalls/symbols.js';
import { ScriptError } from '../errors.js';
import { describeExpr } from '../eval.js';
import { AF_UNSPEC, encodeSockaddr } from '../sockaddr.js';
import type { RunState } from '../state.js';
import { flagNamesHex } from './flags.js';
import {
  arg,
  dataBuffer,
  expectArgs,
  fdOf,
  isEllipsis,
  isNull,
  num,
  outParamError,
  pinned,
  structFields,
  type Handler,
  type Invocation,
} from './common.js';
import { startActiveOpen } from './sockets.js';
import {
  cmsgSpace,
  decodeCmsgs,
  decodeScmTimestamping,
  decodeSockExtendedErr,
  encodeCmsgs,
  encodeIovecs,
  encodeMsghdr,
  IOVEC_SIZE,
  MSGHDR_SIZE,
  SCM_TIMESTAMPING_SIZE,
  SOCK_EXTENDED_ERR_SIZE,
  type Cmsg,
  type SockExtendedErr,
} from './structs.js';

const MSG_FASTOPEN = Number(lookupSymbol('MSG_FASTOPEN'));
const SOL_SOCKET = Number(lookupSymbol('SOL_SOCKET'));
const SCM_TIMESTAMPING = Number(lookupSymbol('SCM_TIMESTAMPING'));
/** sockaddr_storage: room for any peer address the kernel writes back. */
const SOCKADDR_STORAGE = 128;
/** Extra control-buffer room on top of what the script's cmsgs need, so nothing is truncated. */
const CONTROL_SLACK = 512;

const EE_FIELDS = ['ee_errno', 'ee_origin', 'ee_type', 'ee_code', 'ee_info', 'ee_data'] as const;

// ---------------------------------------------------------------------------------------
// Script forms
// ---------------------------------------------------------------------------------------

/** One `{..., len}` iovec of the script. */
function iovecLength(s: RunState, call: SyscallAction, e: Expr): number {
  let lenExpr: Expr | undefined;
  if (e.kind === 'list' && e.items.length === 2) lenExpr = e.items[1];
  else if (e.kind === 'struct') lenExpr = structFields(call, e, 'iovec', ['iov_base', 'iov_len']).get('iov_len')?.value;
  if (!lenExpr) throw ScriptError.from('syscall', e.loc, wrongForm({ subject: call.name, expected: 'an iovec {..., length}', found: describeExpr(e) }));
  const n = Number(s.evaluator.int(lenExpr, `${call.name} iov_len`));
  if (n < 0 || n > 1 << 30) throw new ScriptError('syscall', `${call.name}: iov_len ${n} out of range`, lenExpr.loc);
  return n;
}

function iovecList(s: RunState, call: SyscallAction, e: Expr): number[] {
  if (e.kind !== 'array') throw ScriptError.from('syscall', e.loc, wrongForm({ subject: call.name, expected: 'an iovec array [{..., length}, ...]', found: describeExpr(e) }));
  return e.items.map((it) => iovecLength(s, call, it));
}

/** Zero-filled buffers for the iovecs and the iovec array pointing at them. */
function buildIovecs(lengths: readonly number[]): { iov: Buffer; bufs: Buffer[] } {
  const bufs = lengths.map((n) => pinned(n));
  const iov = pinned(Math.max(1, lengths.length) * IOVEC_SIZE);
  encodeIovecs(bufs.map((b, i) => ({ base: addressOf(b), len: lengths[i]! }))).copy(iov);
  return { iov, bufs };
}

interface ScriptMsghdr {
  iovLengths: number[];
  /** msg_name present (`msg_name(...)=...`): the live peer address is passed / room is given. */
  name: boolean;
  flags?: Expr;
  /** The msg_control list as written (array of cmsg structs). */
  control?: Expr & { kind: 'array' };
}

function parseMsghdr(s: RunState, call: SyscallAction, e: Expr): ScriptMsghdr {
  const f = structFields(call, e, 'msghdr', ['msg_name', 'msg_namelen', 'msg_iov', 'msg_iovlen', 'msg_flags', 'msg_control', 'msg_controllen']);
  const iovField = f.get('msg_iov');
  const iovLengths = iovField && !isEllipsis(iovField.value) ? iovecList(s, call, iovField.value) : [];
  if (iovField?.arg && !isEllipsis(iovField.arg)) {
    const declared = Number(s.evaluator.int(iovField.arg, `${call.name} msg_iovlen`));
    if (declared !== iovLengths.length)
      throw new ScriptError('syscall', `${call.name}: msg_iov(${declared}) lists ${iovLengths.length} iovec${iovLengths.length === 1 ? '' : 's'}`, iovField.arg.loc);
  }
  const control = f.get('msg_control')?.value;
  if (control && control.kind !== 'array' && !isEllipsis(control))
    throw ScriptError.from('syscall', control.loc, wrongForm({ subject: call.name, expected: 'msg_control=[{cmsg_level=..., cmsg_type=..., cmsg_data=...}, ...]', found: describeExpr(control) }));
  const flags = f.get('msg_flags')?.value;
  return {
    iovLengths,
    name: f.has('msg_name') && !isNull(f.get('msg_name')!.value),
    flags: flags && !isEllipsis(flags) ? flags : undefined,
    control: control?.kind === 'array' ? control : undefined,
  };
}

interface CmsgForm {
  level: Expr;
  type: Expr;
  data: Expr;
  loc: Expr['loc'];
}

function cmsgForms(call: SyscallAction, control: Expr & { kind: 'array' }): CmsgForm[] {
  return control.items.map((c) => {
    const f = structFields(call, c, 'cmsg', ['cmsg_len', 'cmsg_level', 'cmsg_type', 'cmsg_data']);
    const need = (n: string) => {
      const v = f.get(n)?.value;
      if (!v) throw new ScriptError('syscall', `${call.name}: cmsg needs ${n}`, c.loc);
      return v;
    };
    return { level: need('cmsg_level'), type: need('cmsg_type'), data: need('cmsg_data'), loc: c.loc };
  });
}

const isStructOf = (e: Expr, first: string): boolean => e.kind === 'struct' && e.fields[0]?.name === first;

/** Bytes the kernel may return for a cmsg the script expects (generous for address tails). */
function expectedDataRoom(form: CmsgForm): number {
  if (isStructOf(form.data, 'scm_sec')) return SCM_TIMESTAMPING_SIZE;
  if (isStructOf(form.data, 'ee_errno')) return SOCK_EXTENDED_ERR_SIZE + 28; // + offender sockaddr_in6
  return 8;
}

/** Control messages to send: int data (4 bytes) or a string. */
function encodeOutgoingCmsgs(s: RunState, call: SyscallAction, forms: CmsgForm[]): Buffer {
  const list: Cmsg[] = forms.map((f) => {
    const level = Number(s.evaluator.int(f.level, `${call.name} cmsg_level`));
    const type = Number(s.evaluator.int(f.type, `${call.name} cmsg_type`));
    let data: Buffer;
    if (f.data.kind === 'string') data = Buffer.from(s.evaluator.string(f.data, `${call.name} cmsg_data`), 'latin1');
    else {
      data = Buffer.alloc(4);
      data.writeInt32LE(Number(BigInt.asIntN(32, s.evaluator.int(f.data, `${call.name} cmsg_data`))));
    }
    return { level, type, data };
  });
  return encodeCmsgs(list);
}

// ---------------------------------------------------------------------------------------
// Checks of what recvmsg returned
// ---------------------------------------------------------------------------------------

function checkMsgFlags(s: RunState, call: SyscallAction, expected: Expr, got: number): void {
  const want = Number(BigInt.asIntN(32, s.evaluator.int(expected, `${call.name} msg_flags`)));
  if (want === got) return;
  const hex8 = (v: number) => `0x${(v >>> 0).toString(16).toUpperCase().padStart(8, '0')}`;
  throw outParamError(call, `expected msg_flags ${flagNamesHex(want, 'MSG')}, got ${flagNamesHex(got, 'MSG')}`, expected.loc, `Expected msg_flags ${hex8(want)} but got ${hex8(got)}`);
}

function checkCmsgs(s: RunState, call: SyscallAction, control: Expr & { kind: 'array' }, actual: Cmsg[]): void {
  const forms = cmsgForms(call, control);
  const describe = (c: Cmsg) => `level ${c.level} type ${c.type} (${c.data.length} data bytes)`;
  forms.forEach((form, i) => {
    const got = actual[i];
    if (!got)
      throw outParamError(call, `expected ${forms.length} control message${forms.length === 1 ? '' : 's'}, got ${actual.length}: cmsg ${i} is missing`, form.loc, `Expected ${forms.length} cmsgs but got ${actual.length}`);
    const level = Number(s.evaluator.int(form.level, `${call.name} cmsg_level`));
    const type = Number(s.evaluator.int(form.type, `${call.name} cmsg_type`));
    if (got.level !== level)
      throw outParamError(call, `expected cmsg_level ${describeExpr(form.level)} (${level}) for cmsg ${i}, got ${got.level}`, form.level.loc, `Bad cmsg_level in cmsg ${i}: expected=${level} actual=${got.level}`);
    if (got.type !== type)
      throw outParamError(call, `expected cmsg_type ${describeExpr(form.type)} (${type}) for cmsg ${i}, got ${got.type}`, form.type.loc, `Bad cmsg_type in cmsg ${i}: expected=${type} actual=${got.type}`);
    checkCmsgData(s, call, form, got, i, level, type);
  });
  if (actual.length > forms.length) {
    const extra = actual.slice(forms.length).map(describe).join('; ');
    throw outParamError(call, `expected ${forms.length} control message${forms.length === 1 ? '' : 's'}, got ${actual.length} (extra: ${extra})`, control.loc, `Expected ${forms.length} cmsgs but got ${actual.length}`);
  }
}

function checkCmsgData(s: RunState, call: SyscallAction, form: CmsgForm, got: Cmsg, i: number, level: number, type: number): void {
  const d = form.data;
  if (isEllipsis(d)) return;
  if (isStructOf(d, 'scm_sec')) return checkTimestamping(s, call, d as StructExpr, got, i);
  if (isStructOf(d, 'ee_errno')) return checkExtendedErr(s, call, d as StructExpr, got, i);
  if (level === SOL_SOCKET && type === SCM_TIMESTAMPING)
    throw new ScriptError('syscall', `${call.name}: SCM_TIMESTAMPING data is written {scm_sec=..., scm_nsec=...}`, d.loc);
  if (d.kind === 'struct' || d.kind === 'list' || d.kind === 'array' || d.kind === 'string')
    throw new ScriptError('syscall', `${call.name}: unsupported cmsg_data form ${describeExpr(d)}`, d.loc);
  const want = s.evaluator.int(d, `${call.name} cmsg_data`);
  const n = got.data.length;
  const value = n >= 8 ? got.data.readBigInt64LE(0) : n >= 4 ? BigInt(got.data.readInt32LE(0)) : n >= 2 ? BigInt(got.data.readUInt16LE(0)) : n >= 1 ? BigInt(got.data.readUInt8(0)) : undefined;
  const wanted = n >= 8 ? BigInt.asIntN(64, want) : n >= 4 ? BigInt.asIntN(32, want) : want;
  if (value !== wanted)
    throw outParamError(call, `expected cmsg_data ${describeExpr(d)} for cmsg ${i}, got ${value ?? `${n} bytes`}`, d.loc, `Bad cmsg_data in cmsg ${i}: expected=${wanted} actual=${value}`);
}

function checkExtendedErr(s: RunState, call: SyscallAction, d: StructExpr, got: Cmsg, i: number): void {
  if (got.data.length < SOCK_EXTENDED_ERR_SIZE)
    throw outParamError(call, `expected a sock_extended_err in cmsg ${i}, got ${got.data.length} data bytes`, d.loc);
  const actual = decodeSockExtendedErr(got.data);
  const fields = structFields(call, d, 'sock_extended_err', [...EE_FIELDS, 'ee_pad']);
  for (const [name, f] of fields) {
    if (isEllipsis(f.value)) continue;
    const want = Number(BigInt.asUintN(32, s.evaluator.int(f.value, `${call.name} ${name}`)));
    const value = actual[name as keyof SockExtendedErr];
    if (value !== want)
      throw outParamError(
        call,
        `expected ${name} ${describeExpr(f.value)}${String(want) === describeExpr(f.value) ? '' : ` (${want})`} in cmsg ${i}, got ${value}`,
        f.value.loc,
        `sock_extended_err.${name}: expected=${want} actual=${value}`,
      );
  }
}

/**
 * packetdrill's rule: the script gives ts[0] as a script time ({scm_sec, scm_nsec} since the
 * script started); each timestamp must be within the tolerance of the live one, except pairs
 * that are both zero (ts[1] legacy, ts[2] hardware).
 */
function checkTimestamping(s: RunState, call: SyscallAction, d: StructExpr, got: Cmsg, i: number): void {
  if (got.data.length < SCM_TIMESTAMPING_SIZE)
    throw outParamError(call, `expected a scm_timestamping in cmsg ${i}, got ${got.data.length} data bytes`, d.loc);
  const f = structFields(call, d, 'scm_timestamping', ['scm_sec', 'scm_nsec']);
  const sec = f.get('scm_sec') ? s.evaluator.int(f.get('scm_sec')!.value, `${call.name} scm_sec`) : 0n;
  const nsec = f.get('scm_nsec') ? s.evaluator.int(f.get('scm_nsec')!.value, `${call.name} scm_nsec`) : 0n;
  const expected = [sec * 1_000_000_000n + nsec, 0n, 0n];
  const actual = decodeScmTimestamping(got.data).map((t) => t.sec * 1_000_000_000n + t.nsec);
  const clock = s.clock;
  if (!clock) return;
  // Live stamps are CLOCK_REALTIME; the script clock runs on CLOCK_MONOTONIC.
  const toMonotonic = (realtimeNs: bigint) => realtimeNs - realtimeMinusMonotonicNs();
  const tol = s.config.toleranceUsecs;
  for (let k = 0; k < 3; k++) {
    if (expected[k] === 0n && actual[k] === 0n) continue;
    const wantUsecs = Number(expected[k]!) / 1000;
    const gotUsecs = actual[k] === 0n ? 0 : clock.usecsOf(toMonotonic(actual[k]!));
    if (Math.abs(gotUsecs - wantUsecs) <= tol) continue;
    const secs = (u: number) => (u / 1e6).toFixed(6);
    throw outParamError(
      call,
      `expected scm_timestamping ts[${k}] at ${secs(wantUsecs)} sec in cmsg ${i}, got ${secs(gotUsecs)} sec (${((gotUsecs - wantUsecs) / 1000).toFixed(3)} ms off, tolerance ${(tol / 1000).toFixed(3)} ms)`,
      k === 0 ? (f.get('scm_nsec')?.value.loc ?? d.loc) : d.loc,
      `Bad timestamp ${k} in scm_timestamping ${i}: expected=${secs(wantUsecs)} actual=${secs(gotUsecs)}`,
    );
  }
}

function realtimeMinusMonotonicNs(): bigint {
  const mono = clocks.monotonicNs();
  return clocks.realtimeNs() - mono;
}

// ---------------------------------------------------------------------------------------
// Handlers
// ---------------------------------------------------------------------------------------

/** The live destination for an address argument: `...` is the remote peer, AF_UNSPEC disconnects. */
function destination(s: RunState, call: SyscallAction, e: Expr, domain: number): { addr: Buffer | null; peer: boolean } {
  if (isEllipsis(e)) return { addr: encodeSockaddr(domain, s.remoteIp, s.config.connectPort), peer: true };
  if (isNull(e)) return { addr: null, peer: false };
  const family = Number(s.evaluator.int(e, `${call.name} address`));
  if (family === AF_UNSPEC) return { addr: encodeSockaddr(AF_UNSPEC, s.remoteIp, 0), peer: false };
  throw new ScriptError('syscall', `${call.name}: unsupported address ${describeExpr(e)} (use ... for the remote peer, or AF_UNSPEC)`, e.loc);
}

function buildMsg(s: RunState, call: SyscallAction, sending: boolean) {
  expectArgs(call, 3);
  const scriptFd = num(s, call, 0, 'fd');
  const sock = s.sockets.get(scriptFd);
  const m = parseMsghdr(s, call, arg(call, 1));
  const flags = num(s, call, 2, 'flags');
  const { iov, bufs } = buildIovecs(m.iovLengths);
  let name: Buffer | undefined;
  let namelen = 0;
  if (m.name) {
    if (sending) {
      const addr = encodeSockaddr(sock?.domain ?? s.defaultDomain, s.remoteIp, s.config.connectPort);
      name = pinned(addr.length);
      addr.copy(name);
      namelen = addr.length;
    } else {
      name = pinned(SOCKADDR_STORAGE);
      namelen = SOCKADDR_STORAGE;
    }
  }
  const forms = m.control ? cmsgForms(call, m.control) : [];
  let control: Buffer | undefined;
  let controllen = 0;
  if (sending && forms.length) {
    const bytes = encodeOutgoingCmsgs(s, call, forms);
    control = pinned(bytes.length);
    bytes.copy(control);
    controllen = bytes.length;
  } else if (!sending && m.control) {
    controllen = forms.reduce((n, f) => n + cmsgSpace(expectedDataRoom(f)), 0) + CONTROL_SLACK;
    control = pinned(controllen);
  }
  const hdr = pinned(MSGHDR_SIZE);
  encodeMsghdr(
    {
      name: name ? addressOf(name) : 0n,
      namelen,
      iov: addressOf(iov),
      iovlen: m.iovLengths.length,
      control: control ? addressOf(control) : 0n,
      controllen,
      flags: 0,
    },
    hdr,
  );
  return { scriptFd, sock, m, flags, hdr, control, keepAlive: [iov, bufs, name, control] };
}

export const msgHandlers: Record<string, Handler> = {
  sendto(s, call): Invocation {
    expectArgs(call, 6);
    const sock = s.sockets.get(num(s, call, 0, 'fd'));
    const buf = dataBuffer(s, call, 1, 2);
    const len = Math.max(0, num(s, call, 2, 'length'));
    const flags = num(s, call, 3, 'flags');
    const dest = destination(s, call, arg(call, 4), sock?.domain ?? s.defaultDomain);
    // Fast Open: sendto() on an unconnected socket is connect() plus write().
    if (flags & MSG_FASTOPEN && dest.peer) startActiveOpen(s, sock);
    return { fn: libc.sendto, args: [fdOf(s, call), buf, len, flags, dest.addr, dest.addr?.length ?? 0] };
  },

  recvfrom(s, call): Invocation {
    expectArgs(call, 6);
    const buf = dataBuffer(s, call, 1, 2);
    const addr = isNull(call.args[4]) ? null : Buffer.alloc(SOCKADDR_STORAGE);
    const addrLen = isNull(call.args[5]) ? null : Buffer.alloc(4);
    addrLen?.writeUInt32LE(addr ? SOCKADDR_STORAGE : 0);
    return { fn: libc.recvfrom, args: [fdOf(s, call), buf, Math.max(0, num(s, call, 2, 'length')), num(s, call, 3, 'flags'), addr, addrLen] };
  },

  sendmsg(s, call): Invocation {
    const b = buildMsg(s, call, true);
    if (b.flags & MSG_FASTOPEN && b.m.name) startActiveOpen(s, b.sock);
    return { fn: libc.sendmsg, args: [s.liveFd(b.scriptFd), b.hdr, b.flags], keepAlive: b.keepAlive };
  },

  recvmsg(s, call): Invocation {
    const b = buildMsg(s, call, false);
    return {
      fn: libc.recvmsg,
      args: [s.liveFd(b.scriptFd), b.hdr, b.flags],
      keepAlive: b.keepAlive,
      after: () => {
        const flags = b.hdr.readInt32LE(48);
        if (b.m.flags) checkMsgFlags(s, call, b.m.flags, flags);
        if (b.m.control && b.control) {
          const controllen = Number(b.hdr.readBigUInt64LE(40));
          checkCmsgs(s, call, b.m.control, decodeCmsgs(b.control, controllen));
        }
      },
    };
  },

  readv: vectored,
  writev: vectored,
};

function vectored(s: RunState, call: SyscallAction): Invocation {
  expectArgs(call, 3);
  const lengths = iovecList(s, call, arg(call, 1));
  const count = isEllipsis(call.args[2]) ? lengths.length : num(s, call, 2, 'iovcnt');
  if (count > lengths.length) throw new ScriptError('syscall', `${call.name}: iovcnt ${count} but ${lengths.length} iovec${lengths.length === 1 ? '' : 's'} listed`, arg(call, 2).loc);
  const { iov, bufs } = buildIovecs(lengths);
  return { fn: call.name === 'readv' ? libc.readv : libc.writev, args: [fdOf(s, call), iov, count], keepAlive: [bufs] };
}
