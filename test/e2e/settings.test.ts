// /settings end to end: the private panel, each click stored and shown in place, the settings on the
// next jobs at the fake proxy (parameters, suffix, speed path), the server's panels for Manage
// Server only (forged clicks included), and both languages.
import { afterEach, describe, expect, it } from 'vitest';
import { encodePng } from '../../stand-ins/fake-proxy.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { freePort } from '../scale/helpers.ts';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

/** @everyone's permissions in the fake guild: no Manage Server, no Administrator. */
const PLAIN_MEMBER = '2248473465835073';

function carol() {
  const u = h.discord.makeUser('carol');
  u.permissions = PLAIN_MEMBER;
  return u;
}

type User = ReturnType<typeof carol>;
const components = (m: any): any[] => m.components.flatMap((r: any) => r.components);
const control = (m: any, id: string) => components(m).find((c) => c.custom_id === id);

/** /settings as `user`: the interaction, Discord's record of the answer, and the panel message. */
async function open(o: { user?: User; locale?: string; scope?: 'mine' | 'server' } = {}) {
  const it = h.discord.sendSlashCommand('settings', o.scope ? [{ name: 'scope', type: 3, value: o.scope }] : [], { user: o.user, locale: o.locale });
  const done = await h.handled(it);
  return { it, done, cb: h.discord.callbackOf(it), panel: h.discord.originalOf(it) };
}

async function click(panelId: string, customId: string, user?: User) {
  const it = h.discord.clickButton(panelId, customId, { user });
  return { it, done: await h.handled(it), cb: h.discord.callbackOf(it) };
}

async function pick(panelId: string, customId: string, values: string[], user?: User) {
  const it = h.discord.selectMenu(panelId, customId, values, { user });
  return { it, done: await h.handled(it), cb: h.discord.callbackOf(it) };
}

async function imaginePrompt(prompt: string, user?: User, options: any[] = []) {
  const req = h.proxy.nextRequest((r) => r.route === '/mj/submit/imagine');
  h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: prompt }, ...options], { user });
  return req;
}

describe('/settings: a member’s own panel', () => {
  it('opens privately; each click is stored and updates the panel in place; the suffix comes from a modal; Reset clears all', async () => {
    h = await startHarness();
    const alice = h.discord.users.alice;
    const { cb, panel } = await open();
    expect(cb.type).toBe(4);
    expect(cb.data.flags & 64).toBe(64);
    expect(panel.content).toMatch(/^\*\*Your settings\*\*/);
    expect(panel.content).toContain('Model version: **default** (default)');
    const ver = control(panel, 'mj:set:u:ver');
    expect(ver.type).toBe(3);
    expect(ver.options.map((o: any) => o.value)).toEqual(['default', '7', '6.1', 'niji 6']);
    // No speeds configured: no speed select.
    expect(control(panel, 'mj:set:u:mode')).toBeUndefined();

    const picked = await pick(panel.id, 'mj:set:u:ver', ['7']);
    expect(picked.cb.type).toBe(7);
    await click(panel.id, 'mj:set:u:s:250');
    await click(panel.id, 'mj:set:u:raw');
    expect(await h.app.stores.prefs.user(alice.id)).toEqual({ version: '7', stylize: 250, raw: true });
    const shown = h.discord.messages.get(panel.id);
    expect(shown.content).toContain('Model version: **Midjourney V7** (yours)');
    expect(shown.content).toContain('Stylize: **250** (yours)');
    expect(shown.content).toContain('RAW style: **on** (yours)');
    expect(control(shown, 'mj:set:u:s:250').style).toBe(3);
    expect(control(shown, 'mj:set:u:s:50').style).toBe(2);
    expect(control(shown, 'mj:set:u:ver').options.find((o: any) => o.default).value).toBe('7');

    // The suffix: a button opens a modal with one text input; its submit updates the panel.
    const sfx = await click(panel.id, 'mj:set:u:sfx');
    expect(sfx.cb.type).toBe(9);
    const modal = h.discord.submitModal('mj:set:u:sfxm', { suffix: '  watercolor @everyone  ' });
    await h.handled(modal);
    expect(h.discord.callbackOf(modal).type).toBe(7);
    expect((await h.app.stores.prefs.user(alice.id)).suffix).toBe('watercolor @everyone');
    expect(h.discord.messages.get(panel.id).content).toContain('Suffix: “watercolor @\u200beveryone” (yours)');

    // A second click on the chosen stylize goes back to the default; Reset forgets everything.
    await click(panel.id, 'mj:set:u:s:250');
    expect((await h.app.stores.prefs.user(alice.id)).stylize).toBeUndefined();
    await click(panel.id, 'mj:set:u:reset');
    expect(await h.app.stores.prefs.user(alice.id)).toEqual({});
    expect(h.discord.messages.get(panel.id).content).toContain('RAW style: **off** (default)');
  });

  it('the next /imagine carries the version, stylize, RAW and suffix; what the prompt sets itself stays', async () => {
    h = await startHarness();
    const { panel } = await open();
    await pick(panel.id, 'mj:set:u:ver', ['7']);
    await click(panel.id, 'mj:set:u:s:250');
    await click(panel.id, 'mj:set:u:raw');
    await click(panel.id, 'mj:set:u:sfx');
    await h.handled(h.discord.submitModal('mj:set:u:sfxm', { suffix: 'watercolor' }));

    expect((await imaginePrompt('a red fox --ar 3:2')).body.prompt).toBe('a red fox watercolor --ar 3:2 --v 7 --s 250 --style raw');
    expect((await imaginePrompt('a cat --v 6.1')).body.prompt).toBe('a cat watercolor --v 6.1 --s 250 --style raw');
    // The public line shows the prompt as it was sent.
    await h.discord.waitForMessage((m) => m.content.startsWith('**a cat watercolor --v 6.1 --s 250 --style raw** - '));
    // Someone else is not affected.
    expect((await imaginePrompt('a dog', carol())).body.prompt).toBe('a dog');
  });

  it('a describe pick and Imagine all get the settings too', async () => {
    h = await startHarness();
    const { panel } = await open();
    await click(panel.id, 'mj:set:u:s:750');
    await click(panel.id, 'mj:set:u:sfx');
    await h.handled(h.discord.submitModal('mj:set:u:sfxm', { suffix: 'ink --ar 2:3' }));
    const a = h.discord.addAttachment(encodePng([200, 40, 40]), 'photo.png', 'image/png');
    h.discord.sendSlashCommand('describe', [{ name: 'image', type: 11, value: a.id }], { attachments: [a] });
    const id = await h.trackedId();
    h.proxy.finish(id);
    await h.app.poller.tick();
    const msg = await h.discord.waitForMessage((m) => m.embeds.length > 0 && /2️⃣/.test(m.embeds[0].description ?? ''));
    const two = components(msg).find((x) => x.emoji?.name === '2️⃣');
    const shown = await click(msg.id, two.custom_id);
    const req = h.proxy.nextRequest((r) => r.route === '/mj/submit/imagine');
    h.discord.submitModal(shown.cb.data.custom_id, { prompt: 'a lighthouse at dusk --ar 16:9' }, { messageId: msg.id });
    expect((await req).body.prompt).toBe('a lighthouse at dusk ink --ar 16:9 --s 750');

    const all = components(msg).find((x) => /Imagine all/.test(x.label ?? ''));
    const before = h.proxy.requests.length;
    await click(msg.id, all.custom_id);
    const prompts = h.proxy.requests.slice(before).filter((r) => r.route === '/mj/submit/imagine').map((r) => r.body.prompt);
    expect(prompts).toHaveLength(4);
    for (const p of prompts) expect(p).toMatch(/ ink( --.*)? --s 750$/);
  });

  it('the chosen speed is the default mode path, shown on the finished job as Midjourney does', async () => {
    const port = await freePort();
    h = await startHarness({ proxy: { port }, env: { MJ_MODES: `fast=http://127.0.0.1:${port}/mj-fast/mj,relax=http://127.0.0.1:${port}/mj-relax/mj` } });
    const { panel } = await open();
    expect(control(panel, 'mj:set:u:mode').options.map((o: any) => o.value)).toEqual(['default', 'fast', 'relax']);
    await pick(panel.id, 'mj:set:u:mode', ['relax']);
    expect(h.discord.messages.get(panel.id).content).toContain('Speed: **relax** (yours)');

    const req = await imaginePrompt('slow fox');
    expect(req).toMatchObject({ path: '/mj-relax/mj/submit/imagine', mode: 'RELAX' });
    // The command's own mode wins.
    expect(await imaginePrompt('quick fox', undefined, [{ name: 'mode', type: 3, value: 'fast' }])).toMatchObject({ path: '/mj-fast/mj/submit/imagine' });

    await h.tracked(2);
    for (const id of await h.app.stores.tasks.activeIds()) h.proxy.finish(id);
    await h.app.poller.tick();
    const done = await h.discord.waitForMessage((m) => m.content.startsWith('**slow fox**') && m.components.length === 3);
    expect(done.content).toMatch(/ \(relaxed\)$/);
    const quick = await h.discord.waitForMessage((m) => m.content.startsWith('**quick fox**') && m.components.length === 3);
    expect(quick.content).toMatch(/ \(fast\)$/);
  });

  it('renders in Chinese for a zh-CN client', async () => {
    h = await startHarness();
    const { panel } = await open({ locale: 'zh-CN' });
    expect(panel.content).toMatch(/^\*\*你的设置\*\*/);
    expect(panel.content).toContain('模型版本: **默认** (默认)');
    expect(control(panel, 'mj:set:u:ver').placeholder).toBe('模型版本');
    expect(control(panel, 'mj:set:u:s:250').label).toBe('风格化 高');
    expect(control(panel, 'mj:set:u:reset').label).toBe('重置设置');
    expect(control(panel, 'mj:set:o:open').label).toBe('服务器设置');
  });
});

describe('/settings for a server', () => {
  it('an admin sets defaults, which apply to a member who chose nothing; their own choice wins', async () => {
    h = await startHarness();
    const bob = h.discord.users.bob;
    const offers = await open({ user: bob, scope: 'server' });
    expect(offers.panel.content).toMatch(/^\*\*What this server offers\*\*/);
    await click(offers.panel.id, 'mj:set:d:open', bob);
    const defaults = h.discord.messages.get(offers.panel.id);
    expect(defaults.content).toMatch(/^\*\*Server defaults\*\*/);
    await pick(offers.panel.id, 'mj:set:d:ver', ['niji 6'], bob);
    await click(offers.panel.id, 'mj:set:d:s:750', bob);
    expect((await h.app.stores.prefs.server(h.discord.guildId)).defaults).toEqual({ version: 'niji 6', stylize: 750 });
    // Bob's own settings are untouched.
    expect(await h.app.stores.prefs.user(bob.id)).toEqual({});

    const c = carol();
    expect((await imaginePrompt('a cat', c)).body.prompt).toBe('a cat --niji 6 --s 750');
    const mine = await open({ user: c });
    expect(mine.panel.content).toContain('Model version: **Niji 6** (server default)');
    // A plain member sees no way to the server's panels.
    expect(control(mine.panel, 'mj:set:o:open')).toBeUndefined();
    await click(mine.panel.id, 'mj:set:u:s:50', c);
    expect((await imaginePrompt('a dog', c)).body.prompt).toBe('a dog --niji 6 --s 50');
  });

  it('a speed or version the server does not offer is neither offered nor applied, and a command naming it is refused', async () => {
    const port = await freePort();
    h = await startHarness({ proxy: { port }, env: { MJ_MODES: `fast=http://127.0.0.1:${port}/mj-fast/mj,relax=http://127.0.0.1:${port}/mj-relax/mj` } });
    const alice = h.discord.users.alice;
    const mine = await open();
    await pick(mine.panel.id, 'mj:set:u:mode', ['relax']);
    await pick(mine.panel.id, 'mj:set:u:ver', ['6.1']);

    const bob = h.discord.users.bob;
    const offers = await open({ user: bob, scope: 'server' });
    await pick(offers.panel.id, 'mj:set:o:modes', ['fast'], bob);
    await pick(offers.panel.id, 'mj:set:o:vers', ['7', 'niji 6'], bob);
    expect(await h.app.stores.prefs.server(h.discord.guildId)).toMatchObject({ modes: ['fast'], versions: ['7', 'niji 6'] });
    expect(h.discord.messages.get(offers.panel.id).content).toContain('Speeds offered: **fast**');

    // Alice's choices stay stored but do not apply here.
    expect(await h.app.stores.prefs.user(alice.id)).toMatchObject({ mode: 'relax', version: '6.1' });
    const req = await imaginePrompt('a fox');
    expect(req).toMatchObject({ path: '/mj/submit/imagine' });
    expect(req.body.prompt).toBe('a fox');
    const again = await open();
    expect(control(again.panel, 'mj:set:u:mode').options.map((o: any) => o.value)).toEqual(['default', 'fast']);
    expect(control(again.panel, 'mj:set:u:ver').options.map((o: any) => o.value)).toEqual(['default', '7', 'niji 6']);

    const before = h.proxy.requests.length;
    const refused = h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: 'a fox' }, { name: 'mode', type: 3, value: 'relax' }]);
    await h.handled(refused);
    const cb = h.discord.callbackOf(refused);
    expect(cb.data.flags & 64).toBe(64);
    expect(cb.data.content).toBe('The speed “relax” is not offered in this server. Pick another, or leave it out.');
    expect(h.proxy.requests.slice(before).some((r) => r.route === '/mj/submit/imagine')).toBe(false);
  });

  it('the gallery is a text channel chosen from a channel select', async () => {
    h = await startHarness();
    const bob = h.discord.users.bob;
    const gallery = h.discord.addChannel('gallery');
    const offers = await open({ user: bob, scope: 'server' });
    const select = control(offers.panel, 'mj:set:o:gal');
    expect(select).toMatchObject({ type: 8, channel_types: [0], min_values: 1, max_values: 1 });
    await pick(offers.panel.id, 'mj:set:o:gal', [gallery], bob);
    expect((await h.app.stores.prefs.server(h.discord.guildId)).galleryChannelId).toBe(gallery);
    const shown = h.discord.messages.get(offers.panel.id);
    expect(shown.content).toContain(`Gallery channel: <#${gallery}>`);
    expect(control(shown, 'mj:set:o:gal').default_values).toEqual([{ id: gallery, type: 'channel' }]);
    await click(offers.panel.id, 'mj:set:o:galclear', bob);
    expect((await h.app.stores.prefs.server(h.discord.guildId)).galleryChannelId).toBeUndefined();
  });

  it('a member without Manage Server can neither open nor forge the server’s panels, nor use someone else’s panel', async () => {
    h = await startHarness();
    const c = carol();
    const refused = await open({ user: c, scope: 'server' });
    expect(refused.done.ok).toBe(false);
    expect(refused.cb.data.flags & 64).toBe(64);
    expect(refused.cb.data.content).toBe('Only members with the Manage Server permission can change this server’s settings.');
    expect(refused.cb.data.components ?? []).toEqual([]);

    // Carol's own panel, carrying controls of the server's panels (what a forged interaction sends).
    const mine = await open({ user: c });
    const msg = structuredClone(h.discord.messages.get(mine.panel.id));
    msg.components = [
      { type: 1, components: [{ type: 3, custom_id: 'mj:set:o:vers', min_values: 0, max_values: 1, options: [{ label: 'V7', value: '7' }] }] },
      { type: 1, components: [{ type: 2, style: 2, label: 'x', custom_id: 'mj:set:d:s:750' }, { type: 2, style: 2, label: 'y', custom_id: 'mj:set:d:open' }, { type: 2, style: 2, label: 'z', custom_id: 'mj:set:d:sfx' }] },
    ];
    h.discord.messages.set(mine.panel.id, msg);
    for (const forged of [pick(mine.panel.id, 'mj:set:o:vers', ['7'], c), click(mine.panel.id, 'mj:set:d:s:750', c), click(mine.panel.id, 'mj:set:d:open', c), click(mine.panel.id, 'mj:set:d:sfx', c)]) {
      const r = await forged;
      expect(r.done.ok).toBe(false);
      expect(r.cb.type).toBe(4);
      expect(r.cb.data.flags & 64).toBe(64);
      expect(r.cb.data.content).toMatch(/Manage Server/);
    }
    expect(await h.app.stores.prefs.server(h.discord.guildId)).toEqual({});
    expect(h.discord.modals.some((m) => m.custom_id === 'mj:set:d:sfxm')).toBe(false);

    // Alice's panel, clicked by Carol: refused, and nobody's settings change.
    const alices = await open();
    const r = await click(alices.panel.id, 'mj:set:u:s:50', c);
    expect(r.cb.data.content).toBe('This is someone else’s settings panel. Use /settings to open yours.');
    expect(await h.app.stores.prefs.user(h.discord.users.alice.id)).toEqual({});
    expect(await h.app.stores.prefs.user(c.id)).toEqual({});
  });
});
