// Starts the real app (real discord.js, real undici, real SQLite or Redis store) against the two
// fakes, with the poll timer off: tests drive time by calling app.poller.tick().
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vi } from 'vitest';
import { createApp, type App } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { startFakeDiscord, type FakeDiscord, type FakeDiscordOptions } from '../../stand-ins/fake-discord.ts';
import { startFakeProxy, type FakeProxy, type FakeProxyOptions } from '../../stand-ins/fake-proxy.ts';

export const API_KEY = 'sk-test-SECRET-0123456789';

export interface Harness {
  discord: FakeDiscord;
  proxy: FakeProxy;
  app: App;
  config: Config;
  /** Every log line the app wrote (unscrubbed sink: the logger must scrub on its own). */
  logs: string[];
  /**
   * Stops the app (as a crash would: no clean-up of tasks) and starts a new one on the same store;
   * `stopped` runs in between (to change the store as another program would).
   */
  restart(stopped?: () => Promise<void>): Promise<App>;
  close(): Promise<void>;
  /**
   * Resolves once `cond` holds (checked every 20 ms for up to `timeoutMs`); else fails with
   * "timed out waiting for <what>".
   */
  until(cond: () => unknown, what: string, timeoutMs?: number): Promise<void>;
  /**
   * The store's active index once it holds at least `n` jobs (the submit answered and the record
   * is saved). The app has no public signal for "tracked" (the tracker's onActive is wired to the
   * poller inside createApp), so this polls the store.
   */
  tracked(n?: number, timeoutMs?: number): Promise<string[]>;
  /** The first active job not in `except`, once there is one. */
  trackedId(except?: Iterable<string>): Promise<string>;
  /** The interaction's callback, once the app answered it (the fake Discord's own wait). */
  answered(interaction: { id: string; token: string }): Promise<any>;
}

const WAIT_MS = 5000;

export interface HarnessOptions {
  env?: Record<string, string>;
  discord?: FakeDiscordOptions;
  proxy?: FakeProxyOptions;
  now?: () => number;
  /** Use the fake Discord's controllable clock as the app's clock too. */
  sharedClock?: boolean;
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const discord = await startFakeDiscord({ ...opts.discord });
  const proxy = await startFakeProxy({ apiKey: API_KEY, advance: 'manual', ...opts.proxy });
  const dir = mkdtempSync(join(tmpdir(), 'mjbot-test-'));
  const config = loadConfig({
    DISCORD_TOKEN: discord.token,
    DISCORD_APP_ID: discord.appId,
    DISCORD_API_URL: discord.apiBase,
    MJ_BASE_URL: proxy.baseUrl,
    MJ_API_KEY: API_KEY,
    STORE_URL: `sqlite://${join(dir, 'mjbot.sqlite')}`,
    EDIT_MIN_INTERVAL_MS: '0',
    PROXY_TIMEOUT_MS: '3000',
    LOG_LEVEL: 'debug',
    USER_MAX_CONCURRENT: '0',
    ...opts.env,
  });
  const logs: string[] = [];
  const build = async () => {
    const app = createApp(config, {
      autoPoll: false,
      proxyRetryDelaysMs: [5, 10],
      now: opts.now ?? (opts.sharedClock ? () => discord.clock.now() : undefined),
      logger: createLogger({ level: 'debug', secrets: [API_KEY, discord.token], write: (l) => logs.push(l) }),
    });
    await app.start();
    return app;
  };
  const h: Harness = {
    discord,
    proxy,
    app: await build(),
    config,
    logs,
    async restart(stopped) {
      await h.app.stop();
      await stopped?.();
      h.app = await build();
      return h.app;
    },
    async close() {
      await h.app.stop().catch(() => undefined);
      await discord.close();
      await proxy.close();
      rmSync(dir, { recursive: true, force: true });
    },
    async until(cond, what, timeoutMs = WAIT_MS) {
      await vi.waitFor(
        async () => {
          if (!(await cond())) throw new Error(`timed out waiting for ${what}`);
        },
        { timeout: timeoutMs, interval: 20 },
      );
    },
    async tracked(n = 1, timeoutMs = WAIT_MS) {
      let ids: string[] = [];
      await h.until(async () => (ids = await h.app.stores.tasks.activeIds()).length >= n, `${n} tracked job${n === 1 ? '' : 's'}`, timeoutMs);
      return ids;
    },
    async trackedId(except = []) {
      const old = new Set(except);
      let id: string | undefined;
      await h.until(async () => (id = (await h.app.stores.tasks.activeIds()).find((x) => !old.has(x))), old.size ? 'a newly tracked job' : 'a tracked job');
      return id!;
    },
    async answered(interaction) {
      await discord.waitForCall((c) => c.path.includes(`/interactions/${interaction.id}/`));
      return discord.callbackOf(interaction);
    },
  };
  return h;
}
