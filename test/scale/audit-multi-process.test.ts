// The audit channel with two processes on one Redis: an admin's choice, made through one process,
// decides at once where the other process posts the lines of the jobs it follows (the channel is
// read from the store for every line, never cached). Two real apps against one fake Discord and one
// fake proxy, on the machine's Redis under a key prefix removed afterwards.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { startFakeDiscord, type FakeDiscord } from '../../stand-ins/fake-discord.ts';
import { startFakeProxy, type FakeProxy } from '../../stand-ins/fake-proxy.ts';
import { API_KEY, whenReported } from '../helpers/harness.ts';
import { TEST_REDIS_URL, removeKeys } from '../helpers/redis.ts';
import { startBot } from './helpers.ts';

let discord: FakeDiscord;
let proxy: FakeProxy;
let config: Config;
let prefix: string;
const apps: App[] = [];

beforeEach(async () => {
  discord = await startFakeDiscord();
  proxy = await startFakeProxy({ apiKey: API_KEY, advance: 'manual' });
  prefix = `mjbot-audit-${process.pid}-${Date.now()}`;
  config = loadConfig({
    DISCORD_TOKEN: discord.token,
    DISCORD_APP_ID: discord.appId,
    DISCORD_API_URL: discord.apiBase,
    MJ_BASE_URL: proxy.baseUrl,
    MJ_API_KEY: API_KEY,
    STORE_URL: TEST_REDIS_URL,
    EDIT_MIN_INTERVAL_MS: '0',
    PROXY_TIMEOUT_MS: '3000',
    LOG_LEVEL: 'warn',
  });
});

afterEach(async () => {
  for (const app of apps.splice(0)) await app.stop().catch(() => undefined);
  await discord.close();
  await proxy.close();
  await removeKeys(prefix);
});

/** A bot process; only the first connects to the gateway (one fake Discord sends every interaction to every session). */
async function bot(gateway: boolean): Promise<App> {
  return startBot(config, { prefix, gateway, secrets: [API_KEY, discord.token], apps });
}

/** Once `app` reported the interaction handled (asked right after sending it: the gateway delivers it later). */
function handled(app: App, it: { id: string }): Promise<void> {
  return new Promise((resolve) => {
    const on = (e: { interactionId: string }) => {
      if (e.interactionId !== it.id) return;
      app.events.off('handled', on);
      resolve();
    };
    app.events.on('handled', on);
  });
}

/** Bob (Manage Server) picks `value` in the server panel's `customId` control, through `app`. */
async function adminPick(app: App, customId: string, values: string[] | null): Promise<void> {
  const bob = discord.users.bob;
  const open = discord.sendSlashCommand('settings', [{ name: 'scope', type: 3, value: 'server' }], { user: bob });
  await handled(app, open);
  const panel = discord.originalOf(open).id;
  const it = values ? discord.selectMenu(panel, customId, values, { user: bob }) : discord.clickButton(panel, customId, { user: bob });
  await handled(app, it);
}

/** `app` follows a job of its own (as a process with its own gateway shard would) and sees it to its end. */
async function jobOn(app: App, prompt: string): Promise<void> {
  const id = proxy.addTask({ timeline: 'success' });
  await app.tracker.track({
    outcome: { kind: 'accepted', taskIds: [id] },
    kind: 'imagine',
    prompt,
    ownerId: discord.users.alice.id,
    locale: 'en-US',
    guildId: discord.guildId,
    channelId: discord.channelId,
    interactionToken: null,
    interactionAt: Date.now(),
    messageId: null,
  });
  proxy.finish(id);
  const finished = whenReported(app.events, ['finished'], async () => (await app.stores.tasks.activeIds()).length === 0, `${prompt} finished`, 5000);
  await app.poller.tick();
  await finished;
  await app.audit.idle();
}

const linesIn = (channelId: string) => discord.channelMessages(channelId).map((m) => m.content);

describe('the audit channel on two processes', () => {
  it('chosen, cleared and changed through one process: the other posts where the store says, at once', async () => {
    const a = await bot(true);
    const b = await bot(false);
    const first = discord.addChannel('audit-one');
    await adminPick(a, 'mj:set:o:aud', [first]);

    await jobOn(b, 'fox from b');
    expect(linesIn(first).filter((l) => l.includes('fox from b'))).toHaveLength(1);

    await adminPick(a, 'mj:set:o:audclear', null);
    await a.audit.idle();
    const before = linesIn(first).length;
    await jobOn(b, 'unseen fox');
    expect(linesIn(first)).toHaveLength(before);

    const second = discord.addChannel('audit-two');
    await adminPick(a, 'mj:set:o:aud', [second]);
    await jobOn(b, 'fox two');
    expect(linesIn(second).filter((l) => l.includes('fox two'))).toHaveLength(1);
    expect(linesIn(first).some((l) => l.includes('fox two') || l.includes('unseen'))).toBe(false);
  });
});
