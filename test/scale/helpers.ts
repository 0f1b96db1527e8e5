// Shared steps of the scale tests: start jobs through the real /imagine and wait until tracked.
import { whenReported, type Harness } from '../helpers/harness.ts';
import { createApp, type App } from '../../src/app.ts';
import type { Config } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import type { Interaction } from '../../stand-ins/fake-discord.ts';

/** Sends /imagine and resolves with the id of the task the app started tracking, once the command is done. */
export async function imagine(h: Harness, prompt: string): Promise<{ id: string; token: string; it: Interaction }> {
  const it = h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: prompt }]);
  const id = await trackedBy(h.app, it.token, prompt);
  // Done, too: until then its reservation counts against the running-jobs limit beside its saved record.
  await h.handled(it);
  return { id, token: it.token, it };
}

/** The task `app` tracks for the interaction with this token, once saved (checked at each of its `tracked` events). */
export function trackedBy(app: App, token: string, what: string): Promise<string> {
  const mine = async () => (await app.stores.tasks.activeIds()).find((id) => app.tracker.live(id)?.interactionToken === token);
  return whenReported(app.events, ['tracked'], mine, `the job of ${what} tracked`, 5000);
}

/** Successful PATCHes of one interaction's messages, oldest first. */
export function editsOf(h: Harness, token: string) {
  return h.discord.calls.filter((c) => c.method === 'PATCH' && c.path.startsWith(`/webhooks/${h.discord.appId}/${token}/`) && c.status < 300);
}

/** Proxy reads (list-by-condition and fetch) recorded since `from`. */
export function readsSince(h: Harness, from: number) {
  return h.proxy.requests.slice(from).filter((r) => r.route === '/mj/task/list-by-condition' || /\/fetch$/.test(r.route ?? ''));
}

/**
 * A free TCP port on 127.0.0.1 for a server that must be known before the app starts (a notifyHook URL).
 * Taken below the kernel's ephemeral range: a port there found free may be given to an outgoing
 * connection (Redis, undici, another worker's) before the app listens on it (EADDRINUSE in a CI run).
 * Each vitest worker has its own block of 1,000, so two workers never pick the same one.
 */
export async function freePort(): Promise<number> {
  const net = await import('node:net');
  const listenable = (port: number) =>
    new Promise<number | null>((resolve) => {
      const s = net.createServer();
      s.once('error', () => resolve(null));
      s.listen(port, '127.0.0.1', () => {
        const got = (s.address() as { port: number }).port;
        s.close(() => resolve(got));
      });
    });
  const ephemeralFrom = await ephemeralLow();
  const base = 20_000 + ((Number(process.env.VITEST_POOL_ID ?? 1) - 1) % 10) * 1_000;
  if (ephemeralFrom < base + 1_000) return (await listenable(0))!; // no room below: the kernel's choice
  for (let i = 0; i < 1_000; i++) {
    const port = await listenable(base + (nextPort++ % 1_000));
    if (port) return port;
  }
  throw new Error(`no free port in ${base}..${base + 999}`);
}
let nextPort = 0;

async function ephemeralLow(): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const text = await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').catch(() => '');
  return Number(text.trim().split(/\s+/)[0]) || 0;
}

/** A bot process on the test's shared store (`prefix`), polling only when told; kept in `apps` for the clean-up. */
export async function startBot(config: Config, o: { prefix: string; gateway: boolean; secrets: string[]; apps: App[] }): Promise<App> {
  const app = createApp(config, {
    storePrefix: o.prefix,
    autoPoll: false,
    gateway: o.gateway,
    proxyRetryDelaysMs: [5, 10],
    logger: createLogger({ level: 'warn', secrets: o.secrets, write: () => undefined }),
  });
  await app.start();
  o.apps.push(app);
  return app;
}
