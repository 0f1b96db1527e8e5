// Runs once before the test files (vitest globalSetup): gets a fresh machine ready for the tests the
// run includes. Chromium for the browser tests (installed when missing and allowed:
// chromium-setup.ts); a one-line warning when the Redis the store tests need does not answer.
import { connect } from 'node:net';
import type { TestProject } from 'vitest/node';
import { ensureChromium } from './chromium-setup.ts';
import { TEST_REDIS_URL } from './redis.ts';

function answers(url: string, timeoutMs = 1000): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname.replace(/^\[|\]$/g, ''), port: Number(port || 6379) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export default async function setup(project: TestProject): Promise<void> {
  // The run's file filters (`vitest run test/unit`): not public API in vitest 4, hence the fallback
  // to every file, which at worst installs Chromium for a run that does not need it.
  const filters = (project.vitest as { filenamePattern?: string[] }).filenamePattern;
  const { testFiles } = await project.globTestFiles(filters);
  if (testFiles.some((f) => /[/\\]browser-[^/\\]+\.test\.ts$/.test(f))) ensureChromium();
  if (testFiles.some((f) => /[/\\]test[/\\](store|scale)[/\\]/.test(f)) && !(await answers(TEST_REDIS_URL))) {
    console.warn(`Redis does not answer at ${TEST_REDIS_URL}: the store and scale tests need it (start redis-server, or set TEST_REDIS_URL)`);
  }
}
