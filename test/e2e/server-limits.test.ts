// Panel `l` of /settings ("Limits & access") end to end: a server's admins set its limits (running
// jobs and jobs per day per member, a daily budget for the whole server), the channels and roles
// the bot may be used by, and personal installs in its channels; each applies to the next
// interaction, within the operator's env values (the defaults and the ceiling). Members without
// Manage Server can neither open nor forge the panel.
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/harness.ts';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

/** @everyone's permissions in the fake guild: no Manage Server, no Administrator. */
const PLAIN_MEMBER = '2248473465835073';

function member(name: string, roles: string[] = []) {
  const u = h.discord.makeUser(name, roles);
  u.permissions = PLAIN_MEMBER;
  return u;
}

type User = ReturnType<typeof member>;
const components = (m: any): any[] => m.components.flatMap((r: any) => r.components);
const control = (m: any, id: string) => components(m).find((c) => c.custom_id === id);
const submits = () => h.proxy.requests.filter((r) => r.route === '/mj/submit/imagine').length;

/** /settings scope:server as the admin (alice), then "Limits & access": the panel message, updated in place. */
async function openLimits(o: { user?: User; channelId?: string } = {}) {
  const it = h.discord.sendSlashCommand('settings', [{ name: 'scope', type: 3, value: 'server' }], o);
  const done = await h.handled(it);
  expect(done.ok).toBe(true);
  const panel = h.discord.originalOf(it);
  const opened = await click(panel.id, 'mj:set:l:open', o.user);
  expect(opened.cb.type).toBe(7);
  return h.discord.messages.get(panel.id);
}

async function click(panelId: string, customId: string, user?: User) {
  const it = h.discord.clickButton(panelId, customId, { user });
  return { it, done: await h.handled(it), cb: h.discord.callbackOf(it) };
}

async function pick(panelId: string, customId: string, values: string[], user?: User) {
  const it = h.discord.selectMenu(panelId, customId, values, { user });
  return { it, done: await h.handled(it), cb: h.discord.callbackOf(it) };
}

/** "Edit limits…" then its modal submitted with these boxes. */
async function setLimits(panelId: string, boxes: { running?: string; daily?: string; serverDaily?: string }) {
  const opened = await click(panelId, 'mj:set:l:lim');
  expect(opened.cb.type).toBe(9);
  const it = h.discord.submitModal('mj:set:l:limm', { running: '', daily: '', serverDaily: '', ...boxes });
  return { it, done: await h.handled(it), cb: h.discord.callbackOf(it) };
}

/** /imagine as `user`: the first answer Discord recorded. */
async function imagine(prompt: string, o: { user?: User; channelId?: string; userInstall?: boolean } = {}) {
  const it = h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: prompt }], o);
  const cb = await h.answered(it);
  await h.handled(it);
  return cb;
}

/** A job's public waiting line (not a private refusal). */
const accepted = (cb: any) => {
  expect(cb.type).toBe(4);
  expect(cb.data.flags ?? 0).toBe(0);
};

const refusal = (cb: any) => {
  expect(cb.type).toBe(4);
  expect(cb.data.flags & 64).toBe(64);
  return cb.data.content as string;
};

describe('panel l: limits', () => {
  it('an admin sets one running job per member: the second job is refused, naming the server’s limit', async () => {
    h = await startHarness({ env: { USER_MAX_CONCURRENT: '3' } });
    const panel = await openLimits();
    expect(panel.content).toMatch(/^\*\*Limits & access\*\*/);
    expect(panel.content).toContain('Running jobs per member: **3** (the operator’s; operator’s limit: 3)');
    expect(panel.content).toContain('Daily budget for the server: **no limit** (default)');
    expect(control(panel, 'mj:set:l:chan').type).toBe(8);
    expect(control(panel, 'mj:set:l:roles').type).toBe(6);

    // The modal shows the operator's ceiling under each box.
    await click(panel.id, 'mj:set:l:lim');
    const modal = h.discord.modals.at(-1)!;
    expect(modal.custom_id).toBe('mj:set:l:limm');
    const boxes = (modal.components as any[]).map((c) => [c.label, c.description]);
    expect(boxes[0]).toEqual(['Running jobs per member', '1 to 3. Empty: the operator’s default (3).']);
    expect(boxes[2]).toEqual(['Daily budget for the whole server', '1 to 1000000. Empty: no limit.']);

    const set = await setLimits(panel.id, { running: '1' });
    expect(set.done.ok).toBe(true);
    expect(set.cb.type).toBe(7);
    expect(await h.app.stores.prefs.server(h.discord.guildId)).toEqual({ limits: { running: 1 } });
    expect(h.discord.messages.get(panel.id).content).toContain('Running jobs per member: **1** (set here; operator’s limit: 3)');

    const carol = member('carol');
    accepted(await imagine('first', { user: carol }));
    await h.tracked(1);
    const second = refusal(await imagine('second', { user: carol }));
    expect(second).toBe('This server allows 1 running jobs per member, and you have that many. Wait for one to finish.');
    expect(submits()).toBe(1);
    // Admins are held to the server's limits too.
    accepted(await imagine('admin first'));
    expect(refusal(await imagine('admin second'))).toMatch(/allows 1 running jobs per member/);
    expect(submits()).toBe(2);

    // Empty boxes: back to the operator's limits.
    await setLimits(panel.id, {});
    expect(await h.app.stores.prefs.server(h.discord.guildId)).toEqual({});
    accepted(await imagine('second again', { user: carol }));
  });

  it('the operator’s limit is the ceiling: a server cannot raise it, and a stored value above it does not either', async () => {
    h = await startHarness({ env: { USER_MAX_CONCURRENT: '2' } });
    const panel = await openLimits();
    const above = await setLimits(panel.id, { running: '5' });
    expect(above.done.ok).toBe(false);
    expect(refusal(above.cb)).toBe('5 is above the operator’s limit of 2: a server can only lower it. Nothing was changed.');
    const junk = await setLimits(panel.id, { running: '1', daily: '2.5' });
    // Shown as plain text: Discord shows the escaped dot as a dot.
    expect(refusal(junk.cb)).toBe('“2\\.5” is not a whole number from 1 to 1000000. Leave a box empty for the default. Nothing was changed.');
    const zero = await setLimits(panel.id, { serverDaily: '0' });
    expect(refusal(zero.cb)).toMatch(/^“0” is not a whole number from 1 to 1000000/);
    expect(await h.app.stores.prefs.server(h.discord.guildId)).toEqual({});

    // A value stored above the ceiling (the operator lowered theirs since) never raises it.
    await h.app.stores.prefs.setServer(h.discord.guildId, { limits: { running: 5 } });
    const carol = member('carol');
    accepted(await imagine('one', { user: carol }));
    accepted(await imagine('two', { user: carol }));
    await h.tracked(2);
    expect(refusal(await imagine('three', { user: carol }))).toBe('You already have 2 jobs running. Wait for one to finish.');
    expect(submits()).toBe(2);
  });

  it('a daily limit per member and a daily budget for the whole server, counted across members; a job the backend refused is given back', async () => {
    h = await startHarness();
    const panel = await openLimits();
    await setLimits(panel.id, { daily: '2', serverDaily: '3' });
    expect(await h.app.stores.prefs.server(h.discord.guildId)).toEqual({ limits: { daily: 2, serverDaily: 3 } });
    expect(h.discord.messages.get(panel.id).content).toContain('Daily budget for the server: **3** (set here; 0 used today)');

    const carol = member('carol');
    const dave = member('dave');
    // Refused by the backend before it took the job: nothing of the day is used.
    accepted(await imagine('a banned thing', { user: carol }));
    expect(submits()).toBe(1);
    expect(await h.app.stores.tasks.activeIds()).toEqual([]);
    accepted(await imagine('carol one', { user: carol }));
    accepted(await imagine('carol two', { user: carol }));
    await h.tracked(2);
    expect(refusal(await imagine('carol three', { user: carol }))).toBe('You’ve used this server’s daily allowance of 2 jobs per member. It resets at 00:00 UTC.');
    // /info in this server counts against the server's limits.
    const info = h.discord.sendSlashCommand('info', [], { user: carol });
    await h.handled(info);
    const shown = h.discord.messages.get(h.discord.originalOf(info).id);
    expect(JSON.stringify(shown.embeds)).toContain('**Jobs today:** 2 of 2');
    accepted(await imagine('dave one', { user: dave }));
    await h.tracked(3);
    expect(refusal(await imagine('dave two', { user: dave }))).toBe('This server’s daily budget of 3 jobs is used up. It resets at 00:00 UTC.');
    expect(submits()).toBe(4);

    // The panel counts the day's jobs; zh-CN readers get the refusal in their language.
    expect((await openLimits()).content).toContain('Daily budget for the server: **3** (set here; 3 used today)');
    const zh = h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: 'again' }], { user: dave, locale: 'zh-CN' });
    expect(refusal(await h.answered(zh))).toBe('本服务器今天 3 次任务的总额度已用完，额度在 UTC 00:00 重置。');
  });
});

describe('panel l: access', () => {
  it('channels and roles chosen on the panel hold members out at once; admins can still open /settings where they excluded themselves', async () => {
    h = await startHarness();
    const art = h.discord.addChannel('art');
    const artists = h.discord.addRole('artists');
    const carol = member('carol');
    const dave = member('dave', [artists]);
    const panel = await openLimits();

    const chosen = await pick(panel.id, 'mj:set:l:chan', [art]);
    expect(chosen.done.ok).toBe(true);
    expect((await h.app.stores.prefs.server(h.discord.guildId)).access).toEqual({ channels: [art] });
    const shown = h.discord.messages.get(panel.id);
    expect(shown.content).toContain(`Channels: <#${art}>`);
    expect(control(shown, 'mj:set:l:chan').default_values).toEqual([{ id: art, type: 'channel' }]);

    expect(refusal(await imagine('here', { user: carol }))).toBe('The bot can’t be used in this channel.');
    accepted(await imagine('in art', { user: carol, channelId: art }));
    // The admin is held out of jobs here too, but /settings still opens, and the panel still works.
    expect(refusal(await imagine('admin here'))).toBe('The bot can’t be used in this channel.');
    const again = await openLimits();
    expect(again.content).toContain(`Channels: <#${art}>`);

    await pick(again.id, 'mj:set:l:roles', [artists]);
    expect((await h.app.stores.prefs.server(h.discord.guildId)).access).toEqual({ channels: [art], roles: [artists] });
    expect(h.discord.messages.get(again.id).content).toContain(`Roles: <@&${artists}>`);
    expect(refusal(await imagine('no role', { user: carol, channelId: art }))).toBe('You need one of the allowed roles to use the bot here.');
    accepted(await imagine('with role', { user: dave, channelId: art }));
    // What the bot keeps about her stays Carol's to see and delete, whatever channel or role she lacks.
    const privacy = h.discord.sendSlashCommand('privacy', [], { user: carol });
    expect((await h.answered(privacy)).data.content ?? '').not.toMatch(/can’t be used|allowed roles/);
    expect((await h.handled(privacy)).ok).toBe(true);
    // A member held out gets no suggestions either; one let in gets theirs.
    const suggestions = async (user: User) => {
      const ac = h.discord.autocomplete('task', [{ name: 'id', type: 3, value: '' }], { user, channelId: art });
      await h.handled(ac);
      return h.discord.callbackOf(ac).data.choices as unknown[];
    };
    expect(await suggestions(carol)).toEqual([]);
    expect((await suggestions(dave)).length).toBeGreaterThan(0);

    // Nothing chosen: everyone, everywhere again.
    await pick(again.id, 'mj:set:l:chan', []);
    await pick(again.id, 'mj:set:l:roles', []);
    expect(await h.app.stores.prefs.server(h.discord.guildId)).toEqual({});
    accepted(await imagine('back', { user: carol }));
  });

  it('a server chooses within the operator’s allow-list', async () => {
    const guildId = '912345678901234567';
    const channelId = '912345678901234568';
    h = await startHarness({ discord: { guildId, channelId }, env: { ALLOWED_CHANNELS: `${guildId}/${channelId}` } });
    const other = h.discord.addChannel('other');
    const panel = await openLimits();
    expect(panel.content).toContain('Channels: **all** (the operator allows only some here)');
    const outside = await pick(panel.id, 'mj:set:l:chan', [other]);
    expect(refusal(outside.cb)).toBe('The operator allows the bot in some channels of this server only; choose among those. Nothing was changed.');
    expect(await h.app.stores.prefs.server(guildId)).toEqual({});
    await pick(panel.id, 'mj:set:l:chan', [channelId]);
    expect((await h.app.stores.prefs.server(guildId)).access).toEqual({ channels: [channelId] });
  });

  it('with personal installs allowed by the operator, a server can refuse them in its channels', async () => {
    h = await startHarness({ env: { ALLOW_USER_INSTALL: 'true' } });
    const carol = member('carol');
    const panel = await openLimits();
    expect(panel.content).toContain('Personal installs of the app in this server: **accepted**');
    accepted(await imagine('personal', { user: carol, userInstall: true }));
    const off = await click(panel.id, 'mj:set:l:ui');
    expect(off.done.ok).toBe(true);
    expect((await h.app.stores.prefs.server(h.discord.guildId)).access).toEqual({ userInstall: false });
    expect(control(h.discord.messages.get(panel.id), 'mj:set:l:ui').label).toBe('Personal installs: refused');
    expect(refusal(await imagine('personal again', { user: carol, userInstall: true }))).toBe('This server doesn’t accept the app through personal installs. Use the commands of the bot the server added.');
    // The server's own install is not affected.
    accepted(await imagine('through the server', { user: carol }));
    await click(panel.id, 'mj:set:l:ui');
    expect(await h.app.stores.prefs.server(h.discord.guildId)).toEqual({});
  });

  it('without the operator’s consent to personal installs the panel offers no toggle', async () => {
    h = await startHarness();
    const panel = await openLimits();
    expect(control(panel, 'mj:set:l:ui')).toBeUndefined();
    expect(panel.content).not.toContain('Personal installs');
  });
});

describe('panel l: who may change it', () => {
  it('a member without Manage Server can neither open nor forge panel l', async () => {
    h = await startHarness();
    const carol = member('carol');
    const art = h.discord.addChannel('art');
    const artists = h.discord.addRole('artists');
    // Carol's own panel, carrying the controls of panel l (what a forged interaction sends).
    const mine = h.discord.sendSlashCommand('settings', [], { user: carol });
    await h.handled(mine);
    const panelId = h.discord.originalOf(mine).id;
    const msg = structuredClone(h.discord.messages.get(panelId));
    msg.components = [
      { type: 1, components: [{ type: 8, custom_id: 'mj:set:l:chan', min_values: 0, max_values: 25 }] },
      { type: 1, components: [{ type: 6, custom_id: 'mj:set:l:roles', min_values: 0, max_values: 25 }] },
      { type: 1, components: ['open', 'lim', 'ui'].map((c) => ({ type: 2, style: 2, label: c, custom_id: `mj:set:l:${c}` })) },
    ];
    h.discord.messages.set(panelId, msg);
    const forged = [
      () => pick(panelId, 'mj:set:l:chan', [art], carol),
      () => pick(panelId, 'mj:set:l:roles', [artists], carol),
      () => click(panelId, 'mj:set:l:open', carol),
      () => click(panelId, 'mj:set:l:lim', carol),
      () => click(panelId, 'mj:set:l:ui', carol),
      async () => {
        const it = h.discord.submitModal('mj:set:l:limm', { running: '1', daily: '1', serverDaily: '1' }, { user: carol, messageId: panelId });
        return { it, done: await h.handled(it), cb: h.discord.callbackOf(it) };
      },
    ];
    for (const send of forged) {
      const r = await send();
      expect(r.done.ok).toBe(false);
      expect(refusal(r.cb)).toBe('Only members with the Manage Server permission can change this server’s settings.');
    }
    expect(await h.app.stores.prefs.server(h.discord.guildId)).toEqual({});
    expect(h.discord.modals.some((m) => m.custom_id === 'mj:set:l:limm')).toBe(false);
    // A role select's id on a button (a forgery of the control's kind) changes nothing either, for an admin too.
    const admin = await openLimits();
    const forgedKind = structuredClone(h.discord.messages.get(admin.id));
    forgedKind.components = [{ type: 1, components: [{ type: 2, style: 2, label: 'x', custom_id: 'mj:set:l:roles' }] }];
    h.discord.messages.set(admin.id, forgedKind);
    expect((await click(admin.id, 'mj:set:l:roles')).done.ok).toBe(false);
    expect(await h.app.stores.prefs.server(h.discord.guildId)).toEqual({});
  });
});
