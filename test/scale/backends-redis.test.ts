// Several backends and several processes on one Redis: a job's record names its backend, so the
// process that takes the job over polls it on that backend alone, and a click handled by yet
// another process goes there too. Two fake proxies, one fake Discord, the machine's Redis under a
// key prefix removed afterwards.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { App } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { startFakeDiscord, type FakeDiscord } from '../../stand-ins/fake-discord.ts';
import { startFakeProxy, type FakeProxy } from '../../stand-ins/fake-proxy.ts';
import { API_KEY } from '../helpers/harness.ts';
import { TEST_REDIS_URL, removeKeys } from '../helpers/redis.ts';
import { trackedBy, startBot } from './helpers.ts';

let discord: FakeDiscord;
let a: FakeProxy;
let b: FakeProxy;
let config: Config;
let prefix: string;
const apps: App[] = [];

beforeEach(async () => {
  discord = await startFakeDiscord();
  a = await startFakeProxy({ apiKey: API_KEY, advance: 'manual' });
  b = await startFakeProxy({ apiKey: API_KEY, advance: 'manual' });
  prefix = `mjbot-backends-${process.pid}-${Date.now()}`;
  config = loadConfig({
    DISCORD_TOKEN: discord.token,
    DISCORD_APP_ID: discord.appId,
    DISCORD_API_URL: discord.apiBase,
    MJ_BACKENDS: JSON.stringify([
      { name: 'a', baseUrl: a.baseUrl, apiKey: API_KEY },
      { name: 'b', baseUrl: b.baseUrl, apiKey: API_KEY },
    ]),
    STORE_URL: TEST_REDIS_URL,
    EDIT_MIN_INTERVAL_MS: '0',
    PROXY_TIMEOUT_MS: '3000',
    LOG_LEVEL: 'warn',
  });
});

afterEach(async () => {
  for (const app of apps.splice(0)) await app.stop().catch(() => undefined);
  await discord.close();
  await a.close();
  await b.close();
  await removeKeys(prefix);
});

async function bot(gateway: boolean): Promise<App> {
  return startBot(config, { prefix, gateway, secrets: [API_KEY, discord.token], apps });
}

const taskCalls = (p: FakeProxy) => p.requests.filter((r) => (r.route ?? '').startsWith('/mj/task/') || r.route === '/mj/submit/action');

describe('several backends on one Redis', () => {
  it('a job started on a is polled on a by the process that takes it over, and its buttons go to a from a third', async () => {
    const first = await bot(true);
    const worker = await bot(false);
    const cmd = discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: 'fox on a' }]);
    const id = await trackedBy(first, cmd.token, 'fox on a');
    expect((await worker.stores.tasks.get(id))?.backend).toBe('a');

    // The first process stops cleanly (its leases given up): the worker takes the job over, on a.
    await first.stop();
    apps.splice(apps.indexOf(first), 1);
    const bBefore = taskCalls(b).length;
    a.finish(id);
    await worker.poller.tick();
    const grid = await discord.waitForMessage((m) => m.components.length === 3 && m.components[0].components[0].custom_id.includes(id));
    expect(await worker.stores.tasks.activeIds()).toEqual([]);

    // Yet another process answers the click: /submit/action goes to a.
    await bot(true);
    const action = a.nextRequest((r) => r.route === '/mj/submit/action');
    discord.clickButton(grid.id, grid.components[0].components[0].custom_id);
    expect((await action).body.taskId).toBe(id);
    expect(taskCalls(b).length).toBe(bBefore);
    expect(taskCalls(b)).toEqual([]);
  });

  it('a circuit one process opened is skipped by the other for new jobs, and shared again once the backend answers', async () => {
    const first = await bot(true);
    const other = await bot(false);
    const cmd = discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: 'fox before the fault' }]);
    const id = await trackedBy(first, cmd.token, 'fox before the fault');
    expect((await first.stores.tasks.get(id))?.backend).toBe('a');
    a.setQuirks({ status5xx: 502 });
    // Each pass reads once and retries twice: five failures in a row open a's breaker in the first process.
    for (let pass = 0; pass < 3 && first.proxy.circuits().a !== 'open'; pass++) await first.poller.tick();
    expect(first.proxy.circuits()).toEqual({ a: 'open', b: 'closed' });
    expect(other.proxy.circuits()).toEqual({ a: 'closed', b: 'closed' });

    // The other process has seen nothing fail, and still sends its new job to b, not a.
    const aSubmits = a.requests.filter((r) => r.route === '/mj/submit/imagine').length;
    const outcomes = [await other.proxy.submitImagine({ prompt: 'one' }), await other.proxy.submitImagine({ prompt: 'two' })];
    expect(outcomes.map((o) => o.backend)).toEqual(['b', 'b']);
    expect(a.requests.filter((r) => r.route === '/mj/submit/imagine').length).toBe(aSubmits);

    // a answers again: the first process's next read closes its breaker, and the other routes there again.
    a.setQuirks({ status5xx: null });
    a.finish(id);
    await first.poller.tick();
    expect(first.proxy.circuits().a).toBe('closed');
    await vi.waitFor(async () => expect((await other.proxy.submitImagine({ prompt: 'three' })).backend).toBe('a'), { timeout: 2000, interval: 50 });
  });
});
