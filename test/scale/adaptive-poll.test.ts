// Adaptive polling: each task has its own next poll time (fast while it moves, slow while it sits
// in the queue), due tasks share batched list-by-condition calls, and nothing active means no
// proxy call at all. Time is the fake Discord's clock; runDue() is the pass the timer runs.
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { freePort, imagine, readsSince } from './helpers.ts';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const env = { POLL_INTERVAL_MS: '1000', POLL_QUEUED_INTERVAL_MS: '5000', LEASE_TTL_MS: '60000' };
const queuedLong = { steps: Array.from({ length: 20 }, () => ({ status: 'NOT_START', progress: '0%' })), submitCode: 22 };

/** A job that waits in the proxy's queue for the whole test; its task id. */
async function queuedJob(prompt: string): Promise<string> {
  h.proxy.nextTimeline(queuedLong);
  return (await imagine(h, prompt)).id;
}

function listedIds(h: Harness, from: number): string[][] {
  return readsSince(h, from).map((r) => [...(r.body?.ids ?? [])].sort());
}

describe('adaptive polling', () => {
  it('asks the proxy nothing while nothing is active, and only re-reads the index now and then', async () => {
    h = await startHarness({ sharedClock: true, env });
    const from = h.proxy.requests.length;
    for (let i = 0; i < 3; i++) {
      const r = await h.app.poller.runDue();
      expect(r).toMatchObject({ active: 0, due: 0, proxyCalls: 0 });
      expect(h.app.poller.nextPassInMs()).toBeGreaterThan(4900);
      h.discord.clock.advance(5000);
    }
    expect(readsSince(h, from)).toHaveLength(0);
  });

  it('polls moving tasks every POLL_INTERVAL_MS, the head of the queue too, and the rest of the queue every POLL_QUEUED_INTERVAL_MS', async () => {
    // LIST_BATCH_SIZE 2: the head of the queue is its two oldest tasks. Two moving tasks, so that
    // each pass fills its requests (a part-empty one would take the third along early: see below).
    h = await startHarness({ sharedClock: true, env: { ...env, LIST_BATCH_SIZE: '2' } });
    const queued = [await queuedJob('waits 0'), await queuedJob('waits 1'), await queuedJob('waits 2')] as const;
    const moving = [(await imagine(h, 'moves')).id, (await imagine(h, 'moves too')).id];
    const clock = h.discord.clock;
    const polled = async () => {
      const from = h.proxy.requests.length;
      await h.app.poller.runDue();
      return listedIds(h, from).flat().sort();
    };

    await h.app.poller.tick(); // first sight of all five
    clock.advance(1000);
    expect(await polled()).toEqual([...moving, ...queued].sort()); // all new at their last poll

    // From now on the queue does not move: the moving tasks and the head (two oldest) only.
    for (let i = 0; i < 4; i++) {
      clock.advance(1000);
      expect(await polled()).toEqual([...moving, queued[0], queued[1]].sort());
    }
    clock.advance(1000); // 5 s after its last poll, the third one too
    expect(await polled()).toEqual([...moving, ...queued].sort());

    // The oldest leaves the queue: seen at the next fast poll.
    h.proxy.tasks.get(queued[0])!.json.status = 'SUBMITTED';
    clock.advance(1000);
    expect(await polled()).toContain(queued[0]);
    await h.discord.waitForMessage((m) => /\(Submitted\)/.test(m.content) && m.content.includes('waits 0'));
  });

  it('when the head of the queue leaves, the next waiting task becomes the head and is polled fast', async () => {
    h = await startHarness({ sharedClock: true, env: { ...env, LIST_BATCH_SIZE: '1' } });
    h.proxy.nextTimeline(queuedLong);
    const first = await imagine(h, 'head');
    h.proxy.nextTimeline(queuedLong);
    const second = await imagine(h, 'behind');
    await h.app.poller.tick();
    h.discord.clock.advance(1000);
    await h.app.poller.runDue(); // both seen unchanged now
    h.proxy.finish(first.id);
    h.proxy.tasks.get(first.id)!.json.status = 'FAILURE';
    h.discord.clock.advance(1000);
    await h.app.poller.runDue(); // the head ends
    expect(await h.app.stores.tasks.activeIds()).toEqual([second.id]);
    // Now `second` is the head: fast again.
    expect(h.app.poller.nextPassInMs()).toBeLessThanOrEqual(1000);
  });

  it('a queue that starts as a whole: a head that all started is followed at once by one twice as large, until a read finds one still waiting', async () => {
    // LIST_BATCH_SIZE 2: the head is the two oldest waiting tasks. Twelve wait; the proxy starts the nine oldest at once.
    h = await startHarness({ sharedClock: true, env: { ...env, LIST_BATCH_SIZE: '2' } });
    const queued: string[] = [];
    for (let i = 0; i < 12; i++) queued.push(await queuedJob(`waits ${i}`));
    const clock = h.discord.clock;
    await h.app.poller.tick(); // first sight of all
    clock.advance(1000);
    await h.app.poller.runDue(); // all new at their last poll
    clock.advance(1000);
    for (const id of queued.slice(0, 9)) h.proxy.tasks.get(id)!.json.status = 'SUBMITTED';
    const pass = async () => {
      const from = h.proxy.requests.length;
      await h.app.poller.runDue();
      return listedIds(h, from).flat();
    };
    // The head (2) started whole: the next pass is due now, and reads the next 4; they started too: the next 8 (6 left).
    expect((await pass()).sort()).toEqual(queued.slice(0, 2).sort());
    expect(h.app.poller.nextPassInMs()).toBe(0);
    expect((await pass()).sort()).toEqual(queued.slice(2, 6).sort());
    expect(h.app.poller.nextPassInMs()).toBe(0);
    expect((await pass()).sort()).toEqual(queued.slice(6).sort());
    // Three still wait: back to one head of 2 at the fast interval.
    expect(h.app.poller.nextPassInMs()).toBeGreaterThan(0);
    const stored = await Promise.all(queued.map((id) => h.app.stores.tasks.get(id)));
    expect(stored.map((r) => r!.status)).toEqual([...Array(9).fill('SUBMITTED'), ...Array(3).fill('NOT_START')]);
    clock.advance(1000);
    // The nine started, now read at the fast interval, and the new head of 2.
    expect((await pass()).sort()).toEqual(queued.slice(0, 11).sort());
  });

  it('without the queue moving, a head that did not all start does not grow', async () => {
    h = await startHarness({ sharedClock: true, env: { ...env, LIST_BATCH_SIZE: '2' } });
    const queued: string[] = [];
    for (let i = 0; i < 6; i++) queued.push(await queuedJob(`waits ${i}`));
    const clock = h.discord.clock;
    await h.app.poller.tick();
    clock.advance(1000);
    await h.app.poller.runDue();
    h.proxy.tasks.get(queued[0]!)!.json.status = 'SUBMITTED'; // one of the head's two
    clock.advance(1000);
    const from = h.proxy.requests.length;
    await h.app.poller.runDue();
    expect(listedIds(h, from).flat().sort()).toEqual(queued.slice(0, 2).sort());
    expect(h.app.poller.nextPassInMs()).toBeGreaterThan(0);
  });

  it('a job whose result is on its way is read no more and wakes no pass: the timer rests while the result waits', async () => {
    h = await startHarness({ env: { ...env, POLL_INTERVAL_MS: '300' } });
    const { id } = await imagine(h, 'its result waits');
    h.proxy.setQuirks({ holdMedia: true }); // the result's download hangs: the job is done, its message not edited yet
    try {
      h.app.poller.start();
      h.proxy.finish(id);
      await h.until(() => h.proxy.mediaHeld > 0, 'the result download');
      // A poll interval and more later (its read had scheduled it again then), for half a second.
      await new Promise((r) => setTimeout(r, 600));
      const from = { passes: h.app.poller.stats.passes, reads: readsSince(h, 0).length };
      await new Promise((r) => setTimeout(r, 500));
      // Nothing else is active: at most a look at the index (every third of the lease), no read.
      expect(h.app.poller.stats.passes - from.passes).toBeLessThanOrEqual(1);
      expect(readsSince(h, 0).length).toBe(from.reads);
    } finally {
      h.proxy.setQuirks({ holdMedia: false });
    }
    await h.discord.waitForMessage((m) => m.components.length === 3 && m.content.includes('its result waits'));
  });

  it('a pass whose last request would go out part empty fills it with the tasks due soonest after', async () => {
    // LIST_BATCH_SIZE 4: the head of the queue (its four oldest tasks) and two moving tasks are
    // due every second, a request of 4 and one of 2; the four waiting behind the head every 5 s.
    h = await startHarness({ sharedClock: true, env: { ...env, LIST_BATCH_SIZE: '4' } });
    const queued: string[] = [];
    for (let i = 0; i < 8; i++) queued.push(await queuedJob(`waits ${i}`));
    const moving: string[] = [];
    for (let i = 0; i < 2; i++) {
      h.proxy.nextTimeline({ steps: [{ status: 'SUBMITTED', progress: '0%' }, ...Array.from({ length: 30 }, (_, k) => ({ status: 'IN_PROGRESS', progress: `${k + 1}%` }))] });
      moving.push((await imagine(h, `moves ${i}`)).id);
    }
    const behind = queued.slice(4);
    const clock = h.discord.clock;
    const requests = async () => {
      const from = h.proxy.requests.length;
      await h.app.poller.runDue();
      return listedIds(h, from);
    };
    await h.app.poller.tick();
    clock.advance(1000);
    expect((await requests()).flat()).toHaveLength(10); // all new at their last poll

    // Those behind the head are due 5 s after that: not yet within a moving interval.
    for (let s = 2; s <= 4; s++) {
      clock.advance(1000);
      expect((await requests()).map((l) => l.length)).toEqual([4, 2]);
    }
    // 1 s before they are due, two of them fill the second request; the other two go next time,
    // with the head and the moving ones: 4 full requests where there were 5 (4 + 2, 4 + 4 + 2).
    clock.advance(1000);
    const early = await requests();
    clock.advance(1000);
    const onTime = await requests();
    expect([...early, ...onTime].map((l) => l.length)).toEqual([4, 4, 4, 4]);
    const behindRead = [...early, ...onTime].flat().filter((id) => behind.includes(id));
    expect(behindRead.sort()).toEqual([...behind].sort()); // each once
    expect(early.flat().filter((id) => behind.includes(id))).toHaveLength(2);
  });

  it('holding PHASES batches or more, a process reads its running tasks in phases spread over the interval, each once an interval', async () => {
    // LIST_BATCH_SIZE 2: 14 running tasks are over the 12 (6 phases × 2) that turn phases on.
    h = await startHarness({ sharedClock: true, env: { ...env, LIST_BATCH_SIZE: '2' } });
    const moving: string[] = [];
    for (let i = 0; i < 14; i++) {
      h.proxy.nextTimeline({ steps: [{ status: 'SUBMITTED', progress: '0%' }, ...Array.from({ length: 60 }, (_, k) => ({ status: 'IN_PROGRESS', progress: `${k + 1}%` }))] });
      moving.push((await imagine(h, `moves ${i}`)).id);
    }
    const clock = h.discord.clock;
    await h.app.poller.tick(); // all of them read together: the lump
    const start = clock.now();
    const readAt = new Map<string, number[]>(moving.map((id) => [id, []]));
    const passTimes: number[] = [];
    for (let t = 50; t <= 4000; t += 50) {
      clock.advance(50);
      const from = h.proxy.requests.length;
      await h.app.poller.runDue();
      const read = listedIds(h, from).flat();
      if (read.length) passTimes.push(clock.now() - start);
      for (const id of read) readAt.get(id)?.push(clock.now() - start);
    }
    // After the first interval (the lump spreading out), passes come in several phases of each interval.
    const inSecond = (from: number) => new Set(passTimes.filter((t) => t >= from && t < from + 1000)).size;
    expect(inSecond(2000)).toBeGreaterThanOrEqual(4);
    expect(inSecond(3000)).toBeGreaterThanOrEqual(4);
    for (const [id, times] of readAt) {
      // Each task read twice in those two intervals, never twice within half of one (a task of the next
      // phase may ride along in a part-empty request, then keeps to its phase again).
      expect(times.filter((t) => t >= 2000 && t < 4000), id).toHaveLength(2);
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(500);
    }
  });

  it('a pass makes ceil(due / LIST_BATCH_SIZE) list calls', async () => {
    h = await startHarness({ sharedClock: true, env: { ...env, LIST_BATCH_SIZE: '2' } });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await imagine(h, `job ${i}`)).id);
    const from = h.proxy.requests.length;
    const report = await h.app.poller.tick();
    expect(report).toMatchObject({ active: 5, due: 5, proxyCalls: 3 });
    const lists = listedIds(h, from);
    expect(lists.map((l) => l.length)).toEqual([2, 2, 1]);
    expect(lists.flat().sort()).toEqual([...ids].sort());
  });

  it('halves the batch when the backend refuses its size, and remembers the size that works', async () => {
    h = await startHarness({ sharedClock: true, env: { ...env, LIST_BATCH_SIZE: '4' } });
    for (let i = 0; i < 5; i++) await imagine(h, `job ${i}`);
    h.proxy.setQuirks({ listMax: 2 });
    let from = h.proxy.requests.length;
    const first = await h.app.poller.tick();
    expect(first.updated).toBe(5);
    expect(await h.app.stores.capabilities.forBackend('default').get('capability:list-by-condition-max')).toBe(2);

    from = h.proxy.requests.length;
    const second = await h.app.poller.tick();
    expect(second.proxyCalls).toBe(3);
    expect(readsSince(h, from).every((r) => r.status === 200)).toBe(true);
  });
});

describe('adaptive polling with push on', () => {
  it('polls the queue behind its head at the slower of POLL_QUEUED_INTERVAL_MS and POLL_PUSH_INTERVAL_MS', async () => {
    h = await startHarness({
      sharedClock: true,
      env: { ...env, LIST_BATCH_SIZE: '1', POLL_PUSH_INTERVAL_MS: '8000', NOTIFY_HOOK_URL: 'http://127.0.0.1:9/mj-hook', NOTIFY_HOOK_SECRET: 'hook-secret-0123456789abcdef', NOTIFY_HOOK_HOST: '127.0.0.1', NOTIFY_HOOK_PORT: String(await freePort()) },
    });
    const queued = [await queuedJob('waits 0'), await queuedJob('waits 1')] as const;
    const clock = h.discord.clock;
    await h.app.poller.tick();
    const seen: number[] = [];
    for (let s = 1; s <= 9; s++) {
      clock.advance(1000);
      const from = h.proxy.requests.length;
      await h.app.poller.runDue();
      if (listedIds(h, from).flat().includes(queued[1])) seen.push(s);
    }
    // Seen once more as new, then: without push again 5 s later; with push the callback says when it starts.
    expect(seen).toEqual([1, 9]);
  });
});
