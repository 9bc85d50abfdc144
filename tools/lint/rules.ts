// The project's lint rules, on the TypeScript compiler's own AST (no other dependency). Each
// rule is calibrated to this code as it is: it catches the outliers, not the house style.
import ts from 'typescript';

export interface Finding {
  file: string;
  line: number;
  column: number;
  rule: RuleName;
  message: string;
}

export type RuleName = 'long-line' | 'short-name' | 'focused-test' | 'layering' | 'silent-catch';

/** A line over this is an outlier here (most lines stay under 160). */
export const MAX_LINE = 200;
/** A one-letter name is fine over this many lines: the reader sees its whole life at once. */
export const SHORT_NAME_SPAN = 50;
/** Loop counters and the unused marker are one letter by convention. */
const CONVENTIONAL = new Set(['i', 'j', 'k', '_']);

/**
 * Lower layers must not import upper ones (guide: "codecs know no script, reporters read only
 * the result model, the interpreter knows no suites"). Type-only imports are allowed: they
 * vanish at run time and name a shape, not a dependency on behaviour.
 */
const FORBIDDEN: { from: RegExp; to: RegExp; why: string }[] = [
  { from: /^src\//, to: /^(runner|test|bench|tools)\//, why: 'src/ knows no CLI, tests or tools' },
  { from: /^src\/codec\//, to: /^src\/(?!codec\/)/, why: 'codecs are pure: they know no script, interpreter or I/O' },
  { from: /^src\/(parser|syscalls|diagnostics)\//, to: /^src\/(interpreter|injector|cli|report|assertions|sys)\//, why: 'parsing and naming know nothing of running' },
  { from: /^src\/assertions\//, to: /^src\/(interpreter|injector|cli|report|sys)\//, why: 'assertions compare and word; they do no I/O' },
  { from: /^src\/report\//, to: /^src\/(interpreter|injector|cli|assertions|sys)\//, why: 'reporters read only the result model' },
  { from: /^src\/interpreter\//, to: /^src\/(cli|report)\//, why: 'the interpreter knows no suites or reports' },
];

export function lintSource(file: string, text: string): Finding[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const findings: Finding[] = [];
  const at = (node: ts.Node | number, rule: RuleName, message: string) => {
    const pos = typeof node === 'number' ? node : node.getStart(source);
    const { line, character } = source.getLineAndCharacterOfPosition(pos);
    findings.push({ file, line: line + 1, column: character + 1, rule, message });
  };
  longLines(source, text, at);
  const visit = (node: ts.Node): void => {
    shortName(source, node, at);
    focusedTest(node, at);
    layering(file, node, at);
    silentCatch(source, node, at);
    ts.forEachChild(node, visit);
  };
  visit(source);
  const allowed = suppressions(text);
  return findings.filter((f) => !allowed.get(f.line)?.has(f.rule)).sort((a, b) => a.line - b.line || a.column - b.column);
}

/**
 * `// lint-allow RULE: why` lets RULE's findings on its own line and the next one stand; the
 * reason is required, so that every exception says why it is one.
 */
function suppressions(text: string): Map<number, Set<RuleName>> {
  const out = new Map<number, Set<RuleName>>();
  text.split('\n').forEach((line, i) => {
    const m = /\/\/ lint-allow ([a-z-]+): \S/.exec(line);
    if (!m) return;
    for (const at of [i + 1, i + 2]) out.set(at, (out.get(at) ?? new Set()).add(m[1] as RuleName));
  });
  return out;
}

type Report = (node: ts.Node | number, rule: RuleName, message: string) => void;

/**
 * Lines over MAX_LINE, except data: a line that is mostly text of string literals (a message,
 * a script line in a test) or only literals and punctuation (a table) reads fine long.
 */
function longLines(source: ts.SourceFile, text: string, report: Report): void {
  const inString = stringCharsPerLine(source, text);
  let offset = 0;
  text.split('\n').forEach((line, i) => {
    const start = offset;
    offset += line.length + 1;
    if (line.length <= MAX_LINE) return;
    if ((inString[i] ?? 0) * 2 >= line.trim().length || isDataLine(line)) return;
    report(start + MAX_LINE, 'long-line', `line is ${line.length} characters (maximum ${MAX_LINE} for code): break it, or name a part of it`);
  });
}

function stringCharsPerLine(source: ts.SourceFile, text: string): number[] {
  const counts: number[] = [];
  const visit = (node: ts.Node): void => {
    const literal = ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node);
    if (literal || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) {
      const start = node.getStart(source);
      for (let pos = start; pos < node.end; pos++) {
        if (text[pos] === '\n') continue;
        const line = source.getLineAndCharacterOfPosition(pos).line;
        counts[line] = (counts[line] ?? 0) + 1;
      }
    }
    ts.forEachChild(node, visit);
    if (ts.isTemplateExpression(node)) {
      visit(node.head);
      node.templateSpans.forEach((s) => visit(s.literal));
    }
  };
  visit(source);
  return counts;
}

/** Literals, names and punctuation only: `MSG: ['MSG_OOB', 'MSG_PEEK', ...],` or `{ a: 0, b: 1 }`. */
function isDataLine(line: string): boolean {
  return /^[\s\w'"`.:,[\]{}-]*$/.test(line);
}

/**
 * A one-letter variable or parameter the reader must keep in mind over more than
 * SHORT_NAME_SPAN lines (from its declaration to its last use in its scope). A short-lived
 * `w` in one case of a long switch is fine; an `a` that a whole function fills in is not.
 */
function shortName(source: ts.SourceFile, node: ts.Node, report: Report): void {
  if (!ts.isVariableDeclaration(node) && !ts.isParameter(node)) return;
  if (!ts.isIdentifier(node.name) || node.name.text.length !== 1 || CONVENTIONAL.has(node.name.text)) return;
  const scope = scopeOf(node);
  if (!scope) return;
  const name = node.name.text;
  const lineOf = (n: ts.Node) => source.getLineAndCharacterOfPosition(n.getStart(source)).line;
  let last = lineOf(node);
  const visit = (n: ts.Node): void => {
    if (ts.isIdentifier(n) && n.text === name) last = Math.max(last, lineOf(n));
    ts.forEachChild(n, visit);
  };
  visit(scope);
  const span = last - lineOf(node) + 1;
  if (span > SHORT_NAME_SPAN) report(node.name, 'short-name', `one-letter name '${name}' is used over ${span} lines: name what it holds`);
}

/** Where a declaration's name can be used: its function (a parameter) or its block. */
function scopeOf(node: ts.VariableDeclaration | ts.ParameterDeclaration): ts.Node | undefined {
  if (ts.isParameter(node)) return node.parent;
  for (let n: ts.Node | undefined = node.parent; n; n = n.parent) {
    if (ts.isBlock(n) || ts.isCaseClause(n) || ts.isDefaultClause(n) || ts.isSourceFile(n) || ts.isCatchClause(n)) return n;
    if (ts.isForStatement(n) || ts.isForOfStatement(n) || ts.isForInStatement(n)) return n;
  }
  return undefined;
}

/** `it.only(...)`, `describe.only(...)`: every other test of the file silently stops running. */
function focusedTest(node: ts.Node, report: Report): void {
  if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) return;
  const { expression: target, name } = node.expression;
  if (name.text === 'only' && ts.isIdentifier(target) && ['it', 'test', 'describe', 'suite'].includes(target.text))
    report(node, 'focused-test', `${target.text}.only runs this test alone and skips the file's others: remove .only`);
}

/** A value import from a layer this file's layer must not depend on. */
function layering(file: string, node: ts.Node, report: Report): void {
  if (!ts.isImportDeclaration(node) || node.importClause?.isTypeOnly || !ts.isStringLiteral(node.moduleSpecifier)) return;
  const spec = node.moduleSpecifier.text;
  if (!spec.startsWith('.')) return;
  const from = file.replace(/\\/g, '/');
  const target = normalize(`${from.slice(0, from.lastIndexOf('/') + 1)}${spec}`);
  const rule = FORBIDDEN.find((r) => r.from.test(from) && r.to.test(target));
  if (rule) report(node, 'layering', `${from} imports ${target}: ${rule.why} (a type-only import is fine)`);
}

function normalize(path: string): string {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '..') out.pop();
    else if (part !== '.' && part !== '') out.push(part);
  }
  return out.join('/');
}

/** `catch {}` with nothing in it and no comment saying why the error does not matter. */
function silentCatch(source: ts.SourceFile, node: ts.Node, report: Report): void {
  if (!ts.isCatchClause(node) || node.block.statements.length > 0) return;
  const inside = source.text.slice(node.block.getStart(source) + 1, node.block.end - 1);
  if (/\/\/|\/\*/.test(inside)) return;
  report(node, 'silent-catch', 'empty catch block: handle the error, or say in a comment why it can be ignored');
}
