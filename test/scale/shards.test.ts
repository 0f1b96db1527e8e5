// Sharding, discord.js's own: two processes with SHARD_COUNT=2 and SHARD_IDS=0 / 1 on one Redis. The fake
// Discord routes each guild's interactions to the session of its shard ((guild_id >> 22) % 2), as Discord
// does: a job started in one guild reaches only that guild's process, its buttons are answered there too,
// while polling and editing go to whichever process holds the job's lease.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import type { HandledEvent } from '../../src/events.ts';
import { startFakeDiscord, type FakeDiscord } from '../../stand-ins/fake-discord.ts';
import { startFakeProxy, type FakeProxy } from '../../stand-ins/fake-proxy.ts';
import { API_KEY, whenReported } from '../helpers/harness.ts';
import { TEST_REDIS_URL, removeKeys } from '../helpers/redis.ts';
import { trackedBy } from './helpers.ts';

const LEASE_MS = 600;

let discord: FakeDiscord;
let proxy: FakeProxy;
let prefix: string;
const apps: App[] = [];
const handledBy = new Map<App, HandledEvent[]>();

beforeEach(async () => {
  discord = await startFakeDiscord();
  proxy = await startFakeProxy({ apiKey: API_KEY, advance: 'manual' });
  prefix = `mjbot-shards-${process.pid}-${Date.now()}`;
});

afterEach(async () => {
  for (const app of apps.splice(0)) await app.stop().catch(() => undefined);
  handledBy.clear();
  await discord.close();
  await proxy.close();
  await removeKeys(prefix);
});

/** A bot process running the shards `ids` of `count`, logged in to the gateway. */
async function bot(count: string, ids: string): Promise<App> {
  const config = loadConfig({
    DISCORD_TOKEN: discord.token, DISCORD_APP_ID: discord.appId, DISCORD_API_URL: discord.apiBase,
    MJ_BASE_URL: proxy.baseUrl, MJ_API_KEY: API_KEY, STORE_URL: TEST_REDIS_URL, LEASE_TTL_MS: String(LEASE_MS),
    EDIT_MIN_INTERVAL_MS: '0', PROXY_TIMEOUT_MS: '3000', LOG_LEVEL: 'warn', SHARD_COUNT: count, SHARD_IDS: ids,
  });
  const app = createApp(config, {
    storePrefix: prefix, autoPoll: false, proxyRetryDelaysMs: [5, 10],
    logger: createLogger({ level: 'warn', secrets: [API_KEY, discord.token], write: () => undefined }),
  });
  const seen: HandledEvent[] = [];
  handledBy.set(app, seen);
  app.events.on('handled', (e) => seen.push(e));
  await app.start();
  apps.push(app);
  return app;
}

const handled = (app: App, interactionId: string) =>
  whenReported(app.events, ['handled'], () => handledBy.get(app)!.find((e) => e.interactionId === interactionId), `interaction ${interactionId} handled`, 5000);
const saw = (app: App, interactionId: string) => handledBy.get(app)!.some((e) => e.interactionId === interactionId);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms)); // a lease expires on Redis's clock

describe('two processes, two shards, one Redis', () => {
  it('each guild\'s interactions reach the process of its shard; the lease holder polls and edits; a click is answered on its guild\'s shard', async () => {
    const p0 = await bot('2', '0');
    const p1 = await bot('2', '1');
    // Both shards identified, each in a process of its own.
    expect(discord.sessionShards().sort()).toEqual([[0, 2], [1, 2]]);
    // The fake's guild, and one on the other shard.
    const first = { guildId: discord.guildId, channelId: discord.channelId };
    const firstShard = discord.shardOf(first.guildId, 2);
    const second = discord.addGuild('Second', [1 - firstShard, 2]);
    const [onFirst, onSecond] = firstShard === 0 ? [p0, p1] : [p1, p0];
    expect(discord.shardOf(second.guildId, 2)).toBe(1 - firstShard);

    // An /imagine in each guild: handled by its shard's process alone.
    const a = discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: 'first guild fox' }], { channelId: first.channelId });
    const b = discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: 'second guild fox' }], { channelId: second.channelId });
    const [ha, hb] = await Promise.all([handled(onFirst, a.id), handled(onSecond, b.id)]);
    expect([ha.ok, hb.ok]).toEqual([true, true]);
    expect(a.guild_id).toBe(first.guildId);
    expect(b.guild_id).toBe(second.guildId);
    expect(saw(onSecond, a.id)).toBe(false);
    expect(saw(onFirst, b.id)).toBe(false);
    const idA = await trackedBy(onFirst, a.token, 'first guild fox');
    const idB = await trackedBy(onSecond, b.token, 'second guild fox');
    await vi.waitFor(() => expect(onFirst.poller.heldIds()).toContain(idA), { timeout: 5000, interval: 10 });

    // The first guild's process stalls past its lease: the other process takes the job over, polls it and shows its result.
    await sleep(LEASE_MS + 200);
    proxy.finish(idA);
    // Its pass read both jobs (its own guild's and the one taken over). Not heldIds() after it: a job
    // whose result is out by the pass's end gives its lease up (here the pass ends first; not in one CI run).
    const takeover = await onSecond.poller.tick();
    expect(takeover.active).toBe(2);
    expect(onFirst.poller.heldIds()).toContain(idA); // the stalled one has not looked since
    const grid = await discord.waitForMessage((m) => m.components.length === 3 && m.content.includes('first guild fox'));
    const gridEdit = discord.calls.find((c) => c.method === 'PATCH' && c.path.startsWith(`/webhooks/${discord.appId}/${a.token}/`) && c.json?.components?.length === 3);
    expect(gridEdit?.status).toBe(200);

    // U1 on that grid, clicked in the first guild: it arrives on the first guild's shard, and that process answers it.
    const click = discord.clickButton(grid.id, grid.components[0].components[0].custom_id);
    const hc = await handled(onFirst, click.id);
    expect(hc.ok).toBe(true);
    expect(hc.kind).toBe('button');
    expect(saw(onSecond, click.id)).toBe(false);
    const upscale = await trackedBy(onFirst, click.token, 'the upscale');
    expect(upscale).not.toBe(idA);

    // The second guild's job is still its own process's.
    proxy.finish(idB);
    await onSecond.poller.tick();
    await discord.waitForMessage((m) => m.components.length === 3 && m.content.includes('second guild fox'));
    // Every interaction was handled exactly once, all processes together.
    const all = [...handledBy.values()].flat().map((e) => e.interactionId);
    expect(all.sort()).toEqual([a.id, b.id, click.id].sort());
  });

  it('SHARD_COUNT=auto: one process runs the count Discord recommends', async () => {
    await discord.close();
    discord = await startFakeDiscord({ recommendedShards: 2, maxConcurrency: 2 });
    const p = await bot('auto', '');
    expect(discord.sessionShards().sort()).toEqual([[0, 2], [1, 2]]);
    expect(p.client.options.shardCount).toBe(2);
    // An interaction of either shard's guild reaches it.
    const second = discord.addGuild('Second', [1 - discord.shardOf(discord.guildId, 2), 2]);
    const a = discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: 'auto one' }]);
    const b = discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: 'auto two' }], { channelId: second.channelId });
    await Promise.all([handled(p, a.id), handled(p, b.id)]);
  });

  it('the fake gateway closes an IDENTIFY with an impossible shard (4010), as Discord does', async () => {
    const { WebSocket } = await import('ws');
    const ws = new WebSocket(`${discord.gatewayUrl}?v=10&encoding=json`);
    await new Promise((r) => ws.once('message', r)); // HELLO
    ws.send(JSON.stringify({ op: 2, d: { token: discord.token, intents: 0, properties: {}, shard: [2, 2] } }));
    const code = await new Promise<number>((r) => ws.once('close', (c: number) => r(c)));
    expect(code).toBe(4010);
  });
});

describe('SHARD_COUNT and SHARD_IDS', () => {
  const base = { DISCORD_TOKEN: 't', DISCORD_APP_ID: '123456', MJ_BASE_URL: 'http://proxy.local' };
  it('unset: one shard, as before; auto; a count with the ids of this process', () => {
    expect(loadConfig(base).SHARD_COUNT).toBeUndefined();
    expect(loadConfig({ ...base, SHARD_COUNT: 'auto' }).SHARD_COUNT).toBe('auto');
    const c = loadConfig({ ...base, SHARD_COUNT: '4', SHARD_IDS: ' 1, 3 ' });
    expect([c.SHARD_COUNT, c.SHARD_IDS]).toEqual([4, [1, 3]]);
  });
  it('a blank SHARD_COUNT in the environment (as .env.example has it) leaves one shard, and the client starts', async () => {
    // discord.js reads SHARD_COUNT from the environment itself when left at one shard: "" would be 0.
    const before = process.env.SHARD_COUNT;
    process.env.SHARD_COUNT = '';
    try {
      const app = createApp(loadConfig({ ...base, SHARD_COUNT: '', STORE_URL: 'sqlite://:memory:' }), { gateway: false, logger: createLogger({ level: 'error', write: () => undefined }) });
      expect(app.client.options.shardCount).toBe(1);
      await app.stop();
    } finally {
      if (before === undefined) delete process.env.SHARD_COUNT;
      else process.env.SHARD_COUNT = before;
    }
  });
  it('one clear line for each mistake', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig({ ...base, ...env });
        return [];
      } catch (e) {
        return (e as { problems: string[] }).problems;
      }
    };
    expect(problems({ SHARD_COUNT: '0' })).toEqual(['SHARD_COUNT: expected auto or a whole number from 1 to 65536']);
    expect(problems({ SHARD_COUNT: 'two' })).toEqual(['SHARD_COUNT: expected auto or a whole number from 1 to 65536']);
    expect(problems({ SHARD_IDS: '0' })).toEqual(['SHARD_IDS: needs SHARD_COUNT, the number of shards of all processes together']);
    expect(problems({ SHARD_COUNT: 'auto', SHARD_IDS: '0' })).toEqual(['SHARD_IDS: not used with SHARD_COUNT=auto (one process runs every shard); give SHARD_COUNT as a number']);
    expect(problems({ SHARD_COUNT: '2', SHARD_IDS: '0,2' })).toEqual(['SHARD_IDS: every id must be below SHARD_COUNT (2): shards are numbered from 0']);
    expect(problems({ SHARD_COUNT: '2', SHARD_IDS: '0,0' })).toEqual(['SHARD_IDS: a shard id is given more than once']);
    expect(problems({ SHARD_COUNT: '2', SHARD_IDS: '0,x' })).toEqual(['SHARD_IDS: expected shard ids (whole numbers from 0) separated by commas, e.g. 0,1']);
  });
});
