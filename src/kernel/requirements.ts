// Probes a script's `// require:` directives (src/parser/requirements.ts) on the running kernel,
// before the run, from inside the run's own network namespace: many sysctls (net.mptcp.*,
// net.ipv4.tcp_*) exist per namespace, and the socket probes make sockets there.
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { release } from 'node:os';
import { delimiter, join } from 'node:path';
import type { Requirement, VersionOp } from '../parser/requirements.js';
import { errnoName } from '../syscalls/errno.js';
import { lookupSymbol } from '../syscalls/symbols.js';
import { errno, libc } from '../sys/libc.js';

const AF_INET = 2;
const AF_INET6 = 10;
const SOCK_STREAM = 1;
const SOCK_DGRAM = 2;
const sym = (name: string) => Number(lookupSymbol(name));

export interface ProbeContext {
  /** The run's address family: sockets are probed in it. */
  ipv6: boolean;
  /** `uname -r` (default: the running kernel's). */
  kernelRelease?: string;
  /** PATH for `command` (default: the process's). */
  path?: string;
}

/**
 * What the kernel (or system) lacks of `reqs`, one phrase each (`kernel lacks sysctl
 * net.mptcp.blackhole_timeout`); empty when every requirement is met.
 */
export function unmetRequirements(reqs: readonly Requirement[], ctx: ProbeContext): string[] {
  const out: string[] = [];
  for (const r of reqs) {
    const lack = probe(r, ctx);
    if (lack) out.push(lack);
  }
  return out;
}

function probe(r: Requirement, ctx: ProbeContext): string | undefined {
  const family = ctx.ipv6 ? AF_INET6 : AF_INET;
  switch (r.kind) {
    case 'mptcp': {
      const e = trySocket(family, SOCK_STREAM, sym('IPPROTO_MPTCP'));
      return e ? `kernel lacks MPTCP (socket(IPPROTO_MPTCP): ${e})` : undefined;
    }
    case 'sysctl':
      return existsSync(r.path) ? undefined : `kernel lacks sysctl ${r.name}`;
    case 'kernel': {
      const rel = ctx.kernelRelease ?? release();
      return compareVersion(kernelVersion(rel), r.op, r.version) ? undefined : `kernel lacks version ${r.op} ${r.version.join('.')} (it is ${rel})`;
    }
    case 'sockopt':
      return probeSockopt(r, family);
    case 'module':
      return hasModule(r.name, ctx.kernelRelease ?? release()) ? undefined : `kernel lacks module ${r.name}`;
    case 'command':
      return findCommand(r.name, ctx.path ?? process.env.PATH ?? '') ? undefined : `system lacks command ${r.name}`;
  }
}

/** Opens and closes a socket; returns the errno name when it cannot be opened. */
function trySocket(family: number, type: number, protocol: number): string | undefined {
  const fd = libc.socket(family, type, protocol);
  if (fd < 0) return errnoName(errno());
  libc.close(fd);
  return undefined;
}

/**
 * getsockopt() on a fresh socket: ENOPROTOOPT (the level does not know the option) or
 * EOPNOTSUPP (the protocol does not support it, as MPTCP sockets answer) mean the kernel lacks
 * it; any other outcome (a value, EINVAL for a too short buffer, ...) means it knows it.
 */
function probeSockopt(r: Extract<Requirement, { kind: 'sockopt' }>, family: number): string | undefined {
  const what = `getsockopt(${r.level}, ${r.option})${r.protocol === 'IPPROTO_TCP' ? '' : ` on an ${r.protocol} socket`}`;
  const fd = libc.socket(family, r.protocol === 'IPPROTO_UDP' ? SOCK_DGRAM : SOCK_STREAM, sym(r.protocol));
  if (fd < 0) return `kernel lacks ${what} (socket(${r.protocol}): ${errnoName(errno())})`;
  try {
    const val = Buffer.alloc(512);
    const len = Buffer.alloc(4);
    len.writeUInt32LE(val.length);
    if (libc.getsockopt(fd, sym(r.level), sym(r.option), val, len) === 0) return undefined;
    const e = errnoName(errno());
    return e === 'ENOPROTOOPT' || e === 'EOPNOTSUPP' ? `kernel lacks ${what} (${e})` : undefined;
  } finally {
    libc.close(fd);
  }
}

/** `6.12.95+deb12-amd64` -> [6, 12, 95]; `6.1-rc3` -> [6, 1, 0]. */
export function kernelVersion(rel: string): number[] {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(rel);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : [0, 0, 0];
}

/** Compares as many components as the wanted version has (`>= 6.12` ignores the patch level). */
export function compareVersion(have: readonly number[], op: VersionOp, want: readonly number[]): boolean {
  let c = 0;
  for (let i = 0; i < want.length && c === 0; i++) c = Math.sign((have[i] ?? 0) - want[i]!);
  return op === '>=' ? c >= 0 : op === '>' ? c > 0 : op === '<=' ? c <= 0 : op === '<' ? c < 0 : c === 0;
}

/** Built in, loaded, or loadable (`modprobe` would find it) on this kernel. */
function hasModule(name: string, rel: string): boolean {
  const norm = name.replace(/-/g, '_');
  if (existsSync(`/sys/module/${norm}`)) return true;
  const listed = (file: string) => {
    try {
      return readFileSync(join('/lib/modules', rel, file), 'utf8')
        .split('\n')
        .some((l) => l.split(':')[0]!.split('/').pop()!.replace(/\.ko(\.\w+)?$/, '').replace(/-/g, '_') === norm);
    } catch {
      return false;
    }
  };
  return listed('modules.builtin') || listed('modules.dep');
}

function findCommand(name: string, path: string): boolean {
  return path.split(delimiter).some((dir) => {
    if (!dir) return false;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
