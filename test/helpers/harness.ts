// Starts the real app (real discord.js, real undici, real SQLite or Redis store) against the two
// fakes, with the poll timer off: tests drive time by calling app.poller.tick(). Waits resolve on
// the app's own events (app.events: tracked, edited, finished, handled), not on a timer.
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vi } from 'vitest';
import { createApp, type App } from '../../src/app.ts';
import type { AppEventMap, AppEventName, AppEvents, HandledEvent } from '../../src/events.ts';
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
   * `stopped` runs in between (to change the store as another program would); `env` changes the
   * configuration of the new one (an operator who edited .env between two runs).
   */
  restart(stopped?: () => Promise<void>, env?: Record<string, string>): Promise<App>;
  close(): Promise<void>;
  /**
   * Resolves with `check()`'s first truthy answer, asked now and again each time the app reports
   * one of `events` (from whichever app h.app is: restarts included); fails after `timeoutMs`
   * with "timed out after … waiting for <what>".
   */
  when<T>(events: readonly AppEventName[], check: () => T | Promise<T>, what: string, timeoutMs?: number): Promise<NonNullable<T>>;
  /**
   * For what the app reports no event of (the store's health, a fake's own state): resolves once
   * `cond` holds, checked every 20 ms; else fails like `when`. Say at the call what has no event.
   */
  until(cond: () => unknown, what: string, timeoutMs?: number): Promise<void>;
  /** The store's active index once it holds at least `n` jobs (checked at each `tracked` event: the record is saved by then). */
  tracked(n?: number, timeoutMs?: number): Promise<string[]>;
  /** The first active job not in `except`, once there is one. */
  trackedId(except?: Iterable<string>): Promise<string>;
  /** Once the store's active index is empty (checked at each `finished` event). */
  allFinished(timeoutMs?: number): Promise<void>;
  /** The interaction's callback, once the app answered it (the fake Discord's own wait). */
  answered(interaction: { id: string; token: string }): Promise<any>;
  /** The app's `handled` event of this interaction: its answer given and its work done (or its error reported). */
  handled(interaction: { id: string }, timeoutMs?: number): Promise<HandledEvent>;
  /** The first log line (parsed) that `match` accepts, once the app wrote it (checked at each line written). */
  logged(match: (line: { level: string; msg: string; [k: string]: any }) => boolean, what: string, timeoutMs?: number): Promise<{ level: string; msg: string; [k: string]: any }>;
  /** Every event the app (its every incarnation) reported so far, oldest first. */
  events: { [K in AppEventName]: { name: K; data: AppEventMap[K][0] } }[AppEventName][];
}

const WAIT_MS = 5000;

export interface HarnessOptions {
  env?: Record<string, string>;
  discord?: FakeDiscordOptions;
  proxy?: FakeProxyOptions;
  now?: () => number;
  /**
   * Use the fake Discord's clock as the app's clock too; it is a manual one (standing still until
   * the test advances it), so what the app schedules on it cannot drift with the machine's load.
   */
  sharedClock?: boolean;
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const discord = await startFakeDiscord({ ...(opts.sharedClock ? { clock: 'manual' as const } : {}), ...opts.discord });
  const proxy = await startFakeProxy({ apiKey: API_KEY, advance: 'manual', ...opts.proxy });
  const dir = mkdtempSync(join(tmpdir(), 'mjbot-test-'));
  const baseEnv: Record<string, string> = {
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
  };
  let config = loadConfig(baseEnv);
  const logs: string[] = [];
  // The events of every app this harness started, in one place: a wait outlives a restart.
  const bus = new EventEmitter();
  bus.setMaxListeners(0);
  const seen: Harness['events'] = [];
  const handled = new Map<string, HandledEvent>();
  const names: AppEventName[] = ['tracked', 'edited', 'finished', 'handled'];
  const build = async () => {
    const app = createApp(config, {
      autoPoll: false,
      proxyRetryDelaysMs: [5, 10],
      now: opts.now ?? (opts.sharedClock ? () => discord.clock.now() : undefined),
      logger: createLogger({
        level: 'debug',
        secrets: [API_KEY, discord.token],
        write: (l) => {
          logs.push(l);
          bus.emit('log');
        },
      }),
    });
    for (const name of names) {
      app.events.on(name, (data: any) => {
        seen.push({ name, data });
        if (name === 'handled') handled.set(data.interactionId, data);
        bus.emit(name, data);
      });
    }
    await app.start();
    return app;
  };
  const h: Harness = {
    discord,
    proxy,
    app: await build(),
    config,
    logs,
    async restart(stopped, env) {
      await h.app.stop();
      await stopped?.();
      if (env) h.config = config = loadConfig({ ...baseEnv, ...env });
      h.app = await build();
      return h.app;
    },
    async close() {
      await h.app.stop().catch(() => undefined);
      await discord.close();
      await proxy.close();
      rmSync(dir, { recursive: true, force: true });
    },
    events: seen,
    when: (events, check, what, timeoutMs = WAIT_MS) => whenReported(bus, events, check, what, timeoutMs),
    async until(cond, what, timeoutMs = WAIT_MS) {
      await vi.waitFor(
        async () => {
          if (!(await cond())) throw new Error(`timed out waiting for ${what}`);
        },
        { timeout: timeoutMs, interval: 20 },
      );
    },
    tracked(n = 1, timeoutMs = WAIT_MS) {
      return h.when(['tracked'], async () => {
        const ids = await h.app.stores.tasks.activeIds();
        return ids.length >= n ? ids : undefined;
      }, `${n} tracked job${n === 1 ? '' : 's'}`, timeoutMs);
    },
    trackedId(except = []) {
      const old = new Set(except);
      return h.when(['tracked'], async () => (await h.app.stores.tasks.activeIds()).find((x) => !old.has(x)), old.size ? 'a newly tracked job' : 'a tracked job');
    },
    async allFinished(timeoutMs = WAIT_MS) {
      await h.when(['finished'], async () => (await h.app.stores.tasks.activeIds()).length === 0, 'every job finished', timeoutMs);
    },
    async answered(interaction) {
      await discord.waitForCall((c) => c.path.includes(`/interactions/${interaction.id}/`));
      return discord.callbackOf(interaction);
    },
    logged(match, what, timeoutMs = WAIT_MS) {
      const find = () => logs.map((l) => JSON.parse(l) as { level: string; msg: string }).find(match);
      return whenReported(bus, ['log'], find, what, timeoutMs);
    },
    handled(interaction, timeoutMs = WAIT_MS) {
      return h.when(['handled'], () => handled.get(interaction.id), `the app to handle interaction ${interaction.id}`, timeoutMs);
    },
  };
  return h;
}

/**
 * `check()` now, and again at each of `events` on `bus` (one check at a time; an event during a
 * check asks once more after it), until it answers something truthy or `timeoutMs` passes.
 */
export function whenReported<T>(bus: Pick<EventEmitter, 'on' | 'off'> | AppEvents, events: readonly string[], check: () => T | Promise<T>, what: string, timeoutMs: number): Promise<NonNullable<T>> {
  // Made here, so a timeout points at the test that waited, not at a timer.
  const timeout = new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
  return new Promise((resolve, reject) => {
    let checking = false;
    let again = false;
    let done = false;
    const end = () => {
      done = true;
      clearTimeout(timer);
      for (const e of events) (bus as EventEmitter).off(e, poke);
    };
    const run = async () => {
      if (checking) {
        again = true;
        return;
      }
      checking = true;
      try {
        do {
          again = false;
          const value = await check();
          if (value && !done) {
            end();
            resolve(value as NonNullable<T>);
          }
        } while (again && !done);
      } catch (err) {
        end();
        reject(err);
      } finally {
        checking = false;
      }
    };
    const poke = () => void run();
    for (const e of events) (bus as EventEmitter).on(e, poke);
    const timer = setTimeout(() => {
      end();
      reject(timeout);
    }, timeoutMs);
    void run();
  });
}
