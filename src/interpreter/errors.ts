import type { FailureMessage } from '../assertions/messages.js';
import type { Note } from '../diagnostics/code-frame.js';
import type { SourceLocation } from '../parser/ast.js';

/**
 * What failed: the kernel's behaviour (packet, timing, syscall), the script's own parts
 * (command, code, runtime), or `setup`: a lower layer of tsdrill (injector, capture, a child
 * process) at this event, reported as an error of the run rather than a failure of the kernel.
 */
export type FailureKind = 'packet' | 'timing' | 'syscall' | 'command' | 'runtime' | 'code' | 'setup';

/**
 * A script failed at a line. `message` is the one-line summary (after `error:`), `notes` the
 * detail lines under the code frame (expected/actual, the decoded live packet; a note with a
 * location is framed at its own place), `legacy` the
 * reference packetdrill's one-line form for log scrapers. The wording comes from the builders
 * of src/assertions/messages.ts (`ScriptError.from`); `cause` keeps a lower layer's error.
 */
export class ScriptError extends Error {
  override name = 'ScriptError';
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly loc: SourceLocation,
    readonly notes: Note[] = [],
    readonly legacy?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** The error a message builder worded, at `loc`. */
  static from(kind: FailureKind, loc: SourceLocation, m: FailureMessage, options?: { cause?: unknown }): ScriptError {
    return new ScriptError(kind, m.message, loc, m.notes, m.legacy, options);
  }
}
