// The fake Discord's global rate limit, as Discord's: 50 requests a second per bot token, a 429 with
// `global: true`, X-RateLimit-Global and the time left in the window; interaction-token routes are exempt.
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeDiscord, type FakeDiscord } from '../../stand-ins/fake-discord.ts';

const fakes: FakeDiscord[] = [];
afterEach(async () => {
  for (const f of fakes.splice(0)) await f.close();
});

/** These tests post many messages in one channel: its own bucket (5 in 5 s, below) is off unless a test sets it. */
async function fake(opts: Parameters<typeof startFakeDiscord>[0] = {}): Promise<FakeDiscord> {
  const f = await startFakeDiscord({ createLimit: false, ...opts });
  fakes.push(f);
  return f;
}

function post(f: FakeDiscord, n: number): Promise<Response> {
  return fetch(`${f.apiBase}/v10/channels/${f.channelId}/messages`, {
    method: 'POST', headers: { authorization: `Bot ${f.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ content: `post ${n}` }),
  });
}

describe("fake Discord: a channel's bucket for new messages", () => {
  it('takes 5 posts in a channel in 5 s by default, then a 429 of the route (not global) until the window ends; another channel is not held', async () => {
    const f = await startFakeDiscord();
    fakes.push(f);
    const first = await Promise.all(Array.from({ length: 5 }, (_, i) => post(f, i)));
    expect(first.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(first[4]!.headers.get('x-ratelimit-remaining')).toBe('0');
    const sixth = await post(f, 5);
    expect(sixth.status).toBe(429);
    const body = (await sixth.json()) as { global: boolean; retry_after: number };
    expect(body.global).toBe(false);
    expect(body.retry_after).toBeGreaterThan(4);
    expect(sixth.headers.get('x-ratelimit-scope')).toBe('user');
    const other = f.addChannel('other');
    const there = await fetch(`${f.apiBase}/v10/channels/${other}/messages`, {
      method: 'POST', headers: { authorization: `Bot ${f.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ content: 'elsewhere' }),
    });
    expect(there.status).toBe(200);
  });
});

describe('fake Discord: the global limit', () => {
  it('a burst of 60 channel posts in a second: 50 pass, 10 get a global 429 with the time left in the window', async () => {
    const f = await fake();
    const t0 = Date.now();
    const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => post(f, i)));
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeLessThan(1000); // else the burst spanned two windows and proves nothing
    const limited = answers.filter((r) => r.status === 429);
    expect(answers.filter((r) => r.status === 200)).toHaveLength(50);
    expect(limited).toHaveLength(10);
    const r = limited[0]!;
    const body = (await r.json()) as { global: boolean; retry_after: number; message: string };
    expect(body.global).toBe(true);
    expect(r.headers.get('x-ratelimit-global')).toBe('true');
    expect(r.headers.get('x-ratelimit-scope')).toBe('global');
    expect(r.headers.get('x-ratelimit-bucket')).toBeNull();
    const retry = Number(r.headers.get('retry-after'));
    expect(retry).toBe(body.retry_after);
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(1);
    expect(f.globalRateLimitHits).toBe(10);
    expect(f.rateLimitHits).toBe(10);
    // The window closes when retry_after says: the next post passes.
    await new Promise((res) => setTimeout(res, retry * 1000 + 20));
    expect((await post(f, 61)).status).toBe(200);
  });

  it('interaction-token routes are never bound by it, and do not use it up', async () => {
    const f = await fake();
    const it = f.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: 'x' }]);
    // 50 channel posts fill the window …
    const posts = await Promise.all(Array.from({ length: 50 }, (_, i) => post(f, i)));
    expect(posts.every((r) => r.status === 200)).toBe(true);
    // … the interaction's callback and 60 reads of its message through the webhook still pass …
    const cb = await fetch(`${f.apiBase}/v10/interactions/${it.id}/${it.token}/callback`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 4, data: { content: 'hello' } }),
    });
    expect(cb.status).toBe(204);
    const reads = await Promise.all(Array.from({ length: 60 }, () => fetch(`${f.apiBase}/v10/webhooks/${f.appId}/${it.token}/messages/%40original`)));
    expect(reads.map((r) => r.status)).toEqual(Array(60).fill(200));
    // … and the next bot-token request is the 51st of the window.
    const next = await post(f, 51);
    expect(next.status).toBe(429);
    expect(next.headers.get('x-ratelimit-global')).toBe('true');
    expect(f.globalRateLimitHits).toBe(1);
  });

  it('rateLimits: false or globalLimit: false turn it off', async () => {
    for (const opts of [{ rateLimits: false }, { globalLimit: false as const }]) {
      const f = await fake(opts);
      const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => post(f, i)));
      expect(answers.every((r) => r.status === 200)).toBe(true);
    }
  });
});
