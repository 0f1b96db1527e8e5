// Push: the proxy's notifyHook callbacks reach a small receiver; each is a hint that re-fetches the
// task (batched) through the poller's fetch path before anything is shown. Polling stays on as a
// slow safety net, and a change the push missed brings the fast interval back.
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { notifyHookUrl, taskIdOf } from '../../src/tasks/notify-hook.ts';
import { ConfigError, loadConfig, redacted } from '../../src/config.ts';
import { editsOf, freePort, imagine, readsSince } from './helpers.ts';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const SECRET = 'hook-secret-0123456789abcdef';
/** A task that waits in the proxy's queue for the whole test. */
const queuedLong = { steps: Array.from({ length: 20 }, () => ({ status: 'NOT_START', progress: '0%' })), submitCode: 22 };

async function startWithPush(extra: Record<string, string> = {}) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}/mj-hook`;
  h = await startHarness({
    sharedClock: true,
    env: {
      NOTIFY_HOOK_URL: base,
      NOTIFY_HOOK_SECRET: SECRET,
      NOTIFY_HOOK_HOST: '127.0.0.1',
      NOTIFY_HOOK_PORT: String(port),
      NOTIFY_HOOK_MAX_BYTES: '4096',
      POLL_INTERVAL_MS: '1000',
      POLL_PUSH_INTERVAL_MS: '10000',
      ...extra,
    },
  });
  return { port, hook: notifyHookUrl(base, SECRET) };
}

/** A job whose task calls the hook back on every change (its submit carried notifyHook). */
async function pushedJob(hook: string, prompt: string) {
  const job = await imagine(h, prompt);
  expect(h.proxy.tasks.get(job.id)!.notifyHook).toBe(hook);
  return job;
}

/** Every callback the fake sent so far was answered and its hint acted on. */
async function quiet(): Promise<void> {
  // No event for this: the fake proxy's record of its callbacks is the fake's own state.
  await h.until(() => !h.proxy.notifications.some((n) => n.responseStatus === null && !n.error), 'every callback answered', 2000);
  await h.app.poller.settleHints();
}

function post(port: number, path: string, body: string, method = 'POST'): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(method === 'POST' ? body : undefined);
  });
}

describe('notifyHook receiver', () => {
  it('a callback shows the new state within milliseconds, without waiting for a poll', async () => {
    const { hook } = await startWithPush();
    const job = await pushedJob(hook, 'pushed fox');
    await h.app.poller.tick();
    await quiet();
    const from = h.proxy.requests.length;
    const t0 = Date.now();
    h.proxy.advance(job.id); // IN_PROGRESS 15%: the fake POSTs the task to the hook
    const msg = await h.discord.waitForMessage((m) => /\(15%\)/.test(m.content));
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(msg.content).toContain('pushed fox');
    const reads = readsSince(h, from);
    expect(reads.map((r) => r.route)).toEqual(['/mj/task/list-by-condition']);
    expect(reads[0]!.body.ids).toEqual([job.id]);
    expect(h.proxy.notifications.at(-1)).toMatchObject({ taskId: job.id, responseStatus: 204 });
  });

  it('submits carry the hook URL with its secret, next to the state the command sets', async () => {
    const { hook } = await startWithPush();
    const submitted = h.proxy.nextRequest((r) => r.route === '/mj/submit/imagine');
    const job = await imagine(h, 'hooked');
    const body = (await submitted).body;
    expect(body.notifyHook).toBe(hook);
    expect(body.notifyHook).toContain(SECRET);
    expect(body.state).toMatch(/^discord:/);
    expect(h.proxy.tasks.get(job.id)!.notifyHook).toBe(hook);
  });

  it('hints that arrive together share one list-by-condition call', async () => {
    const { hook } = await startWithPush();
    const jobs = [await pushedJob(hook, 'a'), await pushedJob(hook, 'b'), await pushedJob(hook, 'c')];
    await h.app.poller.tick();
    await quiet();
    const from = h.proxy.requests.length;
    for (const j of jobs) h.app.poller.hint(j.id);
    await h.app.poller.settleHints();
    const reads = readsSince(h, from);
    expect(reads).toHaveLength(1);
    expect([...reads[0]!.body.ids].sort()).toEqual(jobs.map((j) => j.id).sort());
  });

  it('a pass over many tasks lets a hint go first: its next requests wait until the hinted task is read', async () => {
    // A pass over 9 tasks in batches of 2 is 5 requests, 2 at a time. The fake holds the first two
    // unanswered until the bot has the hint: its read must not queue behind the pass's 3 others. (A
    // 9 s interval: the pass waits up to 3 s in all for hints, however late the callback comes.)
    const { hook } = await startWithPush({ LIST_BATCH_SIZE: '2', POLL_INTERVAL_MS: '9000' });
    const job = await pushedJob(hook, 'hinted fox'); // the oldest: in the pass's first batch, with another
    for (let i = 0; i < 8; i++) {
      h.proxy.nextTimeline(queuedLong);
      await imagine(h, `queued ${i}`);
    }
    await h.app.poller.tick();
    // Callbacks flow (only then does a pass keep 2 reads in flight): one for the job, now it is held
    // (its submit's callback may have come before the bot saved it, and named a task it did not hold).
    await h.proxy.notify(job.id);
    await quiet();
    h.proxy.setQuirks({ holdReads: true });
    const from = h.proxy.requests.length;
    const pass = h.app.poller.tick();
    await h.until(() => h.proxy.readsHeld === 2, "the pass's first two reads held");
    const hints = h.app.poller.stats.hints;
    h.proxy.advance(job.id); // IN_PROGRESS 15%: the callback arrives while the pass reads
    // Answered: the bot has the hint. The fake sent one for the advance too: the first is read at once,
    // the second (arriving while that read is under way) gathered for 5 ms and read after it.
    await h.proxy.notify(job.id);
    expect(h.app.poller.stats.hints).toBeGreaterThan(hints);
    h.proxy.setQuirks({ holdReads: false });
    const report = await pass;
    await quiet();
    expect(report).toMatchObject({ due: 9, proxyCalls: 5 });
    const reads = readsSince(h, from).map((r) => [...(r.body?.ids ?? [])] as string[]);
    const hintReads = reads.filter((ids) => ids.length === 1 && ids[0] === job.id);
    expect(hintReads.length).toBeGreaterThanOrEqual(1);
    expect(hintReads.length).toBeLessThanOrEqual(2);
    expect(reads.length - hintReads.length).toBe(5);
    // Answered (and recorded) before the pass's third request: that one waited for the hint.
    const hinted = reads.findIndex((ids) => ids.length === 1 && ids[0] === job.id);
    expect(hinted).toBeGreaterThanOrEqual(0);
    expect(hinted).toBeLessThan(3);
    await h.discord.waitForMessage((m) => /\(15%\)/.test(m.content) && m.content.includes('hinted fox'));
  });

  it('the callback body is never shown: the re-fetched task decides', async () => {
    const { port } = await startWithPush();
    const job = await imagine(h, 'forged');
    await h.app.poller.tick();
    await quiet();
    const forged = JSON.stringify({ ...h.proxy.getTask(job.id), status: 'FAILURE', failReason: 'forged!' });
    const from = h.proxy.requests.length;
    expect(await post(port, `/mj-hook/${SECRET}`, forged)).toBe(204);
    await h.app.poller.settleHints();
    expect(readsSince(h, from)).toHaveLength(1);
    expect(JSON.stringify(h.discord.originalOf(job.it))).not.toContain('forged!');
    expect(h.discord.originalOf(job.it).content).toMatch(/\(Submitted\)/);
    expect(await h.app.stores.tasks.activeIds()).toEqual([job.id]);
  });

  it('refuses calls without the secret, other methods and unknown tasks cost no proxy call', async () => {
    const { port } = await startWithPush();
    const job = await imagine(h, 'guarded');
    await h.app.poller.tick();
    // The task's own callbacks (it changed at that read) are answered and acted on before counting.
    await quiet();
    const body = JSON.stringify({ id: job.id, status: 'SUCCESS' });
    const from = h.proxy.requests.length;
    expect(await post(port, '/mj-hook', body)).toBe(404);
    expect(await post(port, '/mj-hook/wrong-secret-0123456789', body)).toBe(404);
    expect(await post(port, `/mj-hook/${SECRET}`, body, 'GET')).toBe(404);
    expect(await post(port, `/mj-hook/${SECRET}`, JSON.stringify({ id: '1700000000000999', status: 'SUCCESS' }))).toBe(204);
    await h.app.poller.settleHints();
    expect(readsSince(h, from)).toHaveLength(0);
    expect(h.app.notifyHook!.stats.rejected).toBe(3);
  });

  it('caps the body (413) and still takes the task id from what it read', async () => {
    const { port } = await startWithPush();
    const job = await imagine(h, 'big body');
    await h.app.poller.tick();
    await quiet();
    const from = h.proxy.requests.length;
    const huge = JSON.stringify({ id: job.id, status: 'IN_PROGRESS', maskBase64: 'A'.repeat(50_000) });
    expect(await post(port, `/mj-hook/${SECRET}`, huge).catch(() => 413)).toBe(413);
    await h.app.poller.settleHints();
    expect(readsSince(h, from)).toHaveLength(1);
  });

  it('reads a numeric id without losing digits', () => {
    expect(taskIdOf('{"id":1730621826053455123,"status":"SUCCESS"}')).toBe('1730621826053455123');
    expect(taskIdOf('{"action":"IMAGINE","id":"1730621826053455"}')).toBe('1730621826053455');
    expect(taskIdOf('not json')).toBeNull();
  });
});

describe('polling next to push', () => {
  it('polls a task whose callbacks arrive only every POLL_PUSH_INTERVAL_MS, and fast again after a missed change', async () => {
    const { hook } = await startWithPush();
    const job = await pushedJob(hook, 'safety net');
    await h.app.poller.tick();
    h.proxy.advance(job.id); // a callback arrives
    await h.discord.waitForMessage((m) => /\(15%\)/.test(m.content));
    await h.app.poller.settleHints();
    const clock = h.discord.clock;

    let from = h.proxy.requests.length;
    for (let i = 0; i < 3; i++) {
      clock.advance(1000);
      await h.app.poller.runDue();
    }
    expect(readsSince(h, from)).toHaveLength(0);

    // The proxy changes without calling back: the safety-net poll finds it and goes fast again.
    h.proxy.tasks.get(job.id)!.notifyHook = undefined;
    h.proxy.advance(job.id); // 46%
    clock.advance(7000);
    from = h.proxy.requests.length;
    await h.app.poller.runDue();
    expect(readsSince(h, from)).toHaveLength(1);
    await h.discord.waitForMessage((m) => /\(46%\)/.test(m.content));
    expect(h.app.poller.nextPassInMs()).toBeLessThanOrEqual(1000);
    h.proxy.advance(job.id); // 78%
    clock.advance(1000);
    await h.app.poller.runDue();
    await h.discord.waitForMessage((m) => /\(78%\)/.test(m.content));
    expect(editsOf(h, job.token).filter((c) => /\(15%\)/.test(c.json?.content ?? ''))).toHaveLength(1);
  });
});

describe('push configuration', () => {
  const base = { DISCORD_TOKEN: 't.o.k', DISCORD_APP_ID: '123456789012345678', MJ_BASE_URL: 'https://relay.example' };

  it('needs the secret with the URL, says so with the other problems, and never shows it', () => {
    let err: unknown;
    try {
      loadConfig({ ...base, NOTIFY_HOOK_URL: 'https://bot.example/mj-hook', POLL_QUEUED_INTERVAL_MS: 'soon' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toContain('NOTIFY_HOOK_SECRET: missing (required with NOTIFY_HOOK_URL)');
    expect((err as ConfigError).problems.some((p) => p.startsWith('POLL_QUEUED_INTERVAL_MS:'))).toBe(true);
    expect(() => loadConfig({ ...base, NOTIFY_HOOK_URL: 'https://bot.example/mj-hook', NOTIFY_HOOK_SECRET: 'short' })).toThrow(/NOTIFY_HOOK_SECRET/);
    const c = loadConfig({ ...base, NOTIFY_HOOK_URL: 'https://bot.example/mj-hook', NOTIFY_HOOK_SECRET: SECRET });
    expect(JSON.stringify(redacted(c))).not.toContain(SECRET);
    expect(notifyHookUrl(c.NOTIFY_HOOK_URL!, SECRET)).toBe(`https://bot.example/mj-hook/${SECRET}`);
  });
});

