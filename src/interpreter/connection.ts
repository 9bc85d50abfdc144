import { bytesEqual } from '../codec/address.js';
import type { Packet } from '../codec/packet.js';

/** A live endpoint: wire address bytes (4 or 16) and port. */
export interface LiveEndpoint {
  ip: Uint8Array;
  port: number;
}

const u32 = (n: number) => n >>> 0;

/**
 * One TCP flow between the kernel (local) and the script (remote), with packetdrill's
 * sequence-number mapping (script space <-> live space). Script numbers are relative: the
 * script's SYN gives the remote ISN (used as is on the wire); the kernel's ISN is learnt from
 * its first SYN/SYN-ACK and script local numbers are offsets from the script's SYN value.
 */
export class Connection {
  /** Live remote ISN == the script's SYN seq (injected unchanged). */
  remoteIsn?: number;
  /** Script and live local ISN, known after the kernel's SYN or SYN-ACK. */
  localIsnScript?: number;
  localIsnLive?: number;
  /** TS val mapping: script value -> live value, plus the first pair as a baseline. */
  readonly tsValByScript = new Map<number, number>();
  tsBaseline?: { script: number; live: number };
  /** Script fd bound to this flow by accept()/socket(), if any. */
  scriptFd?: number;
  /** MP_JOIN state of this subflow: the nonces of both ends and the script side's address id. */
  readonly join: { scriptNonce?: number; kernelNonce?: number; scriptAddressId?: number } = {};

  constructor(
    readonly protocol: 'tcp' | 'udp',
    public local: LiveEndpoint,
    public remote: LiveEndpoint,
  ) {}

  /**
   * The run's other flows, set for an active open: while this flow's local port is unknown it
   * must not take packets of an older flow to the same peer (the ACK of a previous socket's FIN).
   */
  others?: readonly Connection[];

  /** Does a packet the kernel sent belong to this flow? Port 0 means "not known yet". */
  matchesOutgoing(p: Packet): boolean {
    if (this.local.port === 0 && this.others?.some((o) => o !== this && o.local.port !== 0 && o.matchesOutgoing(p))) return false;
    const t = p.transport;
    if (t.kind !== 'tcp' && t.kind !== 'udp') return false;
    const h = t.kind === 'tcp' ? t.tcp : t.udp;
    return (
      t.kind === this.protocol &&
      bytesEqual(p.ip.dst, this.remote.ip) &&
      h.dstPort === this.remote.port &&
      // Until an active open's first packet, its source is the kernel's choice: with several
      // local addresses (MPTCP endpoints) it need not be --local_ip.
      (this.local.port === 0 || (bytesEqual(p.ip.src, this.local.ip) && h.srcPort === this.local.port))
    );
  }

  get localIsnOffset(): number {
    return u32((this.localIsnLive ?? 0) - (this.localIsnScript ?? 0));
  }

  // --- inbound: script -> live -----------------------------------------------------------
  inboundSeq(scriptSeq: number, syn: boolean): number {
    return syn ? u32(scriptSeq) : u32(scriptSeq + (this.remoteIsn ?? 0));
  }
  inboundAck(scriptAck: number, syn: boolean): number {
    return syn ? u32(scriptAck + this.localIsnOffset) : u32(scriptAck + (this.localIsnLive ?? 0));
  }

  // --- outbound: live -> script ----------------------------------------------------------
  outboundSeq(liveSeq: number, syn: boolean): number {
    return syn ? u32(liveSeq - this.localIsnOffset) : u32(liveSeq - (this.localIsnLive ?? 0));
  }
  /**
   * On a SYN-bearing packet the ack is relative to the remote ISN *as the script wrote it*,
   * which is the live one: so it is unchanged (`< S 999000:999040(40)` then `> S. ... ack
   * 999001`, and a simultaneous open's `ack 1235`); after that, relative to the remote ISN.
   */
  outboundAck(liveAck: number, syn = false): number {
    return syn ? u32(liveAck) : u32(liveAck - (this.remoteIsn ?? 0));
  }

  /** The first outbound SYN or SYN-ACK fixes the kernel's ISN. */
  learnLocalIsn(scriptSeq: number, liveSeq: number): void {
    if (this.localIsnLive !== undefined) return;
    this.localIsnScript = u32(scriptSeq);
    this.localIsnLive = u32(liveSeq);
  }

  /** Records an outbound TS val and returns its script-space value. */
  outboundTsVal(scriptVal: number | undefined, liveVal: number): number {
    if (!this.tsBaseline) this.tsBaseline = { script: scriptVal ?? liveVal, live: liveVal };
    const mapped = u32(this.tsBaseline.script + (liveVal - this.tsBaseline.live));
    if (scriptVal !== undefined) this.tsValByScript.set(scriptVal, liveVal);
    return mapped;
  }

  /** Live TS ecr for an inbound script ecr, or undefined when no outbound val matches. */
  inboundTsEcr(scriptEcr: number, scaled: boolean): number | undefined {
    const live = this.tsValByScript.get(scriptEcr);
    if (live !== undefined) return live;
    if (scaled && this.tsBaseline) return u32(scriptEcr - this.tsBaseline.script + this.tsBaseline.live);
    return undefined;
  }
}
