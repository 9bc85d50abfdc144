// Script text -> typed AST (src/parser/ast.ts).
//
// The grammar (grammar/packetdrill.peggy, compiled by `npm run build:parser` into
// src/parser/generated/) builds the AST; semantic.ts then runs the parse-time checks.
// Every failure is a ParseError carrying its Diagnostics (message + location): the syntax
// error, or every semantic problem of the file.

import type { Diagnostic, LocatedNote, Note } from '../diagnostics/code-frame.js';
import type { Script, SourceLocation } from './ast.js';
import { describeExpected, describeFound, ParseError, spanLoc, suggestKeyword, type Expectation } from './errors.js';
import * as generated from './generated/parser.js';
import { scriptRequirements } from './requirements.js';
import { checkScriptAll } from './semantic.js';

export { ParseError } from './errors.js';
export type * from './ast.js';

export interface ParseOptions {
  /**
   * `-D NAME=VALUE` defines. They replace words in packet hex/name positions (`<FO TFO_COOKIE>`,
   * an ICMP code) and override `--define=NAME=VALUE` header lines. Words in system-call
   * expressions stay WordExpr; the interpreter resolves them (defines first, then symbols).
   */
  defines?: Record<string, string>;
}

/** Reserved words of the language (a reserved word can never be used as a name). */
export const KEYWORDS: ReadonlySet<string> = (generated as unknown as { KEYWORDS: ReadonlySet<string> }).KEYWORDS;

/**
 * Parses a whole script. `file` is used in diagnostics only (give the path the user knows).
 * Throws ParseError (kind 'syntax' or 'semantic'); any other exception is a bug.
 */
export function parseScript(text: string, file: string, options: ParseOptions = {}): Script {
  let script: Script;
  try {
    script = generated.parse(text, { grammarSource: file, defines: options.defines ?? {} }) as Script;
  } catch (e) {
    if (e instanceof generated.SyntaxError) throw syntaxError(e, text, file);
    if (e instanceof RangeError && /call stack/i.test(e.message)) throw tooDeep(file);
    throw e;
  }
  const [first, ...more] = checkScriptAll(script, text).map(
    (issue): Diagnostic => ({ severity: 'error', message: issue.message, file, loc: issue.loc, ...(issue.notes ? { notes: issue.notes } : {}) }),
  );
  if (first) throw new ParseError('semantic', first, more);
  scriptRequirements(script, file); // a malformed `// require:` is a parse error too
  return script;
}

/** A source text's AST when it has no problem, and every problem it has. */
export interface ScriptCheck {
  script?: Script;
  /** The syntax error (the parser stops at it), or every semantic problem in source order. */
  diagnostics: Diagnostic[];
}

/**
 * Every problem of a source text, for tools that show them all at once (`tsdrill parse`, an
 * editor's language server). Never throws for bad input.
 */
export function checkSource(text: string, file: string, options: ParseOptions = {}): ScriptCheck {
  try {
    return { script: parseScript(text, file, options), diagnostics: [] };
  } catch (e) {
    if (e instanceof ParseError) return { diagnostics: [...e.diagnostics] };
    throw e;
  }
}

/** Brackets nested thousands deep exhaust the recursive-descent parser's stack. */
function tooDeep(file: string): ParseError {
  const start = { offset: 0, line: 1, column: 1 };
  return new ParseError('syntax', {
    severity: 'error',
    message: 'the script is nested too deeply to parse',
    file,
    loc: { start, end: start },
  });
}

function syntaxError(e: generated.SyntaxError, text: string, file: string): ParseError {
  const start = e.location.start;
  const plain = { offset: start.offset, line: start.line, column: start.column };
  if (e.expected === null) {
    // A message raised by the grammar itself (unterminated string, duplicate field, ...).
    const end = e.location.end;
    const located = (e as { notes?: LocatedNote[] }).notes;
    return new ParseError('syntax', {
      severity: 'error',
      message: e.message,
      file,
      loc: { start: plain, end: { offset: end.offset, line: end.line, column: end.column } },
      ...(located ? { notes: located } : {}),
    });
  }
  const found = describeFound(text, start.offset);
  const expected = e.expected as unknown as Expectation[];
  const notes: Note[] = [];
  const word = /^"([A-Za-z0-9_]+)"$/.exec(found.text)?.[1];
  const wantsName = expected.some((x) => x.type === 'other' && x.description === 'identifier');
  if (word !== undefined && KEYWORDS.has(word) && wantsName) {
    notes.push(`note: "${word}" is a reserved word and cannot be used as a name`);
  }
  const suggestion = word === undefined ? undefined : suggestKeyword(word, expected);
  if (suggestion !== undefined) notes.push(`help: did you mean "${suggestion}"?`);
  // `= 3` then a new line `bind(3, ...)` without a time: "bind" reads as an errno and
  // "(3" as the start of its note.
  const errnoCall = /([A-Za-z_][A-Za-z0-9_]*)\s*\(\s*$/.exec(text.slice(Math.max(0, start.offset - 200), start.offset));
  if (errnoCall && wantsName && expected.some((x) => x.type === 'literal' && x.text === 'flags')) {
    const name = errnoCall[1];
    notes.push(`note: "${name}" was read as the errno of the previous system call, and "(" as the start of its note`);
    notes.push(`help: if "${name}" starts a new event, give it a time (e.g. "+0 ${name}(...)")`);
  }
  const wanted = describeExpected(expected);
  if (wanted.includes('an event time') && /^"[<>]"$/.test(found.text)) {
    notes.push('help: every event starts with a time, e.g. "+0 < S 0:0(0) win 65535"');
  }
  // A command after the cleanup command: point at the one that is already the cleanup.
  const cleanup = wanted === 'end of input' && found.text === '"`"' ? /`(?:[^`\\]|\\.)*`\s*$/.exec(text.slice(0, start.offset)) : null;
  if (cleanup) {
    const at = cleanup.index;
    notes.push('help: after the last event only one command (the cleanup command) may stand; give this one a time, e.g. "+0 `...`", to run it as an event');
    notes.push({ text: 'note: this command is already the cleanup command', loc: locAt(text, at, cleanup[0].trimEnd().length) });
  }
  return new ParseError('syntax', {
    severity: 'error',
    message: `Expected ${wanted}, found ${found.text}`,
    file,
    loc: spanLoc(plain, found.length, text),
    ...(notes.length > 0 ? { notes } : {}),
  });
}

/** The location of `length` characters at `offset` of `text`. */
function locAt(text: string, offset: number, length: number): SourceLocation {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const start = { offset, line, column: offset - (before.lastIndexOf('\n') + 1) + 1 };
  return spanLoc(start, length, text);
}
