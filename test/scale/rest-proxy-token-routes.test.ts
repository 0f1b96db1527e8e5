// The REST proxy (`npm run rest-proxy`, src/rest-proxy.ts) keeps Discord's global count for the routes Discord
// counts and not for the interaction-token ones: a burst of every process's token edits (jobs' replies edited
// within their 15 minutes) must not hold a channel-route request behind it, as one @discordjs/rest instance
// counting everything against its 50 a second did. The real proxy in front of the fake Discord, which enforces
// the global limit on the routes it binds.
import { afterEach, describe, expect, it } from 'vitest';
import { DefaultRestOptions, REST } from 'discord.js';
import { GLOBAL_GATE, startRestProxy, type RestProxy } from '../../src/rest-proxy.ts';
import { createInteractionRest } from '../../src/discord/rest-agent.ts';
import { startFakeDiscord, type FakeDiscord } from '../../stand-ins/fake-discord.ts';

const EDITS = 300;

let discord: FakeDiscord | undefined;
let restProxy: RestProxy | undefined;
afterEach(async () => {
  await restProxy?.close();
  await discord?.close();
  restProxy = discord = undefined;
});

describe('the REST proxy and the interaction-token routes', () => {
  it(`${EDITS} token edits at once do not hold a channel-route request, and the global limit is never hit`, async () => {
    discord = await startFakeDiscord();
    restProxy = await startRestProxy({ api: discord.apiBase, host: '127.0.0.1', port: 0 });
    // What a bot process runs: its token edits through a REST without the global count, the rest through client.rest.
    const tokenRest = createInteractionRest({ api: restProxy.url, retries: 1 });
    const rest = new REST({ api: restProxy.url, retries: 1 }).setToken(discord.token);

    // EDITS interactions answered through the proxy (their callbacks: Discord counts none of them).
    const tokens: string[] = [];
    const warn = console.warn;
    console.warn = () => undefined; // no gateway session sees these interactions: the test answers them
    try {
      for (let i = 0; i < EDITS; i++) {
        const it = discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: `job ${i}` }]);
        await tokenRest.post(`/interactions/${it.id}/${it.token}/callback`, { body: { type: 4, data: { content: `job ${i}` } }, auth: false });
        tokens.push(it.token);
      }
    } finally {
      console.warn = warn;
    }

    const started = Date.now();
    let answered = 0;
    const edits = tokens.map((token, i) =>
      tokenRest.patch(`/webhooks/${discord!.appId}/${token}/messages/@original`, { body: { content: `job ${i} (50%)` }, auth: false }).then(() => (answered++, Date.now() - started)));
    // A channel route sent once the burst is well under way (more than a window's 50 answered, the rest in
    // the proxy): a ping of a job's result.
    for (const until = Date.now() + 10_000; answered < 60 && Date.now() < until; ) await new Promise((r) => setTimeout(r, 2));
    const pingAt = Date.now();
    const ping = await rest.post(`/channels/${discord.channelId}/messages`, { body: { content: 'done' } }).then(() => Date.now() - pingAt);
    const editMs = await Promise.all(edits);
    const last = Math.max(...editMs);
    console.log(`[rest-proxy] ${EDITS} token edits through the proxy: the last answered after ${last} ms; a channel post sent after ${pingAt - started} ms, behind the rest of them, answered in ${ping} ms`);

    // Every edit reached Discord and none was refused.
    const patched = discord.calls.filter((c) => c.method === 'PATCH' && c.path.startsWith('/webhooks/') && c.status === 200);
    expect(patched).toHaveLength(EDITS);
    expect(discord.rateLimitHits).toBe(0);
    // Counted against 50 a second, the edits alone would take (EDITS - 50) / 50 = 5 s, and the post would
    // wait behind the ones still in the proxy (measured so: the last edit after 5.6 s, the post 5.2 s): here
    // both take a fraction of that, even on a busy machine (alone about 1 s; 2.7 s once while the whole
    // suite ran on a slow host: the bound is under what the count would take, whatever the load).
    expect(last).toBeLessThan(((EDITS - 50) / 50) * 1000 * 0.8);
    expect(ping).toBeLessThan(1500);
  }, 30_000);
});

describe('the REST proxy and the global limit', () => {
  it('spreads the global-bound requests it sends: 120 posts handed over at once reach Discord at most 50 in any second, none refused', async () => {
    discord = await startFakeDiscord();
    // Each request as the proxy lets it go (its makeRequest, behind the spreading).
    const left: number[] = [];
    restProxy = await startRestProxy({ api: discord.apiBase, host: '127.0.0.1', port: 0, makeRequest: (url, init) => (left.push(Date.now()), DefaultRestOptions.makeRequest(url, init)) });
    expect(GLOBAL_GATE).toEqual({ limit: 49, perMs: 1020 });
    const rest = new REST({ api: restProxy.url, retries: 0 }).setToken(discord.token);
    // 40 channels, 3 posts each: no channel's own bucket (5 in 5 s) holds any.
    const channels = Array.from({ length: 40 }, (_, i) => discord!.addChannel(`room-${i}`));
    const from = discord.calls.length;
    await Promise.all(Array.from({ length: 120 }, (_, i) => rest.post(`/channels/${channels[i % 40]}/messages`, { body: { content: `result ${i}` } })));
    const at = discord.calls.slice(from).filter((c) => c.method === 'POST' && c.status === 200).map((c) => c.at).sort((a, b) => a - b);
    expect(at).toHaveLength(120);
    expect(discord.rateLimitHits).toBe(0);
    // @discordjs/rest's own count (50 in a window from its first request) would send 50 at once, then 50 more
    // as its window ends: 100 within a second at Discord. Spread (49 in 1,020 ms by p-throttle's timers, which
    // fire a millisecond either side): at most Discord's 50 in any second as they leave the proxy, and as they
    // reach the fake (its stamps come later on a busy machine, some closer together).
    const most = (times: number[], ms: number) => {
      let n = 0;
      for (let i = 0, j = 0; i < times.length; i++) {
        while (times[i]! - times[j]! >= ms) j++;
        n = Math.max(n, i - j + 1);
      }
      return n;
    };
    expect(left).toHaveLength(120);
    console.log(`[rest-proxy] 120 posts at once: most leaving the proxy in any ${GLOBAL_GATE.perMs} ms ${most(left, GLOBAL_GATE.perMs)}, in any second ${most(left, 1000)}; arriving at the fake in any second ${most(at, 1000)}`);
    expect(most(left, 1000)).toBeLessThanOrEqual(50);
    expect(most(at, 1000)).toBeLessThanOrEqual(50);
    // And no slower than that: 120 at 49 in 1,020 ms go out within about 2.1 s.
    expect(at.at(-1)! - at[0]!).toBeLessThan(3_000);
  }, 20_000);
});

describe('the REST proxy and a request that is no URL', () => {
  it('answers it and stays up (the route is chosen where a failure ends the response, not thrown out of the listener)', async () => {
    discord = await startFakeDiscord();
    const errors: unknown[] = [];
    restProxy = await startRestProxy({ api: discord.apiBase, host: '127.0.0.1', port: 0, onError: (err) => errors.push(err) });
    const { hostname, port } = new URL(restProxy.url);
    const net = await import('node:net');
    // An absolute-form request target with an invalid port: `new URL` throws on it.
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(port), hostname, () => socket.write('GET http://x:99999/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
      let data = '';
      socket.on('data', (d) => (data += d));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 502/);
    expect(errors).toHaveLength(1);
    // Still serving.
    expect((await fetch(`${restProxy.url.replace(/\/api$/, '')}/healthz`)).status).toBe(200);
  });
});

describe('the REST proxy and a request it retries', () => {
  it('sends the body again after a 429 (the edit arrives whole, not refused as empty JSON)', async () => {
    discord = await startFakeDiscord({ editLimit: { count: 2, perMs: 600 } });
    restProxy = await startRestProxy({ api: discord.apiBase, host: '127.0.0.1', port: 0 });
    const direct = new REST({ api: discord.apiBase, retries: 0 }).setToken(discord.token);
    const viaProxy = new REST({ api: restProxy.url, retries: 0 }).setToken(discord.token);
    const msg = (await direct.post(`/channels/${discord.channelId}/messages`, { body: { content: 'first' } })) as { id: string };
    // The channel's edit bucket spent by another client: the proxy does not know it, sends, gets a 429, retries.
    for (const content of ['one', 'two']) await direct.patch(`/channels/${discord.channelId}/messages/${msg.id}`, { body: { content } });
    const hitsBefore = discord.rateLimitHits;
    const edited = (await viaProxy.patch(`/channels/${discord.channelId}/messages/${msg.id}`, { body: { content: 'through the proxy' } })) as { content: string };
    expect(discord.rateLimitHits).toBeGreaterThan(hitsBefore); // it was retried
    expect(edited.content).toBe('through the proxy');
    const calls = discord.calls.filter((c) => c.method === 'PATCH' && c.path.endsWith(`/messages/${msg.id}`));
    expect(calls.map((c) => c.status)).toEqual([200, 200, 429, 200]);
  });
});
