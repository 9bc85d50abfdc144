// Directives: line comments of the form `// name: value` that tell tsdrill something about a
// script without changing its meaning for the reference packetdrill (which ignores comments).
// Only the names listed here are directives; any other comment, "// Note: ..." included, is
// just a comment.
import type { Comment, Script, SourceLocation } from './ast.js';

export const DIRECTIVE_NAMES = ['require', 'conforms'] as const;
export type DirectiveName = (typeof DIRECTIVE_NAMES)[number];

export interface Directive {
  name: DirectiveName;
  /** The text after the colon, trimmed. */
  value: string;
  /** The whole comment. */
  loc: SourceLocation;
  /** Where the value starts and ends (for errors that point at it). */
  valueLoc: SourceLocation;
}

const DIRECTIVE = /^(\s*)([a-z][a-z-]*)(\s*:\s*)(.*?)\s*$/;

/** The script's directives in source order, optionally only those called `name`. */
export function scriptDirectives(script: Pick<Script, 'comments'>, name?: DirectiveName): Directive[] {
  const out: Directive[] = [];
  for (const c of script.comments) {
    const d = directiveOf(c);
    if (d && (name === undefined || d.name === name)) out.push(d);
  }
  return out;
}

function directiveOf(c: Comment): Directive | undefined {
  if (c.style !== 'line') return undefined;
  const m = DIRECTIVE.exec(c.text);
  if (!m || !(DIRECTIVE_NAMES as readonly string[]).includes(m[2]!)) return undefined;
  // `//` then the text: the value starts after the slashes, the leading blanks, name and colon.
  const startOffset = c.loc.start.offset + 2 + m[1]!.length + m[2]!.length + m[3]!.length;
  const at = (offset: number) => ({ offset, line: c.loc.start.line, column: c.loc.start.column + (offset - c.loc.start.offset) });
  return {
    name: m[2] as DirectiveName,
    value: m[4]!,
    loc: c.loc,
    valueLoc: { start: at(startOffset), end: at(startOffset + m[4]!.length) },
  };
}
