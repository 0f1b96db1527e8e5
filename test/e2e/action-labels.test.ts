// An action's result names its action under the prompt, as Midjourney does ("- Pan Left -"):
// a pan button shows only an arrow, so the name cannot come from the button's face.
import { afterEach, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/harness.ts';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

it('⬅️ on an upscale gives a result that reads “Pan Left”, in the presser’s language too', async () => {
  h = await startHarness();
  h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: 'a wide valley' }]);
  const gridId = await h.trackedId();
  h.proxy.finish(gridId);
  await h.app.poller.tick();
  const grid = await h.discord.waitForMessage((m) => m.components.length === 3);
  h.discord.clickButton(grid.id, grid.components[0].components[0].custom_id);
  const upId = await h.trackedId();
  h.proxy.finish(upId);
  await h.app.poller.tick();
  const up = await h.discord.waitForMessage((m) => m.components.length > 3);
  const arrows = up.components.flatMap((r: any) => r.components).filter((b: any) => ['⬅️', '⬆️'].includes(b.emoji?.name));
  expect(arrows).toHaveLength(2);

  const left = h.discord.clickButton(up.id, arrows[0].custom_id);
  const panId = await h.trackedId();
  await h.app.poller.tick();
  const line = await h.discord.waitForMessage((m) => m.id === h.discord.originalOf(left)?.id && /\(Submitted\)/.test(m.content));
  expect(line.content).toMatch(/^\*\*a wide valley\*\* - Pan Left - <@\d+> \(Submitted\)$/);
  h.proxy.finish(panId);
  await h.app.poller.tick();

  const up2 = h.discord.clickButton(up.id, arrows[1].custom_id, { locale: 'zh-CN' });
  await h.trackedId();
  await h.app.poller.tick();
  const zh = await h.discord.waitForMessage((m) => m.id === h.discord.originalOf(up2)?.id && /已提交/.test(m.content));
  expect(zh.content).toContain(' - 向上平移 - ');
});
