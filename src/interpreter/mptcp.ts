// MPTCP state of one script (one MPTCP connection, as in the multipath-tcp fork): the keys of
// both sides, bound to the script's variables, and the data sequence spaces derived from them.
// It turns the script's MPTCP options into wire options (inbound) and maps the kernel's options
// into script space next to the expectation filled in from them (outbound).
import { encodeMptcpOption, decodeMptcpOption, makeDss, makeMpCapable, MptcpCodecError, type DssOption, type MptcpOption } from '../codec/mptcp/options.js';
import { dssChecksum, mptcpIdsn } from '../codec/mptcp/crypto.js';
import type { TcpOption } from '../codec/tcp-options.js';
import { mpcHasChecksum, type MptcpOptionNode, type MptcpValue, type VarRef } from '../parser/ast.js';
import type { Connection } from './connection.js';
import { ScriptError } from './errors.js';
import { inboundPathOption, outboundPathExpectation, type PathContext, type ScriptAddress } from './mptcp-paths.js';

type Node<K extends MptcpOptionNode['kind']> = Extract<MptcpOptionNode, { kind: K }>;

const MASK64 = (1n << 64n) - 1n;
const MASK32 = (1n << 32n) - 1n;

/** A 64-bit value with its bytes reversed: the fork stores key literals in host (little-endian) order. */
export function byteSwap64(v: bigint): bigint {
  let out = 0n;
  for (let i = 0; i < 8; i++) out = (out << 8n) | ((v >> BigInt(8 * i)) & 0xffn);
  return out;
}

function randomKey(): bigint {
  const b = new BigUint64Array(1);
  crypto.getRandomValues(b);
  return b[0]!;
}

export const mptcpOptionBytes = (o: MptcpOption): TcpOption => ({ kind: 'mptcp', bytes: encodeMptcpOption(o) });

export class MptcpState implements PathContext {
  /** Script variables bound to keys, as the 64-bit value of the 8 wire bytes (big-endian). */
  private readonly vars = new Map<string, bigint>();
  readonly addresses = new Map<string, ScriptAddress>();
  readonly notes: string[] = [];
  /** Addresses the script side uses (the remote address has id 0). */
  private readonly scriptAddresses: { ip: Uint8Array; id: number }[];

  constructor(remoteIp: Uint8Array) {
    this.scriptAddresses = [{ ip: remoteIp, id: 0 }];
  }

  keyVar(name: string): bigint | undefined {
    return this.vars.get(name);
  }

  newScriptAddress(): { ip: Uint8Array; id: number } {
    const last = this.scriptAddresses[this.scriptAddresses.length - 1]!;
    const ip = last.ip.slice();
    ip[ip.length - 1]! += 1;
    const a = { ip, id: Math.max(...this.scriptAddresses.map((x) => x.id)) + 1 };
    this.scriptAddresses.push(a);
    return a;
  }
  kernelKey?: bigint;
  scriptKey?: bigint;
  /** Data bytes the script has mapped so far (for a bare `dsn`), and the end of the kernel's last mapping (for a bare `dack`). */
  private injectedData = 0n;
  private kernelDataEnd?: bigint;

  private keyOf(v: VarRef, fallback: () => bigint | undefined): bigint | undefined {
    if (v.pinned !== undefined) return byteSwap64(v.pinned & MASK64);
    return this.vars.get(v.name) ?? fallback();
  }

  private bind(v: VarRef, value: bigint): void {
    if (!this.vars.has(v.name)) this.vars.set(v.name, value);
  }

  private idsn(key: bigint | undefined, what: string, node: MptcpOptionNode): bigint {
    if (key === undefined) throw new ScriptError('runtime', `MPTCP: ${what} key is not known yet (no MP_CAPABLE exchange carried it)`, node.loc);
    return mptcpIdsn(key);
  }

  private valueOf(v: MptcpValue | undefined, base: () => bigint, size: 4 | 8, node: MptcpOptionNode): bigint | undefined {
    if (!v) return undefined;
    let abs: bigint;
    if (v.kind === 'literal') abs = base() + v.value;
    else if (v.kind === 'idsn') abs = mptcpIdsn(this.vars.get(v.key) ?? this.fail(`variable ${v.key} is not bound to a key`, node)) + v.plus;
    else abs = mptcpIdsn(byteSwap64(v.key), v.hash);
    return size === 8 ? abs & MASK64 : abs & MASK32;
  }

  private fail(message: string, node: MptcpOptionNode): never {
    throw new ScriptError('runtime', `MPTCP: ${message}`, node.loc);
  }

  // --- inbound (script -> wire) ------------------------------------------------------------

  /** The wire option for an MPTCP option on an inbound line. */
  inbound(node: MptcpOptionNode, ctx: { payloadLength: number; scriptSeq: number; conn: Connection }): TcpOption {
    switch (node.kind) {
      case 'mpcapable':
        return mptcpOptionBytes(this.inboundCapable(node));
      case 'dss':
        return mptcpOptionBytes(this.inboundDss(node, ctx));
      case 'mp_capable_legacy':
        return mptcpOptionBytes(this.inboundCapable(legacyAsMpcapable(node)));
      default:
        return mptcpOptionBytes(inboundPathOption(node, this, ctx.conn));
    }
  }

  private inboundCapable(node: Node<'mpcapable'>): MptcpOption {
    const keys = node.keys ?? [];
    const opt: Parameters<typeof makeMpCapable>[0] = { version: node.version === 'v0' ? 0 : 1, flags: node.flags };
    if (keys[0]) {
      // The sender of an inbound option is the script: its key is generated unless pinned.
      const key = this.keyOf(keys[0], () => this.scriptKey) ?? randomKey();
      this.bind(keys[0], key);
      this.scriptKey ??= key;
      opt.senderKey = key;
    }
    if (keys[1]) {
      const key = this.keyOf(keys[1], () => this.kernelKey);
      if (key === undefined) this.fail(`the kernel's key (${keys[1].name}) is not known yet`, keys[1] as unknown as MptcpOptionNode);
      this.bind(keys[1], key);
      opt.receiverKey = key;
    }
    if (node.dataLength !== undefined) opt.dataLevelLength = node.dataLength;
    if (typeof node.checksum === 'number') opt.checksum = node.checksum;
    else if (mpcHasChecksum(node) && opt.senderKey !== undefined) {
      // RFC 8684 §3.1: the data is implicitly mapped at DSN = IDSN(sender) + 1, SSN 1; the
      // checksum is the DSS one (§3.3.1) over that mapping (our payloads are zero bytes).
      opt.checksum = dssChecksum(mptcpIdsn(opt.senderKey) + 1n, 1, node.dataLength!, new Uint8Array(node.dataLength!));
    }
    return makeMpCapable(opt);
  }

  private inboundDss(node: Node<'dss'>, ctx: { payloadLength: number; scriptSeq: number }): DssOption {
    const init: Parameters<typeof makeDss>[0] = { dataFin: node.fin };
    if (node.dack) {
      init.dataAck8 = node.dack.size === 8;
      const value = node.dack.value ?? (this.kernelDataEnd !== undefined ? { kind: 'literal' as const, value: this.kernelDataEnd, loc: node.loc } : undefined);
      if (!value) this.fail('a bare dack needs a mapping from the kernel first; give dack8=N', node);
      init.dataAck = this.valueOf(value, () => this.idsn(this.kernelKey, "the kernel's", node), node.dack.size, node);
    }
    if (node.dsn) {
      init.dsn8 = node.dsn.size === 8;
      const value = node.dsn.value ?? { kind: 'literal' as const, value: this.injectedData + 1n, loc: node.loc };
      init.dsn = this.valueOf(value, () => this.idsn(this.scriptKey, "the script's", node), node.dsn.size, node);
      const dll = node.dll ?? ctx.payloadLength + (node.fin ? 1 : 0);
      init.ssn = Number(node.ssn ?? BigInt(ctx.scriptSeq));
      init.dll = dll;
      if (typeof node.checksum === 'number') init.checksum = node.checksum;
      else if ((node.checksum === undefined || node.checksum === 'auto') && dll === 0) {
        // An infinite mapping (data-level length 0, RFC 8684 §3.3.1) maps no bounded data to
        // sum over: its checksum field is zero, as Linux sends it.
        init.checksum = 0;
      } else if (node.checksum === undefined || node.checksum === 'auto') {
        // RFC 8684 §3.3.1: over the 64-bit DSN, SSN, DLL, a zero checksum and the mapped data
        // (our payloads are zero bytes). The fork summed the pseudo-header only; we follow the RFC.
        const dsn64 = this.valueOf(value, () => this.idsn(this.scriptKey, "the script's", node), 8, node)!;
        init.checksum = dssChecksum(dsn64, init.ssn, dll, new Uint8Array(ctx.payloadLength));
      }
      if (value.kind === 'literal') this.injectedData = value.value - 1n + BigInt(ctx.payloadLength);
    }
    return makeDss(init);
  }

  // --- outbound (wire -> script space) -------------------------------------------------------

  /**
   * Maps the kernel's option into script space (relative DSNs) and builds the expectation from
   * the line, with omitted fields taken from the live option (wildcards). Learns the kernel's
   * key from MP_CAPABLE. Both results are comparable option by option.
   */
  outbound(node: MptcpOptionNode, live: TcpOption, conn: Connection, payload: Uint8Array = new Uint8Array(0)): { expected: TcpOption; actual: TcpOption } {
    if (live.kind !== 'mptcp') return { expected: { kind: 'mptcp', bytes: new Uint8Array([30, 2]) }, actual: live };
    let opt: MptcpOption;
    try {
      opt = decodeMptcpOption(live.bytes);
    } catch (e) {
      if (e instanceof MptcpCodecError) this.fail(`the kernel sent a malformed option: ${e.message}`, node);
      throw e;
    }
    if (node.kind === 'mpcapable' && opt.kind === 'mp_capable') return this.outboundCapable(node, opt, payload);
    if (node.kind === 'dss' && opt.kind === 'dss') return this.outboundDss(node, opt, payload);
    if (node.kind !== 'mpcapable' && node.kind !== 'dss' && node.kind !== 'mp_capable_legacy') {
      const want = outboundPathExpectation(node, opt, this, conn);
      if (want) return { expected: mptcpOptionBytes(want), actual: live };
    }
    // Different subtypes: show both as they are.
    return { expected: { kind: 'mptcp', bytes: new Uint8Array([30, 3, subtypeOf(node) << 4]) }, actual: live };
  }

  private outboundCapable(node: Node<'mpcapable'>, live: Extract<MptcpOption, { kind: 'mp_capable' }>, payload: Uint8Array) {
    const keys = node.keys ?? [];
    const want: Parameters<typeof makeMpCapable>[0] = { version: node.version === 'v0' ? 0 : 1, flags: node.flags };
    if (keys[0]) {
      // The sender of an outbound option is the kernel: learn its key unless the script pinned it.
      const key = this.keyOf(keys[0], () => undefined) ?? live.senderKey;
      if (key !== undefined) {
        this.bind(keys[0], key);
        this.kernelKey ??= key;
      }
      want.senderKey = key;
    }
    if (keys[1]) {
      const key = this.keyOf(keys[1], () => this.scriptKey) ?? live.receiverKey;
      if (key !== undefined) this.bind(keys[1], key);
      want.receiverKey = key;
    }
    if (node.dataLength !== undefined) want.dataLevelLength = node.dataLength;
    // The checksum's presence is compared; its value is a wildcard unless written, as for DSS.
    if (typeof node.checksum === 'number') want.checksum = node.checksum;
    else if (node.checksum === 'auto' && live.senderKey !== undefined && live.dataLevelLength !== undefined)
      // The implicit mapping of the initiator's first data (RFC 8684 §3.1): DSN = IDSN + 1, SSN 1.
      want.checksum = this.liveChecksum(node, mptcpIdsn(live.senderKey) + 1n, 1, live.dataLevelLength, false, payload);
    else if (mpcHasChecksum(node)) want.checksum = live.checksum ?? 0;
    return { expected: mptcpOptionBytes(makeMpCapable(want)), actual: mptcpOptionBytes(live) };
  }

  private outboundDss(node: Node<'dss'>, live: DssOption, payload: Uint8Array) {
    // Live values in script space: DSNs relative to the kernel's IDSN, data acks to the script's.
    const kIdsn = this.kernelKey !== undefined ? mptcpIdsn(this.kernelKey) : 0n;
    const sIdsn = this.scriptKey !== undefined ? mptcpIdsn(this.scriptKey) : 0n;
    const rel = (v: number | bigint | undefined, base: bigint, eight: boolean) =>
      v === undefined ? undefined : (BigInt(v) - base) & (eight ? MASK64 : MASK32);
    const actual = makeDss({
      dataAck: rel(live.dataAck, sIdsn, live.dataAck8),
      dataAck8: live.dataAck8,
      dsn: rel(live.dsn, kIdsn, live.dsn8),
      dsn8: live.dsn8,
      ssn: live.ssn,
      dll: live.dll,
      checksum: live.checksum,
      dataFin: live.dataFin,
      reserved: live.reserved,
    });
    if (live.mappingPresent && live.dsn !== undefined && live.dll !== undefined) this.kernelDataEnd = (actual.dsn as bigint) + BigInt(live.dll);
    // A value written as a key's IDSN (`trunc_r64_hmac(k) + N`) is compared in the same space.
    const expect = (v: MptcpValue | undefined, base: bigint, eight: boolean, live: bigint | undefined) =>
      v === undefined ? live : v.kind === 'literal' ? v.value : rel(this.valueOf(v, () => 0n, 8, node), base, eight);
    const want = makeDss({
      dataAck: node.dack ? expect(node.dack.value, sIdsn, node.dack.size === 8, actual.dataAck as bigint | undefined) : undefined,
      dataAck8: node.dack?.size === 8,
      dsn: node.dsn ? expect(node.dsn.value, kIdsn, node.dsn.size === 8, actual.dsn as bigint | undefined) : undefined,
      dsn8: node.dsn?.size === 8,
      ssn: node.dsn ? Number(node.ssn ?? BigInt(actual.ssn ?? 0)) : undefined,
      dll: node.dsn ? (node.dll ?? actual.dll) : undefined,
      checksum: node.dsn && node.checksum !== 'none' ? (typeof node.checksum === 'number' ? node.checksum : node.checksum === 'auto' ? this.dssLiveChecksum(node, live, kIdsn, payload) : (actual.checksum ?? 0)) : undefined,
      dataFin: node.fin,
      reserved: live.reserved,
    });
    return { expected: mptcpOptionBytes(want), actual: mptcpOptionBytes(actual) };
  }

  /** `cksum=auto` on the kernel's DSS: the RFC 8684 §3.3.1 checksum of its mapping and this segment's data. */
  private dssLiveChecksum(node: Node<'dss'>, live: DssOption, kIdsn: bigint, payload: Uint8Array): number {
    if (live.dsn === undefined || live.ssn === undefined || live.dll === undefined) return 0;
    // A 4-byte DSN is the low 32 bits of the 64-bit one the checksum covers.
    const dsn64 = live.dsn8 ? BigInt(live.dsn) : (kIdsn + ((BigInt(live.dsn) - kIdsn) & MASK32)) & MASK64;
    // A mapping of length 0 is infinite (§3.3.1): its checksum field is 0, as for an inbound one.
    if (live.dll === 0) return 0;
    return this.liveChecksum(node, dsn64, live.ssn, live.dll, live.dataFin, payload);
  }

  private liveChecksum(node: MptcpOptionNode, dsn64: bigint, ssn: number, dll: number, dataFin: boolean, payload: Uint8Array): number {
    // The checksum covers the whole mapping's data: only checkable when this segment has all of it.
    if (dll !== payload.length + (dataFin ? 1 : 0))
      this.fail(`cksum=auto needs the whole mapping in one segment, but its data-level length is ${dll} and this segment carries ${payload.length} byte(s)${dataFin ? ' + DATA_FIN' : ''}; give cksum=N or leave the checksum out`, node);
    return dssChecksum(dsn64, ssn, dll, payload);
  }
}

/**
 * The legacy `mp_capable a [b]` as the version-0 `mpcapable` it stands for (RFC 6824: 12 bytes
 * with the sender's key, 20 with both). Without flags: A|H (checksums, HMAC-SHA1) for
 * `mp_capable`, H for `mp_capable_no_cs`.
 */
export function legacyAsMpcapable(node: Node<'mp_capable_legacy'>): Node<'mpcapable'> {
  const flags = node.flags ?? (node.checksums ? 0x81 : 0x01);
  return { kind: 'mpcapable', version: 'v0', flags, keys: node.keys, loc: node.loc };
}

function subtypeOf(node: MptcpOptionNode): number {
  const table: Record<MptcpOptionNode['kind'], number> = {
    mpcapable: 0,
    mp_capable_legacy: 0,
    mp_join_syn: 1,
    mp_join_syn_ack: 1,
    mp_join_ack: 1,
    dss: 2,
    add_address: 3,
    remove_address: 4,
    mp_prio: 5,
    mp_fail: 6,
    mp_fastclose: 7,
    mp_tcprst: 8,
  };
  return table[node.kind];
}
