import { defineConfig } from 'vitest/config';

// Two groups: pure unit tests first (in parallel), then the kernel tests (*.kernel.test.ts),
// one file at a time, so CPU-heavy unit tests (fuzzing) never steal time from runs whose
// packets are checked against a timing tolerance.
export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: ['test/**/*.kernel.test.ts', 'test/**/*.boot.test.ts'], sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: 'kernel', include: ['test/**/*.kernel.test.ts'], exclude: ['test/**/*.boot.test.ts'], fileParallelism: false, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
