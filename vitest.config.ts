import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // End-to-end files each start their own fakes on port 0; two at a time fits 2 cores.
    maxWorkers: 2,
    fileParallelism: true,
    // Files share their worker's modules: discord.js, undici, Keyv and the app are imported once per
    // worker, not once per file (that import was over half of the suite's time). Safe because no
    // test mocks a module or stubs a global: everything is faked on the wire (architecture.test.ts
    // keeps it so), and module state is only counters for unique ids.
    isolate: false,
    // Our undici before discord.js in every worker: the order that would break uploads if the bot
    // depended on it (the file says why).
    setupFiles: ['./test/helpers/undici-first.ts'],
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    // Once per run: Chromium for the browser tests on a fresh machine, a word when Redis is missing.
    globalSetup: ['./test/helpers/global-setup.ts'],
  },
});
