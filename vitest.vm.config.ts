import { defineConfig } from 'vitest/config';

// npm run test:vm: tests that boot kernels under QEMU (minutes each under TCG), one file at a time.
export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    include: ['test/**/*.boot.test.ts'],
    fileParallelism: false,
    testTimeout: 30 * 60_000,
    hookTimeout: 20 * 60_000,
  },
});
