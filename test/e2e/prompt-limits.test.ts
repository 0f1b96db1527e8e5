// Prompt limits hold on every path that submits text, whatever the client sends: a forged modal
// submit (no modal of ours behind it, so no max_length) carrying 100 kB is refused privately and
// nothing reaches the proxy, on the remix editor and on Custom Zoom alike.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { MAX_PROMPT } from '../../src/discord/prompt.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const HUGE = `a fox ${'x'.repeat(100_000)}`;

async function grid(prompt: string) {
  h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: prompt }]);
  const id = await h.trackedId();
  h.proxy.finish(id);
  await h.app.poller.tick();
  return { id, msg: await h.discord.waitForMessage((m) => m.components.length === 3 && m.content.includes(prompt)) };
}

async function refusedPrivately(sub: { id: string; token: string }): Promise<string> {
  await h.discord.waitForCall((c) => c.path.includes(`/interactions/${sub.id}/`));
  const cb = h.discord.callbackOf(sub);
  expect(cb.data.flags & 64).toBe(64);
  return cb.data.content;
}

const submitsSince = (n: number) => h.proxy.requests.slice(n).filter((r) => r.route?.startsWith('/mj/submit/'));

it('the remix editor refuses a forged 100 kB prompt', async () => {
  const g = await grid('remix base');
  h.proxy.setQuirks({ remix: true });
  const click = h.discord.clickButton(g.msg.id, g.msg.components[1].components[0].custom_id);
  const waiting = await h.discord.waitForMessage((m) => m.id === h.discord.originalOf(click)?.id && /Waiting for your input/.test(m.content));
  const modalTaskId = waiting.components[0].components[0].custom_id.split(':')[2];
  const n = h.proxy.requests.length;
  const sub = h.discord.submitModal(`mj:m:${modalTaskId}:x`, { prompt: HUGE }, { messageId: waiting.id });
  expect(await refusedPrivately(sub)).toContain(String(MAX_PROMPT));
  expect(submitsSince(n)).toHaveLength(0);
});

it('Custom Zoom refuses a forged 100 kB prompt before the action is sent', async () => {
  const g = await grid('zoom base');
  h.discord.clickButton(g.msg.id, g.msg.components[0].components[0].custom_id);
  const upId = await h.trackedId();
  h.proxy.finish(upId);
  await h.app.poller.tick();
  const up = await h.discord.waitForMessage((m) => m.components.length > 3);
  const record = await h.app.stores.tasks.get(upId);
  const zoomIndex = record!.task!.buttons.findIndex((b) => /CustomZoom/.test(b.customId));
  expect(zoomIndex).toBeGreaterThanOrEqual(0);
  const n = h.proxy.requests.length;
  const sub = h.discord.submitModal(`mj:m:${upId}:${zoomIndex}`, { prompt: `${HUGE} --zoom 1.5` }, { messageId: up.id });
  expect(await refusedPrivately(sub)).toContain(String(MAX_PROMPT));
  expect(submitsSince(n)).toHaveLength(0);
});
