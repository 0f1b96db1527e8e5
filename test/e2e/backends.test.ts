// Several backends (MJ_BACKENDS), end to end: the real app against two or three fake proxies. New
// jobs land on a healthy backend, and a refusal that surely took nothing (refused connection, full
// queue) goes on to the next one unseen; a 5xx is never sent elsewhere. A job stays with the
// backend that took it: its buttons and its polls go there only, after a restart too; a backend
// removed from the configuration, or not answering until the deadline, ends its jobs with a plain
// message, and they stop counting against the user's limits.
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeProxy, type FakeProxy } from '../../stand-ins/fake-proxy.ts';
import { API_KEY, startHarness, type Harness } from '../helpers/harness.ts';
import { must } from '../helpers/must.ts';

const MIN = 60_000;
let h: Harness | undefined;
const fakes: FakeProxy[] = [];

afterEach(async () => {
  await h?.close();
  h = undefined;
  for (const f of fakes.splice(0)) await f.close().catch(() => undefined);
});

async function fake(): Promise<FakeProxy> {
  const p = await startFakeProxy({ apiKey: API_KEY, advance: 'manual' });
  fakes.push(p);
  return p;
}

/** A base URL nothing listens on: connections to it are refused. */
async function refusing(): Promise<string> {
  const p = await startFakeProxy({ apiKey: API_KEY });
  const url = p.baseUrl;
  await p.close();
  return url;
}

const entry = (name: string, baseUrl: string, weight = 1) => ({ name, baseUrl, apiKey: API_KEY, weight });
const backendsEnv = (list: object[]) => ({ MJ_BASE_URL: '', MJ_API_KEY: '', MJ_BACKENDS: JSON.stringify(list) });

const submits = (p: FakeProxy, route = '/mj/submit/imagine') => p.requests.filter((r) => r.route === route);
const reads = (p: FakeProxy) => p.requests.filter((r) => r.route === '/mj/task/list-by-condition' || /\/fetch$/.test(r.route ?? ''));
const ephemerals = (hh: Harness) => [...hh.discord.messages.values()].filter((m: any) => ((m.flags ?? 0) & 64) === 64);

async function imagine(hh: Harness, prompt: string): Promise<string> {
  const before = new Set(await hh.app.stores.tasks.activeIds());
  const cmd = hh.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: prompt }]);
  const id = await hh.trackedId(before);
  await hh.handled(cmd);
  return id;
}

async function grid(hh: Harness, p: FakeProxy, id: string) {
  p.finish(id);
  await hh.app.poller.tick();
  return hh.discord.waitForMessage((m) => m.components.length === 3 && m.components[0].components[0].custom_id.includes(id));
}

describe('several backends: routing new jobs', () => {
  it('a refused connection and a full queue go on to the next backend at once, unseen; the job lands on the healthy one', async () => {
    const full = await fake();
    full.setQuirks({ queueFull: true });
    const good = await fake();
    const down = await refusing();
    h = await startHarness({ env: backendsEnv([entry('down', down, 10), entry('full', full.baseUrl, 5), entry('good', good.baseUrl, 1)]) });

    const id = await imagine(h, 'a fox across three backends');
    expect((await h.app.stores.tasks.get(id))?.backend).toBe('good');
    // Each refusal cost one request: no waiting retries on a backend another one can replace.
    expect(submits(full)).toHaveLength(1);
    expect(submits(good)).toHaveLength(1);
    await h.logged((l) => l.msg === 'backend refused a new job; sending it to the next backend' && l.backend === 'down' && l.reason === 'not-sent', 'the failover from down');
    await h.logged((l) => l.msg === 'backend refused a new job; sending it to the next backend' && l.backend === 'full' && l.reason === 'queue-full', 'the failover from full');

    const done = await grid(h, good, id);
    expect(done.attachments).toHaveLength(1);
    expect(ephemerals(h)).toEqual([]);
    // Its reads went to its backend alone.
    expect(reads(good).length).toBeGreaterThan(0);
    expect(reads(full)).toEqual([]);
    const metrics = (await h.app.metrics.text()).body;
    expect(metrics).toMatch(/mjbot_backend_failovers_total\{backend="down",reason="not-sent"\} 1/);
    expect(metrics).toMatch(/mjbot_backend_failovers_total\{backend="full",reason="queue-full"\} 1/);
    expect(metrics).toMatch(/mjbot_proxy_requests_total\{route="\/mj\/submit\/imagine",backend="good"\} 1/);
  });

  it('a 5xx may have taken the job: the user is told, and it is not sent to another backend', async () => {
    const bad = await fake();
    bad.setQuirks({ status5xx: 502 });
    const good = await fake();
    h = await startHarness({ env: backendsEnv([entry('bad', bad.baseUrl, 5), entry('good', good.baseUrl, 1)]) });

    h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: 'maybe taken' }]);
    await h.discord.waitForMessage((m) => (m.flags & 64) === 64 && /had an error/.test(m.content));
    expect(submits(bad)).toHaveLength(1);
    expect(submits(good)).toEqual([]);
    expect(await h.app.stores.tasks.activeIds()).toEqual([]);
  });

  it('new jobs are spread by weight among the backends', async () => {
    const a = await fake();
    const b = await fake();
    h = await startHarness({ env: backendsEnv([entry('a', a.baseUrl, 2), entry('b', b.baseUrl, 1)]) });
    const backends: string[] = [];
    for (const n of [1, 2, 3, 4, 5, 6]) backends.push(must(await h.app.stores.tasks.get(await imagine(h, `job ${n}`)), 'record').backend!);
    // Smooth weighted round-robin: a a b, twice.
    expect(backends).toEqual(['a', 'b', 'a', 'a', 'b', 'a']);
    expect(submits(a)).toHaveLength(4);
    expect(submits(b)).toHaveLength(2);
  });
});

describe('several backends: which servers may use which', () => {
  it('a backend limited to some servers takes their jobs alone; a server no backend serves is told so privately', async () => {
    const home = await fake();
    const shared = await fake();
    const guild = '123456789012345678';
    h = await startHarness({ discord: { guildId: guild }, env: backendsEnv([{ ...entry('home', home.baseUrl, 10), guilds: ['999999999999999999'] }, entry('shared', shared.baseUrl, 1)]) });
    const id = await imagine(h, 'not for home');
    expect((await h.app.stores.tasks.get(id))?.backend).toBe('shared');
    expect(submits(home)).toEqual([]);

    await h.restart(undefined, backendsEnv([{ ...entry('home', home.baseUrl, 10), guilds: [guild] }, { ...entry('shared', shared.baseUrl, 1), guilds: ['999999999999999999'] }]));
    const mine = await imagine(h, 'for home');
    expect((await h.app.stores.tasks.get(mine))?.backend).toBe('home');

    await h.restart(undefined, backendsEnv([{ ...entry('home', home.baseUrl, 10), guilds: ['999999999999999999'] }]));
    h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: 'nobody here' }]);
    await h.discord.waitForMessage((m) => (m.flags & 64) === 64 && /No image service is available for this here/.test(m.content));
    expect(submits(home).map((r) => r.body.prompt)).toEqual(['for home']);
  });
});

describe('several backends: a job stays with its backend', () => {
  it('its buttons and its polls go to the backend that took it, also after a restart', async () => {
    const a = await fake();
    const b = await fake();
    h = await startHarness({ env: backendsEnv([entry('a', a.baseUrl), entry('b', b.baseUrl)]) });
    const first = await imagine(h, 'on a');
    const second = await imagine(h, 'on b');
    expect((await h.app.stores.tasks.get(first))?.backend).toBe('a');
    expect((await h.app.stores.tasks.get(second))?.backend).toBe('b');
    const onA = await grid(h, a, first);
    await grid(h, b, second);

    await h.restart();
    const bBefore = b.requests.length;
    const action = a.nextRequest((r) => r.route === '/mj/submit/action');
    h.discord.clickButton(onA.id, onA.components[0].components[0].custom_id);
    expect((await action).body.taskId).toBe(first);
    const up = await h.trackedId();
    expect((await h.app.stores.tasks.get(up))?.backend).toBe('a');
    a.finish(up);
    await h.app.poller.tick();
    await h.allFinished();
    // Nothing about a's jobs went to b.
    expect(b.requests.slice(bBefore)).toEqual([]);
  });

  it('a backend whose reads fail is put off alone: the other’s jobs move on, and only its own say it cannot be reached', async () => {
    const a = await fake();
    const b = await fake();
    h = await startHarness({ env: backendsEnv([entry('a', a.baseUrl), entry('b', b.baseUrl)]) });
    const onA = await imagine(h, 'fox on a');
    const onB = await imagine(h, 'fox on b');
    a.setQuirks({ status5xx: 503 });
    for (let pass = 0; pass < 3; pass++) await h.app.poller.tick();
    const outage = /can’t be reached right now/;
    await h.discord.waitForMessage((m) => m.content.includes('fox on a') && outage.test(m.content));
    await h.logged((l) => l.msg === 'telling users the service cannot be reached' && l.backend === 'a', 'the outage of a, named');
    b.advance(onB);
    await h.app.poller.tick();
    const moving = await h.discord.waitForMessage((m) => m.content.includes('fox on b') && /\(\d+%\)/.test(m.content));
    expect(moving.content).not.toMatch(outage);
    b.finish(onB);
    await h.app.poller.tick();
    await h.discord.waitForMessage((m) => m.content.includes('fox on b') && m.components.length === 3);

    a.setQuirks({ status5xx: null });
    a.finish(onA);
    await h.app.poller.tick();
    const back = await h.discord.waitForMessage((m) => m.content.includes('fox on a') && m.components.length === 3);
    expect(back.content).not.toMatch(outage);
  });

  it('a backend removed from the configuration: its running job ends with a plain message, its buttons say why', async () => {
    const a = await fake();
    const b = await fake();
    h = await startHarness({ env: { ...backendsEnv([entry('a', a.baseUrl), entry('b', b.baseUrl)]), USER_MAX_CONCURRENT: '2' } });
    const finished = await imagine(h, 'finished on a');
    const done = await grid(h, a, finished);
    const onB = await imagine(h, 'running on b');
    const running = await imagine(h, 'running on a');
    expect((await h.app.stores.tasks.get(running))?.backend).toBe('a');

    await h.restart(undefined, backendsEnv([entry('b', b.baseUrl)]));
    await h.app.poller.tick();
    const gone = await h.discord.waitForMessage((m) => /no longer configured/.test(m.embeds?.[0]?.description ?? ''));
    expect(gone.content).toContain('Its image service is unavailable');
    const rec = must(await h.app.stores.tasks.get(running), 'the record');
    expect(rec.active).toBe(false);
    expect(rec.backendGone).toBe('removed');
    await h.logged((l) => l.msg === 'job ended: its backend is no longer configured' && l.backend === 'a' && l.taskId === running, 'the log naming the backend');
    // The job on b goes on; two running at once is the limit, and the ended one no longer counts.
    b.finish(onB);
    await h.app.poller.tick();
    await h.allFinished();
    await imagine(h, 'a new one');

    h.discord.clickButton(done.id, done.components[0].components[1].custom_id);
    await h.discord.waitForMessage((m) => (m.flags & 64) === 64 && /no longer available/.test(m.content));
    expect(submits(a, '/mj/submit/action')).toEqual([]);

    // /tasks still lists them all: b's with their state, a's without one.
    const discord = h.discord;
    const list = discord.sendSlashCommand('tasks', []);
    const shown = await discord.waitForMessage((m) => m.id === discord.originalOf(list)?.id && m.embeds.length === 1);
    for (const id of [finished, onB, running]) expect(shown.embeds[0].description).toContain(id);
    expect(shown.embeds[0].description).toMatch(new RegExp(`\`${onB}\` · \\*\\*SUCCESS`));
  });

  it('a backend that stops answering mid-job: the user hears so by the deadline, and the job stops counting', async () => {
    const a = await fake();
    const b = await fake();
    h = await startHarness({ sharedClock: true, env: { ...backendsEnv([entry('a', a.baseUrl), entry('b', b.baseUrl)]), TASK_DEADLINE_MS: String(MIN), USER_MAX_CONCURRENT: '1' } });
    const id = await imagine(h, 'a dies');
    expect((await h.app.stores.tasks.get(id))?.backend).toBe('a');
    await h.app.poller.tick();
    await a.close();
    await h.app.poller.tick();
    expect(await h.app.stores.tasks.activeIds()).toEqual([id]);

    h.discord.clock.advance(MIN + 1000);
    await h.app.poller.tick();
    const told = await h.discord.waitForMessage((m) => /could not be reached for 1 minutes/.test(m.embeds?.[0]?.description ?? ''));
    expect(told.embeds[0].title).toBe('This job’s image service is unavailable');
    expect(told.components[0].components[0].custom_id).toMatch(/^mj:c/);
    expect(await h.app.stores.tasks.activeIds()).toEqual([]);
    // The one running job allowed: the ended one no longer counts, and the new one goes to b.
    const next = await imagine(h, 'after a died');
    expect((await h.app.stores.tasks.get(next))?.backend).toBe('b');
  });
});
