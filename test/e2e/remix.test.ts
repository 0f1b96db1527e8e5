// Remix mode at once (issue 13 item 2): with remix on in a user's settings, V1–V4, 🔄, Vary and the
// pans open the prompt editor on the first click, and its submit sends /submit/action (with
// enableRemix) and /submit/modal in one go; what a backend does with enableRemix is learnt per
// backend, and a prompt the backend could not use is never dropped silently. Variation mode sends
// `strong` on the V buttons.
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/harness.ts';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const imagine = (prompt: string, opts: any = {}) => h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: prompt }], opts);
const actions = () => h.proxy.requests.filter((r) => r.route === '/mj/submit/action');
const modals = () => h.proxy.requests.filter((r) => r.route === '/mj/submit/modal');

/** An /imagine grid, finished: its message and task id. */
async function grid(prompt: string, opts: any = {}) {
  const before = await h.app.stores.tasks.activeIds();
  imagine(prompt, opts);
  const id = await h.trackedId(before);
  h.proxy.finish(id);
  await h.app.poller.tick();
  const message = await h.discord.waitForMessage((m) => m.components.length === 3 && m.content.includes(prompt));
  return { id, message };
}

/** V`n` on a grid message (second row: V1 V2 V3 V4 🌱). */
const vButton = (m: any, n: number) => m.components[1].components[n - 1];

const privateNote = (re: RegExp) => h.discord.waitForMessage((m) => (m.flags & 64) === 64 && re.test(m.content));

describe('remix mode', () => {
  it('on: the first click on V2 opens the editor before any proxy call; its submit sends action (enableRemix) then modal, and the job runs', async () => {
    h = await startHarness();
    const g = await grid('a lighthouse at dusk');
    await h.app.stores.prefs.setUser(h.discord.users.alice.id, { remix: true });
    const sent = h.proxy.requests.length;

    const click = h.discord.clickButton(g.message.id, vButton(g.message, 2).custom_id);
    const modal = await h.answered(click);
    expect(modal.type).toBe(9);
    expect(modal.data.title).toMatch(/Remix/i);
    expect(modal.data.components[0].component.value).toContain('a lighthouse at dusk');
    await h.handled(click);
    expect(h.proxy.requests.length).toBe(sent);

    const actionReq = h.proxy.nextRequest((r) => r.route === '/mj/submit/action');
    const modalReq = h.proxy.nextRequest((r) => r.route === '/mj/submit/modal');
    const sub = h.discord.submitModal(modal.data.custom_id, { prompt: 'a lighthouse at dawn' }, { messageId: g.message.id });
    const action = await actionReq;
    expect(action.body).toMatchObject({ taskId: g.id, enableRemix: true });
    expect(action.body.customId).toMatch(/^MJ::JOB::variation::2::/);
    const m = await modalReq;
    expect(m.body.prompt).toBe('a lighthouse at dawn');
    // /submit/modal confirms the MODAL task the action made.
    expect(h.proxy.getTask(m.body.taskId).customId).toBe(action.body.customId);
    const reply = await h.discord.waitForMessage((msg) => msg.id === h.discord.originalOf(sub)?.id && /at dawn/.test(msg.content));
    expect(await h.app.stores.tasks.activeIds()).toContain(m.body.taskId);

    h.proxy.finish(m.body.taskId);
    await h.app.poller.tick();
    await h.discord.waitForMessage((msg) => msg.id === reply.id && msg.components.length === 3 && /at dawn/.test(msg.content));
    expect(h.proxy.getTask(m.body.taskId).prompt).toBe('a lighthouse at dawn');
    // V2 turned green on the grid, as for any press.
    await h.discord.waitForMessage((msg) => msg.id === g.message.id && vButton(msg, 2).style === 3);
  });

  it('on: 🔄, Vary and the pans open the editor too; U buttons never do', async () => {
    h = await startHarness();
    const g = await grid('remix every button');
    await h.app.stores.prefs.setUser(h.discord.users.alice.id, { remix: true });
    const reroll = g.message.components[0].components[4];
    expect(reroll.emoji?.name).toBe('🔄');
    expect((await h.answered(h.discord.clickButton(g.message.id, reroll.custom_id))).type).toBe(9);
    const u1 = h.discord.clickButton(g.message.id, g.message.components[0].components[0].custom_id);
    expect((await h.answered(u1)).type).toBe(5);
    const upId = await h.trackedId();
    h.proxy.finish(upId);
    await h.app.poller.tick();
    const up = await h.discord.waitForMessage((m) => m.components.length > 3);
    const all = up.components.flatMap((r: any) => r.components);
    const remixed = all.filter((x: any) => /Vary \((Subtle|Strong)\)/.test(x.label ?? '') || ['⬅️', '➡️', '⬆️', '⬇️'].includes(x.emoji?.name));
    expect(remixed).toHaveLength(6);
    for (const b of remixed) {
      expect((await h.answered(h.discord.clickButton(up.id, b.custom_id))).type).toBe(9);
    }
    // A forged editor submit for a button Midjourney does not remix (U1) is refused: nothing is sent.
    const before = actions().length;
    const forged = h.discord.submitModal(`mj:m:${g.id}:0`, { prompt: 'not a remix' }, { messageId: g.message.id });
    const cb = await h.answered(forged);
    expect(cb.data.flags & 64).toBe(64);
    expect(cb.data.content).toMatch(/expired/);
    expect(actions().length).toBe(before);
  });

  it('behind a relay that turns code 21 into 1 (new-api), the editor’s prompt still reaches /submit/modal', async () => {
    h = await startHarness();
    h.proxy.setQuirks({ relayRewrite21: true });
    const g = await grid('relayed remix');
    await h.app.stores.prefs.setUser(h.discord.users.alice.id, { remix: true });
    const modal = await h.answered(h.discord.clickButton(g.message.id, vButton(g.message, 4).custom_id));
    const modalReq = h.proxy.nextRequest((r) => r.route === '/mj/submit/modal');
    h.discord.submitModal(modal.data.custom_id, { prompt: 'relayed remix, at night' }, { messageId: g.message.id });
    expect((await modalReq).body.prompt).toBe('relayed remix, at night');
    expect(h.proxy.requests.find((r) => r.route === '/mj/submit/action')?.status).toBe(200);
  });

  it('off: V2 runs at once, without enableRemix', async () => {
    h = await startHarness();
    const g = await grid('no remix here');
    const actionReq = h.proxy.nextRequest((r) => r.route === '/mj/submit/action');
    const click = h.discord.clickButton(g.message.id, vButton(g.message, 2).custom_id);
    expect((await h.answered(click)).type).toBe(5);
    const action = await actionReq;
    expect(action.body.enableRemix).toBeUndefined();
    expect(action.body.strong).toBeUndefined();
  });

  it('a backend that runs the action without asking for the prompt: the user is told privately, and later presses run directly with a note', async () => {
    h = await startHarness();
    h.proxy.setQuirks({ ignoreEnableRemix: true });
    const g = await grid('a quiet harbour');
    await h.app.stores.prefs.setUser(h.discord.users.alice.id, { remix: true });
    const click = h.discord.clickButton(g.message.id, vButton(g.message, 1).custom_id);
    const modal = await h.answered(click);
    expect(modal.type).toBe(9);
    const sub = h.discord.submitModal(modal.data.custom_id, { prompt: 'a stormy harbour' }, { messageId: g.message.id });
    const note = await privateNote(/edited prompt could not be used/);
    expect(actions().at(-1)?.body.enableRemix).toBe(true);
    expect(modals()).toHaveLength(0);
    // The new job shows the prompt it runs with, not the edit.
    const reply = await h.discord.waitForMessage((m) => m.id === h.discord.originalOf(sub)?.id && /quiet harbour/.test(m.content));
    expect(reply.content).not.toMatch(/stormy/);
    expect(note.content).not.toMatch(/stormy/);

    // Learnt for this backend: the next V runs at once (no editor), and says why.
    const again = h.discord.clickButton(g.message.id, vButton(g.message, 3).custom_id);
    expect((await h.answered(again)).type).toBe(5);
    await privateNote(/Remix isn’t available on this service/);
    expect(actions().at(-1)?.body.enableRemix).toBeUndefined();
  });

  it('an account with Remix mode off: nothing is started, the user is told privately (in Chinese too), and the next press runs directly', async () => {
    h = await startHarness();
    h.proxy.setQuirks({ remixOff: true });
    const g = await grid('雪山', { locale: 'zh-CN' });
    await h.app.stores.prefs.setUser(h.discord.users.alice.id, { remix: true });
    const modal = await h.answered(h.discord.clickButton(g.message.id, vButton(g.message, 1).custom_id, { locale: 'zh-CN' }));
    expect(modal.type).toBe(9);
    const active = await h.app.stores.tasks.activeIds();
    h.discord.submitModal(modal.data.custom_id, { prompt: '雪山日出' }, { messageId: g.message.id, locale: 'zh-CN' });
    await privateNote(/未开启 Remix 模式/);
    expect(modals()).toHaveLength(0);
    expect(await h.app.stores.tasks.activeIds()).toEqual(active);

    const again = h.discord.clickButton(g.message.id, vButton(g.message, 1).custom_id, { locale: 'zh-CN' });
    expect((await h.answered(again)).type).toBe(5);
    await privateNote(/暂不支持 Remix/);
    expect(actions().at(-1)?.body.enableRemix).toBeUndefined();
  });

  it('a remix submit counts against the running-jobs limit like any job', async () => {
    h = await startHarness({ env: { USER_MAX_CONCURRENT: '1' } });
    const g = await grid('limited remix');
    await h.app.stores.prefs.setUser(h.discord.users.alice.id, { remix: true });
    const modal = await h.answered(h.discord.clickButton(g.message.id, vButton(g.message, 2).custom_id));
    imagine('one job running');
    await h.tracked(1);
    const before = actions().length;
    const sub = h.discord.submitModal(modal.data.custom_id, { prompt: 'limited remix, edited' }, { messageId: g.message.id });
    const cb = await h.answered(sub);
    expect(cb.data.content).toMatch(/already have 1 job/);
    expect(actions().length).toBe(before);
  });
});

describe('variation mode', () => {
  it('strong or subtle goes with the V buttons as `strong`; other buttons carry nothing', async () => {
    h = await startHarness();
    const g = await grid('variation mode');
    await h.app.stores.prefs.setUser(h.discord.users.alice.id, { variation: 'strong' });
    const v = h.proxy.nextRequest((r) => r.route === '/mj/submit/action');
    h.discord.clickButton(g.message.id, vButton(g.message, 1).custom_id);
    expect((await v).body.strong).toBe(true);
    await h.app.stores.prefs.setUser(h.discord.users.alice.id, { variation: 'subtle' });
    const v2 = h.proxy.nextRequest((r) => r.route === '/mj/submit/action');
    h.discord.clickButton(g.message.id, vButton(g.message, 2).custom_id);
    expect((await v2).body.strong).toBe(false);
    const u = h.proxy.nextRequest((r) => r.route === '/mj/submit/action');
    h.discord.clickButton(g.message.id, g.message.components[0].components[0].custom_id);
    expect((await u).body.strong).toBeUndefined();
  });
});
