// System-call events: a plain call runs on the main thread and is checked at once; a blocking
// call (`...T`) runs on the syscall thread while the script goes on, and its result and return
// time are checked when it returns (a failure then fails the run at its next step).
import { lowerLayerFailure, syscallErrno, syscallResult } from '../assertions/messages.js';
import type { Event, SyscallAction } from '../parser/ast.js';
import { errno as lastErrno } from '../sys/libc.js';
import { errnoMessage, errnoName } from '../syscalls/errno.js';
import type { BlockingCalls } from './blocking.js';
import { ScriptClock } from './clock.js';
import type { RunConfig } from './config.js';
import { ScriptError } from './errors.js';
import { fmtSecs } from './packet-dump.js';
import type { RunState } from './state.js';
import { prepareSyscall, type Invocation } from './syscalls/index.js';
import { checkTiming, toleranceFor, type TimeWindow } from './timing.js';

export class SyscallEvents {
  private pending: Promise<void> | undefined;
  /** A blocking call's failure, reported at the event loop's next step. */
  failure: ScriptError | undefined;

  constructor(
    private readonly s: RunState,
    private readonly config: RunConfig,
    private readonly clock: () => ScriptClock,
    private readonly blocking: BlockingCalls,
    private readonly log: (line: string) => void,
  ) {}

  /** Waits for a blocking call still in progress (at the script's end). */
  async settled(): Promise<void> {
    if (this.pending) await this.pending;
  }

  async run(call: SyscallAction, ev: Event, w: TimeWindow): Promise<void> {
    const clock = this.clock();
    const inv = prepareSyscall(this.s, call);
    this.log(`${call.name} syscall: ${fmtSecs(clock.nowUsecs())}${call.blockingEnd === undefined ? '' : ' (blocking)'}`);
    if (call.blockingEnd === undefined) {
      const result = Number((inv.fn as (...a: unknown[]) => number | bigint)(...inv.args));
      checkSyscallResult(this.s, call, inv, result, result < 0 ? lastErrno() : 0);
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
          checkSyscallResult(this.s, call, inv, result, errno);
          checkTiming(end, toleranceFor(this.config, end.start, startedAt), clock.usecsOf(endNs), 'system call return', call.blockingEnd!.loc);
        } catch (e) {
          this.failure = e instanceof ScriptError ? e : ScriptError.from('setup', call.loc, lowerLayerFailure({ what: `${call.name} call`, error: e }), { cause: e });
        }
      },
      (e) => {
        this.pending = undefined;
        this.failure = ScriptError.from('syscall', call.loc, lowerLayerFailure({ what: `${call.name} on the syscall thread`, error: e }), { cause: e });
      },
    );
    // Let the call reach the kernel before the next event (usually the packet that unblocks it).
    const until = clock.nowUsecs() + 200;
    while (clock.nowUsecs() < until) await new Promise((r) => setImmediate(r));
  }
}

/** Compares a call's result and errno with the line's; on success runs the handler's `after`. */
export function checkSyscallResult(s: RunState, call: SyscallAction, inv: Invocation, result: number, err: number): void {
  const e = call.result;
  const named = (n: number) => `${errnoName(n)} (${errnoMessage(n)})`;
  if (e.kind !== 'ellipsis') {
    const want = Number(s.evaluator.int(e, `${call.name} result`));
    const expected = inv.returnsFd && want >= 0 ? 'non-negative' : want;
    if (expected === 'non-negative' ? result < 0 : result !== want) {
      const errno = result < 0 ? { name: errnoName(err), text: errnoMessage(err) } : undefined;
      throw ScriptError.from('syscall', e.loc, syscallResult({ call: call.name, expected, result, errno }));
    }
  }
  if (call.errno) {
    const want = Number(s.evaluator.symbol(call.errno.name, { kind: 'word', name: call.errno.name, loc: call.errno.loc }));
    if (err !== want) throw ScriptError.from('syscall', call.errno.loc, syscallErrno({ call: call.name, expected: named(want), actual: named(err) }));
  }
  if (result >= 0) inv.after?.(result);
}
