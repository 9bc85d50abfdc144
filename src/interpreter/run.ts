// Runs one parsed script against the kernel: the script clock, event timing and tolerance,
// packet injection and capture, system calls, and the end-of-script checks.
import { dirname } from 'node:path';
import { compareTcp, describeTcp } from '../assertions/outbound.js';
import { bytesEqual, formatIp } from '../codec/address.js';
import { encodePacket, TCP_FLAG, type Packet } from '../codec/packet.js';
import type { CapturedPacket } from '../injector/capture.js';
import { setupEnvironment, type Environment } from '../injector/environment.js';
import type { CommandAction, Event, IcmpBody, PacketAction, Script, SyscallAction } from '../parser/ast.js';
import { clocks, errno as lastErrno, libc, raiseSchedulingPriority, restoreSchedulingPriority } from '../sys/libc.js';
import { openCpuLatencyRequest } from '../sys/cpu-latency.js';
import { runShell } from '../sys/shell.js';
import { absentSysctlFiles, sysctlName } from '../kernel/absent-sysctl.js';
import { errnoMessage, errnoName } from '../syscalls/errno.js';
import { BlockingCalls } from './blocking.js';
import { CodeEvents } from './code-events.js';
import { buildIcmpInbound, checkIcmpNames } from './icmp.js';
import { ScriptClock } from './clock.js';
import { commandEnvironment, localPrefix, type RunConfig } from './config.js';
import { Connection } from './connection.js';
import { OutboundQueue } from './outbound-queue.js';
import { ScriptError } from './errors.js';
import { warmUpHotPaths } from './warmup.js';
import { bindEndpoints, buildInbound, inboundConnection, lineFlags, MPTCP_PLACEHOLDER, outboundView, resolveEndpoint, selectConnection, type TcpLine } from './packets.js';
import { scriptTcpOptions } from './script-packet.js';
import { RunState } from './state.js';
import { prepareSyscall, type Invocation } from './syscalls/index.js';
import { checkTiming, toleranceFor, type TimeWindow } from './timing.js';

export interface RunOutcome {
  error?: ScriptError;
  warnings: string[];
  /** Outbound packets captured and injected packets, for pcaps and verbose logs. */
  packets: CapturedPacket[];
  /** Script time 0 on CLOCK_MONOTONIC (the packets' timeNs clock), e.g. for timing benchmarks. */
  clockStartNs: bigint;
}

export interface RunHooks {
  log?: (line: string) => void;
}

const fmtSecs = (usecs: number) => (usecs / 1e6).toFixed(6);
/** An inbound packet is built this long before its time, then handed to the injection thread. */
const PREPARE_AHEAD_USECS = 1000;
/**
 * Script time 0 is this far in the future when the clock starts, so an inbound packet at 0 is
 * built ahead like any other: it used to be written ~1.2 ms late.
 */
const CLOCK_START_AHEAD_USECS = 2000;


class Interpreter {
  private readonly s: RunState;
  /** Started after the init command: script time 0 is when the first event may run. */
  private clock = new ScriptClock();
  readonly outbound: OutboundQueue;
  private prevExpected: number | undefined;
  private prevWasInbound = false;
  /**
   * When the previous event completed, for relative times. packetdrill takes "now" when it
   * starts the next event; for an outbound packet we take the kernel's timestamp instead, which
   * is what packetdrill's "now" approximates, without our reading latency added to it.
   */
  private prevCompleted: number | undefined;
  private pending: Promise<void> | undefined;
  private asyncFailure: ScriptError | undefined;
  readonly warnings: string[] = [];
  private readonly blocking = new BlockingCalls();
  private readonly code: CodeEvents;

  constructor(
    private readonly script: Script,
    private readonly file: string,
    private readonly config: RunConfig,
    private readonly env: Environment,
    private readonly hooks: RunHooks,
  ) {
    this.s = new RunState(config);
    this.code = new CodeEvents({ codeCommand: config.codeCommand, log: (l) => this.log(l) });
    this.outbound = new OutboundQueue(env.capture, () => this.clock);
  }

  get clockStartNs(): bigint {
    return this.clock.startNs;
  }

  allWarnings(): string[] {
    return [...this.warnings, ...this.s.mptcp.notes];
  }

  private log(text: string): void {
    if (this.config.verbose) this.hooks.log?.(text);
  }

  async run(): Promise<void> {
    for (const ev of this.script.events)
      if (ev.action.kind === 'packet' && ev.action.body.kind === 'icmp') checkIcmpNames(this.s.family, ev.action.body);
    // The syscall thread loads koffi now, before the init command: not while we make calls.
    await this.blocking.ready();
    if (this.script.initCommand) await this.runCommand(this.script.initCommand, 'init');
    warmUpHotPaths(this.s);
    collectGarbageNow();
    for (const problem of raiseSchedulingPriority()) this.log(`scheduling: ${problem}`);
    const wakeLatency = this.config.allowDeepIdle ? undefined : openCpuLatencyRequest();
    if (wakeLatency?.problem) this.log(`cpu idle: ${wakeLatency.problem}`);
    this.clock = new ScriptClock(clocks.monotonicNs() + BigInt(CLOCK_START_AHEAD_USECS * 1000), wakeLatency);
    this.s.clock = this.clock;
    let cleaned = false;
    try {
      for (const ev of this.script.events) {
        await this.runEvent(ev);
        if (this.asyncFailure) throw this.asyncFailure;
      }
      if (this.pending) await this.pending;
      if (this.asyncFailure) throw this.asyncFailure;
      // packetdrill's order at a normal end: cleanup command, then the collected code snippets.
      cleaned = true;
      if (this.script.cleanupCommand) await this.runCommand(this.script.cleanupCommand, 'cleanup');
      await this.code.finish(this.file);
    } finally {
      wakeLatency?.release();
      for (const problem of restoreSchedulingPriority()) this.log(`scheduling: ${problem}`);
      if (!cleaned && this.script.cleanupCommand) await this.runCommand(this.script.cleanupCommand, 'cleanup').catch(() => undefined);
      this.closeSockets();
      await this.blocking.close();
    }
  }

  /** Closes what the script left open (the run process may run another job next). */
  private closeSockets(): void {
    for (const sock of this.s.sockets.values()) {
      // shutdown() wakes a call blocked in the syscall thread; close() alone does not.
      libc.shutdown(sock.liveFd, 2);
      libc.close(sock.liveFd);
    }
    for (const liveFd of this.s.files.values()) libc.close(liveFd);
  }

  /** The socket code events read TCP_INFO from: the current flow's, else the newest socket. */
  private socketUnderTest(): number | undefined {
    const fd = this.s.currentConnection?.scriptFd;
    if (fd !== undefined && this.s.sockets.has(fd)) return this.s.sockets.get(fd)!.liveFd;
    return [...this.s.sockets.values()].pop()?.liveFd;
  }

  /** The event's expected window in script microseconds, resolving relative times. */
  private window(ev: Event, inboundPacket: boolean): TimeWindow {
    const t = ev.time;
    // Before the first event the clock may not have reached 0 yet (CLOCK_START_AHEAD_USECS).
    const anchor = () =>
      inboundPacket && this.prevWasInbound && this.prevExpected !== undefined ? this.prevExpected : (this.prevCompleted ?? Math.max(0, this.clock.nowUsecs()));
    switch (t.kind) {
      case 'absolute':
        return { start: t.usecs, end: t.usecs, any: false };
      case 'relative': {
        const a = anchor();
        return { start: a + t.usecs, end: a + t.usecs, any: false };
      }
      case 'range': {
        const a = t.relative ? anchor() : 0;
        return { start: a + t.startUsecs, end: a + t.endUsecs, any: false };
      }
      case 'any': {
        const now = this.clock.nowUsecs();
        return { start: now, end: now, any: true };
      }
    }
  }

  private async runEvent(ev: Event): Promise<void> {
    const a = ev.action;
    const inbound = a.kind === 'packet' && a.direction === 'inbound';
    const w = this.window(ev, inbound);
    const tol = toleranceFor(this.config, w.start, this.prevExpected);
    const first = this.prevExpected === undefined;
    let completedAt: number | undefined;
    if (a.kind === 'packet' && a.direction === 'outbound') {
      completedAt = await this.expectOutbound(a, w, tol, ev);
    } else if (a.kind === 'packet') {
      // Build the packet shortly before its time (building can take 0.1 ms); the injection
      // thread writes it at the exact time and says when it did.
      await this.clock.waitNear(w.start - PREPARE_AHEAD_USECS);
      const { bytes, describe } = this.prepareInbound(a);
      const builtLate = this.clock.nowUsecs() - w.start;
      if (builtLate > 0) this.log(`inbound packet ready ${builtLate.toFixed(0)} us after its time (written at once)`);
      const injectedAt = this.clock.usecsOf(await this.env.inject(bytes, this.clock.nsOf(w.start)));
      // The next relative time counts from the write, as packetdrill's does (not from when we
      // learnt of it).
      completedAt = injectedAt;
      if (this.config.verbose) this.log(`inbound injected packet: ${fmtSecs(injectedAt)} ${describe()}`);
      if (!first) checkTiming(w, tol, injectedAt, describeAction(a), ev.time.loc);
      this.outbound.pull();
    } else {
      await this.clock.waitUntil(w.start);
      if (!first) checkTiming(w, tol, this.clock.nowUsecs(), describeAction(a), ev.time.loc);
      if (a.kind === 'syscall') await this.syscall(a, ev, w);
      else if (a.kind === 'command') await this.runCommand(a, 'event');
      else this.code.collect(a, this.socketUnderTest());
    }
    this.clock.relax();
    this.prevExpected = w.start;
    this.prevCompleted = completedAt ?? this.clock.nowUsecs();
    this.prevWasInbound = inbound;
  }

  /** The wire bytes of an inbound line (flow state updated), and its dump for verbose logs. */
  private prepareInbound(line: PacketAction): { bytes: Uint8Array; describe: () => string } {
    if (line.body.kind === 'icmp') {
      const body = line.body;
      const packet = buildIcmpInbound(this.s, line as PacketAction & { body: IcmpBody }, this.s.currentConnection);
      return { bytes: encodePacket(packet), describe: () => `icmp ${body.type.name}${body.code ? ` ${body.code.name}` : ''}` };
    }
    if (line.body.kind !== 'tcp') throw new ScriptError('runtime', `${line.body.kind.toUpperCase()} packets are not supported yet`, line.body.loc);
    const tcpLine = line as TcpLine;
    const flags = lineFlags(tcpLine);
    const conn = inboundConnection(this.s, tcpLine, flags);
    const packet = buildInbound(this.s, tcpLine, flags, conn);
    const b = tcpLine.body;
    const options = packet.transport.kind === 'tcp' ? packet.transport.tcp.options : [];
    return {
      bytes: encodePacket(packet),
      describe: () => describeTcp({ flags: flags.flags, seq: b.seq.start, payloadLength: b.seq.length, ack: b.ack?.value, window: b.win?.value, options }),
    };
  }

  /** Waits for the next packet of the line's flow, then compares it field by field. */
  private async expectOutbound(line: PacketAction, w: TimeWindow, tol: number, ev: Event): Promise<number> {
    if (line.body.kind !== 'tcp') throw new ScriptError('runtime', `${line.body.kind.toUpperCase()} packets are not supported yet`, line.body.loc);
    const tcpLine = line as TcpLine;
    const local = resolveEndpoint(this.s, tcpLine.endpoints?.src);
    const remote = resolveEndpoint(this.s, tcpLine.endpoints?.dst);
    const flags = lineFlags(tcpLine);
    // The kernel opening a new MPTCP subflow: its SYN belongs to no flow we know yet.
    const newSubflow = (flags.flags & (TCP_FLAG.SYN | TCP_FLAG.ACK)) === TCP_FLAG.SYN && Array.isArray(tcpLine.body.options) && tcpLine.body.options.some((o) => o.kind === 'mp_join_syn');
    let conn = newSubflow ? undefined : tcpLine.endpoints ? selectConnection(this.s, local, remote) : this.s.currentConnection;
    if (!conn && !newSubflow) throw new ScriptError('packet', 'no connection to expect this packet on: no SYN was injected and no connect() was made', line.loc);
    const timeoutUsecs = Math.floor((Math.max(w.start, w.end) - (this.prevExpected ?? 0) + 2e6) / 1e6) * 1e6;
    const deadline = this.clock.nowUsecs() + timeoutUsecs;
    const isNewSubflowSyn = (p: Packet) =>
      p.transport.kind === 'tcp' &&
      (p.transport.tcp.flags & (TCP_FLAG.SYN | TCP_FLAG.ACK)) === TCP_FLAG.SYN &&
      (!remote.ip || bytesEqual(remote.ip, p.ip.dst)) &&
      !this.s.connections.some((c) => c.matchesOutgoing(p));
    // MPTCP runs only (the fork's socket matching): a packet on another known subflow first fails the line.
    const foreign = this.s.mptcp.kernelKey === undefined ? undefined : (p: Packet) => this.s.connections.some((c) => c !== conn && c.matchesOutgoing(p));
    const first = await this.outbound.next(conn ? (p) => conn!.matchesOutgoing(p) : isNewSubflowSyn, deadline, line.loc, foreign);
    if (!first)
      throw new ScriptError('packet', `timed out waiting for packet: nothing from the kernel within ${timeoutUsecs / 1e6} s`, line.loc, [], 'Timed out waiting for packet');
    if (!conn) {
      const t = first.packet.transport as { tcp: { srcPort: number; dstPort: number } };
      conn = new Connection('tcp', { ip: first.packet.ip.src, port: t.tcp.srcPort }, { ip: first.packet.ip.dst, port: t.tcp.dstPort });
      this.s.connections.push(conn);
    }
    const found = this.config.strictSegments ? first : await this.outbound.aggregate(first, tcpLine.body.seq.length, conn, deadline, line.loc);
    const expectedOptions = Array.isArray(tcpLine.body.options) ? scriptTcpOptions(tcpLine.body.options, () => MPTCP_PLACEHOLDER) : tcpLine.body.options;
    const view = outboundView(this.s, tcpLine, expectedOptions, conn, found.packet, found.cap.bytes);
    bindEndpoints(this.s, local, remote, conn);
    const actualAt = this.clock.usecsOf(found.cap.timeNs);
    const actualText = describeTcp(view);
    this.log(`outbound sniffed packet: ${fmtSecs(actualAt)} ${actualText}`);
    const mismatches = compareTcp(tcpLine, flags, expectedOptions, view);
    if (mismatches.length) {
      const m = mismatches[0]!;
      const notes = [
        ...mismatches.slice(1).map((x) => `also: expected ${x.label} ${x.expected}, got ${x.label} ${x.actual}`),
        `script packet: ${fmtSecs(w.start)} ${describeTcp({ flags: flags.flags, seq: tcpLine.body.seq.start, payloadLength: tcpLine.body.seq.length, ack: tcpLine.body.ack?.value, window: tcpLine.body.win?.value, options: expectedOptions })}`,
        `actual packet: ${fmtSecs(actualAt)} ${actualText}`,
        ...describeLive(found.packet),
      ];
      const err = new ScriptError(
        'packet',
        `expected ${m.label} ${m.expected}, got ${m.label} ${m.actual}`,
        m.loc,
        notes,
        `live packet field ${m.field}: expected: ${m.expected} vs actual: ${m.actual}`,
      );
      if (this.config.nonFatal.has('packet')) this.warnings.push(err.message);
      else throw err;
    }
    checkTiming(w, tol, actualAt, 'outbound packet', ev.time.loc);
    return actualAt;
  }

  private async syscall(call: SyscallAction, ev: Event, w: TimeWindow): Promise<void> {
    const inv = prepareSyscall(this.s, call);
    this.log(`${call.name} syscall: ${fmtSecs(this.clock.nowUsecs())}${call.blockingEnd === undefined ? '' : ' (blocking)'}`);
    if (call.blockingEnd === undefined) {
      const result = Number((inv.fn as (...a: unknown[]) => number | bigint)(...inv.args));
      this.checkResult(call, inv, result, result < 0 ? lastErrno() : 0);
      return;
    }
    // packetdrill waits up to 1 s for the previous blocking call before giving up.
    if (this.pending) await Promise.race([this.pending, ScriptClock.pause(1000)]);
    if (this.pending) throw new ScriptError('syscall', 'blocking system call while another blocking system call is already in progress', call.loc);
    const base = ev.time.kind === 'relative' ? w.start - ev.time.usecs : 0;
    const end: TimeWindow = { start: base + call.blockingEnd.value, end: base + call.blockingEnd.value, any: false };
    const startedAt = w.start;
    this.pending = this.blocking.call(inv.fn, inv.args).then(
      ({ result, errno, endNs }) => {
        this.pending = undefined;
        try {
          this.checkResult(call, inv, result, errno);
          checkTiming(end, toleranceFor(this.config, end.start, startedAt), this.clock.usecsOf(endNs), 'system call return', call.blockingEnd!.loc);
        } catch (e) {
          this.asyncFailure = e as ScriptError;
        }
      },
      (e) => {
        this.pending = undefined;
        this.asyncFailure = new ScriptError('syscall', `${call.name} failed to run: ${(e as Error).message}`, call.loc);
      },
    );
    // Let the call reach the kernel before the next event (usually the packet that unblocks it).
    const until = this.clock.nowUsecs() + 200;
    while (this.clock.nowUsecs() < until) await new Promise((r) => setImmediate(r));
  }

  private checkResult(call: SyscallAction, inv: Invocation, result: number, err: number): void {
    const e = call.result;
    const what = `${result}${result < 0 ? ` with errno ${errnoName(err)} (${errnoMessage(err)})` : ''}`;
    const fail = (msg: string, loc = call.result.loc) => {
      throw new ScriptError('syscall', `${call.name}: ${msg}`, loc, [], `runtime error in ${call.name} call: ${msg}`);
    };
    if (e.kind !== 'ellipsis') {
      const want = Number(this.s.evaluator.int(e, `${call.name} result`));
      if (inv.returnsFd && want >= 0) {
        if (result < 0) fail(`expected non-negative result but got ${what}`);
      } else if (result !== want) fail(`expected result ${want} but got ${what}`);
    }
    if (call.errno) {
      const want = Number(this.s.evaluator.symbol(call.errno.name, { kind: 'word', name: call.errno.name, loc: call.errno.loc }));
      if (err !== want) fail(`expected errno ${errnoName(want)} (${errnoMessage(want)}) but got ${errnoName(err)} (${errnoMessage(err)})`, call.errno.loc);
    }
    if (result >= 0) inv.after?.(result);
  }

  private async runCommand(cmd: CommandAction, when: 'init' | 'cleanup' | 'event'): Promise<void> {
    const r = await runShell(cmd.command, { cwd: dirname(this.file), env: commandEnvironment(this.config, this.env.tun.name) });
    if (r.exitCode !== 0) {
      const output = r.output.trim();
      // A kernel without a sysctl the command writes: say which, and how to skip such kernels.
      const absent = absentSysctlFiles(output);
      const lacks = absent.length ? `: this kernel lacks ${absent.join(', ')}` : '';
      const help = absent.map((p) => `help: a script that needs it can say \`// require: sysctl ${sysctlName(p)}\` to be skipped on kernels without it`);
      throw new ScriptError(
        'command',
        `${when === 'event' ? '' : `${when} `}command \`${cmd.command.trim()}\` failed: ${r.signal ? `killed by ${r.signal}` : `non-zero status ${r.exitCode}`}${lacks}`,
        cmd.loc,
        [...(output ? output.split('\n').map((l) => `output: ${l}`) : []), ...help],
        `error executing \`${cmd.command.trim()}\` command: non-zero status ${r.exitCode}`,
      );
    }
  }
}

/**
 * A full collection before the clock starts, when node runs with --expose-gc (run processes
 * do): the garbage of loading and set-up would otherwise be collected during the script, and
 * a mark-compact pause of 10-30 ms made an early event late.
 */
function collectGarbageNow(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function describeAction(a: Event['action']): string {
  if (a.kind === 'packet') return 'inbound packet';
  if (a.kind === 'syscall') return 'system call start';
  if (a.kind === 'command') return 'command';
  return 'data collection for code';
}

function describeLive(p: Packet): string[] {
  const ip = p.ip;
  const lines = [`live packet: IPv${ip.version} ${formatIp(ip.src)} > ${formatIp(ip.dst)} ttl ${ip.ttl} tos 0x${ip.tos.toString(16)} len ${ip.totalLength}`];
  if (p.transport.kind === 'tcp') {
    const t = p.transport.tcp;
    lines.push(`  TCP ${t.srcPort} > ${t.dstPort} seq ${t.seq} ack ${t.ack} win ${t.window} data offset ${t.dataOffset} payload ${p.payload.length} bytes (raw, before remapping)`);
  }
  return lines;
}

/** Runs one script in the current network namespace (which must not be the host's). */
export async function runScript(script: Script, file: string, config: RunConfig, hooks: RunHooks = {}): Promise<RunOutcome> {
  const env = setupEnvironment(
    {
      ipVersion: config.ipVersion,
      family: config.ipVersion === 'ipv6' ? 6 : 4,
      localIp: config.localIp,
      localPrefix: localPrefix(config),
      remoteIp: config.remoteIp,
      remotePrefix: config.remotePrefix,
      gatewayIp: config.gatewayIp,
      mtu: config.mtu,
    },
    config.allowInitialNetns,
  );
  try {
    await env.ready;
  } catch (e) {
    await env.close();
    throw e;
  }
  const interp = new Interpreter(script, file, config, env, hooks);
  try {
    await interp.run();
    return { warnings: interp.allWarnings(), packets: interp.outbound.seen, clockStartNs: interp.clockStartNs };
  } catch (e) {
    if (e instanceof ScriptError) return { error: e, warnings: interp.allWarnings(), packets: interp.outbound.seen, clockStartNs: interp.clockStartNs };
    throw e;
  } finally {
    await env.close();
  }
}
