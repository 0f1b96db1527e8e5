// Shared steps of the scale tests: start jobs through the real /imagine and wait until tracked.
import { vi } from 'vitest';
import type { Harness } from '../helpers/harness.ts';
import type { App } from '../../src/app.ts';
import type { Interaction } from '../../stand-ins/fake-discord.ts';

/** Sends /imagine and resolves with the id of the task the app started tracking. */
export async function imagine(h: Harness, prompt: string, app: App = h.app): Promise<{ id: string; token: string; it: Interaction }> {
  const before = new Set(await app.stores.tasks.activeIds());
  const it = h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: prompt }]);
  // `app` may be another process than h.app: waits on its store directly.
  const id = await vi.waitFor(
    async () => {
      const [first] = (await app.stores.tasks.activeIds()).filter((x) => !before.has(x));
      if (!first) throw new Error(`not tracked: ${prompt}`);
      return first;
    },
    { timeout: 5000, interval: 10 },
  );
  return { id, token: it.token, it };
}

/** Successful PATCHes of one interaction's messages, oldest first. */
export function editsOf(h: Harness, token: string) {
  return h.discord.calls.filter((c) => c.method === 'PATCH' && c.path.startsWith(`/webhooks/${h.discord.appId}/${token}/`) && c.status < 300);
}

/** Proxy reads (list-by-condition and fetch) recorded since `from`. */
export function readsSince(h: Harness, from: number) {
  return h.proxy.requests.slice(from).filter((r) => r.route === '/mj/task/list-by-condition' || /\/fetch$/.test(r.route ?? ''));
}

/** A free TCP port on 127.0.0.1 (for a notifyHook URL that must be known before the app starts). */
export async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
