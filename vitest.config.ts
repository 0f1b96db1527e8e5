import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // End-to-end files each start their own fakes on port 0; two at a time fits 2 cores.
    maxWorkers: 2,
    fileParallelism: true,
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    // Once per run: Chromium for the browser tests on a fresh machine, a word when Redis is missing.
    globalSetup: ['./test/helpers/global-setup.ts'],
  },
});
