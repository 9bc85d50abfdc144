import { parseIp } from '../codec/address.js';
import type { ScriptClock } from './clock.js';
import type { RunConfig } from './config.js';
import { AF_INET, AF_INET6 } from './sockaddr.js';
import type { Connection } from './connection.js';
import { Evaluator } from './eval.js';
import { MptcpState } from './mptcp.js';

/** A socket the script created, by script fd. */
export interface ScriptSocket {
  scriptFd: number;
  liveFd: number;
  domain: number;
  type: number;
  protocol: number;
  listening: boolean;
  /** Local port after bind() (0 = not bound). */
  boundPort: number;
  connection?: Connection;
}

/** What one run of one script knows: addresses, sockets, flows. Shared by syscalls and packets. */
export class RunState {
  readonly evaluator: Evaluator;
  readonly sockets = new Map<number, ScriptSocket>();
  /** Script fds that are not sockets (pipe ends, open files, epoll instances) -> live fds. */
  readonly files = new Map<number, number>();
  /** The script clock, once the run has started (SCM_TIMESTAMPING values are script times). */
  clock?: ScriptClock;
  readonly connections: Connection[] = [];
  readonly mptcp: MptcpState;
  /** Wire bytes of the live local/remote addresses (4 bytes for ipv4 and ipv4-mapped-ipv6). */
  readonly localIp: Uint8Array;
  readonly remoteIp: Uint8Array;
  readonly family: 4 | 6;
  /** Remote ports handed to passive connections, never reused within a run. */
  private nextEphemeralPort = 40000;

  constructor(readonly config: RunConfig) {
    this.evaluator = new Evaluator(config.defines);
    this.family = config.ipVersion === 'ipv6' ? 6 : 4;
    this.localIp = parseIp(config.localIp);
    this.remoteIp = parseIp(config.remoteIp);
    this.mptcp = new MptcpState(this.remoteIp);
  }

  /** The socket domain `...` stands for in socket(). */
  get defaultDomain(): number {
    return this.config.ipVersion === 'ipv4' ? AF_INET : AF_INET6;
  }

  /** The flow packet lines apply to: the newest one (packetdrill's socket under test). */
  get currentConnection(): Connection | undefined {
    return this.connections[this.connections.length - 1];
  }

  /** The listening socket whose port an inbound SYN targets, if any. */
  listenerFor(port: number): ScriptSocket | undefined {
    return [...this.sockets.values()].reverse().find((s) => s.listening && (s.boundPort === port || s.boundPort === 0));
  }

  takeEphemeralPort(): number {
    return this.nextEphemeralPort++;
  }

  liveFd(scriptFd: number): number {
    // An unknown script fd must not hit one of our own fds (TUN, packet socket): use one that
    // cannot exist, so the kernel answers EBADF as it would to the script's number.
    return this.sockets.get(scriptFd)?.liveFd ?? this.files.get(scriptFd) ?? 1_000_000 + scriptFd;
  }
}
