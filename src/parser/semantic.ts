// Parse-time semantic checks (script-language.md §3.2, §3.5, §3.6, §7.2): value ranges,
// sequence arithmetic, option list sizes, and the constructs only outbound packets may use.
// They run over the finished AST and gather every problem in source order: each event, and
// each TCP option, is checked on its own, so one bad value does not hide the next line's.

import type {
  Endpoints,
  Event,
  IpInfo,
  MptcpOptionNode,
  MptcpValue,
  NumberLit,
  PacketAction,
  Script,
  SourceLocation,
  TcpBody,
  TcpOptionNode,
  TimeSpec,
} from './ast.js';
import { mpcHasChecksum } from './ast.js';
import type { Note } from '../diagnostics/code-frame.js';

/** A semantic problem: message, location and optional help lines. */
export interface SemanticIssue {
  message: string;
  loc: SourceLocation;
  notes?: Note[];
}

class Found extends Error {
  constructor(readonly issue: SemanticIssue) {
    super(issue.message);
  }
}

const U8 = 0xff;
const U16 = 0xffff;
const U24 = 0xffffff;
const U32 = 0xffffffff;
const U32N = 0xffffffffn;
const U64N = 0xffffffffffffffffn;
const FLOWLABEL_MAX = 0xfffff;
const MAX_TCP_OPTION_BYTES = 40;

/** Every semantic problem of `script`, in source order (empty when there is none). */
export function checkScriptAll(script: Script, source: string): SemanticIssue[] {
  const checker = new Checker(source);
  checker.script(script);
  return checker.issues;
}

/** The first semantic problem of `script`, or undefined. */
export function checkScript(script: Script, source: string): SemanticIssue | undefined {
  return checkScriptAll(script, source)[0];
}

class Checker {
  readonly issues: SemanticIssue[] = [];

  constructor(private readonly source: string) {}

  /**
   * Runs one independent check: its first problem is recorded and ends that check only
   * (a check stops at its first problem, since later ones in it may follow from it).
   * Returns whether it passed.
   */
  private attempt(check: () => void): boolean {
    try {
      check();
      return true;
    } catch (e) {
      if (!(e instanceof Found)) throw e;
      this.issues.push(e.issue);
      return false;
    }
  }

  private fail(message: string, loc: SourceLocation, ...notes: string[]): never {
    throw new Found(notes.length > 0 ? { message, loc, notes } : { message, loc });
  }

  /** The number as written (exact even beyond 2^53). */
  private text(loc: SourceLocation): string {
    return this.source.slice(loc.start.offset, loc.end.offset);
  }

  private max(lit: NumberLit | undefined, max: number, what: string): void {
    if (lit === undefined) return;
    if (lit.value < 0) this.fail(`${what} must not be negative`, lit.loc);
    if (lit.value > max) this.fail(`${what} ${this.text(lit.loc)} is too large (maximum ${max})`, lit.loc);
  }

  private maxValue(value: number, loc: SourceLocation, max: number, what: string): void {
    if (value < 0) this.fail(`${what} must not be negative`, loc);
    if (value > max) this.fail(`${what} ${value} is too large (maximum ${max})`, loc);
  }

  private maxBig(value: bigint, loc: SourceLocation, max: bigint, what: string): void {
    if (value < 0n) this.fail(`${what} must not be negative`, loc);
    if (value > max) this.fail(`${what} ${value} is too large (maximum ${max})`, loc);
  }

  // ---------------------------------------------------------------------------------------

  script(script: Script): void {
    script.events.forEach((event, i) => this.event(event, i === 0));
  }

  private event(event: Event, first: boolean): void {
    this.attempt(() => this.eventTime(event, first));
    this.attempt(() => this.action(event));
  }

  private eventTime(event: Event, first: boolean): void {
    this.time(event.time);
    const outboundPacket = event.action.kind === 'packet' && event.action.direction === 'outbound';
    if (event.time.kind === 'any' && !outboundPacket) {
      this.fail('"*" (any time) is only allowed on outbound packets', event.time.loc,
        'help: give a time such as "+0"; only expected (">") packets may arrive at any time');
    }
    if (event.time.kind === 'range' && !outboundPacket) {
      this.fail('a time range is only allowed on outbound packets', event.time.loc,
        'help: only expected (">") packets may arrive within a range');
    }
    if (first) {
      const t = event.time;
      const atZero = (t.kind === 'absolute' || t.kind === 'relative') && t.usecs === 0;
      if (!atZero) this.fail('first event should be at time 0', t.loc, 'help: start the script with "0" or "+0"');
    }
  }

  private action(event: Event): void {
    const action = event.action;
    if (action.kind === 'syscall' && action.blockingEnd !== undefined && action.blockingEnd.value < 0) {
      this.fail('negative time', action.blockingEnd.loc);
    }
    if (action.kind === 'packet') this.packet(action);
  }

  private time(t: TimeSpec): void {
    if (t.kind === 'absolute' || t.kind === 'relative') {
      if (t.usecs < 0) this.fail('negative time', t.loc);
    } else if (t.kind === 'range') {
      if (t.startUsecs < 0 || t.endUsecs < 0) this.fail('negative time', t.loc);
      if (t.endUsecs < t.startUsecs) {
        this.fail(`time range ends before it starts (${seconds(t.startUsecs)} s ~ ${seconds(t.endUsecs)} s)`, t.loc);
      }
    }
  }

  // --- packets -----------------------------------------------------------------------------

  private packet(p: PacketAction): void {
    const inbound = p.direction === 'inbound';
    for (const encap of p.encapsulations) {
      if ((encap.kind === 'ipv4' || encap.kind === 'ipv6') && encap.ipInfo) this.ipInfo(encap.ipInfo, inbound);
      if (encap.kind === 'mpls') {
        for (const e of encap.entries) {
          this.maxValue(e.label, encap.loc, 0xfffff, 'MPLS label');
          this.maxValue(e.tc, encap.loc, 7, 'MPLS traffic class');
          this.maxValue(e.ttl, encap.loc, U8, 'MPLS ttl');
        }
      }
    }
    if (p.ipInfo) this.ipInfo(p.ipInfo, inbound);
    this.max(p.psp, U32, 'PSP SPI');
    if (p.endpoints) this.endpoints(p.endpoints);

    const body = p.body;
    if (body.kind === 'tcp') {
      this.tcp(body, inbound);
    } else if (body.kind === 'udp') {
      if (p.ipInfo?.tos) this.fail('ECN/tos marking is not supported on UDP packets', p.ipInfo.tos.loc);
      this.max(body.length, U16, 'UDP payload length');
    } else {
      this.max(body.mtu, U32, 'ICMP mtu');
      this.max(body.id, U16, 'ICMP id');
      const q = body.quoted;
      if (q?.kind === 'tcp') this.seq(q, q.loc);
      else if (q) this.maxValue(q.length, q.loc, U16, `quoted ${q.kind.toUpperCase()} length`);
    }
  }

  private ipInfo(info: IpInfo, inbound: boolean): void {
    const tos = info.tos;
    if (tos?.kind === 'tos') this.maxValue(tos.value, tos.loc, U8, 'tos');
    if (tos?.kind === 'ect01' && inbound) {
      this.fail('"ect01" is only allowed on outbound packets', tos.loc,
        'help: an injected packet needs one ECN codepoint: noecn, ect0, ect1 or ce');
    }
    this.max(info.flowlabel, FLOWLABEL_MAX, 'flowlabel');
    this.max(info.ttl, U8, 'ttl');
  }

  private endpoints(e: Endpoints): void {
    for (const end of [e.src, e.dst]) {
      if (end?.kind === 'port' || end?.kind === 'address') this.maxValue(end.port, end.loc, U16, 'port');
    }
  }

  private seq(s: { start: number; end: number; length: number }, loc: SourceLocation): void {
    this.maxValue(s.start, loc, U32, 'start sequence number');
    this.maxValue(s.end, loc, U32, 'end sequence number');
    this.maxValue(s.length, loc, U16, 'payload length');
    if (s.end !== (s.start + s.length) % 2 ** 32) {
      this.fail(`inconsistent sequence numbers: ${s.start} + ${s.length} is not ${s.end}`, loc,
        'help: write start:end(length) with end = start + length');
    }
  }

  private tcp(body: TcpBody, inbound: boolean): void {
    this.flags(body.flags.text, body.flags.loc);
    this.seq(body.seq, body.seq.loc);
    this.max(body.ack, U32, 'ack number');
    this.max(body.win, U16, 'window');
    this.max(body.urg, U16, 'urgent pointer');
    if (inbound && body.win === undefined) {
      this.fail('inbound TCP packet has no window', body.loc,
        'help: add "win N"; only outbound packets may leave the window unchecked');
    }
    if (body.options === 'any') {
      if (inbound) {
        this.fail('"<...>" is only allowed on outbound packets', body.optionsLoc ?? body.loc,
          'help: an injected packet needs its exact option list');
      }
      return;
    }
    if (body.options === undefined) return;
    let bytes = 0;
    let optionsOk = true;
    for (const opt of body.options) optionsOk = this.attempt(() => (bytes += this.option(opt, inbound))) && optionsOk;
    // The list's size means little once an option in it is wrong.
    if (!optionsOk) return;
    const loc = body.optionsLoc ?? body.loc;
    if (bytes > MAX_TCP_OPTION_BYTES) {
      this.fail(`TCP options take ${bytes} bytes, more than the maximum of ${MAX_TCP_OPTION_BYTES}`, loc);
    }
    if (bytes % 4 !== 0) {
      this.fail(`TCP options take ${bytes} bytes, which is not a multiple of 4`, loc,
        'help: pad the list with "nop" options; nothing is padded automatically');
    }
  }

  /** F S R P . U, ECN letters E W A (before the dot), or one AccECN digit 0-7. */
  private flags(text: string, loc: SourceLocation): void {
    if (text === '-') return;
    let digit: string | undefined;
    let ecnLetter: string | undefined;
    for (const c of text) {
      if ('FSRPU.'.includes(c)) continue;
      if ('EWA'.includes(c)) {
        ecnLetter ??= c;
      } else if (c >= '0' && c <= '9') {
        if (c > '7') this.fail(`TCP flags "${text}": AccECN value ${c} is out of range (0-7)`, loc);
        if (digit !== undefined) this.fail(`TCP flags "${text}" have more than one AccECN digit`, loc);
        digit = c;
      } else {
        this.fail(`unknown TCP flag "${c}" in "${text}"`, loc,
          'help: flags are F S R P . U, ECN letters E W A, or one AccECN digit 0-7; "-" means none');
      }
    }
    if (digit !== undefined && ecnLetter !== undefined) {
      this.fail(`TCP flags "${text}" combine the AccECN digit ${digit} with "${ecnLetter}"`, loc,
        'help: the digit already sets the ECE, CWR and AE bits');
    }
  }

  // --- TCP options -------------------------------------------------------------------------

  /** Checks one option and returns its size in bytes. */
  private option(o: TcpOptionNode, inbound: boolean): number {
    switch (o.kind) {
      case 'nop':
      case 'eol':
        return 1;
      case 'sackOK':
        return 2;
      case 'mss':
        this.maxValue(o.value, o.loc, U16, 'MSS');
        return 4;
      case 'wscale':
        this.maxValue(o.value, o.loc, U8, 'window scale');
        return 3;
      case 'sack':
        for (const b of o.blocks) {
          this.maxValue(b.left, b.loc, U32, 'SACK block edge');
          this.maxValue(b.right, b.loc, U32, 'SACK block edge');
        }
        return 2 + 8 * o.blocks.length;
      case 'timestamp':
        this.maxValue(o.val, o.loc, U32, 'TS val');
        this.maxValue(o.ecr, o.loc, U32, 'TS ecr');
        return 10;
      case 'md5':
        return 2 + this.hex(o.hex, o.loc, 'MD5 digest', 16);
      case 'fastopen':
        return 2 + this.hex(o.hex, o.loc, 'TCP Fast Open cookie', MAX_TCP_OPTION_BYTES - 2);
      case 'fastopen-exp':
        return 4 + this.hex(o.hex, o.loc, 'TCP Fast Open cookie', MAX_TCP_OPTION_BYTES - 4);
      case 'accecn':
        this.accecn(o.order, o.loc);
        o.values.forEach((v) => this.maxValue(v, o.loc, U24, 'AccECN counter'));
        return 2 + 3 * o.values.length;
      default:
        return this.mptcp(o, inbound);
    }
  }

  /** Validates a hex blob and returns its length in bytes. */
  private hex(hex: string, loc: SourceLocation, what: string, maxBytes: number): number {
    if (!/^[0-9a-fA-F]*$/.test(hex)) {
      this.fail(`${what} "${hex}" is not hexadecimal`, loc,
        'help: write the bytes as hex digits, or pass the value with -D NAME=HEX');
    }
    if (hex.length % 2 !== 0) this.fail(`${what} "${hex}" has an odd number of hex digits`, loc);
    const bytes = hex.length / 2;
    if (bytes > maxBytes) this.fail(`${what} is ${bytes} bytes long (maximum ${maxBytes})`, loc);
    return bytes;
  }

  private accecn(order: string[], loc: SourceLocation): void {
    const valid = [['e0b'], ['e0b', 'ceb'], ['e0b', 'ceb', 'e1b'], ['e1b'], ['e1b', 'ceb'], ['e1b', 'ceb', 'e0b']];
    if (!valid.some((v) => v.join() === order.join())) {
      this.fail(`AccECN fields in the order "${order.join(' ')}" are not valid`, loc,
        'help: write "ECN e0b N [ceb N [e1b N]]" or "ECN e1b N [ceb N [e0b N]]"');
    }
  }

  // --- MPTCP options -----------------------------------------------------------------------

  // lint-allow short-name: 'o' is the option every case of this switch reads, as in option() above
  private mptcp(o: MptcpOptionNode, inbound: boolean): number {
    switch (o.kind) {
      case 'mpcapable': {
        this.maxValue(o.flags, o.loc, U8, 'MP_CAPABLE flags');
        o.keys?.forEach((k) => k.pinned !== undefined && this.maxBig(k.pinned, k.loc, U64N, 'key'));
        const keys = o.keys?.length ?? 0;
        if (o.checksum !== undefined && o.dataLength === undefined) {
          this.fail('a checksum (nocs or cksum=N) on mpcapable needs mpcdatalen', o.loc,
            'help: only the MP_CAPABLE carrying data has a checksum field: key[a, b] mpcdatalen N cksum=N');
        }
        if (typeof o.checksum === 'number') this.maxValue(o.checksum, o.loc, U16, 'cksum');
        if (o.dataLength !== undefined) {
          this.maxValue(o.dataLength, o.loc, U16, 'mpcdatalen');
          if (keys !== 2) this.fail('mpcdatalen needs both keys: key[a, b]', o.loc);
          return mpcHasChecksum(o) ? 24 : 22;
        }
        return keys === 0 ? 4 : keys === 1 ? 12 : 20;
      }
      case 'mp_capable_legacy':
        if (!inbound) {
          this.fail('the legacy mp_capable form (MPTCP version 0) can only be injected, not expected', o.loc,
            'help: Linux implements MPTCP v1 only (RFC 8684) and never sends a version-0 MP_CAPABLE; expect "mpcapable v1 flags[...] key[...]"');
        }
        o.keys.forEach((k) => k.pinned !== undefined && this.maxBig(k.pinned, k.loc, U64N, 'key'));
        return o.keys.length === 1 ? 12 : 20;
      case 'mp_join_syn':
        this.backup(o.backup, o.loc);
        this.addressId(o.addressId, o.loc);
        if (o.token?.kind === 'literal') this.maxBig(o.token.value, o.token.loc, U32N, 'token');
        if (o.rand !== undefined) this.maxBig(o.rand, o.loc, U32N, 'rand');
        return 12;
      case 'mp_join_syn_ack':
        this.backup(o.backup, o.loc);
        this.addressId(o.addressId, o.loc);
        if (o.hmac?.kind === 'literal') this.maxBig(o.hmac.value, o.hmac.loc, U64N, 'HMAC');
        if (o.rand !== undefined) this.maxBig(o.rand, o.loc, U32N, 'rand');
        return 16;
      case 'mp_join_ack':
        return 24;
      case 'dss':
        return this.dss(o);
      case 'add_address': {
        this.addressId(o.addressId, o.loc);
        if (o.port !== undefined) this.maxValue(o.port, o.loc, U16, 'port');
        if (typeof o.hmac === 'bigint') this.maxBig(o.hmac, o.loc, U64N, 'HMAC');
        const a = o.address;
        if (a.value !== undefined && !validAddress(a.value, a.family ?? 'ipv4')) {
          this.fail(`"${a.value}" is not a valid ${a.family === 'ipv6' ? 'IPv6' : 'IPv4'} address`, o.loc);
        }
        // The family of a bare variable is only known at run time; IPv4 is the smaller size.
        const base = a.family === 'ipv6' ? 20 : 8;
        return base + (o.port !== undefined ? 2 : 0) + (o.echo ? 0 : 8);
      }
      case 'remove_address':
        o.addressIds.forEach((id) => this.maxValue(id, o.loc, U8, 'address id'));
        return 3 + o.addressIds.length;
      case 'mp_prio':
        this.backup(o.backup, o.loc);
        if (o.addressId !== undefined) this.maxValue(o.addressId, o.loc, U8, 'address id');
        return o.addressId === undefined ? 3 : 4;
      case 'mp_fail':
        if (o.dsn) this.mptcpValue(o.dsn, 8);
        return 12;
      case 'mp_fastclose':
        if (o.key?.value !== undefined) this.maxBig(o.key.value, o.loc, U64N, 'key');
        if (o.key?.plus !== undefined) this.maxBig(o.key.plus, o.loc, U64N, 'key offset');
        return 12;
      case 'mp_tcprst':
        this.maxValue(o.reason, o.loc, U8, 'MP_TCPRST reason');
        return 4;
    }
  }

  private dss(o: Extract<MptcpOptionNode, { kind: 'dss' }>): number {
    if (o.dack === undefined && o.dsn === undefined) {
      this.fail('"dss" needs a data ack (dack4 or dack8)', o.loc, 'help: e.g. "dss dack8=1 nocs"');
    }
    if (o.dack === undefined) {
      this.fail('"dss" with a DSN also needs a data ack (dack4 or dack8)', o.loc,
        'help: a mapping without a data ack is not supported');
    }
    if (o.dack.value) this.mptcpValue(o.dack.value, o.dack.size);
    if (o.dsn?.value) this.mptcpValue(o.dsn.value, o.dsn.size);
    if (o.ssn !== undefined) this.maxBig(o.ssn, o.loc, U32N, 'ssn');
    if (o.dll !== undefined) this.maxValue(o.dll, o.loc, U16, 'dll');
    if (typeof o.checksum === 'number') this.maxValue(o.checksum, o.loc, U16, 'cksum');
    if (o.dsn === undefined) return 4 + o.dack.size;
    return 4 + o.dack.size + o.dsn.size + 4 + 2 + (o.checksum === 'none' ? 0 : 2);
  }

  private mptcpValue(v: MptcpValue, size: 4 | 8): void {
    if (v.kind === 'literal') this.maxBig(v.value, v.loc, size === 4 ? U32N : U64N, `${size * 8}-bit value`);
    if (v.kind === 'idsn') this.maxBig(v.plus, v.loc, U64N, 'offset');
    if (v.kind === 'idsn-literal') this.maxBig(v.key, v.loc, U64N, 'key');
  }

  private backup(backup: number | undefined, loc: SourceLocation): void {
    if (backup !== undefined && backup !== 0 && backup !== 1) this.fail(`backup must be 0 or 1, not ${backup}`, loc);
  }

  private addressId(id: number | 'auto' | undefined, loc: SourceLocation): void {
    if (typeof id === 'number') this.maxValue(id, loc, U8, 'address id');
  }
}

function seconds(usecs: number): string {
  return (usecs / 1e6).toFixed(6).replace(/0+$/, '').replace(/\.$/, '');
}

function validAddress(text: string, family: 'ipv4' | 'ipv6'): boolean {
  if (family === 'ipv4') {
    const parts = text.split('.');
    return parts.length === 4 && parts.every((p) => /^[0-9]{1,3}$/.test(p) && Number(p) <= 255);
  }
  // Defer to the URL parser for IPv6 syntax (it accepts exactly the RFC 4291 text forms).
  try {
    return new URL(`http://[${text}]/`).hostname.length > 2;
  } catch {
    return false;
  }
}
