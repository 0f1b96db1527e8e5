// /info's Backends field (several backends): a member with Manage Server sees each backend that
// serves the server, with its state (a circuit open since …, reads failing and why), the last
// error's code (never a URL or host) and its jobs running; a member without it keeps the one
// service line. The real app against two fake proxies, one of which stops answering.
import { afterEach, expect, it } from 'vitest';
import { startFakeProxy, type FakeProxy } from '../../stand-ins/fake-proxy.ts';
import { API_KEY, startHarness, type Harness } from '../helpers/harness.ts';

let h: Harness | undefined;
const fakes: FakeProxy[] = [];
afterEach(async () => {
  await h?.close();
  h = undefined;
  for (const f of fakes.splice(0)) await f.close().catch(() => undefined);
});

/** @everyone's permissions in the fake guild: no Manage Server, no Administrator. */
const PLAIN_MEMBER = '2248473465835073';

async function fake(): Promise<FakeProxy> {
  const p = await startFakeProxy({ apiKey: API_KEY, advance: 'manual' });
  fakes.push(p);
  return p;
}
const entry = (name: string, baseUrl: string) => ({ name, baseUrl, apiKey: API_KEY, weight: 1 });

async function imagine(hh: Harness, prompt: string): Promise<string> {
  const before = new Set(await hh.app.stores.tasks.activeIds());
  const cmd = hh.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: prompt }]);
  const id = await hh.trackedId(before);
  await hh.handled(cmd);
  return id;
}

async function info(hh: Harness, user?: any) {
  const it = hh.discord.sendSlashCommand('info', [], { user });
  const msg = await hh.discord.waitForMessage((m) => m.id === hh.discord.originalOf(it)?.id && m.embeds.length > 0);
  expect(msg.flags & 64).toBe(64);
  return msg.embeds[0];
}

it('an admin sees both backends, one with its circuit open and why; a member sees the one service line', async () => {
  const a = await fake();
  const b = await fake();
  h = await startHarness({ env: { MJ_BASE_URL: '', MJ_API_KEY: '', MJ_BACKENDS: JSON.stringify([entry('default', a.baseUrl), entry('relay-b', b.baseUrl)]) } });
  const onA = await imagine(h, 'fox on default');
  const onB = await imagine(h, 'fox on relay-b');
  expect((await h.app.stores.tasks.get(onA))?.backend).toBe('default');
  expect((await h.app.stores.tasks.get(onB))?.backend).toBe('relay-b');
  await imagine(h, 'owl on default');

  const healthy = await info(h);
  expect(healthy.fields?.[0]?.value.split('\n')).toEqual(['**default** · ✅ healthy · jobs running: 2', '**relay-b** · ✅ healthy · jobs running: 1']);

  // relay-b stops answering: its reads fail until its circuit opens.
  await b.close();
  for (let pass = 0; pass < 5; pass++) await h.app.poller.tick();
  await h.discord.waitForMessage((m) => m.content.includes('fox on relay-b') && /can’t be reached right now/.test(m.content));
  const down = await info(h);
  const [lineA, lineB] = down.fields![0]!.value.split('\n');
  expect(lineA).toBe('**default** · ✅ healthy · jobs running: 2');
  expect(lineB).toMatch(/^\*\*relay-b\*\* · ❌ circuit open since <t:\d+:R>: no new jobs go there · ⚠️ reads failing since <t:\d+:R> \(UNAVAILABLE\); its jobs say it cannot be reached · last error `UNAVAILABLE` <t:\d+:R> · jobs running: 1$/);
  const text = JSON.stringify(down);
  expect(text).not.toContain(new URL(b.baseUrl).host);
  expect(text).not.toContain(API_KEY);
  // The service line says the bot still takes jobs (default does).
  expect(down.description).toContain('**Service:** ✅ reachable');

  // A member without Manage Server: the same panel without the field.
  const carol = h.discord.makeUser('carol');
  carol.permissions = PLAIN_MEMBER;
  const member = await info(h, carol);
  expect(member.fields ?? []).toEqual([]);
  expect(member.description).toContain('**Service:** ✅ reachable');
  expect(JSON.stringify(member)).not.toContain('relay-b');
});
