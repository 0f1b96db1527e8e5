// A submit the proxy takes but answers too late (past PROXY_SUBMIT_TIMEOUT_MS): the user is never
// told "failed" for a job that then runs. Where the backend lists its tasks the bot finds the job by
// the unique `state` it sent and follows it; where it cannot (a relay), the public line stays and
// says so plainly, and nothing is sent again.
import { afterEach, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/harness.ts';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

async function start(quirks: Record<string, unknown>): Promise<Harness> {
  h = await startHarness({ env: { PROXY_SUBMIT_TIMEOUT_MS: '300' } });
  h.proxy.setQuirks(quirks);
  return h;
}

const jobsWithPrompt = (prompt: string) => [...h.proxy.tasks.values()].filter((t) => t.json.prompt === prompt);
const deletes = () => h.discord.calls.filter((c) => c.method === 'DELETE');
const ephemeral = () => [...h.discord.messages.values()].filter((m) => (m.flags & 64) === 64);

it('a submit answered too late is found by its state and followed to the grid: never reported as failed', async () => {
  await start({ slowSubmitMs: 4000 });
  const cmd = h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: 'a slow fox' }]);
  const id = await h.trackedId();
  expect(h.proxy.getTask(id).prompt).toBe('a slow fox');
  h.proxy.finish(id);
  await h.app.poller.tick();
  const grid = await h.discord.waitForMessage((m) => m.id === h.discord.originalOf(cmd)?.id && m.components.length === 3);
  expect(grid.content).toMatch(/^\*\*a slow fox\*\* - <@\d+> \(/);
  expect(jobsWithPrompt('a slow fox')).toHaveLength(1);
  expect(deletes()).toHaveLength(0);
  expect(ephemeral()).toHaveLength(0);
  // Each submit carries a state of its own (a nonce after where it came from): two jobs of one user
  // in one channel are told apart.
  expect(h.proxy.getTask(id).state).toMatch(/^discord:\d+:\d+:\d+:[\w-]{8}$/);
});

it('where the backend cannot search, the public line stays and says the job may still run; nothing is sent again', async () => {
  await start({ slowSubmitMs: 4000, noTaskList: true });
  const cmd = h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: 'a relayed fox' }], { locale: 'zh-CN' });
  const line = await h.discord.waitForMessage((m) => m.id === h.discord.originalOf(cmd)?.id && /未确认/.test(m.content));
  expect(line.content).toMatch(/^\*\*a relayed fox\*\* - <@\d+> \(未确认，可能仍在运行\)\n/);
  expect(line.content).toMatch(/无法按请求查找任务/);
  expect(line.components ?? []).toHaveLength(0);
  expect(deletes()).toHaveLength(0);
  expect(ephemeral()).toHaveLength(0);
  expect(jobsWithPrompt('a relayed fox')).toHaveLength(1);
  expect(await h.app.stores.tasks.activeIds()).toHaveLength(0);
});

it('a button press answered too late is followed the same way, under its action’s name', async () => {
  await start({});
  h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: 'a grid first' }]);
  const gridId = await h.trackedId();
  h.proxy.finish(gridId);
  await h.app.poller.tick();
  const grid = await h.discord.waitForMessage((m) => m.components.length === 3);
  h.proxy.setQuirks({ slowSubmitMs: 4000 });
  const u1 = grid.components[0].components[0].custom_id;
  const click = h.discord.clickButton(grid.id, u1);
  const ids = await h.tracked(1);
  const upId = ids.find((x) => x !== gridId)!;
  expect(h.proxy.getTask(upId).action).toBe('UPSCALE');
  h.proxy.finish(upId);
  await h.app.poller.tick();
  const up = await h.discord.waitForMessage((m) => m.id === h.discord.originalOf(click)?.id && /Image #1/.test(m.content));
  expect(up.content).toMatch(/^\*\*a grid first\*\* - Image #1 - <@\d+>/);
  expect(ephemeral()).toHaveLength(0);
});
