// The wording of failures, in one place so it cannot drift: each builder takes one options
// object and returns the message (the line after `error:`), the notes under the code frame,
// and packetdrill's one-line form (`legacy`) that existing log scrapers read. Our own wording
// is always `expected X, got Y` for a value and `expected X, found Y` for a form of script
// text; the legacy forms keep packetdrill's words (`but got`, `actual`) unchanged.
import type { Note } from '../diagnostics/code-frame.js';
import type { SourceLocation } from '../parser/ast.js';
import type { FieldMismatch } from './outbound.js';

export interface FailureMessage {
  message: string;
  /** Lines under the frame; a note with a location is framed at its own place. */
  notes: Note[];
  legacy?: string;
}

/** `expected ack 1001, got ack 1`: the value's name is repeated when it reads better so. */
function expectedGot(what: string, expected: string, actual: string, repeatName = false): string {
  return `expected ${what} ${expected}, got ${repeatName ? `${what} ` : ''}${actual}`;
}

export interface PacketMismatchOptions {
  /** Every differing field, headline first (compareTcp's order). */
  mismatches: readonly FieldMismatch[];
  /** The line as packetdrill prints it, with its time: `0.100000 S. 0:0(0) ack 1 <...>`. */
  scriptPacket: string;
  /** The live packet mapped into script space, with its kernel time. */
  actualPacket: string;
  /** The live packet's raw headers (describeLive). */
  livePacket: readonly string[];
}

/** An outbound packet that differs from its line; located at the first differing field. */
export function packetMismatch(o: PacketMismatchOptions): FailureMessage & { loc: SourceLocation } {
  const m = o.mismatches[0]!;
  return {
    message: expectedGot(m.label, m.expected, m.actual, true),
    loc: m.loc,
    notes: [
      ...o.mismatches.slice(1).map((x) => ({ text: `also: ${expectedGot(x.label, x.expected, x.actual, true)}`, loc: x.loc })),
      `script packet: ${o.scriptPacket}`,
      `actual packet: ${o.actualPacket}`,
      ...o.livePacket,
    ],
    legacy: `live packet field ${m.field}: expected: ${m.expected} vs actual: ${m.actual}`,
  };
}

/** No packet of the line's flow before the deadline. */
export function packetTimedOut(o: { seconds: number }): FailureMessage {
  return { message: `timed out waiting for packet: nothing from the kernel within ${o.seconds} s`, notes: [], legacy: 'Timed out waiting for packet' };
}

export interface SyscallFailureOptions {
  /** The call's name as the script writes it. */
  call: string;
  /** What went wrong, in our words (after `name: `). */
  text: string;
  /** packetdrill's words for it, when they differ from ours. */
  legacy?: string;
  notes?: Note[];
}

/** A system call whose outcome differs from the line: `name: text` / `runtime error in name call: ...`. */
export function syscallFailure(o: SyscallFailureOptions): FailureMessage {
  return { message: `${o.call}: ${o.text}`, notes: o.notes ?? [], legacy: `runtime error in ${o.call} call: ${o.legacy ?? o.text}` };
}

export interface SyscallMismatchOptions {
  call: string;
  /** The value compared: `result`, `errno`, `optlen`, `linger onoff` ... */
  what: string;
  expected: string | number | bigint;
  actual: string | number | bigint;
  /** packetdrill's words for it; without it, ours. */
  legacy?: string;
}

/** A value a call returned or wrote that differs from the line's: `name: expected what X, got Y`. */
export function syscallMismatch(o: SyscallMismatchOptions): FailureMessage {
  return syscallFailure({ call: o.call, text: expectedGot(o.what, String(o.expected), String(o.actual)), legacy: o.legacy });
}

export interface SyscallResultOptions {
  call: string;
  /** The result the line expects; `non-negative` for a call that returns a new fd. */
  expected: number | 'non-negative';
  result: number;
  /** The errno's name and text, when the call failed. */
  errno?: { name: string; text: string };
}

/** A call's return value differs from the line's (packetdrill: `expected result 3 but got -1 ...`). */
export function syscallResult(o: SyscallResultOptions): FailureMessage {
  const actual = `${o.result}${o.errno ? ` with errno ${o.errno.name} (${o.errno.text})` : ''}`;
  const expected = o.expected === 'non-negative' ? 'non-negative result' : `result ${o.expected}`;
  return syscallFailure({ call: o.call, text: `expected ${expected}, got ${actual}`, legacy: `expected ${expected} but got ${actual}` });
}

/** A call's errno differs from the line's. Both are `NAME (text)`. */
export function syscallErrno(o: { call: string; expected: string; actual: string }): FailureMessage {
  return syscallFailure({ call: o.call, text: `expected errno ${o.expected}, got ${o.actual}`, legacy: `expected errno ${o.expected} but got ${o.actual}` });
}

/** Script text of the wrong form for where it stands: `subject: expected X, found Y`. */
export function wrongForm(o: { subject?: string; expected: string; found: string }): FailureMessage {
  return { message: `${o.subject ? `${o.subject}: ` : ''}expected ${o.expected}, found ${o.found}`, notes: [] };
}

export interface CommandFailedOptions {
  command: string;
  /** init and cleanup commands are named so; an event's command is not. */
  role: 'init' | 'cleanup' | 'event';
  exitCode: number | null;
  /** Set when the command was killed by a signal (then exitCode is null). */
  signal: string | null;
  /** Its stdout and stderr, interleaved. */
  output: string;
  /** Sysctl files the command wrote that this kernel lacks (path under /proc/sys, sysctl name). */
  absentSysctls?: { path: string; name: string }[];
}

/** A backtick command that exited non-zero or was killed. */
export function commandFailed(o: CommandFailedOptions): FailureMessage {
  const command = o.command.trim();
  const how = o.signal ? `killed by ${o.signal}` : `non-zero status ${o.exitCode}`;
  const output = o.output.trim();
  const absent = o.absentSysctls ?? [];
  const lacks = absent.length ? `: this kernel lacks ${absent.map((a) => a.path).join(', ')}` : '';
  return {
    message: `${o.role === 'event' ? '' : `${o.role} `}command \`${command}\` failed: ${how}${lacks}`,
    notes: [
      ...(output ? output.split('\n').map((l) => `output: ${l}`) : []),
      ...absent.map((a) => `help: a script that needs it can say \`// require: sysctl ${a.name}\` to be skipped on kernels without it`),
    ],
    legacy: `error executing \`${command}\` command: ${how}`,
  };
}

const secs = (usecs: number) => (usecs / 1e6).toFixed(6);

export interface TimingMissOptions {
  /** The event: `inbound packet`, `outbound packet`, `system call return` ... */
  what: string;
  /** The expected time or range, in script microseconds. */
  start: number;
  end: number;
  toleranceUsecs: number;
  actual: number;
}

/** An event that happened outside its window (the window widened by the tolerance). */
export function timingMiss(o: TimingMissOptions): FailureMessage {
  const lo = o.start - o.toleranceUsecs;
  const hi = o.end + o.toleranceUsecs;
  const off = o.actual < lo ? `${((o.start - o.actual) / 1000).toFixed(3)} ms early` : `${((o.actual - o.end) / 1000).toFixed(3)} ms late`;
  const expected = o.start === o.end ? `at ${secs(o.start)} sec` : `in time range ${secs(o.start)}~${secs(o.end)} sec`;
  return {
    message: `${o.what} ${off}: expected ${expected}, happened at ${secs(o.actual)} sec`,
    notes: [`allowed window: ${secs(lo)} to ${secs(hi)} sec (tolerance ${(o.toleranceUsecs / 1000).toFixed(3)} ms)`],
    legacy: `timing error: expected ${o.what} ${expected} but happened at ${secs(o.actual)} sec; tolerance ${secs(o.toleranceUsecs)} sec`,
  };
}

/**
 * A lower layer (injector, capture, libc, a child process) failed while an event ran. The
 * failure is the run's, not the kernel's behaviour: its text is kept as it is, and the
 * original error travels as the ScriptError's `cause`.
 */
export function lowerLayerFailure(o: { what: string; error: unknown }): FailureMessage {
  const text = o.error instanceof Error ? o.error.message : String(o.error);
  return { message: `${o.what} failed: ${text}`, notes: [] };
}
