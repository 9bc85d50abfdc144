import type { SourceLocation } from '../parser/ast.js';

/** A note that points at a second place in the script (a field given twice, another mismatch). */
export interface LocatedNote {
  /** The note's text, e.g. `also: expected win 500, got win 502` or `note: first given here`. */
  text: string;
  loc: SourceLocation;
}

/** A line under the frame (`= text`), or a note with a place of its own, framed after it. */
export type Note = string | LocatedNote;

/** A problem tied to a spot in a script: rendered the same way for parse, semantic and run-time errors. */
export interface Diagnostic {
  severity: 'error' | 'warning';
  /** One line: what went wrong (`Expected ")" or "," but "=" found.`). */
  message: string;
  file: string;
  loc: SourceLocation;
  /** Extra lines printed under the frame (expected/actual values, a decoded packet), and located notes. */
  notes?: Note[];
}

/** `file:line:col` for the start of a location. */
export function formatPosition(file: string, loc: SourceLocation): string {
  return `${file}:${loc.start.line}:${loc.start.column}`;
}

/** The text of a note, located or not. */
export function noteText(note: Note): string {
  return typeof note === 'string' ? note : note.text;
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
 * The caret run covers the location on its first line (at least one caret). Plain notes follow
 * as `= text` lines; each located note is then framed the same way under its own heading, as
 * peggy frames the extra locations of a diagnostic. All frames share one gutter width.
 */
export function formatDiagnostic(source: string, d: Diagnostic): string {
  const lines = source.split(/\r?\n/);
  const notes = d.notes ?? [];
  const located = notes.filter((n): n is LocatedNote => typeof n !== 'string');
  const gutter = Math.max(...[d.loc, ...located.map((n) => n.loc)].map((l) => String(l.start.line).length));
  const pad = ' '.repeat(gutter);
  const out = [`${d.severity}: ${d.message}`, ...frame(lines, d.file, d.loc, gutter)];
  for (const note of notes) if (typeof note === 'string') out.push(note === '' ? '' : `${pad} = ${note}`);
  for (const note of located) out.push(/^[a-z]+: /.test(note.text) ? note.text : `note: ${note.text}`, ...frame(lines, d.file, note.loc, gutter));
  return out.join('\n');
}

/** ` --> file:line:col`, the source line and the caret run under `loc`. */
function frame(lines: readonly string[], file: string, loc: SourceLocation, gutter: number): string[] {
  const lineNo = loc.start.line;
  const text = (lines[lineNo - 1] ?? '').replace(/\t/g, ' ');
  const pad = ' '.repeat(gutter);
  const startCol = loc.start.column;
  const endCol = loc.end.line === lineNo ? Math.max(loc.end.column, startCol + 1) : text.length + 1;
  const caretCount = Math.max(1, Math.min(endCol, text.length + 1) - startCol);
  return [
    `${pad}--> ${formatPosition(file, loc)}`,
    `${pad} |`,
    `${String(lineNo).padStart(gutter)} | ${text}`,
    `${pad} | ${' '.repeat(startCol - 1)}${'^'.repeat(caretCount)}`,
  ];
}
