// The playground: the real app (createApp, the same commands, a real discord.js client) logged into
// the fake Discord, talking to the simulated midjourney-proxy (or to a real backend), and a web
// page plus a JSON control API to use it as a Discord channel would be used. 127.0.0.1 only.
//
//   const pg = await startPlayground({ port: 0 });   // pg.url → http://127.0.0.1:PORT/
//   ... drive it from a browser or through pg.url + 'api/…' ...
//   await pg.close();
import { REST, Routes } from 'discord.js';
import { commandDefinitions, commands as defaultCommands } from '../../commands/index.ts';
import type { Command } from '../../commands/types.ts';
import { createApp, type App } from '../../src/app.ts';
import { CONFIG_KEYS, loadConfig, type Config } from '../../src/config.ts';
import { createLogger, type Logger } from '../../src/logger.ts';
import { Control, type SimulatedBackend } from './control.ts';
import { startFakeDiscord, type FakeDiscord, type FakeDiscordOptions } from '../fake-discord.ts';
import { startFakeProxy, type FakeProxy } from '../fake-proxy.ts';
import { startWebServer, type WebServer } from './web-server.ts';

/** The server's text channels besides #general, in the sidebar's order. */
export const PLAYGROUND_CHANNELS = ['gallery', 'audit'] as const;

/** The simulated proxy's key (it only answers requests that carry it, as a real one would). */
const SIMULATED_KEY = 'playground-key';

export interface RealBackend {
  baseUrl: string;
  apiKey: string;
}

export interface PlaygroundOptions {
  /** Web page and control API port on 127.0.0.1; 0 picks a free one. Default 0. */
  port?: number;
  /** Address the page listens on. Default 127.0.0.1 (in a container: 0.0.0.0, published on the host's 127.0.0.1). */
  host?: string;
  /** SQLite file of the bot's store. Default data/playground.sqlite. */
  storePath?: string;
  /** A real midjourney-proxy; without it the simulated one runs. */
  backend?: RealBackend;
  /**
   * Simulated only: 2 runs two simulated proxies as the bot's backends, `default` and `relay-b`
   * (MJ_BACKENDS, built here), and the Backend menu can take either down. Default 1 (MJ_BASE_URL).
   */
  simulatedBackends?: 1 | 2;
  /** Other bot settings (any config key but the Discord ones and STORE_URL), e.g. MJ_AUTH_STYLE, LOG_LEVEL. */
  env?: Record<string, string | undefined>;
  /** The simulated proxy moves every job one step (submitted → 15% → 46% → 78% → done) this often. Default 1500 ms. */
  stepMs?: number;
  /** The bot's POLL_INTERVAL_MS. Default 1000. */
  pollIntervalMs?: number;
  /** The slash commands (default: the registry, commands/index.ts). */
  commands?: readonly Command[];
  /** The Discord stand-in's options (tests turn its rate limits off to go faster). */
  discord?: FakeDiscordOptions;
  /** Where the bot's log lines go. Default stderr, level from env LOG_LEVEL or 'info'. */
  logger?: Logger;
}

export type BotStatus = 'online' | 'restarting' | 'stopped';

export interface Playground {
  /** 'http://127.0.0.1:PORT/' */
  url: string;
  discord: FakeDiscord;
  /** The simulated proxy (undefined with a real backend); with two backends, `default`'s. */
  proxy?: FakeProxy;
  /** With two simulated backends: each one's name and proxy (`default`, `relay-b`). */
  backends?: SimulatedBackend[];
  control: Control;
  readonly app: App;
  readonly status: BotStatus;
  config: Config;
  /** Stops the bot (as a crash or a deploy would: tasks stay in the store) and starts a new one on the same store. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** Config keys the playground sets itself; the rest may come from `env`. */
const OWN_KEYS = new Set(['DISCORD_TOKEN', 'DISCORD_APP_ID', 'DISCORD_GUILD_ID', 'DISCORD_API_URL', 'STORE_URL']);
const BACKEND_KEYS = new Set(['MJ_BASE_URL', 'MJ_API_KEY', 'MJ_AUTH_STYLE', 'MJ_MODES', 'MJ_BACKENDS']);
/** The second simulated backend's name (the first is `default`, as MJ_BASE_URL's is). */
export const SECOND_BACKEND = 'relay-b';
const SIMULATED_MODES = ['fast', 'relax', 'turbo'] as const;

export async function startPlayground(opts: PlaygroundOptions = {}): Promise<Playground> {
  const env = opts.env ?? {};
  const discord = await startFakeDiscord({ botUsername: 'mjbot', ...opts.discord });
  // More text channels than #general: an admin picks #gallery in /settings (Share posts there),
  // #audit is there for the admin side's log. Added before the bot logs in: GUILD_CREATE lists them.
  for (const name of PLAYGROUND_CHANNELS) discord.addChannel(name);
  // A role besides @everyone, so /settings → Limits & access has one to choose.
  discord.addRole('artists');
  let proxy: FakeProxy | undefined;
  let second: FakeProxy | undefined;
  let web: WebServer | undefined;
  let app: App | undefined;
  try {
    const passed = Object.fromEntries(
      CONFIG_KEYS.filter((k) => !OWN_KEYS.has(k) && !(BACKEND_KEYS.has(k) && !opts.backend) && env[k] !== undefined).map((k) => [k, env[k]]),
    );
    let backend: Record<string, string>;
    if (opts.backend) {
      backend = { MJ_BASE_URL: opts.backend.baseUrl, MJ_API_KEY: opts.backend.apiKey };
    } else {
      proxy = await startFakeProxy({ apiKey: SIMULATED_KEY, advance: { everyMs: opts.stepMs ?? 1500 }, placeholders: true });
      // The simulated proxy serves speed modes under path prefixes, as relays do: the command gets a mode choice.
      const modes = SIMULATED_MODES.map((m) => `${m}=${proxy!.baseUrl}/mj-${m}`).join(',');
      backend = { MJ_BASE_URL: proxy.baseUrl, MJ_API_KEY: SIMULATED_KEY, MJ_AUTH_STYLE: 'bearer', MJ_MODES: modes };
      if (opts.simulatedBackends === 2) {
        // Two backends, as an operator lists them in MJ_BACKENDS: equal weights, the same speeds.
        second = await startFakeProxy({ apiKey: SIMULATED_KEY, advance: { everyMs: opts.stepMs ?? 1500 }, placeholders: true });
        const entry = (name: string, p: FakeProxy) => ({ name, baseUrl: p.baseUrl, apiKey: SIMULATED_KEY, modes: Object.fromEntries(SIMULATED_MODES.map((m) => [m, `/mj-${m}`])) });
        backend = { MJ_BASE_URL: '', MJ_API_KEY: '', MJ_MODES: '', MJ_BACKENDS: JSON.stringify([entry('default', proxy), entry(SECOND_BACKEND, second)]) };
      }
    }
    let config = loadConfig({
      POLL_INTERVAL_MS: String(opts.pollIntervalMs ?? 1000),
      EDIT_MIN_INTERVAL_MS: '500',
      // /healthz, /readyz and /metrics on a free port of 127.0.0.1 (HEALTH_PORT picks one).
      HEALTH_PORT: '0',
      // "+20 min" (docs/playground.md) lets a private job outlive its interaction token; the job itself may take an hour.
      TASK_DEADLINE_MS: String(60 * 60_000),
      ...passed,
      ...backend,
      DISCORD_TOKEN: discord.token,
      DISCORD_APP_ID: discord.appId,
      DISCORD_API_URL: discord.apiBase,
      STORE_URL: `sqlite://${opts.storePath ?? 'data/playground.sqlite'}`,
    });
    const logger = opts.logger ?? createLogger({ level: config.LOG_LEVEL, format: config.LOG_FORMAT, secrets: [config.MJ_API_KEY, config.DISCORD_TOKEN] });

    // What `npm run deploy-commands` does, against the fake: the page offers what the bot registered.
    const commands = opts.commands ?? defaultCommands;
    const rest = new REST({ api: config.DISCORD_API_URL }).setToken(config.DISCORD_TOKEN);
    await rest.put(Routes.applicationCommands(config.DISCORD_APP_ID), { body: commandDefinitions(commands, config) });

    const build = async (): Promise<App> => {
      // The bot reads the time from the Discord stand-in's clock (real time, plus what "+20 min" skipped):
      // interaction tokens expire on it, as Discord's do.
      const app = createApp(config, { logger, commands, now: () => discord.clock.now() });
      try {
        await app.start();
      } catch (err) {
        await app.stop().catch(() => undefined);
        throw err;
      }
      return app;
    };

    app = await build();
    // A restart keeps the health server's address, so a `curl …/metrics` loop keeps working.
    if (config.HEALTH_PORT === 0 && app.healthServer) config = Object.freeze({ ...config, HEALTH_PORT: app.healthServer.port });
    let status: BotStatus = 'online';
    let restarting: Promise<void> | null = null;
    const backends: SimulatedBackend[] | undefined = proxy && second ? [{ name: 'default', proxy }, { name: SECOND_BACKEND, proxy: second }] : undefined;
    const control = new Control(discord, { simulated: proxy, backends });
    const setStatus = (s: BotStatus) => {
      status = s;
      control.emit({ kind: 'bot', status: s });
    };

    web = await startWebServer({ control, port: opts.port ?? 0, host: opts.host, restart: () => pg.restart(), status: () => status, backend: proxy ? 'simulated' : withoutCredentials(config.MJ_BASE_URL ?? '') });
    const pg: Playground = {
      url: web.url,
      discord,
      proxy,
      backends,
      control,
      config,
      get app() {
        return app!;
      },
      get status() {
        return status;
      },
      restart() {
        restarting ??= (async () => {
          setStatus('restarting');
          try {
            // A bot someone already stopped (a test of "did not respond") is simply started anew.
            await app!.stop().catch((err: unknown) => logger.warn('stopping the bot failed', { err }));
            app = await build();
            setStatus('online');
          } catch (err) {
            setStatus('stopped');
            throw err;
          } finally {
            restarting = null;
          }
        })();
        return restarting;
      },
      async close() {
        await restarting?.catch(() => undefined);
        await web?.close();
        await app?.stop().catch(() => undefined);
        setStatus('stopped');
        await discord.close();
        await proxy?.close();
        await second?.close();
      },
    };
    return pg;
  } catch (err) {
    await web?.close().catch(() => undefined);
    await app?.stop().catch(() => undefined);
    await discord.close().catch(() => undefined);
    await proxy?.close().catch(() => undefined);
    await second?.close().catch(() => undefined);
    throw err;
  }
}

/** A URL as it may be shown on the page: any user:password@ part removed. */
export function withoutCredentials(url: string): string {
  const u = new URL(url);
  u.username = '';
  u.password = '';
  return u.toString().replace(/\/$/, '');
}
