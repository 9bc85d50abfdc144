// ParseError and the wording of syntax errors: peggy's expectation list turned into
// `Expected ")" or ",", found "="`.

import { formatDiagnostic, type Diagnostic } from '../diagnostics/code-frame.js';
import type { SourceLocation } from './ast.js';

/**
 * A script that does not parse, or breaks a semantic rule. `diagnostic` is the first problem
 * (the headline, and the error's message); `diagnostics` all of them in source order (a syntax
 * error has one: the parser cannot go on past it).
 */
export class ParseError extends Error {
  override readonly name = 'ParseError';
  readonly diagnostics: readonly Diagnostic[];

  constructor(
    readonly kind: 'syntax' | 'semantic',
    readonly diagnostic: Diagnostic,
    more: readonly Diagnostic[] = [],
  ) {
    const d = diagnostic;
    super(`${d.file}:${d.loc.start.line}:${d.loc.start.column}: ${kind} error: ${d.message}`);
    this.diagnostics = [diagnostic, ...more];
  }

  /** Every diagnostic with its code frame, a blank line between (`source` is the parsed text). */
  format(source: string): string {
    return this.diagnostics.map((d) => formatDiagnostic(source, d)).join('\n\n');
  }
}

/** peggy's expectation objects (the subset of the generated .d.ts we use). */
export type Expectation =
  | { type: 'literal'; text: string }
  | { type: 'class'; parts: unknown[]; inverted: boolean }
  | { type: 'any' }
  | { type: 'end' }
  | { type: 'other'; description: string };

/**
 * Expectations reported as one phrase when they are all expected at a spot (or, for a
 * group with `atLeast`, that many of them: a half-matched keyword such as "sack" in
 * "sackOk" drops out of the list). Checked in order.
 */
const GROUPS: { label: string; members: string[]; atLeast?: number }[] = [
  {
    label: 'a TCP option',
    members: [
      '"nop"', '"eol"', '"sackOK"', '"mss"', '"wscale"', '"sack"', '"TS"', '"md5"', '"FOEXP"', '"FO"',
      '"ECN"', '"mpcapable"', '"mp_capable_no_cs"', '"mp_capable"', '"mp_join_syn_ack"', '"mp_join_syn"',
      '"mp_join_ack"', '"dss"', '"add_address"', '"remove_address"', '"mp_prio"', '"mp_fail"',
      '"mp_fastclose"', '"mp_reset"',
    ],
    atLeast: 10,
  },
  { label: 'an event time', members: ['"*"', '"+"', 'time'] },
  {
    label: 'an action (packet, system call, command or code)',
    members: ['"<"', '">"', '"..."', 'identifier', 'backquoted command', '"%{"'],
  },
  {
    label: 'an expression',
    members: ['"..."', '"["', '"{"', '"htons"', '"inet_addr"', '"inet6_addr"', 'identifier', 'integer', 'string'],
  },
  { label: 'an endpoint', members: ['"addr"', 'IPv4 address', 'IPv6 address'] },
  { label: 'an encapsulation', members: ['"ipv4"', '"ipv6"', '"gre"', '"GREv0"', '"mpls"'] },
  { label: 'an ECN/tos spec', members: ['"noecn"', '"ect01"', '"ect0"', '"ect1"', '"ce"', '"tos"'] },
  {
    label: 'an MP_CAPABLE flag',
    members: ['"flag_a"', '"flag_b"', '"flag_c"', '"flag_d"', '"flag_e"', '"flag_f"', '"flag_g"', '"flag_h"'],
  },
];

/** Describes what was expected, in the order: literals, then named things, then end of input. */
export function describeExpected(expected: readonly Expectation[]): string {
  const seen = new Set<string>();
  for (const e of expected) seen.add(describeOne(e));
  // The start rule's fast path is a rule named "script": not a useful expectation.
  seen.delete('script');
  // Two spellings of the same idea.
  if (seen.has('integer') && seen.has('hex integer')) seen.delete('hex integer');
  if (seen.has('integer') && seen.has('number')) seen.delete('integer');
  const phrases: string[] = [];
  for (const g of GROUPS) {
    const present = g.members.filter((m) => seen.has(m)).length;
    if (present >= (g.atLeast ?? g.members.length)) {
      g.members.forEach((m) => seen.delete(m));
      phrases.push(g.label);
    }
  }
  const end = seen.delete('end of input');
  const rest = [...seen].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  const all = [...rest, ...phrases];
  if (end) all.push('end of input');
  if (all.length === 0) return 'something else';
  if (all.length === 1) return all[0]!;
  if (all.length === 2) return `${all[0]} or ${all[1]}`;
  return `${all.slice(0, -1).join(', ')}, or ${all[all.length - 1]}`;
}

/** A keyword of `expected` close to `found` (different case or one edit away), if any. */
export function suggestKeyword(found: string, expected: readonly Expectation[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const e of expected) {
    if (e.type !== 'literal' || !/^[A-Za-z]/.test(e.text) || e.text.length < 3) continue;
    const d = e.text.toLowerCase() === found.toLowerCase() ? 0 : editDistance(e.text, found);
    if (d < bestDistance) {
      best = e.text;
      bestDistance = d;
    }
  }
  return bestDistance <= (found.length >= 5 ? 2 : 1) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

function rank(description: string): number {
  return description.startsWith('"') ? 0 : 1;
}

function describeOne(e: Expectation): string {
  switch (e.type) {
    case 'literal':
      return quote(e.text);
    case 'end':
      return 'end of input';
    case 'any':
      return 'any character';
    case 'other':
      return e.description;
    case 'class':
      return 'a character';
  }
}

/** The token at `offset`, for `found ...` (an identifier or number run, `...`, or one character). */
export function describeFound(source: string, offset: number): { text: string; length: number } {
  if (offset >= source.length) return { text: 'end of input', length: 0 };
  const rest = source.slice(offset);
  const run = /^-?[A-Za-z0-9_]+(?:\.[0-9]+)*|^\.\.\./.exec(rest);
  if (run && run[0] !== '-') return { text: quote(run[0]), length: run[0].length };
  const ch = rest[0]!;
  if (ch === '\n' || ch === '\r') return { text: 'end of line', length: 1 };
  return { text: quote(ch), length: 1 };
}

/** `"x"` with JSON escapes, or `'"'` for a double quote. */
function quote(text: string): string {
  if (text === '"') return `'"'`;
  return JSON.stringify(text);
}

export function spanLoc(start: SourceLocation['start'], length: number, source: string): SourceLocation {
  const text = source.slice(start.offset, start.offset + length);
  const nl = text.indexOf('\n');
  const len = nl >= 0 ? nl : text.length;
  return {
    start,
    end: { offset: start.offset + len, line: start.line, column: start.column + len },
  };
}
