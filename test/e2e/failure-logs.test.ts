// Every backend and Discord failure is logged with its cause: the backend's host (never its URL,
// which may carry a key), the socket's code, the HTTP status, the proxy's code and description,
// the route, and the job; a Discord failure with its code, status, method and route, the
// interaction token taken out of it. No key or token in any line.
import { afterEach, describe, expect, it } from 'vitest';
import { API_KEY, startHarness, type Harness } from '../helpers/harness.ts';
import { freePort, imagine } from '../scale/helpers.ts';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

type Line = { level: string; msg: string; [k: string]: any };
const lineWith = (msg: string, pred: (l: Line) => boolean = () => true): Promise<Line> => h.logged((l) => l.msg === msg && pred(l), `a "${msg}" log line`);

/** Neither the key, nor the bot token, nor any interaction token the bot used (read off its calls), nor `more`, in the logs. */
function expectNoSecrets(...more: string[]) {
  const text = h.logs.join('\n');
  const tokens = h.discord.calls.map((c) => /^\/(?:webhooks|interactions)\/\d+\/([^/?]+)/.exec(c.path)?.[1]).filter((t): t is string => !!t);
  expect(tokens.length).toBeGreaterThan(0);
  for (const s of [API_KEY, h.discord.token, ...new Set(tokens), ...more]) {
    expect(text, s.slice(0, 12)).not.toContain(s);
    // A token's tail alone would do harm too.
    expect(text, s.slice(0, 12)).not.toContain(s.slice(-16));
  }
}

describe('backend failures in the log', () => {
  it('a backend that refuses connections: host, ECONNREFUSED, the route; never the URL’s query', async () => {
    const port = await freePort();
    const queryToken = 'relay-query-token-5f1e2d3c';
    h = await startHarness({ env: { MJ_BASE_URL: `http://127.0.0.1:${port}/relay?token=${queryToken}` } });
    h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: 'nobody home' }]);
    await h.discord.waitForMessage((m) => (m.flags & 64) === 64 && /can’t be reached/.test(m.content));
    const line = await lineWith('proxy call failed');
    expect(line).toMatchObject({ level: 'warn', command: 'imagine' });
    expect(line.err).toMatchObject({ name: 'ProxyError', code: 'UNAVAILABLE', route: '/mj/submit/imagine', host: `127.0.0.1:${port}`, cause: 'ECONNREFUSED' });
    expect(line.err.detail).toMatch(/^ECONNREFUSED connect 127\.0\.0\.1:\d+/);
    expectNoSecrets(queryToken);
  });

  it('a 5xx on a submit and on a poll: the HTTP status, the host and the jobs', async () => {
    h = await startHarness();
    const host = new URL(h.proxy.baseUrl).host;
    const { id } = await imagine(h, 'before the outage');
    h.proxy.setQuirks({ status5xx: 502 });
    h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: 'during the outage' }]);
    const submit = await lineWith('proxy call failed');
    expect(submit.err).toMatchObject({ code: 'HTTP_5XX', status: 502, route: '/mj/submit/imagine', host });

    await h.app.poller.tick();
    const read = await lineWith('proxy reads fail; retrying with backoff');
    expect(read.err).toMatchObject({ code: 'HTTP_5XX', status: 502, route: '/mj/task/list-by-condition', host, taskIds: [id] });
    expectNoSecrets();
  });

  it('a proxy code 4 answer to a button: the code, its description, and the job the button belongs to', async () => {
    h = await startHarness();
    const { id } = await imagine(h, 'a grid');
    h.proxy.finish(id);
    await h.app.poller.tick();
    const grid = await h.discord.waitForMessage((m) => m.components.length === 3);
    h.proxy.setQuirks({ rejectActions: ['reroll'] });
    h.discord.clickButton(grid.id, grid.components[0].components[4].custom_id);
    await h.discord.waitForMessage((m) => (m.flags & 64) === 64 && /does not offer that/.test(m.content));
    const line = await lineWith('interaction refused');
    expect(line).toMatchObject({ level: 'info', code: 'UNSUPPORTED', customId: grid.components[0].components[4].custom_id });
    expect(line.err).toMatchObject({ code: 'UNSUPPORTED', route: '/mj/submit/action', status: 200, proxyCode: 4, taskId: id, host: new URL(h.proxy.baseUrl).host });
    expect(line.err.description).toMatch(/Action/);
    expectNoSecrets();
  });
});

describe('Discord failures in the log', () => {
  it('a deleted message (404 Unknown Message): code, status, method, the route without the interaction token, and the job', async () => {
    h = await startHarness();
    const { id, it: cmd } = await imagine(h, 'deleted meanwhile');
    await h.app.poller.tick();
    const original = await h.discord.waitForMessage((m) => m.id === h.discord.originalOf(cmd)?.id && /Submitted/.test(m.content));
    h.discord.deleteMessage(original.id);
    h.proxy.advance(id, 2);
    await h.app.poller.tick();
    const gone = await lineWith('discord route gone', (l) => l.err?.method === 'PATCH');
    expect(gone).toMatchObject({ level: 'debug', taskId: id });
    expect(gone.err).toEqual({ name: 'DiscordAPIError[10008]', code: 10008, status: 404, message: 'Unknown Message', method: 'PATCH', route: `/webhooks/${h.discord.appId}/:token/messages/${original.id}` });
    await lineWith('task message is gone; stop tracking', (l) => l.taskId === id);
    expectNoSecrets();
  });

  it('a Discord 500 on an edit: a warning with the status, the route and the job', async () => {
    h = await startHarness();
    const { id, it: cmd } = await imagine(h, 'discord hiccup');
    // discord.js tries a 5xx three times (retries: 2) before it gives up.
    for (let i = 0; i < 3; i++) h.discord.failNext((method, path) => method === 'PATCH' && path.includes(cmd.token), 500, { message: 'Internal Server Error', code: 0 });
    h.proxy.advance(id, 2);
    await h.app.poller.tick();
    const line = await lineWith('discord edit failed');
    expect(line).toMatchObject({ level: 'warn', taskId: id });
    expect(line.err).toMatchObject({ status: 500, method: 'PATCH' });
    expect(line.err.route).toMatch(new RegExp(`^/webhooks/${h.discord.appId}/:token/messages/(@original|\\d+)$`));
    expectNoSecrets();
  });
});
