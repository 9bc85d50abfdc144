import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Kernel-facing tests start their own netns processes; two cores, so keep file parallelism modest.
    maxWorkers: 2,
  },
});
