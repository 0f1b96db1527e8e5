// Several processes on one Redis: each active task is polled by exactly one of them at a time (a
// lease: SET NX PX, renewed every pass); when the owner dies, another takes its tasks over once
// the lease expires and finishes them, and no state is shown twice. Two real apps against one
// fake Discord and one fake proxy, on the machine's Redis under a key prefix removed afterwards.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { App } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { startFakeDiscord, type FakeDiscord } from '../../stand-ins/fake-discord.ts';
import { startFakeProxy, type FakeProxy } from '../../stand-ins/fake-proxy.ts';
import { API_KEY } from '../helpers/harness.ts';
import { notifyHookUrl } from '../../src/tasks/notify-hook.ts';
import { freePort, trackedBy, startBot } from './helpers.ts';
import { TEST_REDIS_URL, removeKeys } from '../helpers/redis.ts';

const REDIS = TEST_REDIS_URL;
const LEASE_MS = 600;

let discord: FakeDiscord;
let proxy: FakeProxy;
let env: Record<string, string>;
let config: Config;
let prefix: string;
const apps: App[] = [];

beforeEach(async () => {
  discord = await startFakeDiscord();
  proxy = await startFakeProxy({ apiKey: API_KEY, advance: 'manual' });
  prefix = `mjbot-scale-${process.pid}-${Date.now()}`;
  env = {
    DISCORD_TOKEN: discord.token,
    DISCORD_APP_ID: discord.appId,
    DISCORD_API_URL: discord.apiBase,
    MJ_BASE_URL: proxy.baseUrl,
    MJ_API_KEY: API_KEY,
    STORE_URL: REDIS,
    LEASE_TTL_MS: String(LEASE_MS),
    EDIT_MIN_INTERVAL_MS: '0',
    PROXY_TIMEOUT_MS: '3000',
    LOG_LEVEL: 'warn',
  };
  config = loadConfig(env);
});

afterEach(async () => {
  for (const app of apps.splice(0)) await app.stop().catch(() => undefined);
  await discord.close();
  await proxy.close();
  await removeKeys(prefix, REDIS);
});

/** A bot process; only the first connects to the gateway (one fake Discord sends every interaction to every session). */
async function bot(gateway: boolean, cfg: Config = config): Promise<App> {
  return startBot(cfg, { prefix, gateway, secrets: [API_KEY, discord.token], apps });
}

async function imagine(app: App, prompt: string) {
  const it = discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: prompt }]);
  const id = await trackedBy(app, it.token, prompt);
  await held(app, id);
  return { id, token: it.token };
}

/** Once `app`'s poller holds the task's lease (no event for this: the claim follows `tracked` and is not reported). */
async function held(app: App, id: string) {
  await vi.waitFor(() => expect(app.poller.heldIds()).toContain(id), { timeout: 5000, interval: 10 });
}

/** `app` follows a task of its own (as a process with its own gateway shard would), once it holds its lease. */
async function followOwn(app: App, prompt: string, timeline: 'success' | 'queued'): Promise<string> {
  const id = proxy.addTask({ timeline });
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
  await held(app, id);
  return id;
}

/** Ids each list-by-condition call made during `fn` asked about. */
async function listedDuring(fn: () => Promise<unknown>): Promise<string[]> {
  const from = proxy.requests.length;
  await fn();
  return proxy.requests.slice(from).filter((r) => r.route === '/mj/task/list-by-condition').flatMap((r) => r.body.ids as string[]);
}

/** What each edit of a job's message showed, in order. */
function shownStates(token: string): string[] {
  return discord.calls
    .filter((c) => c.method === 'PATCH' && c.path.startsWith(`/webhooks/${discord.appId}/${token}/`) && c.status < 300)
    .map((c) => JSON.stringify([c.json?.content, c.json?.embeds, c.json?.components]));
}

// Real time: a lease expires on Redis's own clock (PX), which no fake clock of ours moves.
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('several processes on one Redis', () => {
  it('each task is polled by one process; when it dies the other takes over after the lease and finishes, showing no state twice', async () => {
    const a = await bot(true);
    const b = await bot(false);
    const jobs = [await imagine(a, 'fox one'), await imagine(a, 'fox two'), await imagine(a, 'fox three')];
    const ids = jobs.map((j) => j.id).sort();

    // Both alive: A polls every task, B none.
    for (let round = 0; round < 2; round++) {
      expect((await listedDuring(() => a.poller.tick())).sort()).toEqual(ids);
      expect(await listedDuring(() => b.poller.tick())).toEqual([]);
    }
    for (const j of jobs) proxy.advance(j.id); // 15%
    await a.poller.tick();
    for (const p of ['fox one', 'fox two', 'fox three']) await discord.waitForMessage((m) => /\(15%\)/.test(m.content) && m.content.includes(p));

    await a.stop({ release: false }); // a crash: its leases stay until they expire
    expect(await listedDuring(() => b.poller.tick())).toEqual([]);
    await sleep(LEASE_MS + 200);

    // B takes over. Nothing changed at the proxy: nothing is edited again.
    const editsBefore = jobs.map((j) => shownStates(j.token).length);
    expect((await listedDuring(() => b.poller.tick())).sort()).toEqual(ids);
    expect(jobs.map((j) => shownStates(j.token).length)).toEqual(editsBefore);

    for (const j of jobs) proxy.advance(j.id); // 46%
    await b.poller.tick();
    for (const j of jobs) proxy.finish(j.id);
    await b.poller.tick();
    expect(await b.stores.tasks.activeIds()).toEqual([]);
    for (const j of jobs) {
      const states = shownStates(j.token);
      expect(new Set(states).size).toBe(states.length);
      expect(states).toHaveLength(4); // Submitted, 15%, 46%, the grid
      expect(JSON.parse(states.at(-1)!)[2]).toHaveLength(3);
    }
  });

  it('a clean stop gives the leases up: the other process takes over at once', async () => {
    const a = await bot(true);
    const b = await bot(false);
    const job = await imagine(a, 'handed over');
    await a.poller.tick();
    await a.stop();
    expect(await listedDuring(() => b.poller.tick())).toEqual([job.id]);
    expect(b.poller.heldIds()).toEqual([job.id]);
  });

  it("a clean stop keeps the lease of a task whose result is still on its way: the other process does not show it again", async () => {
    const a = await bot(true);
    const b = await bot(false);
    const job = await imagine(a, 'result in flight');
    await a.poller.tick();
    // The result's files are held at the proxy: the final view is on its way (finishing), the store still says active.
    proxy.setQuirks({ holdMedia: true });
    proxy.finish(job.id);
    const ticked = a.poller.tick();
    await vi.waitFor(() => expect(a.tracker.finishing(job.id)).toBe(true), { timeout: 5000, interval: 10 });
    const stopped = a.poller.stop();
    await stopped;
    // Released, B would adopt the task from the store at once and show its result a second time.
    expect(await listedDuring(() => b.poller.tick())).toEqual([]);
    proxy.setQuirks({ holdMedia: false });
    await ticked;
    await a.tracker.resultsOut();
    await sleep(LEASE_MS + 200);
    // The lease gone, the store says the job ended: nothing left to take over.
    expect(await listedDuring(() => b.poller.tick())).toEqual([]);
    const finals = shownStates(job.token).filter((st) => JSON.parse(st)[2]?.length === 3);
    expect(finals).toHaveLength(1);
  });

  it('a process that stalled past its lease lets go of the tasks taken over meanwhile', async () => {
    const a = await bot(true);
    const b = await bot(false);
    const job = await imagine(a, 'stalled owner');
    await a.poller.tick();
    await sleep(LEASE_MS + 200); // A does not renew in time
    expect(await listedDuring(() => b.poller.tick())).toEqual([job.id]);
    expect(await listedDuring(() => a.poller.tick())).toEqual([]);
    expect(a.tracker.live(job.id)).toBeUndefined();

    proxy.advance(job.id);
    await a.poller.tick();
    await b.poller.tick();
    proxy.finish(job.id);
    await a.poller.tick();
    await b.poller.tick();
    const states = shownStates(job.token);
    expect(new Set(states).size).toBe(states.length);
    expect(states).toHaveLength(3); // Submitted, 15%, the grid
  });

  it('a pass that runs longer than the lease keeps it: the other process does not take the task over mid-pass', async () => {
    const a = await bot(true);
    const b = await bot(false);
    const job = await imagine(a, 'slow pass');
    await a.poller.tick();
    proxy.setQuirks({ slowMs: LEASE_MS * 2 }); // every read answers after two leases' time
    const pass = a.poller.tick();
    await sleep(LEASE_MS + 300); // past the lease taken at the pass's start
    expect(await listedDuring(() => b.poller.tick())).toEqual([]);
    expect(b.poller.heldIds()).toEqual([]);
    await pass;
    proxy.setQuirks({ slowMs: 0 });
    expect(a.poller.heldIds()).toEqual([job.id]);
  });

  it('tasks started on either side are polled by the side that started them', async () => {
    const a = await bot(true);
    const b = await bot(false);
    const fromA = await imagine(a, 'from a');
    // B starts following a task of its own (as a process with its own gateway shard would).
    const idB = await followOwn(b, 'from b', 'success');
    expect(await listedDuring(() => a.poller.tick())).toEqual([fromA.id]);
    expect(await listedDuring(() => b.poller.tick())).toEqual([idB]);
  });

  it('the head of the queue is shared: each process polls fast only its part of one batch', async () => {
    // LIST_BATCH_SIZE 4; the queue behind the head is not due within the test. Each process holds
    // four of the eight queued tasks: its part of the head is two (each taking a whole batch of
    // its own polled eight fast where one process polls four).
    const cfg = loadConfig({ ...env, LIST_BATCH_SIZE: '4', POLL_INTERVAL_MS: '1000', POLL_QUEUED_INTERVAL_MS: '60000', LEASE_TTL_MS: '60000' });
    const a = await bot(true, cfg);
    const b = await bot(false, cfg);
    const follow = (app: App, prompt: string) => followOwn(app, prompt, 'queued');
    const mine = new Map<App, string[]>([[a, []], [b, []]]);
    for (let i = 0; i < 4; i++) for (const app of [a, b]) mine.get(app)!.push(await follow(app, `queued ${i}`));
    await Promise.all([a.poller.tick(), b.poller.tick()]); // first sight; both read the index
    await sleep(1000);
    await Promise.all([a.poller.runDue(), b.poller.runDue()]); // all new at their last poll: all due
    await sleep(1000);
    for (const app of [a, b]) {
      // Its two oldest, no more (the index and the held set are in age order).
      expect((await listedDuring(() => app.poller.runDue())).sort()).toEqual(mine.get(app)!.slice(0, 2).sort());
    }
  });

  it('a notifyHook callback that reaches the other process is relayed to the task\'s owner', async () => {
    const SECRET = 'relay-secret-0123456789abcdef';
    const withHook = (port: number) =>
      loadConfig({ ...env, NOTIFY_HOOK_URL: `http://127.0.0.1:${port}/mj-hook`, NOTIFY_HOOK_SECRET: SECRET, NOTIFY_HOOK_HOST: '127.0.0.1', NOTIFY_HOOK_PORT: String(port) });
    const [portA, portB] = [await freePort(), await freePort()];
    const a = await bot(true, withHook(portA));
    const b = await bot(false, withHook(portB));
    const job = await imagine(a, 'relayed fox');
    await a.poller.tick();
    await a.poller.settleHints();
    const before = a.poller.stats.hintProxyCalls;
    // The proxy calls the hook behind a load balancer: this time it lands on B.
    proxy.tasks.get(job.id)!.notifyHook = notifyHookUrl(`http://127.0.0.1:${portB}/mj-hook`, SECRET);
    proxy.advance(job.id);
    await discord.waitForMessage((m) => /\(15%\)/.test(m.content) && m.content.includes('relayed fox'));
    await Promise.all([a.poller.settleHints(), b.poller.settleHints()]);
    expect(b.poller.stats.hintsRelayed).toBe(1);
    expect(b.poller.stats.hintProxyCalls).toBe(0);
    expect(a.poller.stats.hintProxyCalls - before).toBe(1);
  });
});
