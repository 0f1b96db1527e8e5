// /task on a job the bot already shows: a copy in this channel whose buttons stay the owner's,
// and the original message, its record and its owner untouched. A look-up is not a job.
import { afterEach, expect, it } from 'vitest';
import { listRecent } from '../../src/jobs/recent.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

async function aliceGrid() {
  const it = h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: 'alice’s fox' }]);
  const id = await h.trackedId();
  h.proxy.finish(id);
  await h.app.poller.tick();
  const grid = await h.discord.waitForMessage((m) => m.id === h.discord.originalOf(it)?.id && m.components.length === 3);
  return { id, grid };
}

it('someone else’s /task shows a copy; the buttons there and on the original stay the owner’s', async () => {
  h = await startHarness();
  const { id, grid } = await aliceGrid();
  const bob = h.discord.users.bob;
  const show = h.discord.sendSlashCommand('task', [{ name: 'id', type: 3, value: id }], { user: bob, locale: 'zh-CN' });
  const copy = await h.discord.waitForMessage((m) => m.id === h.discord.originalOf(show)?.id && m.components.length === 3);
  expect(copy.id).not.toBe(grid.id);
  expect(copy.content).toContain('alice’s fox');
  expect(copy.attachments).toHaveLength(1);
  expect(copy.components[0].components.map((b: any) => b.custom_id)).toEqual(grid.components[0].components.map((b: any) => b.custom_id));

  const record = await h.app.stores.tasks.get(id);
  expect(record?.ownerId).toBe(h.discord.users.alice.id);
  expect(record?.messageId).toBe(grid.id);

  // Bob on the copy: not his job. Alice on her original: works.
  const submits = () => h.proxy.requests.filter((r) => r.route === '/mj/submit/action').length;
  h.discord.clickButton(copy.id, copy.components[0].components[0].custom_id, { user: bob });
  await h.discord.waitForMessage((m) => (m.flags & 64) === 64 && /不是你的|not your/i.test(m.content));
  expect(submits()).toBe(0);
  const req = h.proxy.nextRequest((r) => r.route === '/mj/submit/action');
  h.discord.clickButton(grid.id, grid.components[0].components[1].custom_id);
  expect((await req).body.taskId).toBe(id);
});

it('/task on a running job the bot did not start follows it as the caller’s, with the proxy’s prompt from its first state', async () => {
  h = await startHarness();
  const id = h.proxy.addTask({ prompt: 'a heron made elsewhere', timeline: 'success' });
  h.proxy.advance(id, 2);
  const show = h.discord.sendSlashCommand('task', [{ name: 'id', type: 3, value: id }]);
  const running = await h.discord.waitForMessage((m) => m.id === h.discord.originalOf(show)?.id && /a heron made elsewhere/.test(m.content) && /\d+%/.test(m.content));
  // Under way: no proxy buttons yet, only ❌ (the job is the caller's now).
  expect(running.components.flatMap((r: any) => r.components).map((b: any) => b.custom_id)).toEqual([`mj:x:${id}`]);
  const record = await h.app.stores.tasks.get(id);
  expect(record).toMatchObject({ ownerId: h.discord.users.alice.id, prompt: 'a heron made elsewhere', active: true, messageId: running.id });
  // Listed before the command is done.
  await h.handled(show);
  const recent = (await listRecent(h.app, h.discord.users.alice.id)).find((j) => j.taskId === id);
  expect(recent?.prompt).toBe('a heron made elsewhere');
  h.proxy.finish(id);
  await h.app.poller.tick();
  await h.discord.waitForMessage((m) => m.id === running.id && m.components.length === 3);
});

it('/task is a look-up: it works when the day’s jobs are used up', async () => {
  h = await startHarness({ env: { USER_MAX_DAILY: '1' } });
  const { id } = await aliceGrid();
  const show = h.discord.sendSlashCommand('task', [{ name: 'id', type: 3, value: id }]);
  const copy = await h.discord.waitForMessage((m) => m.id === h.discord.originalOf(show)?.id && m.components.length === 3);
  expect(copy.flags & 64).toBe(0);
  const more = h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: 'one more' }]);
  await h.discord.waitForCall((c) => c.path.includes(`/interactions/${more.id}/`));
  expect(h.discord.callbackOf(more).data.content).toMatch(/used your 1 jobs for today/);
});

it('🌱 under a finished image gives its seed privately; a backend without seeds stops being offered it', async () => {
  h = await startHarness();
  const { grid } = await aliceGrid();
  const seedButton = grid.components.flatMap((r: any) => r.components).find((b: any) => b.emoji?.name === '🌱');
  expect(seedButton).toBeDefined();
  // Anyone may ask: a seed starts nothing.
  h.discord.clickButton(grid.id, seedButton.custom_id, { user: h.discord.users.bob });
  const answer = await h.discord.waitForMessage((m) => (m.flags & 64) === 64 && /--seed \d+/.test(m.content));
  expect(answer.content).toMatch(/`\d+`/);

  h.proxy.setQuirks({ noImageSeed: true });
  h.discord.clickButton(grid.id, seedButton.custom_id);
  await h.discord.waitForMessage((m) => (m.flags & 64) === 64 && /does not offer that/.test(m.content));
  // The next finished image comes without 🌱.
  h.discord.clickButton(grid.id, grid.components[0].components[0].custom_id);
  const up = await h.trackedId();
  h.proxy.finish(up);
  await h.app.poller.tick();
  const upscale = await h.discord.waitForMessage((m) => m.content.includes('Image #1') && m.components.length > 1);
  const faces = upscale.components.flatMap((r: any) => r.components).map((b: any) => b.emoji?.name);
  expect(faces).not.toContain('🌱');
});
