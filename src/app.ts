// The composition root's factory: createApp(config, overrides) wires Discord, the proxy client,
// the store, the tracker and the poller. No side effects at import; tests build the same app
// pointed at the fakes.
import { once } from 'node:events';
import { Client, Events } from 'discord.js';
import { commands as defaultCommands } from '../commands/index.ts';
import type { Command } from '../commands/types.ts';
import type { Config } from './config.ts';
import type { AppContext } from './context.ts';
import { Poster } from './discord/poster.ts';
import { createRouter } from './discord/router.ts';
import { createLogger, type Logger } from './logger.ts';
import { ProxyClient } from './proxy/client.ts';
import { ProxyHealth } from './proxy/health.ts';
import { createStores, type Stores } from './store/create-store.ts';
import { Poller } from './tasks/poller.ts';
import { Tracker } from './tasks/tracker.ts';

export interface AppOverrides {
  logger?: Logger;
  now?: () => number;
  /** Namespace prefix in the store (tests). */
  storePrefix?: string;
  /** false: no poll timer; tests call app.poller.tick(). */
  autoPoll?: boolean;
  commands?: readonly Command[];
  /** Waits before proxy retries (tests use short ones). */
  proxyRetryDelaysMs?: number[];
}

export interface App extends AppContext {
  client: Client;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createApp(config: Config, overrides: AppOverrides = {}): App {
  const logger = overrides.logger ?? createLogger({ level: config.LOG_LEVEL, secrets: [config.MJ_API_KEY, config.DISCORD_TOKEN] });
  const now = overrides.now ?? Date.now;
  const client = new Client({
    intents: [],
    allowedMentions: { parse: [] },
    rest: { ...(config.DISCORD_API_URL ? { api: config.DISCORD_API_URL } : {}), retries: 2, timeout: 15_000 },
  });
  const proxy = new ProxyClient({
    baseUrl: config.MJ_BASE_URL,
    apiKey: config.MJ_API_KEY,
    authStyle: config.MJ_AUTH_STYLE,
    timeoutMs: config.PROXY_TIMEOUT_MS,
    modeBaseUrls: config.MJ_MODES,
    retryDelaysMs: overrides.proxyRetryDelaysMs,
    health: new ProxyHealth(5, 30_000, now),
  });
  const stores: Stores = createStores(config.STORE_URL, { prefix: overrides.storePrefix, logger });
  const poster = new Poster({
    rest: client.rest,
    applicationId: config.DISCORD_APP_ID,
    logger,
    now,
    resultMaxBytes: config.RESULT_MAX_BYTES,
    downloadTimeoutMs: config.PROXY_TIMEOUT_MS,
  });
  const tracker = new Tracker({
    tasks: stores.tasks,
    poster,
    logger,
    now,
    deadlineMs: config.TASK_DEADLINE_MS,
    editMinIntervalMs: config.EDIT_MIN_INTERVAL_MS,
    applicationId: config.DISCORD_APP_ID,
  });
  const poller = new Poller({
    proxy,
    tasks: stores.tasks,
    settings: stores.settings,
    tracker,
    logger,
    now,
    batchSize: config.LIST_BATCH_SIZE,
    concurrency: config.FETCH_CONCURRENCY,
  });
  const ctx: AppContext = { config, proxy, stores, tracker, poller, logger, now };
  const route = createRouter(overrides.commands ?? defaultCommands, ctx);
  client.on(Events.InteractionCreate, (interaction) => void route(interaction));
  client.on(Events.Error, (err) => logger.error('discord client error', { err }));

  return {
    ...ctx,
    client,
    async start() {
      const ready = once(client, Events.ClientReady);
      await client.login(config.DISCORD_TOKEN);
      await ready;
      logger.info('logged in', { user: client.user?.tag });
      if (overrides.autoPoll !== false) poller.start(config.POLL_INTERVAL_MS);
    },
    async stop() {
      await poller.stop();
      await client.destroy();
      await proxy.close();
      await stores.close();
    },
  };
}
