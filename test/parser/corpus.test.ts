// Every script of the external corpus (/work/shared/corpus, read in place, never copied)
// parses under each of the runner's IP-variant defines, and every node's location is sane.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { SourceLocation } from '../../src/parser/ast.js';
import { CORPUS, corpusScripts, corpusVariants, loadParser } from './helpers.js';

const { parseScript } = await loadParser();
const scripts = corpusScripts();

/**
 * Walks every `loc` of the AST and returns the problems found: a location must lie within
 * the text and within its parent, and its line/column must match its offset.
 */
function locationProblems(root: unknown, text: string): { count: number; problems: string[] } {
  const lineStarts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const lineOf = (offset: number): number => {
    let line = lineStarts.length;
    while (lineStarts[line - 1]! > offset) line--;
    return line;
  };
  const problems: string[] = [];
  let count = 0;
  const walk = (node: unknown, parent: SourceLocation | undefined, path: string): void => {
    if (Array.isArray(node)) return node.forEach((child, i) => walk(child, parent, `${path}[${i}]`));
    if (!node || typeof node !== 'object') return;
    const loc = (node as { loc?: SourceLocation }).loc;
    if (loc) {
      count++;
      for (const p of [loc.start, loc.end]) {
        const line = lineOf(p.offset);
        if (p.line !== line || p.column !== p.offset - lineStarts[line - 1]! + 1) problems.push(`${path}: bad position`);
      }
      if (loc.start.offset > loc.end.offset || loc.end.offset > text.length) problems.push(`${path}: bad range`);
      if (parent && (loc.start.offset < parent.start.offset || loc.end.offset > parent.end.offset)) {
        problems.push(`${path}: outside its parent`);
      }
    }
    for (const [key, value] of Object.entries(node)) if (key !== 'loc') walk(value, loc ?? parent, `${path}.${key}`);
  };
  walk(root, undefined, 'script');
  return { count, problems };
}

describe.skipIf(scripts.length === 0)('corpus', () => {
  test('the corpus is all there', () => {
    expect(scripts.length).toBeGreaterThanOrEqual(225);
  });

  for (const script of scripts) {
    test(script, () => {
      const text = readFileSync(join(CORPUS, script), 'utf8');
      for (const { defines } of corpusVariants(script)) {
        const ast = parseScript(text, script, { defines });
        expect(ast.events.length).toBeGreaterThan(0);
      }
      const ast = parseScript(text, script, { defines: corpusVariants(script)[0]!.defines });
      const { count, problems } = locationProblems(ast, text);
      expect(problems).toEqual([]);
      expect(count).toBeGreaterThan(ast.events.length);
      // An event's line is the line of its time token.
      for (const e of ast.events) expect(e.loc.start.line).toBe(e.time.loc.start.line);
    });
  }
});
