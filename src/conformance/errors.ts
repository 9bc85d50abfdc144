// Problems in the inputs of `tsdrill conformance` (requirements file, script tags, results):
// each one points at a file position and is printed with a caret under it.
import { formatDiagnostic } from '../diagnostics/code-frame.js';
import type { SourceLocation } from '../parser/ast.js';

export interface Problem {
  file: string;
  source: string;
  message: string;
  loc: SourceLocation;
}

export class ConformanceError extends Error {
  override readonly name = 'ConformanceError';
  constructor(readonly problems: Problem[]) {
    super(problems.map((p) => `${p.file}:${p.loc.start.line}:${p.loc.start.column}: ${p.message}`).join('\n'));
  }

  /** Every problem with its code frame, separated by blank lines. */
  format(): string {
    return this.problems.map((p) => formatDiagnostic(p.source, { severity: 'error', message: p.message, file: p.file, loc: p.loc })).join('\n\n');
  }
}
