// Private results (/settings visibility), Share to a gallery, 🗑 Delete and delivery by DM, through
// the real discord.js client against the fake Discord: ephemeral replies edited through their
// token, a result that outlives the token sent by DM (or kept for /task when DMs are closed), one
// gallery post however often Share is pressed, and a result forgotten when its owner or a
// moderator removes it.
import { afterEach, describe, expect, it } from 'vitest';
import { listRecent } from '../../src/jobs/recent.ts';
import { encodePng } from '../../stand-ins/fake-proxy.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const MIN = 60_000;
const EPHEMERAL = 64;
/** @everyone's permissions in the fake guild: no Manage Server, no Manage Messages, no Administrator. */
const PLAIN_MEMBER = '2248473465835073';

type Button = { custom_id: string; label?: string; emoji?: { name: string } };
const buttonsOf = (m: any): Button[] => m.components.flatMap((r: any) => r.components);
const find = (m: any, prefix: string): Button => {
  const b = buttonsOf(m).find((x) => x.custom_id.startsWith(prefix));
  if (!b) throw new Error(`no ${prefix} button on ${m.id}: ${JSON.stringify(buttonsOf(m).map((x) => x.custom_id))}`);
  return b;
};
const isFinishedGrid = (m: any) => m.attachments.length === 1 && buttonsOf(m).some((b) => b.custom_id.startsWith('mj:b:'));

function imagine(prompt: string, o: Record<string, unknown> = {}) {
  return h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: prompt }], o);
}

/** /imagine, finished: the command, its task id and the finished message. */
async function finishedJob(prompt: string, o: Record<string, unknown> = {}) {
  const it = imagine(prompt, o);
  const id = await h.trackedId();
  await h.handled(it);
  h.proxy.finish(id);
  await h.app.poller.tick();
  const msg = await h.discord.waitForMessage((m) => m.id === h.discord.originalOf(it)?.id && isFinishedGrid(m));
  return { it, id, msg };
}

/** The private answer to an interaction (callback or follow-up), once it is there. */
async function privateNote(i: { id: string; token: string }, pattern: RegExp): Promise<any> {
  return h.when(['handled'], () => {
    const cb = h.discord.callbackOf(i);
    const all = [cb?.data, ...h.discord.followUpsOf(i)].filter(Boolean);
    return all.find((m: any) => (m.flags & EPHEMERAL) === EPHEMERAL && pattern.test(m.content ?? ''));
  }, `a private answer matching ${pattern}`);
}

describe('private results', () => {
  it('a private job answers ephemerally, is edited through its token, and U1 on it starts a private job too', async () => {
    h = await startHarness();
    const alice = h.discord.users.alice;
    await h.app.stores.prefs.setUser(alice.id, { visibility: 'private' });
    const { it, id, msg } = await finishedJob('a secret fox');
    expect(h.discord.callbackOf(it).type).toBe(4);
    expect(h.discord.callbackOf(it).data.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(msg.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(h.discord.channelMessages().some((m) => /secret fox/.test(m.content))).toBe(false);
    const edits = h.discord.calls.filter((c) => c.method === 'PATCH' && c.status === 200 && c.path.includes(it.token));
    expect(edits.length).toBeGreaterThan(0);
    expect((await h.app.stores.tasks.get(id))?.private).toBe(true);

    // Someone whose own setting is public presses nothing here: the job is alice's. Alice presses U1.
    await h.app.stores.prefs.setUser(alice.id, { visibility: 'public' });
    const u1 = h.discord.clickButton(msg.id, msg.components[0].components[0].custom_id);
    const upId = await h.trackedId([id]);
    await h.handled(u1);
    expect(h.discord.callbackOf(u1).type).toBe(5);
    expect(h.discord.callbackOf(u1).data.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect((await h.app.stores.tasks.get(upId))?.private).toBe(true);
  });

  it('/seed on someone else\'s private job is refused, and nothing is asked of the backend', async () => {
    h = await startHarness();
    await h.app.stores.prefs.setUser(h.discord.users.alice.id, { visibility: 'private' });
    const { id } = await finishedJob('a secret owl');
    const from = h.proxy.requests.length;
    const it = h.discord.sendSlashCommand('seed', [{ name: 'task', type: 3, value: id }], { user: h.discord.users.bob });
    await privateNote(it, /belongs to someone else/);
    expect(h.proxy.requests.slice(from).filter((r) => /image-seed/.test(r.route ?? ''))).toHaveLength(0);
  });

  it('a private job that outlives its token is delivered by DM, without a public trace', async () => {
    h = await startHarness({ sharedClock: true, env: { TASK_DEADLINE_MS: String(60 * MIN) } });
    const alice = h.discord.users.alice;
    await h.app.stores.prefs.setUser(alice.id, { visibility: 'private' });
    const it = imagine('a slow private fox');
    const id = await h.trackedId();
    await h.handled(it);
    await h.app.poller.tick();
    h.discord.clock.advance(20 * MIN);
    h.proxy.finish(id);
    await h.app.poller.tick();
    const dm = await h.discord.waitForMessage((m) => m.channel_id !== h.discord.channelId && m.attachments.length === 1 && m.content.includes(`/task ${id}`));
    const dmChannel = h.discord.calls.find((c) => c.method === 'POST' && c.path === '/users/@me/channels');
    expect(dmChannel?.json).toEqual({ recipient_id: alice.id });
    expect(dm.channel_id).toBe(dmChannel?.response.id);
    expect(dm.components).toEqual([]);
    expect(dm.content).toContain('a slow private fox');
    // Nothing went through the channel: no edit of the ephemeral reply, no ping, no post anew.
    expect(h.discord.calls.filter((c) => c.path.startsWith(`/channels/${h.discord.channelId}`))).toEqual([]);
    expect(await h.app.stores.tasks.activeIds()).toEqual([]);
  });

  it('DMs closed: the result stays reachable, privately, through /task and /tasks', async () => {
    h = await startHarness({ sharedClock: true, env: { TASK_DEADLINE_MS: String(60 * MIN) } });
    const alice = h.discord.users.alice;
    alice.dmsClosed = true;
    await h.app.stores.prefs.setUser(alice.id, { visibility: 'private' });
    const it = imagine('a fox nobody may see');
    const id = await h.trackedId();
    await h.handled(it);
    await h.app.poller.tick();
    h.discord.clock.advance(20 * MIN);
    h.proxy.finish(id);
    await h.app.poller.tick();
    await h.discord.waitForCall((c) => c.method === 'POST' && /^\/channels\/\d+\/messages$/.test(c.path) && c.status === 403);
    await h.allFinished();
    expect((await h.app.stores.tasks.get(id))?.status).toBe('SUCCESS');

    const show = h.discord.sendSlashCommand('task', [{ name: 'id', type: 3, value: id }]);
    const copy = await h.discord.waitForMessage((m) => m.id === h.discord.originalOf(show)?.id && isFinishedGrid(m));
    expect(copy.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(h.discord.callbackOf(show).data.flags & EPHEMERAL).toBe(EPHEMERAL);
    // Its buttons work from there, for alice.
    const req = h.proxy.nextRequest((r) => r.route === '/mj/submit/action');
    h.discord.clickButton(copy.id, copy.components[0].components[0].custom_id);
    expect((await req).body.taskId).toBe(id);

    const list = h.discord.sendSlashCommand('tasks', []);
    await h.handled(list);
    const listed = h.discord.originalOf(list);
    expect(listed.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(listed.embeds[0].description).toContain(id);
    // No link to an ephemeral message nobody else can open.
    expect(listed.embeds[0].description).not.toContain('discord.com/channels');
  });
  it('"Imagine all" on a private describe: the first job in the ephemeral reply, the others by DM when done; nothing public', async () => {
    h = await startHarness();
    await h.app.stores.prefs.setUser(h.discord.users.alice.id, { visibility: 'private' });
    const photo = h.discord.addAttachment(encodePng([200, 40, 40]), 'photo.png', 'image/png');
    const it = h.discord.sendSlashCommand('describe', [{ name: 'image', type: 11, value: photo.id }], { attachments: [photo] });
    const describeId = await h.trackedId();
    await h.handled(it);
    h.proxy.finish(describeId);
    await h.app.poller.tick();
    const msg = await h.discord.waitForMessage((m) => m.id === h.discord.originalOf(it)?.id && /2️⃣/.test(m.embeds[0]?.description ?? ''));
    expect(msg.flags & EPHEMERAL).toBe(EPHEMERAL);
    const all = buttonsOf(msg).find((b) => /Imagine all/.test(b.label ?? ''))!;
    const click = h.discord.clickButton(msg.id, all.custom_id);
    await h.handled(click);
    const ids = (await h.app.stores.tasks.activeIds()).filter((x) => x !== describeId);
    expect(ids).toHaveLength(4);
    for (const id of ids) expect((await h.app.stores.tasks.get(id))?.private).toBe(true);
    for (const id of ids) h.proxy.finish(id);
    await h.app.poller.tick();
    await h.allFinished();
    const reply = await h.discord.waitForMessage((m) => m.id === h.discord.originalOf(click)?.id && isFinishedGrid(m));
    expect(reply.flags & EPHEMERAL).toBe(EPHEMERAL);
    const dms = [...h.discord.messages.values()].filter((m) => m.channel_id !== h.discord.channelId);
    expect(dms).toHaveLength(3);
    expect(dms.every((m) => m.attachments.length === 1 && m.components.length === 0)).toBe(true);
    expect(h.discord.channelMessages()).toEqual([]);
  });
});

describe('Share to a gallery', () => {
  it('posts once, however often it is pressed: the file, the prompt, the requester (no ping), a jump link; the original links to it', async () => {
    h = await startHarness();
    const gallery = h.discord.addChannel('gallery');
    await h.app.stores.prefs.setServer(h.discord.guildId, { galleryChannelId: gallery });
    const { msg } = await finishedJob('a fox worth sharing @everyone');
    const share = find(msg, 'mj:sh:');
    expect(share.label).toBe('Share');
    const first = h.discord.clickButton(msg.id, share.custom_id);
    const second = h.discord.clickButton(msg.id, share.custom_id);
    await Promise.all([h.handled(first), h.handled(second)]);

    const posts = h.discord.channelMessages(gallery);
    expect(posts).toHaveLength(1);
    const post = posts[0];
    expect(post.attachments).toHaveLength(1);
    expect(post.content).toContain('a fox worth sharing');
    expect(post.content).not.toContain('@everyone');
    expect(post.content).toContain(`<@${h.discord.users.alice.id}>`);
    expect(post.content).toContain(`https://discord.com/channels/${h.discord.guildId}/${h.discord.channelId}/${msg.id}`);
    const call = h.discord.calls.find((c) => c.method === 'POST' && c.path === `/channels/${gallery}/messages`);
    expect(call?.json.allowed_mentions).toEqual({ parse: [], users: [], replied_user: false });

    const link = `https://discord.com/channels/${h.discord.guildId}/${gallery}/${post.id}`;
    const original = h.discord.messages.get(msg.id);
    expect(original.content).toContain(link);
    expect(original.attachments).toHaveLength(1);
    await privateNote(first, /Shared in|Already shared/);
    await privateNote(second, /Already shared|Shared in/);
    const notes = [...h.discord.followUpsOf(first), ...h.discord.followUpsOf(second)].map((m) => m.content);
    expect(notes.filter((c) => /^Shared in/.test(c))).toHaveLength(1);
    expect(notes.filter((c) => /^Already shared/.test(c))).toHaveLength(1);
    expect((await h.app.stores.tasks.get(find(msg, 'mj:sh:').custom_id.split(':')[2]!))?.shared?.messageId).toBe(post.id);
  });

  it('without a gallery, a private result is posted publicly where it was made ("shared from a private job"); a public one is told so', async () => {
    h = await startHarness();
    const alice = h.discord.users.alice;
    await h.app.stores.prefs.setUser(alice.id, { visibility: 'private' });
    const { msg } = await finishedJob('a private fox to show');
    const click = h.discord.clickButton(msg.id, find(msg, 'mj:sh:').custom_id);
    await h.handled(click);
    const [post] = h.discord.channelMessages().filter((m) => /private fox to show/.test(m.content));
    expect(post?.attachments).toHaveLength(1);
    expect(post?.content).toContain('Shared from a private job.');
    // The ephemeral original is edited through the click's token to link to the post.
    expect(h.discord.messages.get(msg.id).content).toContain(`/${post?.id}`);

    await h.app.stores.prefs.setUser(alice.id, { visibility: 'public' });
    const pub = await finishedJob('a public fox, no gallery');
    const before = h.discord.channelMessages().length;
    const refused = h.discord.clickButton(pub.msg.id, find(pub.msg, 'mj:sh:').custom_id);
    expect((await privateNote(refused, /no gallery channel/)).content).toMatch(/settings/);
    expect(h.discord.channelMessages()).toHaveLength(before);
  });

  it('a gallery the bot may not post files in, or one that was deleted: a clear private error, nothing posted, Share still works later', async () => {
    h = await startHarness();
    const gallery = h.discord.addChannel('gallery');
    h.discord.denyBotInChannel(gallery, String(1n << 15n)); // Attach Files
    await h.app.stores.prefs.setServer(h.discord.guildId, { galleryChannelId: gallery });
    const { msg } = await finishedJob('a fox for a closed gallery', { locale: 'zh-CN' });
    const click = h.discord.clickButton(msg.id, find(msg, 'mj:sh:').custom_id, { locale: 'zh-CN' });
    await privateNote(click, /画廊频道/);
    expect(h.discord.calls.some((c) => c.path === `/channels/${gallery}/messages` && c.status === 403)).toBe(true);
    expect(h.discord.channelMessages(gallery)).toEqual([]);

    await h.app.stores.prefs.setServer(h.discord.guildId, { galleryChannelId: '1300000000000000077' });
    const gone = h.discord.clickButton(msg.id, find(msg, 'mj:sh:').custom_id);
    await privateNote(gone, /deleted, or the bot may not see it/);
    expect(h.discord.calls.some((c) => c.path === '/channels/1300000000000000077/messages' && c.status === 404)).toBe(true);
  });

  it('only the owner may share', async () => {
    h = await startHarness();
    const gallery = h.discord.addChannel('gallery');
    await h.app.stores.prefs.setServer(h.discord.guildId, { galleryChannelId: gallery });
    const { msg } = await finishedJob('alice’s fox');
    const click = h.discord.clickButton(msg.id, find(msg, 'mj:sh:').custom_id, { user: h.discord.users.bob });
    await privateNote(click, /not your job/);
    expect(h.discord.channelMessages(gallery)).toEqual([]);
  });
});

describe('🗑 Delete', () => {
  it('the owner removes the message and the job is forgotten: a later click on its buttons says it expired', async () => {
    h = await startHarness();
    const { id, msg } = await finishedJob('a fox to throw away');
    // A copy shown by /task keeps the job's buttons (but no 🗑: that is on the job's own message).
    const show = h.discord.sendSlashCommand('task', [{ name: 'id', type: 3, value: id }]);
    const copy = await h.discord.waitForMessage((m) => m.id === h.discord.originalOf(show)?.id && isFinishedGrid(m));
    expect(buttonsOf(copy).some((b) => b.custom_id.startsWith('mj:d:'))).toBe(false);

    const del = find(msg, 'mj:d:');
    expect(del.emoji?.name).toBe('🗑️');
    const click = h.discord.clickButton(msg.id, del.custom_id);
    await privateNote(click, /Removed/);
    expect(h.discord.messages.has(msg.id)).toBe(false);
    expect(await h.app.stores.tasks.get(id)).toBeUndefined();
    expect((await listRecent(h.app, h.discord.users.alice.id)).map((j) => j.taskId)).not.toContain(id);

    const n = h.proxy.requests.length;
    const late = h.discord.clickButton(copy.id, copy.components[0].components[0].custom_id);
    await privateNote(late, /expired/);
    expect(h.proxy.requests.length).toBe(n);
  });

  it('a private result: its ephemeral message goes through the click’s token; a moderator may not touch a private job', async () => {
    h = await startHarness();
    await h.app.stores.prefs.setUser(h.discord.users.alice.id, { visibility: 'private' });
    const { id, msg } = await finishedJob('a private fox to throw away');
    const mod = h.discord.makeUser('mod');
    mod.permissions = String(BigInt(PLAIN_MEMBER) | (1n << 13n));
    const forged = h.discord.clickButton(msg.id, find(msg, 'mj:d:').custom_id, { user: mod });
    await privateNote(forged, /not your job/);
    const click = h.discord.clickButton(msg.id, find(msg, 'mj:d:').custom_id);
    await privateNote(click, /Removed/);
    expect(h.discord.messages.has(msg.id)).toBe(false);
    expect(h.discord.calls.some((c) => c.method === 'DELETE' && c.path === `/webhooks/${h.discord.appId}/${click.token}/messages/@original` && c.status === 204)).toBe(true);
    expect(await h.app.stores.tasks.get(id)).toBeUndefined();
  });

  it('someone else is refused privately; a moderator (Manage Messages) may remove it', async () => {
    h = await startHarness();
    const { id, msg } = await finishedJob('a fox in the wrong channel');
    const carol = h.discord.makeUser('carol');
    carol.permissions = PLAIN_MEMBER;
    const refused = h.discord.clickButton(msg.id, find(msg, 'mj:d:').custom_id, { user: carol });
    await privateNote(refused, /not your job/);
    expect(h.discord.messages.has(msg.id)).toBe(true);
    expect(await h.app.stores.tasks.get(id)).toBeDefined();

    const mod = h.discord.makeUser('mod');
    mod.permissions = String(BigInt(PLAIN_MEMBER) | (1n << 13n));
    const removed = h.discord.clickButton(msg.id, find(msg, 'mj:d:').custom_id, { user: mod });
    await privateNote(removed, /Removed/);
    expect(h.discord.messages.has(msg.id)).toBe(false);
    expect(await h.app.stores.tasks.get(id)).toBeUndefined();
  });
});

describe('user installs where the bot is not in the server', () => {
  it('the reply is edited through its token; a result that outlives it is delivered by DM, never through the channel', async () => {
    h = await startHarness({ sharedClock: true, env: { ALLOW_USER_INSTALL: 'true', TASK_DEADLINE_MS: String(60 * MIN) } });
    const it = imagine('a fox brought along', { botAbsent: true });
    const id = await h.trackedId();
    await h.handled(it);
    const reply = h.discord.originalOf(it);
    expect(reply.flags ?? 0).toBe(0);
    expect((await h.app.stores.tasks.get(id))?.noChannel).toBe(true);
    h.proxy.advance(id, 2);
    await h.app.poller.tick();
    await h.discord.waitForMessage((m) => m.id === reply.id && /%\)/.test(m.content));
    h.discord.clock.advance(20 * MIN);
    h.proxy.finish(id);
    await h.app.poller.tick();
    const dm = await h.discord.waitForMessage((m) => m.attachments.length === 1 && m.content.includes(`/task ${id}`));
    expect(h.discord.calls.find((c) => c.method === 'POST' && c.path === '/users/@me/channels')?.json).toEqual({ recipient_id: h.discord.users.alice.id });
    expect(dm.channel_id).not.toBe(reply.channel_id);
    expect(h.discord.calls.filter((c) => c.path.startsWith(`/channels/${reply.channel_id}`))).toEqual([]);
    expect(await h.app.stores.tasks.activeIds()).toEqual([]);
  });
});
