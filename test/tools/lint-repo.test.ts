// The linter over the project's own code: `npm test` fails on a new finding. One test per file,
// so the worker answers vitest between files (linting all at once blocked it for seconds).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintedFiles } from '../../tools/lint/files.js';
import { BASELINE } from '../../tools/lint/baseline.js';
import { lintSource } from '../../tools/lint/rules.js';

const ROOT = join(import.meta.dirname, '../..');
const files = lintedFiles(ROOT);

describe('lint (tools/lint) over src/, runner/, test/ and tools/', () => {
  it('finds the project\'s files', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(files).toContain('src/interpreter/run.ts');
  });

  it.each(files)('%s', (file) => {
    const findings = lintSource(file, readFileSync(join(ROOT, file), 'utf8')).filter((x) => !BASELINE.has(`${x.file} ${x.rule}`));
    expect(findings.map((x) => `${x.file}:${x.line}:${x.column}: ${x.rule}: ${x.message}`)).toEqual([]);
  });
});
