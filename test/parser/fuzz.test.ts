// Property test: corpus scripts mutated at random (tokens deleted, duplicated or swapped,
// truncation, random bytes) either parse or fail with a ParseError that has a location and
// formats; never any other exception, and never more than a second for one input.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { CORPUS, corpusScripts, loadParser } from './helpers.js';

const { parseScript, ParseError } = await loadParser();
const names = corpusScripts();
const texts = names.map((n) => readFileSync(join(CORPUS, n), 'utf8'));
const seed = process.env['FC_SEED'] === undefined ? undefined : Number(process.env['FC_SEED']);
const RUNS_PER_PROPERTY = 2500; // x 4 properties = 10,000 cases

/** Tokens and the blanks between them, so that a mutation can work on whole tokens. */
function tokens(text: string): string[] {
  return text.match(/\s+|[A-Za-z0-9_.]+|./gs) ?? [];
}

type Mutation =
  | { op: 'delete' | 'duplicate'; at: number }
  | { op: 'swap'; at: number; with: number }
  | { op: 'truncate'; at: number }
  | { op: 'bytes'; at: number; bytes: string };

function mutate(text: string, mutations: Mutation[]): string {
  let toks = tokens(text);
  for (const m of mutations) {
    if (toks.length === 0) break;
    const i = m.at % toks.length;
    switch (m.op) {
      case 'delete':
        toks.splice(i, 1);
        break;
      case 'duplicate':
        toks.splice(i, 0, toks[i]!);
        break;
      case 'swap': {
        const j = m.with % toks.length;
        [toks[i], toks[j]] = [toks[j]!, toks[i]!];
        break;
      }
      case 'truncate':
        toks = toks.slice(0, i);
        break;
      case 'bytes':
        toks.splice(i, 0, m.bytes);
        break;
    }
  }
  return toks.join('');
}

/** Parses and checks the outcome; returns nothing, throws on a property violation. */
function check(text: string): void {
  const t0 = performance.now();
  try {
    parseScript(text, 'fuzz.pkt', { defines: { TFO_COOKIE: '3021b9d889017eeb', CODE: 'host_unreachable' } });
  } catch (e) {
    if (!(e instanceof ParseError)) throw e;
    const { loc } = e.diagnostic;
    expect(loc.start.line).toBeGreaterThanOrEqual(1);
    expect(loc.start.column).toBeGreaterThanOrEqual(1);
    expect(loc.start.offset).toBeGreaterThanOrEqual(0);
    expect(loc.start.offset).toBeLessThanOrEqual(text.length);
    expect(loc.end.offset).toBeGreaterThanOrEqual(loc.start.offset);
    expect(e.format(text)).toContain(`fuzz.pkt:${loc.start.line}:${loc.start.column}`);
  }
  const ms = performance.now() - t0;
  if (ms > 1000) throw new Error(`parsing took ${ms.toFixed(0)} ms`);
}

const script = fc.nat({ max: Math.max(0, names.length - 1) });
const position = fc.nat({ max: 1_000_000 });
const randomBytes = fc
  .uint8Array({ minLength: 1, maxLength: 8 })
  .map((a) => String.fromCharCode(...a));
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constantFrom('delete' as const, 'duplicate' as const), at: position }),
  fc.record({ op: fc.constant('swap' as const), at: position, with: position }),
  fc.record({ op: fc.constant('truncate' as const), at: position }),
  fc.record({ op: fc.constant('bytes' as const), at: position, bytes: randomBytes }),
);
const params = { numRuns: RUNS_PER_PROPERTY, ...(seed === undefined ? {} : { seed }) };

describe.skipIf(names.length === 0)('mutated corpus scripts', () => {
  test('token edits (delete, duplicate, swap)', () => {
    const edit = mutation.filter((m) => m.op === 'delete' || m.op === 'duplicate' || m.op === 'swap');
    fc.assert(
      fc.property(script, fc.array(edit, { minLength: 1, maxLength: 4 }), (i, ms) => check(mutate(texts[i]!, ms))),
      params,
    );
  });

  test('truncation', () => {
    fc.assert(
      fc.property(script, position, (i, at) => check(mutate(texts[i]!, [{ op: 'truncate', at }]))),
      params,
    );
  });

  test('random bytes inserted', () => {
    fc.assert(
      fc.property(script, fc.array(fc.record({ op: fc.constant('bytes' as const), at: position, bytes: randomBytes }), { minLength: 1, maxLength: 3 }), (i, ms) =>
        check(mutate(texts[i]!, ms)),
      ),
      params,
    );
  });

  test('any mix of mutations, and fully random input', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.tuple(script, fc.array(mutation, { minLength: 1, maxLength: 6 })).map(([i, ms]) => mutate(texts[i]!, ms)),
          fc.string({ unit: 'binary', maxLength: 200 }),
        ),
        check,
      ),
      params,
    );
  });
});

test('deep nesting fails cleanly', () => {
  const deep = '0 f(' + '['.repeat(100_000) + ') = 0\n';
  expect(() => parseScript(deep, 'deep.pkt')).toThrow(ParseError);
});
