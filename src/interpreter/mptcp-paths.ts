// MPTCP options about paths: MP_JOIN (subflow handshakes with nonces and HMACs), ADD_ADDR /
// REMOVE_ADDR, MP_PRIO, MP_FAIL, MP_FASTCLOSE and MP_TCPRST. Inbound: script node -> wire
// option; outbound: expectation with wildcards filled from the live option.
import { bytesEqual, formatIp, parseIp } from '../codec/address.js';
import { addAddrHmac, joinHmac160, joinHmacTrunc64, mptcpIdsn, mptcpToken } from '../codec/mptcp/crypto.js';
import type { MptcpOption } from '../codec/mptcp/options.js';
import type { MptcpOptionNode } from '../parser/ast.js';
import type { Connection } from './connection.js';
import { ScriptError } from './errors.js';
import { byteSwap64 } from './mptcp.js';

type Node<K extends MptcpOptionNode['kind']> = Extract<MptcpOptionNode, { kind: K }>;

/** What path options need from the MPTCP state: keys, address variables, key variables. */
export interface PathContext {
  kernelKey?: bigint;
  scriptKey?: bigint;
  keyVar(name: string): bigint | undefined;
  /** Script addresses (`addr[name]`), bound on first use. */
  addresses: Map<string, ScriptAddress>;
  /** A fresh script-side address (the highest one's last byte + 1) and its id. */
  newScriptAddress(): { ip: Uint8Array; id: number };
  /** Things the user should read next to the verdict (shown as warnings). */
  notes: string[];
}

export interface ScriptAddress {
  ip: Uint8Array;
  port?: number;
  id?: number;
  /** Learnt from the kernel's ADD_ADDR: not one of the script side's addresses. */
  kernels?: boolean;
}

const DEFAULT_JOIN_NONCE = 42;
const MASK64 = (1n << 64n) - 1n;

function need<T>(v: T | undefined, what: string, node: MptcpOptionNode): T {
  if (v === undefined) throw new ScriptError('runtime', `MPTCP: ${what} is not known yet`, node.loc);
  return v;
}

function randomNonce(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0]!;
}

function keyNamed(ctx: PathContext, name: string, node: MptcpOptionNode): bigint {
  return need(ctx.keyVar(name), `key ${name}`, node);
}

function addressIdOf(v: number | 'auto' | undefined): number | undefined {
  return v === 'auto' ? undefined : v;
}

/** The wire option of an inbound path option (the script is the sender). */
export function inboundPathOption(node: MptcpOptionNode, ctx: PathContext, conn: Connection): MptcpOption {
  switch (node.kind) {
    case 'mp_join_syn': {
      const token = node.token;
      conn.join.scriptNonce = Number(node.rand ?? BigInt(DEFAULT_JOIN_NONCE));
      conn.join.scriptAddressId = addressIdOf(node.addressId) ?? conn.join.scriptAddressId ?? 0;
      const tokenValue =
        token?.kind === 'literal'
          ? Number(token.value)
          : token?.kind === 'hash'
            ? mptcpToken(need(ctx.keyVar(token.key), `key ${token.key}`, node), token.hash)
            : mptcpToken(need(ctx.kernelKey, "the kernel's key", node));
      return { kind: 'mp_join_syn', flags: node.backup ? 1 : 0, backup: !!node.backup, addressId: conn.join.scriptAddressId, token: tokenValue >>> 0, nonce: conn.join.scriptNonce >>> 0 };
    }
    case 'mp_join_syn_ack': {
      conn.join.scriptNonce = Number(node.rand ?? BigInt(randomNonce()));
      // Our address id: the one the script announced for the address the kernel joined.
      const announced = [...ctx.addresses.values()].find((a) => a.id !== undefined && bytesEqual(a.ip, conn.remote.ip))?.id;
      const id = addressIdOf(node.addressId) ?? conn.join.scriptAddressId ?? announced ?? 0;
      const nonces = [conn.join.scriptNonce >>> 0, need(conn.join.kernelNonce, "the kernel's MP_JOIN nonce", node)] as const;
      const hmac =
        node.hmac?.kind === 'literal'
          ? node.hmac.value
          : node.hmac?.kind === 'keys'
            ? joinHmacTrunc64(keyNamed(ctx, node.hmac.first, node), keyNamed(ctx, node.hmac.second, node), ...nonces)
            : joinHmacTrunc64(need(ctx.scriptKey, "the script's key", node), need(ctx.kernelKey, "the kernel's key", node), ...nonces);
      return { kind: 'mp_join_syn_ack', flags: node.backup ? 1 : 0, backup: !!node.backup, addressId: id, hmac, nonce: conn.join.scriptNonce >>> 0 };
    }
    case 'mp_join_ack': {
      // `full_160_hmac(k1 k2)` names the two keys (a script may swap them to test a bad HMAC).
      const [k1, k2] =
        node.hmac?.kind === 'keys'
          ? [keyNamed(ctx, node.hmac.first, node), keyNamed(ctx, node.hmac.second, node)]
          : [need(ctx.scriptKey, "the script's key", node), need(ctx.kernelKey, "the kernel's key", node)];
      return { kind: 'mp_join_ack', reserved: 0, hmac: joinHmac160(k1, k2, need(conn.join.scriptNonce, 'our MP_JOIN nonce', node), need(conn.join.kernelNonce, "the kernel's MP_JOIN nonce", node)) };
    }
    case 'add_address': {
      const a = resolveAddress(node, ctx, true);
      // The fork takes an omitted id from the script side's address list; the kernel's own
      // address is not in it, so an echo of the kernel's announcement carries id 0. Linux
      // takes an echo with another id as no echo and announces the address again (RFC 8684
      // 3.4.1: the echo repeats the id): receive_fastclose_with_rst_v4.pkt fails so with both.
      const echoOfKernels = node.echo && a.kernels && addressIdOf(node.addressId) === undefined;
      if (echoOfKernels && a.id !== 0)
        ctx.notes.push(
          `line ${node.loc.start.line}: this ADD_ADDR echo carries address id 0 (as the multipath-tcp fork sends it), but the kernel announced ${formatIp(a.ip)} with id ${a.id}: the kernel will announce it again; write address_id=${a.id} to echo it`,
        );
      const id = addressIdOf(node.addressId) ?? (echoOfKernels ? 0 : a.id) ?? 0;
      a.id ??= id;
      const opt: MptcpOption = { kind: 'add_address', flags: node.echo ? 1 : 0, echo: node.echo, addressId: id, address: formatIp(a.ip) };
      if (node.port !== undefined) opt.port = node.port;
      if (!node.echo)
        opt.hmac =
          node.hmac === 'auto' || node.hmac === undefined
            ? addAddrHmac(need(ctx.scriptKey, "the script's key", node), need(ctx.kernelKey, "the kernel's key", node), id, a.ip, node.port ?? 0)
            : node.hmac;
      return opt;
    }
    default:
      return simpleOption(node, ctx, true);
  }
}

/** The expected option for an outbound path option, with wildcards taken from `live`. */
export function outboundPathExpectation(node: MptcpOptionNode, live: MptcpOption, ctx: PathContext, conn: Connection): MptcpOption | undefined {
  if (node.kind === 'mp_join_syn' && live.kind === 'mp_join_syn') {
    conn.join.kernelNonce = live.nonce;
    const token = node.token;
    const want =
      token?.kind === 'literal'
        ? Number(token.value)
        : token?.kind === 'hash'
          ? mptcpToken(need(ctx.keyVar(token.key), `key ${token.key}`, node), token.hash)
          : mptcpToken(need(ctx.scriptKey, "the script's key", node));
    return {
      ...live,
      backup: !!node.backup,
      flags: (live.flags & ~1) | (node.backup ? 1 : 0),
      addressId: addressIdOf(node.addressId) ?? live.addressId,
      token: want >>> 0,
      nonce: node.rand !== undefined ? Number(node.rand) : live.nonce,
    };
  }
  if (node.kind === 'mp_join_syn_ack' && live.kind === 'mp_join_syn_ack') {
    conn.join.kernelNonce = live.nonce;
    const hmac =
      node.hmac?.kind === 'literal'
        ? node.hmac.value
        : joinHmacTrunc64(need(ctx.kernelKey, "the kernel's key", node), need(ctx.scriptKey, "the script's key", node), live.nonce, need(conn.join.scriptNonce, 'our MP_JOIN nonce', node));
    return { ...live, backup: !!node.backup, flags: (live.flags & ~1) | (node.backup ? 1 : 0), hmac };
  }
  if (node.kind === 'mp_join_ack' && live.kind === 'mp_join_ack')
    return {
      ...live,
      hmac: joinHmac160(
        need(ctx.kernelKey, "the kernel's key", node),
        need(ctx.scriptKey, "the script's key", node),
        need(conn.join.kernelNonce, "the kernel's MP_JOIN nonce", node),
        need(conn.join.scriptNonce, 'our MP_JOIN nonce', node),
      ),
    };
  if (node.kind === 'add_address' && live.kind === 'add_address') {
    const bound = ctx.addresses.get(node.address.name);
    if (!bound && !node.address.value) ctx.addresses.set(node.address.name, { ip: parseIp(live.address), port: live.port, id: live.addressId, kernels: true });
    const a = resolveAddress(node, ctx, false);
    const id = addressIdOf(node.addressId) ?? live.addressId;
    const want: MptcpOption = { kind: 'add_address', flags: (live.flags & ~1) | (node.echo ? 1 : 0), echo: node.echo, addressId: id, address: formatIp(a.ip) };
    const port = node.port ?? live.port;
    if (port !== undefined) want.port = port;
    if (!node.echo)
      want.hmac = typeof node.hmac === 'bigint' ? node.hmac : addAddrHmac(need(ctx.kernelKey, "the kernel's key", node), need(ctx.scriptKey, "the script's key", node), id, a.ip, port ?? 0);
    return want;
  }
  if (live.kind === subtypeKind(node)) return simpleOption(node, ctx, false, live);
  return undefined;
}

function subtypeKind(node: MptcpOptionNode): MptcpOption['kind'] | undefined {
  const k: Partial<Record<MptcpOptionNode['kind'], MptcpOption['kind']>> = {
    remove_address: 'remove_address',
    mp_prio: 'mp_prio',
    mp_fail: 'mp_fail',
    mp_fastclose: 'mp_fastclose',
    mp_tcprst: 'mp_tcprst',
  };
  return k[node.kind];
}

function resolveAddress(node: Node<'add_address'>, ctx: PathContext, inbound: boolean): ScriptAddress {
  const name = node.address.name;
  let a = ctx.addresses.get(name);
  if (node.address.value) {
    a = { ...a, ip: parseIp(node.address.value) };
    ctx.addresses.set(name, a);
  }
  if (!a) {
    if (!inbound) throw new ScriptError('runtime', `MPTCP: address ${name} is not bound`, node.loc);
    a = ctx.newScriptAddress();
    ctx.addresses.set(name, a);
  }
  return a;
}

/** Options whose fields are written out in full (live values fill only what the line omits). */
function simpleOption(node: MptcpOptionNode, ctx: PathContext, inbound: boolean, live?: MptcpOption): MptcpOption {
  switch (node.kind) {
    case 'remove_address':
      return { kind: 'remove_address', reserved: 0, addressIds: node.addressIds };
    case 'mp_prio': {
      const opt: MptcpOption = { kind: 'mp_prio', flags: node.backup ? 1 : 0, backup: !!node.backup };
      const id = node.addressId ?? (live?.kind === 'mp_prio' ? live.addressId : undefined);
      if (id !== undefined) opt.addressId = id;
      return opt;
    }
    case 'mp_fail': {
      // A literal is the absolute 64-bit DSN, as in the fork; `trunc_r64_hmac(k) + N` is the
      // IDSN of k's key plus N (the DSN of the failed mapping is in the data sender's space).
      const v = node.dsn;
      const dsn =
        v === undefined
          ? live?.kind === 'mp_fail'
            ? live.dsn
            : 0n
          : v.kind === 'literal'
            ? v.value
            : v.kind === 'idsn'
              ? (mptcpIdsn(keyNamed(ctx, v.key, node)) + v.plus) & MASK64
              : mptcpIdsn(byteSwap64(v.key), v.hash);
      return { kind: 'mp_fail', reserved: 0, dsn };
    }
    case 'mp_fastclose': {
      // Inbound with no argument carries the kernel's key (the receiver's); outbound, any key.
      let key = node.key?.value !== undefined ? byteSwap64(node.key.value) : node.key?.name ? ctx.keyVar(node.key.name) : undefined;
      if (key !== undefined && node.key?.plus) key += node.key.plus;
      key ??= inbound ? need(ctx.kernelKey, "the kernel's key", node) : live?.kind === 'mp_fastclose' ? live.receiverKey : 0n;
      return { kind: 'mp_fastclose', reserved: 0, receiverKey: key };
    }
    case 'mp_tcprst':
      return { kind: 'mp_tcprst', flags: node.transient ? 1 : 0, transient: node.transient, reason: node.reason };
    default:
      throw new ScriptError('runtime', `MPTCP: ${node.kind} is not supported`, node.loc);
  }
}
