// Runs one parsed script against the kernel. The Interpreter is the event loop: it keeps the
// script clock and each event's expected time window, and hands each event to its step
// (inbound.ts, outbound.ts, syscall-events.ts, commands.ts, code-events.ts).
import { lowerLayerFailure } from '../assertions/messages.js';
import type { CapturedPacket } from '../injector/capture.js';
import { setupEnvironment, type Environment } from '../injector/environment.js';
import type { CommandAction, Event, Script } from '../parser/ast.js';
import { clocks, libc, raiseSchedulingPriority, restoreSchedulingPriority } from '../sys/libc.js';
import { openCpuLatencyRequest } from '../sys/cpu-latency.js';
import { BlockingCalls } from './blocking.js';
import { CodeEvents } from './code-events.js';
import { runCommand, type CommandRole } from './commands.js';
import { checkIcmpNames } from './icmp.js';
import { ScriptClock } from './clock.js';
import { localPrefix, type RunConfig } from './config.js';
import { OutboundQueue } from './outbound-queue.js';
import { ScriptError } from './errors.js';
import { prepareInbound } from './inbound.js';
import { expectOutbound, type OutboundContext } from './outbound.js';
import { fmtSecs } from './packet-dump.js';
import { warmUpHotPaths } from './warmup.js';
import { RunState } from './state.js';
import { SyscallEvents } from './syscall-events.js';
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

/** An inbound packet is built this long before its time, then handed to the injection thread. */
const PREPARE_AHEAD_USECS = 1000;
/**
 * Script time 0 is this far in the future when the clock starts, so an inbound packet at 0 is
 * built ahead like any other: it used to be written ~1.2 ms late.
 */
const CLOCK_START_AHEAD_USECS = 2000;

class Interpreter implements OutboundContext {
  readonly s: RunState;
  /** Started after the init command: script time 0 is when the first event may run. */
  clock = new ScriptClock();
  readonly outbound: OutboundQueue;
  prevExpected: number | undefined;
  private prevWasInbound = false;
  /**
   * When the previous event completed, for relative times. packetdrill takes "now" when it
   * starts the next event; for an outbound packet we take the kernel's timestamp instead, which
   * is what packetdrill's "now" approximates, without our reading latency added to it.
   */
  private prevCompleted: number | undefined;
  readonly warnings: string[] = [];
  private readonly blocking = new BlockingCalls();
  private readonly syscalls: SyscallEvents;
  private readonly code: CodeEvents;

  constructor(
    private readonly script: Script,
    private readonly file: string,
    readonly config: RunConfig,
    private readonly env: Environment,
    private readonly hooks: RunHooks,
  ) {
    this.s = new RunState(config);
    this.code = new CodeEvents({ codeCommand: config.codeCommand, log: (l) => this.log(l) });
    this.outbound = new OutboundQueue(env.capture, () => this.clock);
    this.syscalls = new SyscallEvents(this.s, config, () => this.clock, this.blocking, (l) => this.log(l));
  }

  get clockStartNs(): bigint {
    return this.clock.startNs;
  }

  allWarnings(): string[] {
    return [...this.warnings, ...this.s.mptcp.notes];
  }

  log(text: string): void {
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
        if (this.syscalls.failure) throw this.syscalls.failure;
      }
      await this.syscalls.settled();
      if (this.syscalls.failure) throw this.syscalls.failure;
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

  /** Runs one event; a lower layer's error (injector, capture, libc) is located at the event. */
  private async runEvent(ev: Event): Promise<void> {
    try {
      await this.runEventSteps(ev);
    } catch (e) {
      if (e instanceof ScriptError) throw e;
      throw ScriptError.from('setup', ev.loc, lowerLayerFailure({ what: eventName(ev.action), error: e }), { cause: e });
    }
  }

  private async runEventSteps(ev: Event): Promise<void> {
    const a = ev.action;
    const inbound = a.kind === 'packet' && a.direction === 'inbound';
    const w = this.window(ev, inbound);
    const tol = toleranceFor(this.config, w.start, this.prevExpected);
    const first = this.prevExpected === undefined;
    let completedAt: number | undefined;
    if (a.kind === 'packet' && a.direction === 'outbound') {
      completedAt = await expectOutbound(this, a, w, tol, ev);
    } else if (a.kind === 'packet') {
      // Build the packet shortly before its time (building can take 0.1 ms); the injection
      // thread writes it at the exact time and says when it did.
      await this.clock.waitNear(w.start - PREPARE_AHEAD_USECS);
      const { bytes, describe } = prepareInbound(this.s, a);
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
      if (a.kind === 'syscall') await this.syscalls.run(a, ev, w);
      else if (a.kind === 'command') await this.runCommand(a, 'event');
      else this.code.collect(a, this.socketUnderTest());
    }
    this.clock.relax();
    this.prevExpected = w.start;
    this.prevCompleted = completedAt ?? this.clock.nowUsecs();
    this.prevWasInbound = inbound;
  }

  private runCommand(cmd: CommandAction, when: CommandRole): Promise<void> {
    return runCommand({ file: this.file, config: this.config, tunName: this.env.tun.name }, cmd, when);
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

/** The event as a failure names it: `inbound packet`, `connect call`, ... */
function eventName(a: Event['action']): string {
  if (a.kind === 'packet') return `${a.direction} packet`;
  if (a.kind === 'syscall') return `${a.name} call`;
  return a.kind === 'command' ? 'command' : 'code snippet';
}

function describeAction(a: Event['action']): string {
  if (a.kind === 'packet') return 'inbound packet';
  if (a.kind === 'syscall') return 'system call start';
  if (a.kind === 'command') return 'command';
  return 'data collection for code';
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
