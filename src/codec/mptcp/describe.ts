// Human text for MPTCP options: one-line descriptions in the multipath-tcp fork's script
// syntax (docs/script-language.md §7.2) and field-level differences for failure messages.
//
// Values are printed as they are on the wire: keys are the big-endian wire value (the fork's
// script literals are host order, see options.ts), DSN/DACK are absolute, not relative to the
// IDSN. The interpreter can rewrite those before printing if it wants script-relative text.

import { parseIpAddress } from '../ip-text.js';
import {
  DSS_FLAG,
  MPC_FLAG,
  TCPRST_FLAG,
  encodeMptcpOption,
  type MptcpOption,
  type MptcpOptionKind,
} from './options.js';

/** The script keyword that introduces each kind. */
export const MPTCP_SCRIPT_WORD: Record<MptcpOptionKind, string> = {
  mp_capable: 'mpcapable',
  mp_join_syn: 'mp_join_syn',
  mp_join_syn_ack: 'mp_join_syn_ack',
  mp_join_ack: 'mp_join_ack',
  dss: 'dss',
  add_address: 'add_address',
  remove_address: 'remove_address',
  mp_prio: 'mp_prio',
  mp_fail: 'mp_fail',
  mp_fastclose: 'mp_fastclose',
  mp_tcprst: 'mp_reset',
};

// ---------------------------------------------------------------------------------------
// Value formatting
// ---------------------------------------------------------------------------------------

function hexN(v: unknown, digits: number): string {
  if (typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v) && v >= 0)) {
    return `0x${v.toString(16).padStart(digits, '0')}`;
  }
  return String(v);
}

function hexBytes(v: unknown): string {
  if (!(v instanceof Uint8Array)) return String(v);
  return `0x${Array.from(v, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

function mpcFlags(flags: unknown): string {
  if (typeof flags !== 'number') return `flags ${String(flags)}`;
  const names = (['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'] as const)
    .filter((n) => flags & MPC_FLAG[n])
    .map((n) => `flag_${n.toLowerCase()}`);
  return `flags[${names.length ? names.join(',') : 'no_flags'}]`;
}

function dssFlags(flags: unknown): string {
  if (typeof flags !== 'number') return `flags=${String(flags)}`;
  const names = (['A', 'a', 'M', 'm', 'F'] as const).filter((n) => flags & DSS_FLAG[n]);
  return `flags=${hexN(flags, 2)} (${names.length ? names.join(' ') : 'none'})`;
}

function tcprstFlags(flags: unknown): string {
  if (typeof flags !== 'number') return `flags ${String(flags)}`;
  const names = (['U', 'V', 'W', 'T'] as const)
    .filter((n) => flags & TCPRST_FLAG[n])
    .map((n) => `flag_${n.toLowerCase()}`);
  return `flags[${names.length ? names.join(',') : 'no_flags'}]`;
}

/** `backup=N`, plus the raw nibble when reserved bits are set. */
function backupFlags(flags: unknown): string {
  if (typeof flags !== 'number') return `flags=${String(flags)}`;
  const backup = `backup=${flags & 1}`;
  return flags & ~1 ? `${backup} flags=${hexN(flags, 1)}` : backup;
}

function addAddrFlags(flags: unknown): string {
  if (typeof flags !== 'number') return `flags=${String(flags)}`;
  const echo = flags & 1 ? 'addr_echo' : 'no addr_echo';
  return flags & ~1 ? `${echo} flags=${hexN(flags, 1)}` : echo;
}

function addressText(address: unknown): string {
  if (typeof address !== 'string') return `addr[${String(address)}]`;
  return address.includes(':') ? `addr[inet6_addr("${address}")]` : `addr[inet_addr("${address}")]`;
}

type AnyOption = Record<string, unknown>;

function is8(o: AnyOption, named: 'dataAck8' | 'dsn8', flagBit: number, v: unknown): boolean {
  if (typeof o[named] === 'boolean') return o[named] as boolean;
  if (typeof o.flags === 'number') return (o.flags & flagBit) !== 0;
  return typeof v === 'bigint';
}

const dackToken = (v: unknown, o: AnyOption) =>
  v === undefined ? 'no dack' : `${is8(o, 'dataAck8', DSS_FLAG.a, v) ? 'dack8' : 'dack4'}=${String(v)}`;
const dsnToken = (v: unknown, o: AnyOption) =>
  v === undefined ? 'no dsn' : `${is8(o, 'dsn8', DSS_FLAG.m, v) ? 'dsn8' : 'dsn4'}=${String(v)}`;
const csumToken = (v: unknown) => (v === undefined ? 'nocs' : `cksum=${hexN(v, 4)}`);

// ---------------------------------------------------------------------------------------
// describeMptcpOption
// ---------------------------------------------------------------------------------------

/** One line in script syntax, e.g. `dss dack8=1001 dsn8=1 ssn=1 dll=1000 nocs fin`. */
export function describeMptcpOption(opt: MptcpOption): string {
  const parts: string[] = [MPTCP_SCRIPT_WORD[opt.kind] ?? `mptcp(${String((opt as unknown as AnyOption).kind)})`];
  const extraReserved = (r: number, digits: number) => {
    if (r) parts.push(`reserved=${hexN(r, digits)}`);
  };
  switch (opt.kind) {
    case 'mp_capable': {
      parts.push(opt.version === 0 || opt.version === 1 ? `v${opt.version}` : `version=${opt.version}`);
      parts.push(mpcFlags(opt.flags));
      if (opt.senderKey === undefined) parts.push('nokey');
      else if (opt.receiverKey === undefined) parts.push(`key[${hexN(opt.senderKey, 16)}]`);
      else parts.push(`key[${hexN(opt.senderKey, 16)},${hexN(opt.receiverKey, 16)}]`);
      if (opt.dataLevelLength !== undefined) parts.push(`mpcdatalen ${opt.dataLevelLength}`);
      if (opt.checksum !== undefined) parts.push(csumToken(opt.checksum));
      break;
    }
    case 'mp_join_syn':
      parts.push(backupFlags(opt.flags), `address_id=${opt.addressId}`, `token=${hexN(opt.token, 8)}`, `rand=${hexN(opt.nonce, 8)}`);
      break;
    case 'mp_join_syn_ack':
      parts.push(
        backupFlags(opt.flags),
        `address_id=${opt.addressId}`,
        `sender_hmac=${hexN(opt.hmac, 16)}`,
        `rand=${hexN(opt.nonce, 8)}`,
      );
      break;
    case 'mp_join_ack':
      parts.push(`sender_hmac=${hexBytes(opt.hmac)}`);
      extraReserved(opt.reserved, 3);
      break;
    case 'dss': {
      const o = opt as unknown as AnyOption;
      if (opt.dataAck !== undefined) parts.push(dackToken(opt.dataAck, o));
      if (opt.dsn !== undefined) {
        parts.push(dsnToken(opt.dsn, o), `ssn=${opt.ssn}`, `dll=${opt.dll}`, csumToken(opt.checksum));
      }
      if (opt.dataFin) parts.push('fin');
      const f = opt.flags;
      const odd = (f & DSS_FLAG.a && !(f & DSS_FLAG.A)) || (f & DSS_FLAG.m && !(f & DSS_FLAG.M));
      if (odd || (opt.dataAck === undefined && opt.dsn === undefined)) parts.push(dssFlags(f));
      extraReserved(opt.reserved, 2);
      break;
    }
    case 'add_address':
      parts.push(`address_id=${opt.addressId}`, addressText(opt.address));
      if (opt.port !== undefined) parts.push(`port=${opt.port}`);
      if (opt.echo) parts.push('addr_echo');
      if (opt.hmac !== undefined) parts.push(`hmac=${hexN(opt.hmac, 16)}`);
      if (opt.flags & ~1) parts.push(`flags=${hexN(opt.flags, 1)}`);
      break;
    case 'remove_address':
      parts.push(`address_id=[${Array.isArray(opt.addressIds) ? opt.addressIds.join(',') : String(opt.addressIds)}]`);
      extraReserved(opt.reserved, 1);
      break;
    case 'mp_prio':
      parts.push(backupFlags(opt.flags));
      if (opt.addressId !== undefined) parts.push(`address_id=${opt.addressId}`);
      break;
    case 'mp_fail':
      parts.push(`dsn8=${opt.dsn}`);
      extraReserved(opt.reserved, 3);
      break;
    case 'mp_fastclose':
      parts.push(`key[${hexN(opt.receiverKey, 16)}]`);
      extraReserved(opt.reserved, 3);
      break;
    case 'mp_tcprst':
      parts.push(String(opt.reason), tcprstFlags(opt.flags));
      break;
  }
  return parts.join(' ');
}

// ---------------------------------------------------------------------------------------
// diffMptcpOptions
// ---------------------------------------------------------------------------------------

type PatternOf<T extends MptcpOption> = { kind: T['kind']; length?: number } & {
  [K in Exclude<keyof T, 'kind'>]?: T[K] | undefined;
};

/**
 * An expected option: every field but `kind` may be left undefined, meaning "any value".
 * Presence of optional fields is only compared when the expected value is defined; to pin
 * the layout while leaving values open (e.g. "DSS with a checksum, any value"), set `length`
 * (the option's length byte).
 */
export type MptcpOptionPattern = {
  [K in MptcpOptionKind]: PatternOf<Extract<MptcpOption, { kind: K }>>;
}[MptcpOptionKind];

interface FieldRule {
  key: string;
  token: (v: unknown, o: AnyOption) => string;
  /** Named boolean view of `flags`: compared only when the expected `flags` is undefined. */
  viewOfFlags?: boolean;
  /** Custom equality (default: numeric/bigint/bytes/array equality). */
  same?: (a: unknown, b: unknown) => boolean;
}

const bool = (key: string, on: string, off: string): FieldRule => ({
  key,
  token: (v) => (v === undefined ? `no ${key}` : v ? on : off),
  viewOfFlags: true,
});
const num = (key: string, word: string, digits?: number): FieldRule => ({
  key,
  token: (v) => (v === undefined ? `no ${word}` : `${word}=${digits ? hexN(v, digits) : String(v)}`),
});

const sameAddress = (a: unknown, b: unknown): boolean => {
  if (typeof a !== 'string' || typeof b !== 'string') return a === b;
  const x = parseIpAddress(a);
  const y = parseIpAddress(b);
  return x && y ? sameValue(x, y) : a === b;
};

const RULES: Record<MptcpOptionKind, FieldRule[]> = {
  mp_capable: [
    { key: 'version', token: (v) => `version=${String(v)}` },
    { key: 'flags', token: mpcFlags },
    ...(['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'] as const).map((l) =>
      bool(`flag${l}`, `flag_${l.toLowerCase()}`, `no flag_${l.toLowerCase()}`),
    ),
    num('senderKey', 'sender_key', 16),
    num('receiverKey', 'receiver_key', 16),
    num('dataLevelLength', 'mpcdatalen'),
    num('checksum', 'cksum', 4),
  ],
  mp_join_syn: [
    { key: 'flags', token: backupFlags },
    bool('backup', 'backup=1', 'backup=0'),
    num('addressId', 'address_id'),
    num('token', 'token', 8),
    num('nonce', 'rand', 8),
  ],
  mp_join_syn_ack: [
    { key: 'flags', token: backupFlags },
    bool('backup', 'backup=1', 'backup=0'),
    num('addressId', 'address_id'),
    num('hmac', 'sender_hmac', 16),
    num('nonce', 'rand', 8),
  ],
  mp_join_ack: [
    { key: 'reserved', token: (v) => `reserved=${hexN(v, 3)}` },
    { key: 'hmac', token: (v) => `sender_hmac=${hexBytes(v)}` },
  ],
  dss: [
    { key: 'reserved', token: (v) => `reserved=${hexN(v, 2)}` },
    { key: 'flags', token: dssFlags },
    bool('dataAckPresent', 'flag A (data ack)', 'no flag A (data ack)'),
    bool('dataAck8', 'flag a (8-byte data ack)', 'no flag a (8-byte data ack)'),
    bool('mappingPresent', 'flag M (mapping)', 'no flag M (mapping)'),
    bool('dsn8', 'flag m (8-byte dsn)', 'no flag m (8-byte dsn)'),
    bool('dataFin', 'fin', 'no fin'),
    { key: 'dataAck', token: dackToken },
    { key: 'dsn', token: dsnToken },
    num('ssn', 'ssn'),
    num('dll', 'dll'),
    { key: 'checksum', token: csumToken },
  ],
  add_address: [
    { key: 'flags', token: addAddrFlags },
    bool('echo', 'addr_echo', 'no addr_echo'),
    num('addressId', 'address_id'),
    { key: 'address', token: (v) => (v === undefined ? 'no address' : addressText(v)), same: sameAddress },
    num('port', 'port'),
    num('hmac', 'hmac', 16),
  ],
  remove_address: [
    { key: 'reserved', token: (v) => `reserved=${hexN(v, 1)}` },
    { key: 'addressIds', token: (v) => `address_id=[${Array.isArray(v) ? v.join(',') : String(v)}]` },
  ],
  mp_prio: [
    { key: 'flags', token: backupFlags },
    bool('backup', 'backup=1', 'backup=0'),
    num('addressId', 'address_id'),
  ],
  mp_fail: [{ key: 'reserved', token: (v) => `reserved=${hexN(v, 3)}` }, num('dsn', 'dsn8')],
  mp_fastclose: [
    { key: 'reserved', token: (v) => `reserved=${hexN(v, 3)}` },
    { key: 'receiverKey', token: (v) => `key[${hexN(v, 16)}]` },
  ],
  mp_tcprst: [{ key: 'flags', token: tcprstFlags }, bool('transient', 'flag_t', 'no flag_t'), num('reason', 'reason')],
};

function sameValue(a: unknown, b: unknown): boolean {
  const asBig = (v: unknown) =>
    typeof v === 'bigint' ? v : typeof v === 'number' && Number.isSafeInteger(v) ? BigInt(v) : undefined;
  const x = asBig(a);
  const y = asBig(b);
  if (x !== undefined && y !== undefined) return x === y;
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    return a.length === b.length && a.every((v, i) => v === b[i]);
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  }
  return Object.is(a, b);
}

function lengthOf(opt: MptcpOption): number | undefined {
  try {
    return encodeMptcpOption(opt).length;
  } catch {
    return undefined;
  }
}

/**
 * Field-level differences, `[]` when `actual` matches. Each line is
 * `<script word>: expected <field>, got <field>`, e.g. `dss: expected dsn8=1001, got dsn8=1`.
 * Fields that are undefined in `expected` are wildcards (see `MptcpOptionPattern`).
 */
export function diffMptcpOptions(expected: MptcpOptionPattern, actual: MptcpOption): string[] {
  if (expected.kind !== actual.kind) {
    const want = MPTCP_SCRIPT_WORD[expected.kind] ?? String(expected.kind);
    return [`mptcp: expected subtype ${want}, got ${describeMptcpOption(actual)}`];
  }
  const word = MPTCP_SCRIPT_WORD[actual.kind];
  const e = expected as AnyOption;
  const a = actual as unknown as AnyOption;
  const out: string[] = [];
  if (expected.length !== undefined) {
    const got = lengthOf(actual);
    if (got !== expected.length) out.push(`${word}: expected length ${expected.length}, got length ${String(got)}`);
  }
  for (const rule of RULES[actual.kind]) {
    const want = e[rule.key];
    if (want === undefined) continue;
    if (rule.viewOfFlags && e.flags !== undefined) continue;
    const got = a[rule.key];
    if ((rule.same ?? sameValue)(want, got)) continue;
    out.push(`${word}: expected ${rule.token(want, e)}, got ${rule.token(got, a)}`);
  }
  return out;
}
