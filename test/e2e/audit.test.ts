// The audit channel end to end: an admin chooses it in /settings (server, "What the server offers");
// then each job that ends and each change of the server's settings gets one line there, naming
// people without pinging them, the prompt as plain text with the secrets masked, and a jump link.
// No audit channel: no lines. A channel the bot cannot post in: logged once, jobs unaffected. A
// member without Manage Server cannot choose or clear it, even with a forged component.
import { afterEach, describe, expect, it } from 'vitest';
import { API_KEY, startHarness, type Harness } from '../helpers/harness.ts';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

/** @everyone's permissions in the fake guild: no Manage Server, no Administrator. */
const PLAIN_MEMBER = '2248473465835073';
/** Discord's SEND_MESSAGES permission bit. */
const SEND_MESSAGES = String(1 << 11);
/** A wait for an audit line that comes after five others within 5 s (the lane's pace: channel-queue.ts). */
const PACED_WAIT_MS = 15_000;

type User = ReturnType<Harness['discord']['makeUser']>;

/** The server's settings panel as `user` (an admin by default: Bob has Manage Server), and its message id. */
async function serverPanel(user: User = h.discord.users.bob): Promise<string> {
  const it = h.discord.sendSlashCommand('settings', [{ name: 'scope', type: 3, value: 'server' }], { user });
  await h.handled(it);
  return h.discord.originalOf(it).id;
}

async function pick(panelId: string, customId: string, values: string[], user: User = h.discord.users.bob) {
  const it = h.discord.selectMenu(panelId, customId, values, { user });
  return { done: await h.handled(it), cb: h.discord.callbackOf(it) };
}

async function click(panelId: string, customId: string, user: User = h.discord.users.bob) {
  const it = h.discord.clickButton(panelId, customId, { user });
  return { done: await h.handled(it), cb: h.discord.callbackOf(it) };
}

/** Bob chooses a new text channel as the audit channel; its id. */
async function chooseAuditChannel(): Promise<string> {
  const audit = h.discord.addChannel('audit-log');
  await pick(await serverPanel(), 'mj:set:o:aud', [audit]);
  expect((await h.app.stores.prefs.server(h.discord.guildId)).auditChannelId).toBe(audit);
  return audit;
}

/** /imagine as Alice, run to its end at the fake proxy; the task id. */
async function imagineToEnd(prompt: string, timeline?: 'failure'): Promise<string> {
  if (timeline) h.proxy.nextTimeline(timeline);
  const it = h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: prompt }]);
  const id = await h.trackedId();
  await h.handled(it);
  h.proxy.finish(id);
  await h.app.poller.tick();
  await h.allFinished();
  return id;
}

/** The bot's posts in `channelId`, as Discord recorded the calls (body and answer). */
const postsIn = (channelId: string) => h.discord.calls.filter((c) => c.method === 'POST' && c.path === `/channels/${channelId}/messages`);

describe('the audit channel', () => {
  it('an admin chooses it; the change and a finished /imagine get one line each, with mentions that ping nobody and a jump link', async () => {
    h = await startHarness();
    const { alice, bob } = h.discord.users;
    const panel = await serverPanel();
    const select = h.discord.messages.get(panel).components.flatMap((r: any) => r.components).find((c: any) => c.custom_id === 'mj:set:o:aud');
    expect(select).toMatchObject({ type: 8, channel_types: [0], min_values: 1, max_values: 1 });

    const audit = h.discord.addChannel('audit-log');
    await pick(panel, 'mj:set:o:aud', [audit]);
    expect(h.discord.messages.get(panel).content).toContain(`Audit channel: <#${audit}>`);
    const changed = await h.discord.waitForMessage((m) => m.channel_id === audit && m.content.includes('changed'));
    expect(changed.content).toBe(`⚙️ <@${bob.id}> changed Audit channel: none → <#${audit}>`);

    const id = await imagineToEnd('a red fox in snow --ar 3:2');
    const record = await h.app.stores.tasks.get(id);
    expect(record?.messageId).toBeTruthy();
    const line = await h.discord.waitForMessage((m) => m.channel_id === audit && m.content.includes('/imagine'));
    expect(line.content).toBe(`<@${alice.id}> /imagine “a red fox in snow --ar 3:2” → done · https://discord.com/channels/${h.discord.guildId}/${h.discord.channelId}/${record!.messageId}`);
    // Named, never pinged: Discord parsed no mention out of either line.
    expect(line.mentions).toEqual([]);
    expect(changed.mentions).toEqual([]);
    await h.app.audit.idle();
    const posts = postsIn(audit);
    expect(posts).toHaveLength(2);
    for (const p of posts) expect(p.json.allowed_mentions).toEqual({ parse: [] });
  });

  it('a failed job says failed with the reason; a private one says private instead of a link', async () => {
    h = await startHarness();
    const audit = await chooseAuditChannel();
    await imagineToEnd('doomed prompt', 'failure');
    const failed = await h.discord.waitForMessage((m) => m.channel_id === audit && m.content.includes('doomed'));
    expect(failed.content).toMatch(/ \/imagine “doomed prompt” → failed: Midjourney’s moderator rejected the prompt\. · https:\/\/discord\.com\/channels\//);

    // Alice's results are private: the line links to nothing.
    const mine = h.discord.sendSlashCommand('settings', []);
    await h.handled(mine);
    await click(h.discord.originalOf(mine).id, 'mj:set:u:vis:private', h.discord.users.alice);
    await imagineToEnd('a secret garden');
    const hidden = await h.discord.waitForMessage((m) => m.channel_id === audit && m.content.includes('secret garden'));
    expect(hidden.content).toMatch(/“a secret garden” → done · private$/);
    expect(hidden.content).not.toContain('discord.com/channels');
  });

  it('a prompt carrying the API key is masked, and markdown or @everyone in it stays inert', async () => {
    h = await startHarness();
    const audit = await chooseAuditChannel();
    await imagineToEnd(`leak ${API_KEY} **bold** @everyone`);
    const line = await h.discord.waitForMessage((m) => m.channel_id === audit && m.content.includes('leak'));
    expect(line.content).not.toContain(API_KEY);
    expect(line.content).not.toContain('SECRET');
    expect(line.content).toContain('“leak \\*\\*\\* \\*\\*bold\\*\\* @\u200beveryone”');
    expect(line.mention_everyone).toBe(false);
  });

  it('every change of the server’s settings gets a line: what, from what to what, by whom', async () => {
    h = await startHarness();
    const bob = h.discord.users.bob;
    const audit = await chooseAuditChannel();
    const panel = await serverPanel();
    const gallery = h.discord.addChannel('gallery');
    await pick(panel, 'mj:set:o:gal', [gallery]);
    await pick(panel, 'mj:set:o:vers', ['7', 'niji 6']);
    await click(panel, 'mj:set:d:open');
    await click(panel, 'mj:set:d:s:750');
    await click(panel, 'mj:set:d:raw');
    await h.app.audit.idle();
    const lines = postsIn(audit).map((c) => c.json.content);
    expect(lines).toEqual([
      `⚙️ <@${bob.id}> changed Audit channel: none → <#${audit}>`,
      `⚙️ <@${bob.id}> changed Gallery channel: none → <#${gallery}>`,
      `⚙️ <@${bob.id}> changed Versions offered: all → Midjourney V7, Niji 6`,
      `⚙️ <@${bob.id}> changed server default Stylize: default → 750`,
      `⚙️ <@${bob.id}> changed server default RAW style: default → on`,
    ]);

    // The moderation panel's word list, through its own form: counted, never printed.
    await click(panel, 'mj:set:o:open');
    await click(panel, 'mj:set:m:open');
    await click(panel, 'mj:set:m:words');
    const submitted = h.discord.submitModal('mj:set:m:wordsm', { words: 'forbidden\nsecretword' }, { user: bob, messageId: panel });
    await h.handled(submitted);
    // The sixth line within 5 s: the channel queue paces a channel's new messages as Discord's bucket
    // does (5 in 5 s), so it goes a few seconds later.
    const words = await h.discord.waitForMessage((m) => m.channel_id === audit && m.content.includes('banned words'), PACED_WAIT_MS);
    expect(words.content).toBe(`⚙️ <@${bob.id}> changed banned words: updated (2 words)`);
    expect(words.content).not.toMatch(/forbidden|secretword/);
    // The limits form, too.
    await click(panel, 'mj:set:o:open');
    await click(panel, 'mj:set:l:open');
    await click(panel, 'mj:set:l:lim');
    await h.handled(h.discord.submitModal('mj:set:l:limm', { running: '1', daily: '', serverDaily: '' }, { user: bob, messageId: panel }));
    const limit = await h.discord.waitForMessage((m) => m.channel_id === audit && /running/i.test(m.content), PACED_WAIT_MS);
    expect(limit.content).toMatch(new RegExp(`^⚙️ <@${bob.id}> changed .*: default → 1$`));

    // Clearing it: the last line goes to the channel that stops receiving them, and nothing after it.
    await click(panel, 'mj:set:o:open');
    await click(panel, 'mj:set:o:audclear');
    const cleared = await h.discord.waitForMessage((m) => m.channel_id === audit && m.content.endsWith('→ none'), PACED_WAIT_MS);
    expect(cleared.content).toBe(`⚙️ <@${bob.id}> changed Audit channel: <#${audit}> → none`);
    const count = postsIn(audit).length;
    await imagineToEnd('after the audit channel');
    await h.app.audit.idle();
    expect(postsIn(audit)).toHaveLength(count);
  });

  it('a prompt the backend refuses (code 24) gets a refusal line', async () => {
    h = await startHarness();
    const audit = await chooseAuditChannel();
    h.proxy.setQuirks({ bannedPrompt: 'gore' });
    const it = h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: 'some gore here' }]);
    await h.handled(it);
    const line = await h.discord.waitForMessage((m) => m.channel_id === audit && m.content.includes('gore'));
    expect(line.content).toBe(`<@${h.discord.users.alice.id}> /imagine “some gore here” → refused: BANNED\\_PROMPT · no message`);
  });

  it('without an audit channel nothing is posted', async () => {
    h = await startHarness();
    await imagineToEnd('a quiet fox');
    await imagineToEnd('a failing fox', 'failure');
    await h.app.audit.idle();
    expect(h.discord.calls.filter((c) => c.method === 'POST' && /^\/channels\/\d+\/messages$/.test(c.path))).toEqual([]);
  });

  it('an audit channel the bot cannot post in is logged once; the jobs are unaffected', async () => {
    h = await startHarness();
    const audit = await chooseAuditChannel();
    await h.app.audit.idle();
    h.discord.denyBotInChannel(audit, SEND_MESSAGES);
    const ids = [await imagineToEnd('first fox'), await imagineToEnd('second fox')];
    await h.app.audit.idle();
    // Both jobs ended normally: their grids are shown.
    for (const id of ids) expect((await h.app.stores.tasks.get(id))?.status).toBe('SUCCESS');
    await h.discord.waitForMessage((m) => m.content.startsWith('**second fox**') && m.components.length === 3);
    const refused = postsIn(audit).filter((c) => c.status === 403);
    expect(refused.map((c) => c.response?.code)).toEqual([50013]);
    const warned = h.logs.map((l) => JSON.parse(l)).filter((l) => /audit channel cannot be posted in/.test(l.msg));
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatchObject({ level: 'warn', channelId: audit });

    // Chosen again by an admin (permission fixed): tried again at once.
    h.discord.denyBotInChannel(audit, '0');
    await pick(await serverPanel(), 'mj:set:o:aud', [audit]);
    await imagineToEnd('third fox');
    await h.discord.waitForMessage((m) => m.channel_id === audit && m.content.includes('third fox'));
  });

  it('an unreachable audit channel is tried again an hour later (and logged again if still unreachable)', async () => {
    h = await startHarness({ sharedClock: true });
    const audit = await chooseAuditChannel();
    await h.app.audit.idle();
    h.discord.denyBotInChannel(audit, SEND_MESSAGES);
    await imagineToEnd('first fox');
    await h.app.audit.idle();
    h.discord.clock.advance(59 * 60_000);
    await imagineToEnd('second fox');
    await h.app.audit.idle();
    expect(postsIn(audit).filter((c) => c.status === 403)).toHaveLength(1);
    h.discord.clock.advance(2 * 60_000);
    await imagineToEnd('third fox');
    await h.app.audit.idle();
    expect(postsIn(audit).filter((c) => c.status === 403)).toHaveLength(2);
    expect(h.logs.filter((l) => l.includes('audit channel cannot be posted in'))).toHaveLength(2);
  });

  it('a deleted audit channel (10003) is logged once, and jobs go on', async () => {
    h = await startHarness();
    await h.app.stores.prefs.setServer(h.discord.guildId, { auditChannelId: '123456789012345678' });
    await imagineToEnd('fox one');
    await imagineToEnd('fox two');
    await h.app.audit.idle();
    expect(postsIn('123456789012345678').map((c) => c.status)).toEqual([404]);
    expect(h.logs.filter((l) => l.includes('audit channel cannot be posted in'))).toHaveLength(1);
    expect(await h.app.stores.tasks.activeIds()).toEqual([]);
  });

  it('a member without Manage Server can neither choose nor clear it, even with forged components', async () => {
    h = await startHarness();
    const carol = h.discord.makeUser('carol');
    carol.permissions = PLAIN_MEMBER;
    const audit = h.discord.addChannel('audit-log');
    // Carol's own panel, carrying the audit controls of the server's panel (what a forged interaction sends).
    const mine = h.discord.sendSlashCommand('settings', [], { user: carol });
    await h.handled(mine);
    const panelId = h.discord.originalOf(mine).id;
    const msg = structuredClone(h.discord.messages.get(panelId));
    msg.components = [
      { type: 1, components: [{ type: 8, custom_id: 'mj:set:o:aud', channel_types: [0], min_values: 1, max_values: 1 }] },
      { type: 1, components: [{ type: 2, style: 2, label: 'x', custom_id: 'mj:set:o:audclear' }] },
    ];
    h.discord.messages.set(panelId, msg);
    for (const forged of [await pick(panelId, 'mj:set:o:aud', [audit], carol), await click(panelId, 'mj:set:o:audclear', carol)]) {
      expect(forged.done.ok).toBe(false);
      expect(forged.cb.data.flags & 64).toBe(64);
      expect(forged.cb.data.content).toBe('Only members with the Manage Server permission can change this server’s settings.');
    }
    expect(await h.app.stores.prefs.server(h.discord.guildId)).toEqual({});
    await h.app.audit.idle();
    expect(postsIn(audit)).toEqual([]);
  });
});
