import type { SourceLocation } from '../parser/ast.js';

/** A problem tied to a spot in a script: rendered the same way for parse, semantic and run-time errors. */
export interface Diagnostic {
  severity: 'error' | 'warning';
  /** One line: what went wrong (`Expected ")" or "," but "=" found.`). */
  message: string;
  file: string;
  loc: SourceLocation;
  /** Extra lines printed under the frame (expected/actual values, a decoded packet). */
  notes?: string[];
}

/** `file:line:col` for the start of a location. */
export function formatPosition(file: string, loc: SourceLocation): string {
  return `${file}:${loc.start.line}:${loc.start.column}`;
}

/**
 * Renders a diagnostic in the peggy/rustc shape:
 *
 *     error: Expected ")" or "," but "=" found.
 *      --> listen.pkt:3:15
 *       |
 *     3 | +0 listen(3, 1 = 0
 *       |               ^
 *
 * The caret run covers the location on its first line (at least one caret).
 */
export function formatDiagnostic(source: string, d: Diagnostic): string {
  const lines = source.split(/\r?\n/);
  const lineNo = d.loc.start.line;
  const text = (lines[lineNo - 1] ?? '').replace(/\t/g, ' ');
  const gutter = String(lineNo).length;
  const pad = ' '.repeat(gutter);
  const startCol = d.loc.start.column;
  const endCol = d.loc.end.line === lineNo ? Math.max(d.loc.end.column, startCol + 1) : text.length + 1;
  const caretCount = Math.max(1, Math.min(endCol, text.length + 1) - startCol);
  const out = [
    `${d.severity}: ${d.message}`,
    `${pad}--> ${formatPosition(d.file, d.loc)}`,
    `${pad} |`,
    `${lineNo} | ${text}`,
    `${pad} | ${' '.repeat(startCol - 1)}${'^'.repeat(caretCount)}`,
  ];
  for (const note of d.notes ?? []) out.push(note === '' ? '' : `${pad} = ${note}`);
  return out.join('\n');
}
