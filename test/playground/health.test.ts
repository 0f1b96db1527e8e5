// The playground runs the health server too: its /metrics moves after an /imagine sent through the
// control API, and a restart of the bot keeps the same address.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestPlayground, type TestPlayground } from './helpers.ts';

let pg: TestPlayground;
beforeAll(async () => {
  pg = await startTestPlayground(250);
}, 30_000);
afterAll(async () => {
  await pg?.close();
});

const metric = (text: string, line: string) => Number(text.split('\n').find((l) => l.startsWith(line + ' '))?.slice(line.length + 1) ?? 0);

it('serves /metrics on 127.0.0.1, moving after an /imagine; a restart keeps its address', async () => {
  const url = pg.app.healthServer!.url;
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  // The playground's one simulated backend is `default` (MJ_BASE_URL's name).
  const started = 'mjbot_jobs_started_total{command="imagine",backend="default"}';
  const finished = 'mjbot_jobs_finished_total{command="imagine",outcome="success",backend="default"}';
  const before = await (await fetch(`${url}/metrics`)).text();
  const r = await fetch(`${pg.url}api/interactions/command`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'imagine', options: { prompt: 'a kite' } }) });
  const { message } = (await r.json()) as { message: { id: string } };
  await pg.discord.waitForMessage((m) => m.id === message.id && m.attachments.length > 0 && m.components.length > 0, 15_000);
  const after = await (await fetch(`${url}/metrics`)).text();
  expect(metric(after, started)).toBe(metric(before, started) + 1);
  expect(metric(after, finished)).toBe(metric(before, finished) + 1);

  await pg.restart();
  expect(pg.app.healthServer!.url).toBe(url);
  expect((await fetch(`${url}/readyz`)).status).toBe(200);
});
