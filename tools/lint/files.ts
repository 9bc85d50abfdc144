// Which files the linter reads: the project's TypeScript, not generated or installed code.
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOTS = ['src', 'runner', 'test', 'tools'];
const SKIP = /(^|\/)(node_modules|dist|generated)(\/|$)/;

/** Every *.ts file under the linted folders of `root`, as paths relative to it (sorted). */
export function lintedFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const rel = relative(root, path);
      if (SKIP.test(rel)) continue;
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(rel);
    }
  };
  for (const r of ROOTS) walk(join(root, r));
  return out.sort();
}
