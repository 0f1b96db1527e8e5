// Starts the real app (real discord.js, real undici, real SQLite or Redis store) against the two
// fakes, with the poll timer off: tests drive time by calling app.poller.tick().
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
}

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
  };
  return h;
}
