// Moderation end to end (issue 14 item 2): the server's banned words set through the /settings
// panel `m` and its modal, checked on every prompt path before anything reaches the proxy; the
// blocklist; the escalating cooldown after the backend refuses prompts as banned; and that a member
// without Manage Server can neither open nor forge any of it.
import { afterEach, describe, expect, it } from 'vitest';
import { encodePng } from '../../stand-ins/fake-proxy.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { must } from '../helpers/must.ts';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const MIN = 60_000;
/** @everyone's permissions in the fake guild: no Manage Server, no Administrator. */
const PLAIN_MEMBER = '2248473465835073';
const REFUSED_WORD = 'Your prompt contains a word or phrase this server does not allow. Rephrase it and try again.';

function carol() {
  const u = h.discord.makeUser('carol');
  u.permissions = PLAIN_MEMBER;
  return u;
}
type User = ReturnType<typeof carol>;
const components = (m: any): any[] => m.components.flatMap((r: any) => r.components ?? []);
const control = (m: any, id: string) => components(m).find((c) => c.custom_id === id);

async function slash(name: string, options: any[] = [], user?: User) {
  const it = h.discord.sendSlashCommand(name, options, { user });
  return { it, done: await h.handled(it), cb: h.discord.callbackOf(it) };
}
const imagine = (prompt: string, user?: User) => slash('imagine', [{ name: 'prompt', type: 3, value: prompt }], user);

async function click(messageId: string, customId: string, user?: User) {
  const it = h.discord.clickButton(messageId, customId, { user });
  return { it, done: await h.handled(it), cb: h.discord.callbackOf(it) };
}
async function pick(messageId: string, customId: string, values: string[], user?: User) {
  const it = h.discord.selectMenu(messageId, customId, values, { user });
  return { it, done: await h.handled(it), cb: h.discord.callbackOf(it) };
}
async function submit(customId: string, values: Record<string, string>, user?: User) {
  const it = h.discord.submitModal(customId, values, { user });
  return { it, done: await h.handled(it), cb: h.discord.callbackOf(it) };
}

/** The moderation panel as `user` (an admin) opens it: /settings scope:server, then Moderation. */
async function openModeration(user?: User) {
  const { it } = await slash('settings', [{ name: 'scope', type: 3, value: 'server' }], user);
  const panel = h.discord.originalOf(it);
  const opened = await click(panel.id, 'mj:set:m:open', user);
  expect(opened.cb.type).toBe(7);
  return h.discord.messages.get(panel.id);
}

async function setWords(text: string, user?: User) {
  const panel = await openModeration(user);
  const shown = await click(panel.id, 'mj:set:m:words', user);
  expect(shown.cb.type).toBe(9);
  const r = await submit('mj:set:m:wordsm', { words: text }, user);
  return { panel: h.discord.messages.get(panel.id), ...r };
}

/** A private refusal: answered ephemerally with `content`, and nothing new reached the proxy. */
function expectRefused(r: { done: { ok: boolean }; cb: any }, content: string | RegExp, proxyBefore: number) {
  expect(r.done.ok).toBe(false);
  expect(r.cb.data.flags & 64).toBe(64);
  if (typeof content === 'string') expect(r.cb.data.content).toBe(content);
  else expect(r.cb.data.content).toMatch(content);
  expect(h.proxy.requests.length).toBe(proxyBefore);
}

describe('banned words', () => {
  it('an admin sets them in the modal; prompts with them are refused privately, naming no word, and never reach the proxy', async () => {
    h = await startHarness();
    const { panel, cb } = await setWords('  gore\nBlood   Bath\n\n血腥\nGORE\n');
    expect(cb.type).toBe(7);
    expect((await h.app.stores.prefs.server(h.discord.guildId)).moderation).toEqual({ words: ['gore', 'Blood Bath', '血腥'] });
    expect(panel.content).toContain('Banned words and phrases: **3** — ||gore||, ||Blood Bath||, ||血腥||');
    // The modal shows the list as stored, to edit in place.
    const again = await click(panel.id, 'mj:set:m:words');
    const input = again.cb.data.components[0].component;
    expect(input).toMatchObject({ type: 4, style: 2, custom_id: 'words', max_length: 4000, value: 'gore\nBlood Bath\n血腥' });

    const c = carol();
    const before = h.proxy.requests.length;
    for (const prompt of ['ＧＯＲＥ in full width', 'a Gore scene', 'a blood  bath', '一个血腥的场景', 'g o r e']) {
      const r = await imagine(prompt, c);
      expectRefused(r, REFUSED_WORD, before);
      expect(r.cb.data.content).not.toMatch(/gore|blood|血腥/i);
    }
    // A word inside another is not the word (Latin entries match whole words).
    const req = h.proxy.nextRequest((r) => r.route === '/mj/submit/imagine');
    const ok = await imagine('a class of glass in a gorest forest', c);
    expect(ok.done.ok).toBe(true);
    expect((await req).body.prompt).toBe('a class of glass in a gorest forest');
  });

  it('the settings suffix is checked with the prompt, and in the language of the member', async () => {
    h = await startHarness();
    await setWords('gore');
    await h.app.stores.prefs.setUser(h.discord.users.bob.id, { suffix: 'lots of gore' });
    const before = h.proxy.requests.length;
    expectRefused(await imagine('a cat', h.discord.users.bob), REFUSED_WORD, before);
    const zh = h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: 'GORE' }], { locale: 'zh-CN' });
    await h.handled(zh);
    expect(h.discord.callbackOf(zh).data.content).toBe('你的提示词包含本服务器不允许的词或短语。请修改后重试。');
    expect(h.proxy.requests.length).toBe(before);
  });

  it('a modal prompt is checked too: Custom Zoom’s editor', async () => {
    h = await startHarness();
    await imagine('a castle');
    const id = await h.trackedId();
    h.proxy.finish(id);
    await h.app.poller.tick();
    const grid = await h.discord.waitForMessage((m) => m.components.length === 3);
    h.discord.clickButton(grid.id, grid.components[0].components[0].custom_id);
    const upId = await h.trackedId([id]);
    h.proxy.finish(upId);
    await h.app.poller.tick();
    const up = await h.discord.waitForMessage((m) => m.components.length > 3);
    await setWords('gore');

    const zoom = components(up).find((b) => b.label === 'Custom Zoom');
    const shown = await click(up.id, zoom.custom_id);
    expect(shown.cb.type).toBe(9);
    const before = h.proxy.requests.length;
    const it = h.discord.submitModal(shown.cb.data.custom_id, { prompt: 'a castle, ＧＯＲＥ --zoom 2' }, { messageId: up.id });
    const done = await h.handled(it);
    expectRefused({ done, cb: h.discord.callbackOf(it) }, REFUSED_WORD, before);

    // The same editor with a clean prompt goes through.
    const clean = await click(up.id, zoom.custom_id);
    const req = h.proxy.nextRequest((r) => r.route === '/mj/submit/action');
    h.discord.submitModal(clean.cb.data.custom_id, { prompt: 'a castle --zoom 2' }, { messageId: up.id });
    expect((await req).body.customId).toMatch(/CustomZoom/);
  });
});

describe('banned words in the remix editor', () => {
  it('with remix mode on, V2’s editor is checked before the action is sent', async () => {
    h = await startHarness();
    await imagine('a lighthouse at dusk');
    const id = await h.trackedId();
    h.proxy.finish(id);
    await h.app.poller.tick();
    const grid = await h.discord.waitForMessage((m) => m.components.length === 3);
    await h.app.stores.prefs.setUser(h.discord.users.alice.id, { remix: true });
    await setWords('gore');
    const v2 = grid.components[1].components[1];
    const shown = await click(grid.id, v2.custom_id);
    expect(shown.cb.type).toBe(9);
    const before = h.proxy.requests.length;
    const it = h.discord.submitModal(shown.cb.data.custom_id, { prompt: 'a lighthouse, ｇｏｒｅ' }, { messageId: grid.id });
    expectRefused({ done: await h.handled(it), cb: h.discord.callbackOf(it) }, REFUSED_WORD, before);
  });
});

describe('banned words in describe picks', () => {
  it('a describe pick edited in its modal is checked, and so is Imagine all', async () => {
    h = await startHarness();
    const a = h.discord.addAttachment(encodePng([200, 40, 40]), 'photo.png', 'image/png');
    h.discord.sendSlashCommand('describe', [{ name: 'image', type: 11, value: a.id }], { attachments: [a] });
    const id = await h.trackedId();
    h.proxy.finish(id);
    await h.app.poller.tick();
    const msg = await h.discord.waitForMessage((m) => m.embeds.length > 0 && /2️⃣/.test(m.embeds[0].description ?? ''));
    await setWords('gore');
    const two = components(msg).find((x) => x.emoji?.name === '2️⃣');
    const shown = await click(msg.id, two.custom_id);
    expect(shown.cb.type).toBe(9);
    const before = h.proxy.requests.length;
    const it = h.discord.submitModal(shown.cb.data.custom_id, { prompt: 'a lighthouse, Gore --ar 16:9' }, { messageId: msg.id });
    expectRefused({ done: await h.handled(it), cb: h.discord.callbackOf(it) }, REFUSED_WORD, before);

    // Imagine all runs the describe's own prompts: a word of theirs on the list holds them all back.
    const first = (msg.embeds[0].description as string).split('\n').find((l) => /1️⃣/.test(l))!;
    const word = must(/[A-Za-z]{4,}/.exec(first.replace(/^1️⃣\s*/, ''))?.[0], 'a word of the first prompt');
    await setWords(word);
    const all = components(msg).find((x) => /Imagine all/.test(x.label ?? ''));
    expectRefused(await click(msg.id, all.custom_id), REFUSED_WORD, before);
  });
});

describe('the blocklist', () => {
  it('a blocked member is refused every command and button but /help and /privacy; admins never are; unblocking lets them back', async () => {
    h = await startHarness();
    const c = carol();
    const bob = h.discord.users.bob;
    // A job of Alice's with buttons Carol may otherwise press (🌱 is anyone's).
    await imagine('a lighthouse');
    const id = await h.trackedId();
    h.proxy.finish(id);
    await h.app.poller.tick();
    const grid = await h.discord.waitForMessage((m) => m.components.length === 3);

    const panel = await openModeration(bob);
    const blocker = control(panel, 'mj:set:m:block');
    expect(blocker).toMatchObject({ type: 5, min_values: 0, max_values: 25 });
    const picked = await pick(panel.id, 'mj:set:m:block', [c.id, bob.id], bob);
    expect(picked.cb.type).toBe(7);
    expect((await h.app.stores.prefs.server(h.discord.guildId)).moderation).toEqual({ blocked: [c.id, bob.id] });
    const shown = h.discord.messages.get(panel.id);
    expect(shown.content).toContain(`Blocked members: <@${c.id}>, <@${bob.id}>`);
    // Mentions that ping nobody.
    expect(picked.cb.data.allowed_mentions).toEqual({ parse: [] });
    expect(control(shown, 'mj:set:m:block').default_values).toEqual([{ id: c.id, type: 'user' }, { id: bob.id, type: 'user' }]);

    const blocked = 'This server’s admins have blocked you from using this bot here.';
    const before = h.proxy.requests.length;
    expectRefused(await imagine('a cat', c), blocked, before);
    expectRefused(await slash('settings', [], c), blocked, before);
    expectRefused(await slash('info', [], c), blocked, before);
    const seed = components(grid).find((b) => b.emoji?.name === '🌱' || /seed/i.test(b.label ?? ''));
    if (seed) expectRefused(await click(grid.id, seed.custom_id, c), blocked, before);
    const u1 = await click(grid.id, grid.components[0].components[0].custom_id, c);
    expectRefused(u1, blocked, before);
    // /help stays readable, and so does what the bot keeps about her (/privacy, with Forget me).
    const help = await slash('help', [], c);
    expect(help.done.ok).toBe(true);
    const privacy = await slash('privacy', [], c);
    expect(privacy.done.ok).toBe(true);
    const forget = await click(h.discord.originalOf(privacy.it).id, 'mj:pv:ask', c);
    expect(forget.done.ok).toBe(true);
    // An admin is never refused, even listed.
    const req = h.proxy.nextRequest((r) => r.route === '/mj/submit/imagine');
    expect((await imagine('a dog', bob)).done.ok).toBe(true);
    await req;
    expect((await slash('settings', [{ name: 'scope', type: 3, value: 'server' }], bob)).done.ok).toBe(true);

    // Unblocked (the select emptied): Carol is back.
    await pick(panel.id, 'mj:set:m:block', [], bob);
    expect((await h.app.stores.prefs.server(h.discord.guildId)).moderation).toBeUndefined();
    expect((await imagine('a cat', c)).done.ok).toBe(true);
  });
});

describe('who may change moderation', () => {
  it('a member without Manage Server can neither open nor forge panel m, nor submit the words modal', async () => {
    h = await startHarness();
    const c = carol();
    const { it } = await slash('settings', [], c);
    const mine = h.discord.originalOf(it);
    // Carol's own panel carrying the moderation controls (what a forged interaction sends).
    const msg = structuredClone(h.discord.messages.get(mine.id));
    msg.components = [
      { type: 1, components: [{ type: 2, style: 2, label: 'a', custom_id: 'mj:set:m:open' }, { type: 2, style: 2, label: 'b', custom_id: 'mj:set:m:words' }, { type: 2, style: 2, label: 'c', custom_id: 'mj:set:m:wclear' }] },
      { type: 1, components: [{ type: 5, custom_id: 'mj:set:m:block', min_values: 0, max_values: 25 }] },
    ];
    h.discord.messages.set(mine.id, msg);
    const forged = [
      await click(mine.id, 'mj:set:m:open', c),
      await click(mine.id, 'mj:set:m:words', c),
      await click(mine.id, 'mj:set:m:wclear', c),
      await pick(mine.id, 'mj:set:m:block', [h.discord.users.alice.id], c),
      await submit('mj:set:m:wordsm', { words: 'cat' }, c),
    ];
    for (const r of forged) {
      expect(r.done.ok).toBe(false);
      expect(r.cb.type).toBe(4);
      expect(r.cb.data.flags & 64).toBe(64);
      expect(r.cb.data.content).toMatch(/Manage Server/);
    }
    expect(await h.app.stores.prefs.server(h.discord.guildId)).toEqual({});
    expect(h.discord.modals.some((m) => m.custom_id === 'mj:set:m:wordsm')).toBe(false);
  });

  it('a list too long is refused with its line number and nothing changes; Clear empties it', async () => {
    h = await startHarness();
    await setWords('gore');
    const r = await submit('mj:set:m:wordsm', { words: `ok\n${'x'.repeat(101)}` });
    expect(r.done.ok).toBe(false);
    expect(r.cb.data.content).toBe('Line 2 is longer than 100 characters. Nothing was changed.');
    expect((await h.app.stores.prefs.server(h.discord.guildId)).moderation).toEqual({ words: ['gore'] });
    const panel = await openModeration();
    await click(panel.id, 'mj:set:m:wclear');
    expect((await h.app.stores.prefs.server(h.discord.guildId)).moderation).toBeUndefined();
    expect(h.discord.messages.get(panel.id).content).toContain('Banned words and phrases: **none**');
  });
});

describe('the cooldown after backend refusals', () => {
  it('the 2nd code-24 refusal starts 1 minute, the 3rd 5; new jobs are refused privately until the time is up', async () => {
    h = await startHarness({ sharedClock: true });
    h.proxy.setQuirks({ bannedPrompt: 'gore' });
    const refusedByBackend = async (prompt: string) => {
      const req = h.proxy.nextRequest((r) => r.route === '/mj/submit/imagine');
      const it = h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: prompt }]);
      await req;
      expect((await h.handled(it)).ok).toBe(false);
    };
    const accepted = async (prompt: string) => {
      const req = h.proxy.nextRequest((r) => r.route === '/mj/submit/imagine');
      expect((await imagine(prompt)).done.ok).toBe(true);
      await req;
    };
    await refusedByBackend('gore one');
    // One refusal costs nothing.
    await accepted('a cat');
    await refusedByBackend('gore two');
    let before = h.proxy.requests.length;
    expectRefused(await imagine('a cat'), 'The backend refused several of your prompts as banned. You can start new jobs again in 1 min.', before);
    // Someone else is not held.
    const bob = h.discord.users.bob;
    expect((await imagine('a dog', bob)).done.ok).toBe(true);

    h.discord.clock.advance(MIN + 1000);
    await accepted('a cat again');
    await refusedByBackend('gore three');
    before = h.proxy.requests.length;
    expectRefused(await imagine('a cat'), /in 5 min\.$/, before);
    h.discord.clock.advance(4 * MIN);
    expectRefused(await imagine('a cat'), /in 1 min\.$/, before);
    h.discord.clock.advance(MIN);
    await accepted('free again');
  });

  it('a job the backend fails for a banned prompt counts as a refusal too', async () => {
    h = await startHarness({ sharedClock: true });
    for (const prompt of ['first', 'second']) {
      h.proxy.nextTimeline({ steps: [{ status: 'SUBMITTED' }, { status: 'FAILURE', failReason: 'Banned prompt detected' }] });
      await imagine(prompt);
      const id = await h.trackedId();
      h.proxy.finish(id);
      const finished = h.when(['finished'], () => h.events.some((e) => e.name === 'finished' && e.data.taskId === id), `job ${id} finished`);
      await h.app.poller.tick();
      await finished;
    }
    // Counted after the final view, where the event is reported: waited for through the log line.
    await h.logged((l: any) => l.msg === 'prompt refused as banned by the backend' && l.refusals === 2, 'the second refusal counted');
    const before = h.proxy.requests.length;
    expectRefused(await imagine('a cat'), /in 1 min\.$/, before);
  });
});
