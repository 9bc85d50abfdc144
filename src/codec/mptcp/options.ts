// MPTCP option codec (TCP option kind 30, RFC 8684; RFC 6824 v0 layouts where they differ).
//
// Pure: bytes in, typed values out, and back. No script knowledge (relative DSNs, key
// variables, the fork's little-endian key literals) lives here; see docs/script-language.md §7.
//
// Conventions
// * `decodeMptcpOption(bytes)` takes exactly one whole option: kind (30), length, subtype...
//   The length byte must equal `bytes.length`. Anything structurally malformed throws
//   `MptcpCodecError` (never another exception, never a read past the end).
// * Decoding is strict about structure (lengths) and lenient about semantics: flag or reserved
//   bits that RFC 8684 says "must be zero" or combinations a kernel would ignore (e.g. ADD_ADDR
//   with E=0 and no HMAC, which is also the RFC 6824 layout; DSS `a` without `A`) decode fine
//   and are kept, so that decode -> encode reproduces the input byte for byte.
// * Every raw flag field (`flags`) is kept next to named booleans for its bits. The raw value
//   is what goes on the wire; `encodeMptcpOption` throws if a named boolean disagrees with it.
//   Reserved bits are kept in `reserved` (or inside `flags` when they share the flag nibble).
// * 64-bit quantities (keys, 8-byte DSN/DACK, 64-bit HMACs) are bigint; all else is number.
//   A 64-bit key K is written big-endian on the wire (K = 0x0102030405060708 -> 01 02 .. 08).
//   The packetdrill fork stores script key literals in host order (little-endian on x86), so
//   `key[k=2]` means wire bytes 02 00 .. 00, i.e. K = 0x0200000000000000 here; that byte swap
//   is the interpreter's job, not the codec's.
// * DSS checksum presence is derived from the length: for a given flags byte the two layouts
//   differ by exactly 2 bytes, so no out-of-band "checksums negotiated" hint is needed.

import { formatIpAddress, parseIpAddress } from '../ip-text.js';

export const TCPOPT_MPTCP = 30;

/** Subtype numbers (high nibble of the third option byte). */
export const MPTCP_SUBTYPE = {
  MP_CAPABLE: 0,
  MP_JOIN: 1,
  DSS: 2,
  ADD_ADDR: 3,
  REMOVE_ADDR: 4,
  MP_PRIO: 5,
  MP_FAIL: 6,
  MP_FASTCLOSE: 7,
  MP_TCPRST: 8,
} as const;

/** MP_CAPABLE flag bits A..H. A = checksum required, B = extensibility, C = no more
 * subflows to this address (v1), D-G unassigned, H = HMAC-SHA256 (v1) / SHA-1 (v0). */
export const MPC_FLAG = { A: 0x80, B: 0x40, C: 0x20, D: 0x10, E: 0x08, F: 0x04, G: 0x02, H: 0x01 } as const;

/** DSS flag bits (low 5 bits of the fourth byte). */
export const DSS_FLAG = { A: 0x01, a: 0x02, M: 0x04, m: 0x08, F: 0x10 } as const;

/** Backup bit of MP_JOIN SYN / SYN-ACK and MP_PRIO; echo bit of ADD_ADDR; T bit of MP_TCPRST. */
export const MPTCP_BACKUP_FLAG = 0x01;
export const ADD_ADDR_ECHO_FLAG = 0x01;
export const TCPRST_FLAG = { U: 0x08, V: 0x04, W: 0x02, T: 0x01 } as const;

/** Thrown for any malformed option (decode) or inconsistent value (encode). */
export class MptcpCodecError extends Error {
  override readonly name = 'MptcpCodecError';
}

// ---------------------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------------------

/** MP_CAPABLE: length 4 (no key), 12 (sender key), 20 (both keys), 22 (+ data-level
 * length), 24 (+ checksum; RFC 8684 third ACK with data when checksums are in use). */
export interface MpCapableOption {
  kind: 'mp_capable';
  /** 4 bits: 0 = RFC 6824, 1 = RFC 8684. Other values are kept as is. */
  version: number;
  /** The whole flags byte, A = 0x80 ... H = 0x01. */
  flags: number;
  flagA: boolean;
  flagB: boolean;
  flagC: boolean;
  flagD: boolean;
  flagE: boolean;
  flagF: boolean;
  flagG: boolean;
  flagH: boolean;
  senderKey?: bigint;
  receiverKey?: bigint;
  dataLevelLength?: number;
  checksum?: number;
}

/** MP_JOIN on a SYN, length 12. */
export interface MpJoinSynOption {
  kind: 'mp_join_syn';
  /** Low nibble of byte 2: 3 reserved bits and B (0x01). */
  flags: number;
  backup: boolean;
  addressId: number;
  token: number;
  nonce: number;
}

/** MP_JOIN on a SYN-ACK, length 16. */
export interface MpJoinSynAckOption {
  kind: 'mp_join_syn_ack';
  flags: number;
  backup: boolean;
  addressId: number;
  /** Left-most 64 bits of the HMAC. */
  hmac: bigint;
  nonce: number;
}

/** MP_JOIN on the third ACK, length 24. */
export interface MpJoinAckOption {
  kind: 'mp_join_ack';
  /** The 12 reserved bits after the subtype. */
  reserved: number;
  /** 160-bit HMAC, 20 bytes as on the wire. */
  hmac: Uint8Array;
}

/**
 * DSS. Layout from the flags: [data ACK (4 or 8)] [DSN (4 or 8), SSN (4), DLL (2),
 * checksum (2, optional)]. Present fields: dataAck iff A; dsn, ssn, dll iff M; checksum iff
 * M and the length has the 2 extra bytes. `a` without `A` and `m` without `M` are kept in
 * `flags` but change nothing.
 */
export interface DssOption {
  kind: 'dss';
  /** The 7 reserved bits between the subtype and the flags. */
  reserved: number;
  /** Low 5 bits of byte 3: F m M a A. */
  flags: number;
  dataAckPresent: boolean;
  dataAck8: boolean;
  mappingPresent: boolean;
  dsn8: boolean;
  dataFin: boolean;
  /** number when 4 bytes, bigint when 8 (the encoder accepts either if it fits). */
  dataAck?: number | bigint;
  dsn?: number | bigint;
  ssn?: number;
  dll?: number;
  checksum?: number;
}

/** ADD_ADDR: v4 lengths 8/10/16/18, v6 20/22/28/30 (base, +port, +HMAC, +port+HMAC). */
export interface AddAddrOption {
  kind: 'add_address';
  /** Low nibble of byte 2: E (0x01) and 3 reserved bits (RFC 6824 put IPVer here). */
  flags: number;
  echo: boolean;
  addressId: number;
  /** Dotted quad or RFC 5952 IPv6 text; the family follows from the text. */
  address: string;
  port?: number;
  /** Right-most 64 bits of the HMAC. */
  hmac?: bigint;
}

/** REMOVE_ADDR, length 3 + number of ids (at least one). */
export interface RemoveAddrOption {
  kind: 'remove_address';
  reserved: number;
  addressIds: number[];
}

/** MP_PRIO, length 3 (RFC 8684) or 4 with an address id (RFC 6824). */
export interface MpPrioOption {
  kind: 'mp_prio';
  /** Low nibble: 3 reserved bits and B (0x01). */
  flags: number;
  backup: boolean;
  addressId?: number;
}

/** MP_FAIL, length 12. */
export interface MpFailOption {
  kind: 'mp_fail';
  reserved: number;
  dsn: bigint;
}

/** MP_FASTCLOSE, length 12. */
export interface MpFastcloseOption {
  kind: 'mp_fastclose';
  reserved: number;
  receiverKey: bigint;
}

/** MP_TCPRST, length 4. */
export interface MpTcpRstOption {
  kind: 'mp_tcprst';
  /** Low nibble U V W T; T (0x01) = transient. */
  flags: number;
  transient: boolean;
  reason: number;
}

export type MptcpOption =
  | MpCapableOption
  | MpJoinSynOption
  | MpJoinSynAckOption
  | MpJoinAckOption
  | DssOption
  | AddAddrOption
  | RemoveAddrOption
  | MpPrioOption
  | MpFailOption
  | MpFastcloseOption
  | MpTcpRstOption;

export type MptcpOptionKind = MptcpOption['kind'];

/** The RFC name of each kind, used as the prefix of codec error messages. */
export const MPTCP_RFC_NAME: Record<MptcpOptionKind, string> = {
  mp_capable: 'MP_CAPABLE',
  mp_join_syn: 'MP_JOIN',
  mp_join_syn_ack: 'MP_JOIN',
  mp_join_ack: 'MP_JOIN',
  dss: 'DSS',
  add_address: 'ADD_ADDR',
  remove_address: 'REMOVE_ADDR',
  mp_prio: 'MP_PRIO',
  mp_fail: 'MP_FAIL',
  mp_fastclose: 'MP_FASTCLOSE',
  mp_tcprst: 'MP_TCPRST',
};

// ---------------------------------------------------------------------------------------
// Flag helpers (named booleans from a raw field), useful to build options by hand
// ---------------------------------------------------------------------------------------

export function mpCapableFlagFields(flags: number) {
  return {
    flags,
    flagA: (flags & MPC_FLAG.A) !== 0,
    flagB: (flags & MPC_FLAG.B) !== 0,
    flagC: (flags & MPC_FLAG.C) !== 0,
    flagD: (flags & MPC_FLAG.D) !== 0,
    flagE: (flags & MPC_FLAG.E) !== 0,
    flagF: (flags & MPC_FLAG.F) !== 0,
    flagG: (flags & MPC_FLAG.G) !== 0,
    flagH: (flags & MPC_FLAG.H) !== 0,
  };
}

export function dssFlagFields(flags: number) {
  return {
    flags,
    dataAckPresent: (flags & DSS_FLAG.A) !== 0,
    dataAck8: (flags & DSS_FLAG.a) !== 0,
    mappingPresent: (flags & DSS_FLAG.M) !== 0,
    dsn8: (flags & DSS_FLAG.m) !== 0,
    dataFin: (flags & DSS_FLAG.F) !== 0,
  };
}

/**
 * Builds a consistent DSS from its fields: flags are computed from which fields are given
 * (8-byte forms when `dataAck8`/`dsn8` are true, default false), plus `extraFlags` (only
 * `a`/`m` without their presence bit make sense there).
 */
export function makeDss(init: {
  dataAck?: number | bigint;
  dataAck8?: boolean;
  dsn?: number | bigint;
  dsn8?: boolean;
  ssn?: number;
  dll?: number;
  checksum?: number;
  dataFin?: boolean;
  reserved?: number;
  extraFlags?: number;
}): DssOption {
  let flags = init.extraFlags ?? 0;
  if (init.dataAck !== undefined) flags |= DSS_FLAG.A | (init.dataAck8 ? DSS_FLAG.a : 0);
  if (init.dsn !== undefined) flags |= DSS_FLAG.M | (init.dsn8 ? DSS_FLAG.m : 0);
  if (init.dataFin) flags |= DSS_FLAG.F;
  const opt: DssOption = { kind: 'dss', reserved: init.reserved ?? 0, ...dssFlagFields(flags) };
  if (init.dataAck !== undefined) opt.dataAck = init.dataAck;
  if (init.dsn !== undefined) {
    opt.dsn = init.dsn;
    opt.ssn = init.ssn ?? 0;
    opt.dll = init.dll ?? 0;
    if (init.checksum !== undefined) opt.checksum = init.checksum;
  }
  return opt;
}

/** Builds a consistent MP_CAPABLE; the layout follows from which of the optional fields are set. */
export function makeMpCapable(init: {
  version: number;
  flags: number;
  senderKey?: bigint;
  receiverKey?: bigint;
  dataLevelLength?: number;
  checksum?: number;
}): MpCapableOption {
  const opt: MpCapableOption = { kind: 'mp_capable', version: init.version, ...mpCapableFlagFields(init.flags) };
  if (init.senderKey !== undefined) opt.senderKey = init.senderKey;
  if (init.receiverKey !== undefined) opt.receiverKey = init.receiverKey;
  if (init.dataLevelLength !== undefined) opt.dataLevelLength = init.dataLevelLength;
  if (init.checksum !== undefined) opt.checksum = init.checksum;
  return opt;
}

// ---------------------------------------------------------------------------------------
// Lengths
// ---------------------------------------------------------------------------------------

const ADD_ADDR_LAYOUTS: ReadonlyMap<number, { v6: boolean; port: boolean; hmac: boolean }> = new Map([
  [8, { v6: false, port: false, hmac: false }],
  [10, { v6: false, port: true, hmac: false }],
  [16, { v6: false, port: false, hmac: true }],
  [18, { v6: false, port: true, hmac: true }],
  [20, { v6: true, port: false, hmac: false }],
  [22, { v6: true, port: true, hmac: false }],
  [28, { v6: true, port: false, hmac: true }],
  [30, { v6: true, port: true, hmac: true }],
]);

/** Length of a DSS without its optional checksum, from the flags byte. */
export function dssBaseLength(flags: number): number {
  let len = 4;
  if (flags & DSS_FLAG.A) len += flags & DSS_FLAG.a ? 8 : 4;
  if (flags & DSS_FLAG.M) len += (flags & DSS_FLAG.m ? 8 : 4) + 4 + 2;
  return len;
}

function dssFlagNames(flags: number): string {
  const names = (['A', 'a', 'M', 'm', 'F'] as const).filter((n) => flags & DSS_FLAG[n]);
  return names.length ? names.join(' ') : 'none';
}

/** The encoded length (value of the length byte) of a valid option. */
export function mptcpOptionLength(opt: MptcpOption): number {
  return encodeMptcpOption(opt).length;
}

// ---------------------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------------------

function hex(n: number, digits = 2): string {
  return `0x${n.toString(16).padStart(digits, '0')}`;
}

function fail(message: string): never {
  throw new MptcpCodecError(message);
}

export function decodeMptcpOption(bytes: Uint8Array): MptcpOption {
  if (!(bytes instanceof Uint8Array)) fail('MPTCP option: input is not a Uint8Array');
  if (bytes.length < 3) {
    fail(`MPTCP option: ${bytes.length} byte(s) is too short (kind, length and subtype take 3)`);
  }
  if (bytes[0] !== TCPOPT_MPTCP) fail(`MPTCP option: kind ${bytes[0]} is not ${TCPOPT_MPTCP}`);
  if (bytes[1] !== bytes.length) {
    fail(`MPTCP option: length byte ${bytes[1]} does not match the ${bytes.length} bytes given`);
  }
  const len = bytes.length;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const b2 = bytes[2]!;
  const low = b2 & 0x0f;
  const subtype = b2 >> 4;
  const reserved12 = () => (low << 8) | bytes[3]!;

  switch (subtype) {
    case MPTCP_SUBTYPE.MP_CAPABLE: {
      if (len !== 4 && len !== 12 && len !== 20 && len !== 22 && len !== 24) {
        fail(
          `MP_CAPABLE: length ${len} is not one of 4 (no key), 12 (sender key), 20 (both keys), ` +
            `22 (both keys + data-level length), 24 (+ checksum)`,
        );
      }
      const opt: MpCapableOption = { kind: 'mp_capable', version: low, ...mpCapableFlagFields(bytes[3]!) };
      if (len >= 12) opt.senderKey = view.getBigUint64(4);
      if (len >= 20) opt.receiverKey = view.getBigUint64(12);
      if (len >= 22) opt.dataLevelLength = view.getUint16(20);
      if (len >= 24) opt.checksum = view.getUint16(22);
      return opt;
    }

    case MPTCP_SUBTYPE.MP_JOIN: {
      const backup = (low & MPTCP_BACKUP_FLAG) !== 0;
      if (len === 12) {
        return { kind: 'mp_join_syn', flags: low, backup, addressId: bytes[3]!, token: view.getUint32(4), nonce: view.getUint32(8) };
      }
      if (len === 16) {
        return {
          kind: 'mp_join_syn_ack',
          flags: low,
          backup,
          addressId: bytes[3]!,
          hmac: view.getBigUint64(4),
          nonce: view.getUint32(12),
        };
      }
      if (len === 24) return { kind: 'mp_join_ack', reserved: reserved12(), hmac: bytes.slice(4, 24) };
      return fail(`MP_JOIN: length ${len} is not one of 12 (SYN), 16 (SYN-ACK), 24 (ACK)`);
    }

    case MPTCP_SUBTYPE.DSS: {
      if (len < 4) fail(`DSS: length ${len} is too short (at least 4)`);
      const flags = bytes[3]! & 0x1f;
      const base = dssBaseLength(flags);
      const mapping = (flags & DSS_FLAG.M) !== 0;
      const withChecksum = mapping && len === base + 2;
      if (len !== base && !withChecksum) {
        const expected = mapping ? `${base} (no checksum) or ${base + 2} (checksum)` : `${base}`;
        fail(`DSS: length ${len} does not match flags ${hex(flags)} (${dssFlagNames(flags)}): expected ${expected}`);
      }
      const opt: DssOption = { kind: 'dss', reserved: (low << 3) | (bytes[3]! >> 5), ...dssFlagFields(flags) };
      let at = 4;
      if (opt.dataAckPresent) {
        if (opt.dataAck8) {
          opt.dataAck = view.getBigUint64(at);
          at += 8;
        } else {
          opt.dataAck = view.getUint32(at);
          at += 4;
        }
      }
      if (mapping) {
        if (opt.dsn8) {
          opt.dsn = view.getBigUint64(at);
          at += 8;
        } else {
          opt.dsn = view.getUint32(at);
          at += 4;
        }
        opt.ssn = view.getUint32(at);
        opt.dll = view.getUint16(at + 4);
        at += 6;
        if (withChecksum) opt.checksum = view.getUint16(at);
      }
      return opt;
    }

    case MPTCP_SUBTYPE.ADD_ADDR: {
      const layout = ADD_ADDR_LAYOUTS.get(len);
      if (!layout) {
        fail(`ADD_ADDR: length ${len} is not one of 8, 10, 16, 18 (IPv4) or 20, 22, 28, 30 (IPv6)`);
      }
      const addrLen = layout.v6 ? 16 : 4;
      const opt: AddAddrOption = {
        kind: 'add_address',
        flags: low,
        echo: (low & ADD_ADDR_ECHO_FLAG) !== 0,
        addressId: bytes[3]!,
        address: formatIpAddress(bytes.subarray(4, 4 + addrLen)),
      };
      let at = 4 + addrLen;
      if (layout.port) {
        opt.port = view.getUint16(at);
        at += 2;
      }
      if (layout.hmac) opt.hmac = view.getBigUint64(at);
      return opt;
    }

    case MPTCP_SUBTYPE.REMOVE_ADDR:
      if (len < 4) fail(`REMOVE_ADDR: length ${len} carries no address id (at least 4)`);
      return { kind: 'remove_address', reserved: low, addressIds: Array.from(bytes.subarray(3)) };

    case MPTCP_SUBTYPE.MP_PRIO: {
      if (len !== 3 && len !== 4) fail(`MP_PRIO: length ${len} is not one of 3, 4 (with address id)`);
      const opt: MpPrioOption = { kind: 'mp_prio', flags: low, backup: (low & MPTCP_BACKUP_FLAG) !== 0 };
      if (len === 4) opt.addressId = bytes[3]!;
      return opt;
    }

    case MPTCP_SUBTYPE.MP_FAIL:
      if (len !== 12) fail(`MP_FAIL: length ${len} is not 12`);
      return { kind: 'mp_fail', reserved: reserved12(), dsn: view.getBigUint64(4) };

    case MPTCP_SUBTYPE.MP_FASTCLOSE:
      if (len !== 12) fail(`MP_FASTCLOSE: length ${len} is not 12`);
      return { kind: 'mp_fastclose', reserved: reserved12(), receiverKey: view.getBigUint64(4) };

    case MPTCP_SUBTYPE.MP_TCPRST:
      if (len !== 4) fail(`MP_TCPRST: length ${len} is not 4`);
      return { kind: 'mp_tcprst', flags: low, transient: (low & TCPRST_FLAG.T) !== 0, reason: bytes[3]! };

    default:
      return fail(
        subtype === 0xf
          ? 'MPTCP option: subtype 15 (MP_EXPERIMENTAL) is not supported'
          : `MPTCP option: unknown subtype ${subtype}`,
      );
  }
}

// ---------------------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------------------

class Writer {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  private at = 0;
  constructor(length: number) {
    this.bytes = new Uint8Array(length);
    this.view = new DataView(this.bytes.buffer);
  }
  u8(v: number): void {
    this.bytes[this.at++] = v;
  }
  u16(v: number): void {
    this.view.setUint16(this.at, v);
    this.at += 2;
  }
  u32(v: number): void {
    this.view.setUint32(this.at, v);
    this.at += 4;
  }
  u64(v: bigint): void {
    this.view.setBigUint64(this.at, v);
    this.at += 8;
  }
  raw(b: Uint8Array): void {
    this.bytes.set(b, this.at);
    this.at += b.length;
  }
}

function uint(name: string, field: string, v: unknown, bits: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= 2 ** bits) {
    fail(`${name}: ${field} ${String(v)} is not an unsigned ${bits}-bit integer`);
  }
  return v;
}

function u64(name: string, field: string, v: unknown): bigint {
  if (typeof v !== 'bigint' || v < 0n || v >= 1n << 64n) {
    fail(`${name}: ${field} ${String(v)} is not an unsigned 64-bit bigint`);
  }
  return v;
}

/** A DSN/DACK in 4 or 8 bytes; number or bigint accepted as long as the value fits. */
function seqValue(name: string, field: string, v: unknown, eight: boolean): bigint {
  const bits = eight ? 64 : 32;
  let b: bigint | undefined;
  if (typeof v === 'bigint') b = v;
  else if (typeof v === 'number' && Number.isSafeInteger(v)) b = BigInt(v);
  if (b === undefined || b < 0n || b >= 1n << BigInt(bits)) {
    fail(`${name}: ${field} ${String(v)} does not fit in ${bits / 8} bytes`);
  }
  return b;
}

function checkBool(name: string, field: string, value: unknown, expected: boolean, flagsText: string): void {
  if (value !== expected) fail(`${name}: ${field}=${String(value)} disagrees with ${flagsText}`);
}

function mustBeAbsent(name: string, field: string, v: unknown, why: string): void {
  if (v !== undefined) fail(`${name}: ${field} is set but ${why}`);
}

export function encodeMptcpOption(opt: MptcpOption): Uint8Array {
  if (typeof opt !== 'object' || opt === null) fail(`MPTCP option: ${String(opt)} is not an option object`);
  const name = MPTCP_RFC_NAME[opt.kind as MptcpOptionKind];
  if (name === undefined) fail(`MPTCP option: unknown kind ${JSON.stringify((opt as { kind?: unknown }).kind)}`);

  switch (opt.kind) {
    case 'mp_capable': {
      const version = uint(name, 'version', opt.version, 4);
      const flags = uint(name, 'flags', opt.flags, 8);
      const views = mpCapableFlagFields(flags);
      for (const f of ['flagA', 'flagB', 'flagC', 'flagD', 'flagE', 'flagF', 'flagG', 'flagH'] as const) {
        checkBool(name, f, opt[f], views[f], `flags=${hex(flags)}`);
      }
      let len = 4;
      if (opt.senderKey !== undefined) len = 12;
      if (opt.receiverKey !== undefined) {
        if (len < 12) fail(`${name}: receiverKey needs senderKey`);
        len = 20;
      }
      if (opt.dataLevelLength !== undefined) {
        if (len < 20) fail(`${name}: dataLevelLength needs both keys`);
        len = 22;
      }
      if (opt.checksum !== undefined) {
        if (len < 22) fail(`${name}: checksum needs dataLevelLength`);
        len = 24;
      }
      const w = new Writer(len);
      w.u8(TCPOPT_MPTCP);
      w.u8(len);
      w.u8((MPTCP_SUBTYPE.MP_CAPABLE << 4) | version);
      w.u8(flags);
      if (len >= 12) w.u64(u64(name, 'senderKey', opt.senderKey));
      if (len >= 20) w.u64(u64(name, 'receiverKey', opt.receiverKey));
      if (len >= 22) w.u16(uint(name, 'dataLevelLength', opt.dataLevelLength, 16));
      if (len >= 24) w.u16(uint(name, 'checksum', opt.checksum, 16));
      return w.bytes;
    }

    case 'mp_join_syn':
    case 'mp_join_syn_ack': {
      const flags = uint(name, 'flags', opt.flags, 4);
      checkBool(name, 'backup', opt.backup, (flags & MPTCP_BACKUP_FLAG) !== 0, `flags=${hex(flags, 1)}`);
      const syn = opt.kind === 'mp_join_syn';
      const w = new Writer(syn ? 12 : 16);
      w.u8(TCPOPT_MPTCP);
      w.u8(syn ? 12 : 16);
      w.u8((MPTCP_SUBTYPE.MP_JOIN << 4) | flags);
      w.u8(uint(name, 'addressId', opt.addressId, 8));
      if (opt.kind === 'mp_join_syn') w.u32(uint(name, 'token', opt.token, 32));
      else w.u64(u64(name, 'hmac', opt.hmac));
      w.u32(uint(name, 'nonce', opt.nonce, 32));
      return w.bytes;
    }

    case 'mp_join_ack': {
      const reserved = uint(name, 'reserved', opt.reserved, 12);
      if (!(opt.hmac instanceof Uint8Array) || opt.hmac.length !== 20) {
        fail(`${name}: ACK hmac must be 20 bytes, got ${opt.hmac instanceof Uint8Array ? opt.hmac.length : typeof opt.hmac}`);
      }
      const w = new Writer(24);
      w.u8(TCPOPT_MPTCP);
      w.u8(24);
      w.u8((MPTCP_SUBTYPE.MP_JOIN << 4) | (reserved >> 8));
      w.u8(reserved & 0xff);
      w.raw(opt.hmac);
      return w.bytes;
    }

    case 'dss': {
      const reserved = uint(name, 'reserved', opt.reserved, 7);
      const flags = uint(name, 'flags', opt.flags, 5);
      const views = dssFlagFields(flags);
      const flagsText = `flags=${hex(flags)} (${dssFlagNames(flags)})`;
      for (const f of ['dataAckPresent', 'dataAck8', 'mappingPresent', 'dsn8', 'dataFin'] as const) {
        checkBool(name, f, opt[f], views[f], flagsText);
      }
      if (views.dataAckPresent) {
        if (opt.dataAck === undefined) fail(`${name}: dataAck is missing but ${flagsText} has A`);
      } else {
        mustBeAbsent(name, 'dataAck', opt.dataAck, `${flagsText} has no A`);
      }
      if (views.mappingPresent) {
        for (const f of ['dsn', 'ssn', 'dll'] as const) {
          if (opt[f] === undefined) fail(`${name}: ${f} is missing but ${flagsText} has M`);
        }
      } else {
        for (const f of ['dsn', 'ssn', 'dll', 'checksum'] as const) {
          mustBeAbsent(name, f, opt[f], `${flagsText} has no M`);
        }
      }
      const len = dssBaseLength(flags) + (opt.checksum !== undefined ? 2 : 0);
      const w = new Writer(len);
      w.u8(TCPOPT_MPTCP);
      w.u8(len);
      w.u8((MPTCP_SUBTYPE.DSS << 4) | (reserved >> 3));
      w.u8(((reserved & 0x7) << 5) | flags);
      if (views.dataAckPresent) {
        const v = seqValue(name, 'dataAck', opt.dataAck, views.dataAck8);
        if (views.dataAck8) w.u64(v);
        else w.u32(Number(v));
      }
      if (views.mappingPresent) {
        const v = seqValue(name, 'dsn', opt.dsn, views.dsn8);
        if (views.dsn8) w.u64(v);
        else w.u32(Number(v));
        w.u32(uint(name, 'ssn', opt.ssn, 32));
        w.u16(uint(name, 'dll', opt.dll, 16));
        if (opt.checksum !== undefined) w.u16(uint(name, 'checksum', opt.checksum, 16));
      }
      return w.bytes;
    }

    case 'add_address': {
      const flags = uint(name, 'flags', opt.flags, 4);
      checkBool(name, 'echo', opt.echo, (flags & ADD_ADDR_ECHO_FLAG) !== 0, `flags=${hex(flags, 1)}`);
      const addr = typeof opt.address === 'string' ? parseIpAddress(opt.address) : undefined;
      if (!addr) fail(`${name}: address ${JSON.stringify(opt.address)} is not an IPv4 or IPv6 address`);
      const len = 4 + addr.length + (opt.port !== undefined ? 2 : 0) + (opt.hmac !== undefined ? 8 : 0);
      const w = new Writer(len);
      w.u8(TCPOPT_MPTCP);
      w.u8(len);
      w.u8((MPTCP_SUBTYPE.ADD_ADDR << 4) | flags);
      w.u8(uint(name, 'addressId', opt.addressId, 8));
      w.raw(addr);
      if (opt.port !== undefined) w.u16(uint(name, 'port', opt.port, 16));
      if (opt.hmac !== undefined) w.u64(u64(name, 'hmac', opt.hmac));
      return w.bytes;
    }

    case 'remove_address': {
      const reserved = uint(name, 'reserved', opt.reserved, 4);
      const ids = opt.addressIds;
      if (!Array.isArray(ids) || ids.length === 0 || ids.length > 252) {
        fail(`${name}: addressIds must list 1 to 252 ids, got ${Array.isArray(ids) ? ids.length : typeof ids}`);
      }
      const w = new Writer(3 + ids.length);
      w.u8(TCPOPT_MPTCP);
      w.u8(3 + ids.length);
      w.u8((MPTCP_SUBTYPE.REMOVE_ADDR << 4) | reserved);
      ids.forEach((id, i) => w.u8(uint(name, `addressIds[${i}]`, id, 8)));
      return w.bytes;
    }

    case 'mp_prio': {
      const flags = uint(name, 'flags', opt.flags, 4);
      checkBool(name, 'backup', opt.backup, (flags & MPTCP_BACKUP_FLAG) !== 0, `flags=${hex(flags, 1)}`);
      const len = opt.addressId !== undefined ? 4 : 3;
      const w = new Writer(len);
      w.u8(TCPOPT_MPTCP);
      w.u8(len);
      w.u8((MPTCP_SUBTYPE.MP_PRIO << 4) | flags);
      if (opt.addressId !== undefined) w.u8(uint(name, 'addressId', opt.addressId, 8));
      return w.bytes;
    }

    case 'mp_fail':
    case 'mp_fastclose': {
      const reserved = uint(name, 'reserved', opt.reserved, 12);
      const w = new Writer(12);
      w.u8(TCPOPT_MPTCP);
      w.u8(12);
      const subtype = opt.kind === 'mp_fail' ? MPTCP_SUBTYPE.MP_FAIL : MPTCP_SUBTYPE.MP_FASTCLOSE;
      w.u8((subtype << 4) | (reserved >> 8));
      w.u8(reserved & 0xff);
      if (opt.kind === 'mp_fail') w.u64(u64(name, 'dsn', opt.dsn));
      else w.u64(u64(name, 'receiverKey', opt.receiverKey));
      return w.bytes;
    }

    case 'mp_tcprst': {
      const flags = uint(name, 'flags', opt.flags, 4);
      checkBool(name, 'transient', opt.transient, (flags & TCPRST_FLAG.T) !== 0, `flags=${hex(flags, 1)}`);
      const w = new Writer(4);
      w.u8(TCPOPT_MPTCP);
      w.u8(4);
      w.u8((MPTCP_SUBTYPE.MP_TCPRST << 4) | flags);
      w.u8(uint(name, 'reason', opt.reason, 8));
      return w.bytes;
    }
  }
}
