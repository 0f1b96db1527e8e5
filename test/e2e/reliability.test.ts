// Faults injected through the fakes: expired interaction tokens, deleted messages, stuck tasks,
// a proxy that errs while polling, Discord errors on an edit, forged custom_ids.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { listRecent } from '../../src/jobs/recent.ts';
import { encodePng } from '../../stand-ins/fake-proxy.ts';
import { startHarness, API_KEY, type Harness } from '../helpers/harness.ts';
import { imagine as imagineJob } from '../scale/helpers.ts';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

/** /imagine, and the id of the job it started (the scale suites' step). */
const imagine = (prompt: string) => imagineJob(h, prompt);

const MIN = 60_000;

describe('long jobs outlive the 15-minute interaction token', () => {
  it('edits through the channel after the token expired and pings the requester once', async () => {
    h = await startHarness({ sharedClock: true, env: { TASK_DEADLINE_MS: String(60 * MIN) } });
    const { it, id } = await imagine('a slow relax job');
    await h.app.poller.tick();
    const original = await h.discord.waitForMessage((m) => m.id === h.discord.originalOf(it)?.id && /Submitted/.test(m.content));
    h.discord.clock.advance(20 * MIN);
    h.proxy.finish(id);
    await h.app.poller.tick();
    const done = await h.discord.waitForMessage((m) => m.id === original.id && m.components.length === 3);
    expect(done.attachments).toHaveLength(1);
    const edit = h.discord.calls.find((c) => c.method === 'PATCH' && c.path === `/channels/${h.discord.channelId}/messages/${original.id}` && c.status === 200);
    expect(edit?.auth).toMatch(/^Bot /);
    const ping = await h.discord.waitForMessage((m) => m.content.includes('your job is done') && m.content.includes(original.id));
    expect(ping.content).toContain(`<@${h.discord.users.alice.id}>`);
    expect(h.discord.calls.filter((c) => c.method === 'POST' && c.path === `/channels/${h.discord.channelId}/messages`)).toHaveLength(1);
  });

  it('posts the result anew, mentioning the requester, when the original message was deleted', async () => {
    h = await startHarness({ sharedClock: true, env: { TASK_DEADLINE_MS: String(60 * MIN) } });
    const { it, id } = await imagine('deleted meanwhile');
    await h.app.poller.tick();
    const original = await h.discord.waitForMessage((m) => m.id === h.discord.originalOf(it)?.id && /Submitted/.test(m.content));
    h.discord.deleteMessage(original.id);
    h.discord.clock.advance(20 * MIN);
    h.proxy.finish(id);
    await h.app.poller.tick();
    const fresh = await h.discord.waitForMessage((m) => m.id !== original.id && m.components.length === 3);
    expect(fresh.content).toContain(`<@${h.discord.users.alice.id}>`);
    expect(await h.app.stores.tasks.activeIds()).toEqual([]);
    // Its buttons work like the original's.
    const req = h.proxy.nextRequest((r) => r.route === '/mj/submit/action');
    h.discord.clickButton(fresh.id, fresh.components[0].components[0].custom_id);
    expect((await req).body.taskId).toBe(id);
  });
});

describe('stuck tasks', () => {
  it('past the deadline the reply says so, polling stops, and “Check again” picks it up again', async () => {
    h = await startHarness({ sharedClock: true, env: { TASK_DEADLINE_MS: String(10 * MIN) } });
    // The proxy's clock stands still (manual timelines): the task sits in progress, as a stuck one does.
    const { it, id } = await imagine('stuck at 93%');
    h.proxy.advance(id, 2);
    await h.app.poller.tick();
    await h.discord.waitForMessage((m) => m.id === h.discord.originalOf(it)?.id && /%\)/.test(m.content));
    h.discord.clock.advance(11 * MIN);
    await h.app.poller.tick();
    const timedOut = await h.discord.waitForMessage((m) => m.id === h.discord.originalOf(it)?.id && /Timed out/.test(m.content));
    expect(timedOut.embeds[0].title).toBe('Still not finished');
    const n = h.proxy.requests.length;
    await h.app.poller.tick();
    expect(h.proxy.requests.length).toBe(n); // nothing polled any more

    h.proxy.finish(id);
    const check = timedOut.components[0].components[0];
    h.discord.clickButton(timedOut.id, check.custom_id);
    await h.discord.waitForMessage((m) => m.id === timedOut.id && m.components.length === 3 && m.attachments.length === 1);
  });
});

describe('proxy faults while polling', () => {
  for (const [name, quirk] of [
    ['5xx', { status5xx: 502 }],
    ['malformed JSON', { malformedJson: true }],
    ['empty body', { emptyBody: true }],
    ['connection reset', { resetConnection: true }],
    ['401', { unauthorized: true }],
  ] as const) {
    it(`survives ${name}: the task stays tracked and finishes once the proxy recovers`, async () => {
      h = await startHarness();
      const { id } = await imagine(`fault ${name}`);
      h.proxy.setQuirks(quirk);
      h.proxy.finish(id);
      await h.app.poller.tick();
      await h.app.poller.tick();
      expect(await h.app.stores.tasks.activeIds()).toEqual([id]);
      h.proxy.reset();
      await h.app.poller.tick();
      await h.discord.waitForMessage((m) => m.components.length === 3);
      expect(h.logs.join('\n')).not.toContain(API_KEY);
    });
  }

  it('a backend that keeps failing is marked unhealthy: new jobs are refused at once, plainly', async () => {
    h = await startHarness();
    const { id } = await imagine('before the outage');
    h.proxy.setQuirks({ status5xx: 503 });
    for (let i = 0; i < 2; i++) await h.app.poller.tick();
    const n = h.proxy.requests.length;
    const it = h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: 'during the outage' }]);
    await h.discord.waitForCall((c) => c.path.includes(`/interactions/${it.id}/`));
    const cb = h.discord.callbackOf(it);
    expect(cb.data.flags & 64).toBe(64);
    expect(cb.data.content).toMatch(/can’t be reached right now/);
    expect(h.proxy.requests.length).toBe(n);
    // The poller keeps probing; once the proxy answers, the job finishes.
    h.proxy.reset();
    h.proxy.finish(id);
    await h.app.poller.tick();
    await h.discord.waitForMessage((m) => m.components.length === 3);
    expect(h.app.proxy.health.available).toBe(true);
  });

  it('a task the proxy no longer knows is reported after repeated misses, not at the first one', async () => {
    h = await startHarness({ proxy: { advance: 'manual' } });
    const { it, id } = await imagine('vanishes');
    h.proxy.tasks.delete(id);
    await h.app.poller.tick();
    expect(await h.app.stores.tasks.activeIds()).toEqual([id]);
    for (let i = 0; i < 10; i++) await h.app.poller.tick();
    await h.discord.waitForMessage((m) => m.id === h.discord.originalOf(it)?.id && /no longer known/i.test(m.content));
    expect(await h.app.stores.tasks.activeIds()).toEqual([]);
  });
});

describe('results that last', () => {
  it('a result link that no longer works (403) is shown as a link with a note instead of an attachment', async () => {
    h = await startHarness();
    const { id } = await imagine('expired link');
    h.proxy.setQuirks({ imageStatus: 403 });
    h.proxy.finish(id);
    await h.app.poller.tick();
    const done = await h.discord.waitForMessage((m) => m.components.length === 3);
    expect(done.attachments).toHaveLength(0);
    expect(done.embeds[0].image.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    expect(done.embeds[0].description).toMatch(/could not be attached/);
  });

  it('a result on another port of the proxy’s host is never fetched, in any spelling of the address (no port-scan oracle)', async () => {
    h = await startHarness();
    let hits = 0;
    const other = http.createServer((_req, res) => {
      hits++;
      res.writeHead(200, { 'content-type': 'image/png' }).end(encodePng([1, 2, 3]));
    });
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    const port = (other.address() as AddressInfo).port;
    try {
      for (const host of ['127.0.0.1', '0x7f000001', '127.1']) {
        h.proxy.nextTimeline({ steps: [{ status: 'SUBMITTED', progress: '0%' }, { status: 'SUCCESS', progress: '100%', imageUrl: `http://${host}:${port}/grid.png` }] });
        const { id } = await imagine(`elsewhere via ${host}`);
        h.proxy.finish(id);
        await h.app.poller.tick();
        const done = await h.discord.waitForMessage((m) => m.content.includes(`elsewhere via ${host}`) && m.components.length === 3);
        expect(done.attachments, host).toHaveLength(0);
        expect(done.embeds[0].description).toMatch(/could not be attached/);
      }
      expect(hits).toBe(0);
    } finally {
      other.closeAllConnections();
      await new Promise((r) => other.close(r));
    }
  });

  it('a result whose bytes are not the image it claims to be stays a link', async () => {
    h = await startHarness();
    // On a trusted origin (Discord's), named and typed as a PNG, but text.
    const text = h.discord.addAttachment(Buffer.from('internal service answer\n'), 'grid.png', 'image/png');
    h.proxy.nextTimeline({ steps: [{ status: 'SUBMITTED', progress: '0%' }, { status: 'SUCCESS', progress: '100%', imageUrl: text.url }] });
    const { id } = await imagine('not really an image');
    h.proxy.finish(id);
    await h.app.poller.tick();
    const done = await h.discord.waitForMessage((m) => m.components.length === 3);
    expect(done.attachments).toHaveLength(0);
    expect(done.embeds[0].description).toMatch(/could not be attached/);
    expect(h.discord.calls.some((c) => c.files.some((f) => f.data?.length === 24))).toBe(false);
  });

  it('a result larger than RESULT_MAX_BYTES stays a link', async () => {
    h = await startHarness({ env: { RESULT_MAX_BYTES: '10' } });
    const { id } = await imagine('too big to attach');
    h.proxy.finish(id);
    await h.app.poller.tick();
    const done = await h.discord.waitForMessage((m) => m.components.length === 3);
    expect(done.attachments).toHaveLength(0);
    expect(done.embeds.length).toBeGreaterThan(0);
  });
});

describe('Discord faults', () => {
  it('a 500 on the final edit is retried on the next tick', async () => {
    h = await startHarness();
    const { id } = await imagine('discord hiccup');
    h.proxy.finish(id);
    h.discord.failNext((method, path) => method === 'PATCH' && path.includes('/messages/'), 500, { message: 'oops', code: 0 });
    await h.app.poller.tick();
    await h.app.poller.tick();
    await h.discord.waitForMessage((m) => m.components.length === 3);
    expect(await h.app.stores.tasks.activeIds()).toEqual([]);
  });

  it('a forged or stale custom_id gets a private “expired”, and nothing is sent', async () => {
    h = await startHarness();
    const { id } = await imagine('forgery');
    h.proxy.finish(id);
    await h.app.poller.tick();
    const grid = await h.discord.waitForMessage((m) => m.components.length === 3);
    // Point a button at a record that does not exist by editing the message the fake holds.
    const forged = structuredClone(grid);
    forged.components[0].components[0].custom_id = 'mj:b:0000000000000000:0';
    h.discord.messages.set(grid.id, forged);
    const n = h.proxy.requests.length;
    const click = h.discord.clickButton(grid.id, 'mj:b:0000000000000000:0');
    await h.discord.waitForCall((c) => c.path.includes(`/interactions/${click.id}/`));
    expect(h.discord.callbackOf(click).data.content).toMatch(/expired/);
    expect(h.proxy.requests.length).toBe(n);
  });
});

describe('nobody gets in where they don’t belong', () => {
  it('limits jobs running at once per user, counted in the store across a restart', async () => {
    h = await startHarness({ env: { USER_MAX_CONCURRENT: '2' } });
    await imagine('one');
    await h.handled(h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: 'two' }]));
    expect(await h.app.stores.tasks.activeIds()).toHaveLength(2);
    await h.restart();
    const third = h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: 'three' }]);
    await h.discord.waitForCall((c) => c.path.includes(`/interactions/${third.id}/`));
    expect(h.discord.callbackOf(third).data.content).toMatch(/already have 2 jobs running/);
    expect(h.discord.callbackOf(third).data.flags & 64).toBe(64);
    // Another user is not affected.
    const bob = h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: 'bob’s' }], { user: h.discord.users.bob });
    await h.discord.waitForCall((c) => c.path.includes(`/interactions/${bob.id}/`));
    expect(h.discord.callbackOf(bob).type).toBe(4);
    expect(h.discord.callbackOf(bob).data.flags ?? 0).toBe(0);
  });

  it('limits jobs per day', async () => {
    h = await startHarness({ env: { USER_MAX_DAILY: '1' } });
    const { id } = await imagine('the only one today');
    h.proxy.finish(id);
    await h.app.poller.tick();
    const second = h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: 'one more' }], { locale: 'zh-CN' });
    await h.discord.waitForCall((c) => c.path.includes(`/interactions/${second.id}/`));
    expect(h.discord.callbackOf(second).data.content).toMatch(/今天的 1 次任务已用完/);
  });

  it('a refused submit gives the day’s job back; racing commands cannot get more than the limit', async () => {
    h = await startHarness({ env: { USER_MAX_DAILY: '2' } });
    const answer = async (prompt: string) => {
      const it = h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: prompt }]);
      await h.discord.waitForCall((c) => c.path.includes(`/interactions/${it.id}/`));
      return it;
    };
    h.proxy.setQuirks({ bannedPrompt: 'gore' });
    const banned = await answer('gore everywhere');
    await h.discord.waitForMessage((m) => m.id !== h.discord.originalOf(banned)?.id && (m.flags & 64) === 64);
    h.proxy.setQuirks({});
    // Four at once for the two jobs left today: two go to the proxy, two are told the limit.
    const submits = () => h.proxy.requests.filter((r) => r.route === '/mj/submit/imagine').length;
    const before = submits();
    const racing = await Promise.all(['a', 'b', 'c', 'd'].map((p) => answer(`racer ${p}`)));
    const refused = racing.filter((it) => /used your 2 jobs for today/.test(h.discord.callbackOf(it).data?.content ?? ''));
    expect(refused).toHaveLength(2);
    await Promise.all(racing.map((it) => h.handled(it)));
    expect(submits() - before).toBe(2);
  });

  it('racing commands cannot run more jobs at once than the limit', async () => {
    h = await startHarness({ env: { USER_MAX_CONCURRENT: '2' } });
    const submits = () => h.proxy.requests.filter((r) => r.route === '/mj/submit/imagine').length;
    const racing = ['a', 'b', 'c', 'd'].map((p) => h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: `racer ${p}` }]));
    for (const it of racing) await h.discord.waitForCall((c) => c.path.includes(`/interactions/${it.id}/`));
    const refused = racing.filter((it) => /already have 2 jobs running/.test(h.discord.callbackOf(it).data?.content ?? ''));
    expect(refused).toHaveLength(2);
    await h.tracked(2);
    expect(submits()).toBe(2);
    // Once they are saved as running, their reservations are gone: a third is still refused, by the records.
    const third = h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: 'third' }]);
    await h.discord.waitForCall((c) => c.path.includes(`/interactions/${third.id}/`));
    expect(h.discord.callbackOf(third).data.content).toMatch(/already have 2 jobs running/);
    // The two records count; their reservations are given back once each record is saved.
    await Promise.all([...racing, third].map((it) => h.handled(it)));
    expect(await h.app.stores.owners.running(h.discord.users.alice.id)).toBe(2);
  });

  it('allow-lists of channels and roles are per guild', async () => {
    const guildId = '1300000000000000001';
    const channelId = '1300000000000000002';
    const role = '1300000000000000003';
    h = await startHarness({
      discord: { guildId, channelId },
      env: { ALLOWED_CHANNELS: `${guildId}/${channelId},1400000000000000001/1400000000000000002`, ALLOWED_ROLES: `${guildId}/${role}` },
    });
    const ask = async (opts: any) => {
      const it = h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: 'gated' }], opts);
      await h.discord.waitForCall((c) => c.path.includes(`/interactions/${it.id}/`));
      return h.discord.callbackOf(it).data;
    };
    expect((await ask({})).content).toMatch(/need one of the allowed roles/);
    const carol = h.discord.makeUser('carol', [role]);
    expect((await ask({ user: carol, channelId: '1300000000000000009' })).content).toMatch(/can’t be used in this channel/);
    const ok = await ask({ user: carol });
    expect(ok.flags ?? 0).toBe(0);
    expect(ok.content).toMatch(/Waiting to start/);
  });

  it('a DM does not get around a server’s allow-lists: DMs are refused unless ALLOW_DMS, suggestions too', async () => {
    const guildId = '1300000000000000001';
    const role = '1300000000000000003';
    h = await startHarness({ discord: { guildId }, env: { ALLOWED_ROLES: `${guildId}/${role}` } });
    const carol = h.discord.makeUser('carol', [role]);
    const inGuild = h.proxy.nextRequest((r) => r.route === '/mj/submit/imagine');
    const cmd = h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: 'in the server' }], { user: carol });
    await inGuild;
    // The job is listed once it is tracked (after the submit's answer), before the command is done.
    await h.handled(cmd);
    expect(await listRecent(h.app, carol.id)).toHaveLength(1);
    const submits = () => h.proxy.requests.filter((r) => r.route?.startsWith('/mj/submit/')).length;
    for (const user of [h.discord.users.alice, carol]) {
      const dm = h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: 'through the back door' }], { dm: true, user });
      await h.discord.waitForCall((c) => c.path.includes(`/interactions/${dm.id}/`));
      expect(h.discord.callbackOf(dm).data.content).toMatch(/can’t be used in direct messages/);
      expect(h.discord.callbackOf(dm).data.flags & 64).toBe(64);
    }
    const zh = h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: '后门' }], { dm: true, locale: 'zh-CN' });
    await h.discord.waitForCall((c) => c.path.includes(`/interactions/${zh.id}/`));
    expect(h.discord.callbackOf(zh).data.content).toMatch(/私信/);
    expect(submits()).toBe(1);
    // Carol's job is suggested in the server, not in a DM.
    const choices = async (dm: boolean) => {
      const it = h.discord.autocomplete('task', [{ name: 'id', type: 3, value: '' }], { dm, user: carol });
      await h.discord.waitForCall((c) => c.path.includes(`/interactions/${it.id}/`));
      return h.discord.callbackOf(it).data.choices;
    };
    expect(await choices(false)).toHaveLength(1);
    expect(await choices(true)).toEqual([]);
  });

  it('ALLOW_DMS turns DMs on (through the server install; a user install needs ALLOW_USER_INSTALL too)', async () => {
    h = await startHarness({ env: { ALLOW_DMS: 'true' } });
    const viaUser = h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: 'user-installed dm' }], { dm: true, userInstall: true });
    await h.discord.waitForCall((c) => c.path.includes(`/interactions/${viaUser.id}/`));
    expect(h.discord.callbackOf(viaUser).data.content).toMatch(/personal install/);
    const req = h.proxy.nextRequest((r) => r.route === '/mj/submit/imagine');
    h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: 'a dm job' }], { dm: true });
    expect((await req).body.prompt).toBe('a dm job');
  });

  it('a command from a user install in a server that did not install the bot is refused unless ALLOW_USER_INSTALL; allow-lists still apply', async () => {
    const guildId = '1300000000000000001';
    const channelId = '1300000000000000002';
    h = await startHarness({ discord: { guildId, channelId } });
    const foreign = h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: 'brought along' }], { userInstall: true });
    await h.discord.waitForCall((c) => c.path.includes(`/interactions/${foreign.id}/`));
    expect(h.discord.callbackOf(foreign).data.content).toMatch(/personal install/);
    expect(h.discord.callbackOf(foreign).data.flags & 64).toBe(64);
    expect(h.proxy.requests.some((r) => r.route?.startsWith('/mj/submit/'))).toBe(false);
    await h.close();

    h = await startHarness({ discord: { guildId, channelId }, env: { ALLOW_USER_INSTALL: 'true', ALLOWED_CHANNELS: `${guildId}/${channelId}` } });
    const closed = h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: 'wrong room' }], { userInstall: true, channelId: '1300000000000000009' });
    await h.discord.waitForCall((c) => c.path.includes(`/interactions/${closed.id}/`));
    expect(h.discord.callbackOf(closed).data.content).toMatch(/can’t be used in this channel/);
    const req = h.proxy.nextRequest((r) => r.route === '/mj/submit/imagine');
    h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: 'user app' }], { userInstall: true });
    expect((await req).body.prompt).toBe('user app');
  });
});
