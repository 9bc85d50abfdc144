// Recognises kernel splats (WARNING, BUG, Oops, KASAN, UBSAN, kmemleak, lockdep, a bare call
// trace) in the kernel's log records and cuts each out whole: from its opening line (`[ cut
// here ]`, a `====` rule) to its closing one (`---[ end trace ... ]---`, the closing rule), or
// until the log goes quiet. Pure: records in, splats out; reading the log is kmsg.ts's job.
import { LOG_KERN, type KmsgRecord } from './kmsg.js';

export type SplatKind = 'WARNING' | 'BUG' | 'Oops' | 'KASAN' | 'UBSAN' | 'kmemleak' | 'lockdep' | 'Call Trace';

export interface Splat {
  kind: SplatKind;
  /** The line that says what happened (`WARNING: CPU: 1 PID: 42 at net/mptcp/protocol.c:...`). */
  title: string;
  /** The whole splat, one log record per line. */
  text: string;
}

const CUT_HERE = /^-+\[ cut here \]-+$/;
const RULE = /^(={20,}|-{20,})$/;
const END_TRACE = /^---\[ end (trace [0-9a-f]+|Kernel panic\b.*) \]---$/;
const CALL_TRACE = /^Call [Tt]race:$/;
/** x86 brackets each task's stack (5.16+): where a stack dump without an end line ends. */
const STACK_END = /^ <\/TASK>$/;
/** The dump_stack() header that comes before a call trace. */
const DUMP_HEADER = /^CPU: \d+ (UID: \d+ )?PID: \d+ /;
/** At most this many records of a splat: a runaway (a flood of traces) is cut there. */
const MAX_LINES = 400;
/** A record this long after the previous one of a splat is not part of it. */
const QUIET_USEC = 1_000_000;
/** How far back a bare `Call Trace:` looks for its dump_stack() header. */
const HEADER_LOOKBACK = 40;
/** WARN(cond, fmt) prints its message between `[ cut here ]` and `WARNING:`: so many lines at most. */
const OPENER_REACH = 4;
/** What says why a stack is dumped, on the line before dump_stack()'s header. */
const DUMP_REASON = /^(NMI backtrace for cpu|INFO: |rcu: |watchdog: |sysrq: )/;
/**
 * An oops prints the faulting registers once more after `---[ end trace ]---`; records like these
 * that follow the end at once still belong to the splat.
 */
const REGISTER_TAIL = /^(RIP: |Code: |RSP: |R[A-D]X: |R[SD]I: |RBP: |R\d+: |[EFG]S: |CS: |CR2: |PKRU: |DR\d: |Kernel panic - |note: )/;
const TAIL_USEC = 200_000;

/**
 * The record as the recogniser should see it, or undefined to ignore it: the kernel's own records
 * (facility 0: user space cannot forge them, so a process writing "WARNING:" to /dev/kmsg is no
 * splat). `selftestTag` admits user-space records that start with `tsdrill-selftest[<tag>]: `,
 * minus that prefix: tsdrill's own test writes its fake splat so, and only the run that knows
 * the tag sees it (not other runs on the same machine).
 */
export function kernelRecord(r: KmsgRecord, selftestTag?: string): KmsgRecord | undefined {
  if (r.facility === LOG_KERN) return r;
  if (!selftestTag) return undefined;
  const prefix = `${SELFTEST_PREFIX}[${selftestTag}]: `;
  return r.text.startsWith(prefix) ? { ...r, text: r.text.slice(prefix.length) } : undefined;
}

export const SELFTEST_PREFIX = 'tsdrill-selftest';

/** Which kind of splat a record starts, if any (by its text and level). */
export function splatHead(text: string, level: number): SplatKind | undefined {
  if (/^kmemleak: \d+ new suspected memory leaks?\b/.test(text)) return 'kmemleak';
  if (CALL_TRACE.test(text)) return 'Call Trace';
  if (level > 4) return undefined; // KERN_WARNING and worse only: an info line saying "BUG:" is no splat
  if (/^BUG: KASAN: /.test(text)) return 'KASAN';
  if (/^UBSAN: /.test(text)) return 'UBSAN';
  if (/^(BUG: |kernel BUG at |watchdog: BUG: )/.test(text)) return 'BUG';
  if (/^(Oops: |Oops\b|general protection fault\b|Unable to handle kernel )/.test(text)) return 'Oops';
  // WARN(): `WARNING: CPU: 1 PID: 42 at file:line func+0x...`; lockdep and RCU-lockdep reports
  // say `WARNING: possible circular locking dependency detected`, `WARNING: suspicious RCU usage`.
  if (/^WARNING: CPU: \d+ PID: \d+ at |^WARNING: at \S+:\d+ /.test(text)) return 'WARNING';
  if (/^(WARNING|INFO): (possible|inconsistent|suspicious|bad unlock|lock held|held lock|nested lock|circular|possible recursive)/.test(text)) return 'lockdep';
  return undefined;
}

interface Pending {
  kind: SplatKind;
  title: string;
  lines: string[];
  /** Opened by a `====`/`----` rule: the same rule closes it. */
  rule?: string;
  lastUsec: number;
  /** Past its end line: only the oops' register tail may still follow. */
  ended?: boolean;
}

/**
 * Feed it the kernel's records in order; it returns each splat once it is complete. `flush()`
 * ends the one in progress (call it when the log has been quiet for a while).
 */
export class SplatRecognizer {
  #pending: Pending | undefined;
  /** A `[ cut here ]` line or a rule that may open the next splat, and the records after it. */
  #opener: KmsgRecord[] = [];
  /** Recent records outside any splat, for the header of a bare call trace. */
  readonly #recent: KmsgRecord[] = [];

  /** True while a splat has started and not ended. */
  get inSplat(): boolean {
    return this.#pending !== undefined;
  }

  push(r: KmsgRecord): Splat[] {
    const done: Splat[] = [];
    const p = this.#pending;
    if (p && (r.usec - p.lastUsec > QUIET_USEC || (p.ended && (!REGISTER_TAIL.test(r.text) || r.usec - p.lastUsec > TAIL_USEC)))) done.push(...this.flush());
    const cur = this.#pending;
    if (cur) {
      cur.lines.push(r.text);
      cur.lastUsec = r.usec;
      if (END_TRACE.test(r.text)) cur.ended = true;
      else if (STACK_END.test(r.text) && (cur.kind === 'Call Trace' || cur.kind === 'lockdep')) done.push(...this.flush());
      else if (cur.rule !== undefined && r.text === cur.rule && cur.lines.length > 2) done.push(...this.flush());
      if (cur.lines.length >= MAX_LINES) done.push(...this.flush());
      return done;
    }
    const kind = splatHead(r.text, r.level);
    if (kind === undefined) {
      this.#noteOutside(r);
      return done;
    }
    const opener = this.#opener;
    this.#opener = [];
    const lines: string[] = [];
    let rule: string | undefined;
    if (opener.length > 0 && r.usec - opener[0]!.usec <= QUIET_USEC) {
      lines.push(...opener.map((x) => x.text));
      if (RULE.test(opener[0]!.text)) rule = opener[0]!.text;
    } else if (kind === 'Call Trace') {
      // dump_stack() prints `CPU: ... PID: ... Comm: ...`, the hardware and registers first.
      let at = this.#recent.length - 1;
      while (at >= 0 && !(DUMP_HEADER.test(this.#recent[at]!.text) && r.usec - this.#recent[at]!.usec <= QUIET_USEC)) at--;
      if (at > 0 && DUMP_REASON.test(this.#recent[at - 1]!.text)) at--;
      if (at >= 0) lines.push(...this.#recent.slice(at).map((x) => x.text));
    }
    this.#recent.length = 0;
    lines.push(r.text);
    this.#pending = { kind, title: r.text, lines, lastUsec: r.usec, ...(rule !== undefined ? { rule } : {}) };
    if (kind === 'kmemleak') done.push(...this.flush());
    return done;
  }

  /** A record outside any splat: it may open the next one, or be the header of a bare call trace. */
  #noteOutside(r: KmsgRecord): void {
    if (CUT_HERE.test(r.text) || RULE.test(r.text)) this.#opener = [r];
    else if (this.#opener.length > 0 && this.#opener.length < OPENER_REACH) this.#opener.push(r);
    else this.#opener = [];
    this.#recent.push(r);
    if (this.#recent.length > HEADER_LOOKBACK) this.#recent.shift();
  }

  /** Ends the splat in progress, if any, and returns it. */
  flush(): Splat[] {
    const p = this.#pending;
    this.#pending = undefined;
    if (!p) return [];
    return [{ kind: p.kind, title: p.title, text: p.lines.join('\n') }];
  }
}
