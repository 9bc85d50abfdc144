// The linter over the project's own code: `npm test` fails on a new finding.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintedFiles } from '../../tools/lint/files.js';
import { lintSource } from '../../tools/lint/rules.js';

const ROOT = join(import.meta.dirname, '../..');

describe('lint (tools/lint)', () => {
  it('finds nothing in src/, runner/, test/ and tools/', () => {
    const files = lintedFiles(ROOT);
    expect(files.length).toBeGreaterThan(100);
    const findings = files.flatMap((f) => lintSource(f, readFileSync(join(ROOT, f), 'utf8')));
    expect(findings.map((x) => `${x.file}:${x.line}:${x.column}: ${x.rule}: ${x.message}`)).toEqual([]);
  });
});
