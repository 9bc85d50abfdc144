import type { SourceLocation } from '../parser/ast.js';

export type FailureKind = 'packet' | 'timing' | 'syscall' | 'command' | 'runtime' | 'code';

/**
 * A script failed at a line. `message` is the one-line summary (after `error:`), `notes` the
 * detail lines under the code frame (expected/actual, the decoded live packet), `legacy` the
 * reference packetdrill's one-line form for log scrapers.
 */
export class ScriptError extends Error {
  override name = 'ScriptError';
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly loc: SourceLocation,
    readonly notes: string[] = [],
    readonly legacy?: string,
  ) {
    super(message);
  }
}
