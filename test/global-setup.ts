import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    buildError: string;
  }
}

/**
 * Kernel tests run the built CLI and child processes: build once, before any test. A failed
 * build fails those tests with the compiler output (pure unit tests still run).
 */
export default async function setup(project: TestProject): Promise<void> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const r = await execa('npm', ['run', '--silent', 'build'], { cwd: root, reject: false, all: true });
  project.provide('buildError', r.exitCode === 0 ? '' : `npm run build failed (exit ${r.exitCode}):\n${r.all}`);
}
