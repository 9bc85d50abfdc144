// Malformed scripts under bad/NAME.pkt, each with the exact formatted error in
// bad/NAME.errors.txt. UPDATE_GOLDEN=1 rewrites the goldens (review the diff as text).

import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadParser } from './helpers.js';

const { parseScript, ParseError } = await loadParser();

const DIR = join(import.meta.dirname, 'bad');
const update = process.env['UPDATE_GOLDEN'] === '1';
const scripts = readdirSync(DIR).filter((f) => f.endsWith('.pkt')).sort();

/** The formatted error, preceded by a line giving its kind. */
function render(name: string, text: string): string {
  try {
    parseScript(text, name);
  } catch (e) {
    if (e instanceof ParseError) return `${e.kind} error\n${e.format(text)}\n`;
    throw e;
  }
  return 'no error\n';
}

describe('malformed scripts', () => {
  test('there are at least 40 of them', () => {
    expect(scripts.length).toBeGreaterThanOrEqual(40);
  });

  for (const file of scripts) {
    test(file, () => {
      const text = readFileSync(join(DIR, file), 'utf8');
      const actual = render(file, text);
      expect(actual).not.toBe('no error\n');
      const golden = join(DIR, file.replace(/\.pkt$/, '.errors.txt'));
      if (update || !existsSync(golden)) {
        writeFileSync(golden, actual);
        if (!update) throw new Error(`wrote missing golden ${golden}; review it and rerun`);
        return;
      }
      expect(actual).toBe(readFileSync(golden, 'utf8'));
    });
  }
});
