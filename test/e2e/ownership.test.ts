// One rule for who may act on a tracked job, for every custom_id kind and for /task and /tasks:
// the owner; a server admin (Manage Server / Administrator) of the job's own server where it makes
// sense; never a stranger, and never into another place (a DM job stays out of the channels).
import { afterEach, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/harness.ts';

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

/** Alice's finished grid, from a DM with the bot or from the guild channel. */
async function aliceJob(prompt: string, dm: boolean) {
  const it = h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: prompt }], { dm });
  const id = await h.trackedId();
  h.proxy.finish(id);
  await h.app.poller.tick();
  const grid = await h.discord.waitForMessage((m) => m.id === h.discord.originalOf(it)?.id && m.components.length === 3);
  return { id, grid };
}

/** Puts a control with `customId` on a message the fake holds (what a forged interaction carries). */
function forge(messageId: string, customId: string): void {
  const msg = structuredClone(h.discord.messages.get(messageId));
  msg.components = [{ type: 1, components: [{ type: 2, style: 1, label: 'x', custom_id: customId }] }];
  h.discord.messages.set(messageId, msg);
}

async function privateAnswer(interaction: { id: string; token: string }): Promise<string> {
  await h.discord.waitForCall((c) => c.path.includes(`/interactions/${interaction.id}/`));
  const cb = h.discord.callbackOf(interaction);
  expect(cb.data.flags & 64).toBe(64);
  return cb.data.content;
}

it('/task and /tasks with someone else’s id show nothing of their job; backend-only ids are fine', async () => {
  // Alice's job is in a DM, which the operator turned on.
  h = await startHarness({ env: { ALLOW_DMS: 'true' } });
  const { id } = await aliceJob('alice’s secret dm fox', true);
  const c = carol();
  const publicBefore = h.discord.channelMessages().length;

  const show = h.discord.sendSlashCommand('task', [{ name: 'id', type: 3, value: id }], { user: c });
  expect(await privateAnswer(show)).toMatch(/belongs to someone else/);
  // Not even a server admin brings a DM job into a channel.
  const admin = h.discord.sendSlashCommand('task', [{ name: 'id', type: 3, value: id }], { user: h.discord.users.bob, locale: 'zh-CN' });
  expect(await privateAnswer(admin)).toMatch(/别人的任务/);
  expect(h.discord.channelMessages()).toHaveLength(publicBefore);
  expect([...h.discord.messages.values()].some((m) => /secret dm fox/.test(m.content) && m.channel_id === h.discord.channelId)).toBe(false);

  const list = h.discord.sendSlashCommand('tasks', [{ name: 'ids', type: 3, value: id }], { user: c });
  const listed = await h.discord.waitForMessage((m) => m.id === h.discord.originalOf(list)?.id && m.embeds.length === 1);
  const text = JSON.stringify(listed.embeds);
  expect(text).toContain('someone else’s job');
  expect(text).not.toMatch(/secret dm fox|https?:|↗|🖼/);

  // An id the bot does not track: a plain look-up, shown to whoever asks.
  const foreign = h.proxy.addTask({ prompt: 'made elsewhere' });
  const lookup = h.discord.sendSlashCommand('task', [{ name: 'id', type: 3, value: foreign }], { user: c });
  const shown = await h.discord.waitForMessage((m) => m.id === h.discord.originalOf(lookup)?.id && m.components.length === 3);
  expect(shown.content).toContain('made elsewhere');
});

it('a forged “Check again” cannot re-point someone else’s job, nor a job that is not stuck, nor to another message', async () => {
  h = await startHarness();
  const { id, grid } = await aliceJob('alice’s finished fox', false);
  const before = await h.app.stores.tasks.get(id);
  const c = carol();
  // Carol's own message carries the forged control.
  const mine = h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: 'carol’s fox' }], { user: c });
  await h.trackedId([]);
  const carolMsg = await h.discord.waitForMessage((m) => m.id === h.discord.originalOf(mine)?.id);
  forge(carolMsg.id, `mj:c:${id}`);
  const n = h.proxy.requests.length;
  expect(await privateAnswer(h.discord.clickButton(carolMsg.id, `mj:c:${id}`, { user: c }))).toMatch(/not your job/);

  // Alice herself: her job is finished, so there is nothing to check again, from any message.
  forge(grid.id, `mj:c:${id}`);
  expect(await privateAnswer(h.discord.clickButton(grid.id, `mj:c:${id}`))).toMatch(/expired/);
  expect(h.proxy.requests.filter((r) => r.route?.endsWith(`${id}/fetch`) || r.route === '/mj/task/list-by-condition').length).toBe(
    h.proxy.requests.slice(0, n).filter((r) => r.route?.endsWith(`${id}/fetch`) || r.route === '/mj/task/list-by-condition').length,
  );
  const after = await h.app.stores.tasks.get(id);
  expect({ messageId: after?.messageId, token: after?.interactionToken, active: after?.active }).toEqual({
    messageId: before?.messageId,
    token: before?.interactionToken,
    active: false,
  });
});

it('a forged 🌱 for a DM job, pressed in a channel by a stranger, is refused', async () => {
  h = await startHarness({ env: { ALLOW_DMS: 'true' } });
  const { id } = await aliceJob('alice’s dm seed', true);
  const c = carol();
  const mine = h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: 'carol’s own' }], { user: c });
  const carolMsg = await h.discord.waitForMessage((m) => m.id === h.discord.originalOf(mine)?.id);
  forge(carolMsg.id, `mj:s:${id}`);
  expect(await privateAnswer(h.discord.clickButton(carolMsg.id, `mj:s:${id}`, { user: c }))).toMatch(/not your job/);
  expect(h.proxy.requests.some((r) => r.route === `/mj/task/${id}/image-seed`)).toBe(false);
});
