// A restart resumes every active job from the store with one batched read (issue 16, item 5): the
// new process lists the active index once, takes the leases in one batch, reads the records with one
// getMany (none one by one), and its first pass polls all of them. The figure at N = 10,000 is the
// benchmark's (bench/resume.ts), not a timed test.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/harness.ts';

const JOBS = 24;

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

describe('resume after a restart', () => {
  it('adopts every active job with one batched read and polls them all in its first pass', async () => {
    for (let i = 0; i < JOBS; i++) h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: `a heron ${i}` }]);
    const ids = await h.tracked(JOBS);
    await h.app.poller.tick();

    const app = await h.restart();
    const calls = (op: string) => app.stores.health.calls.get(op) ?? 0;
    const before = { getMany: calls('tasks.getMany'), get: calls('tasks.get'), list: calls('tasks.activeIds') };
    const from = h.proxy.requests.length;
    const report = await app.poller.tick();

    expect(report).toMatchObject({ active: JOBS, due: JOBS, errors: 0 });
    expect(app.poller.heldIds().sort()).toEqual([...ids].sort());
    // One listing of the active index, one batched read of the records, no read one by one.
    expect(calls('tasks.activeIds') - before.list).toBe(1);
    expect(calls('tasks.getMany') - before.getMany).toBe(1);
    expect(calls('tasks.get') - before.get).toBe(0);
    // Every job read at the proxy in that pass, in batches.
    const read = h.proxy.requests.slice(from).filter((r) => r.route === '/mj/task/list-by-condition').flatMap((r) => r.body.ids as string[]);
    expect([...new Set(read)].sort()).toEqual([...ids].sort());
    expect(app.tracker.liveCount).toBe(JOBS);
  });
});

describe('the views a restart finds current', () => {
  const patches = (from: number) => h.discord.calls.slice(from).filter((c) => c.method === 'PATCH');

  it('renders no view of a job whose state did not change, and edits only the job that moved meanwhile', async () => {
    for (let i = 0; i < 4; i++) h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: `a crane ${i}` }]);
    const ids = await h.tracked(4);
    await h.app.poller.tick();

    // Unchanged: each record says Discord shows its task's view, and the first pass renders none.
    let app = await h.restart();
    let from = h.discord.calls.length;
    expect(await app.poller.tick()).toMatchObject({ active: 4, due: 4, errors: 0 });
    expect(app.tracker.stats).toMatchObject({ renders: 0, unchanged: 4 });
    expect(patches(from)).toEqual([]);

    // One job moved while no process ran: that one is rendered and edited, the others are not.
    const hashes = await Promise.all(ids.map(async (id) => (await app.stores.tasks.get(id))!.viewHash));
    app = await h.restart(async () => h.proxy.advance(ids[1]!, 2));
    from = h.discord.calls.length;
    await app.poller.tick();
    expect(app.tracker.stats).toMatchObject({ renders: 1, unchanged: 3 });
    expect(patches(from)).toHaveLength(1);
    const after = await Promise.all(ids.map(async (id) => (await app.stores.tasks.get(id))!.viewHash));
    expect(after.map((hash, i) => hash !== hashes[i])).toEqual([false, true, false, false]);
  });

  it('renders every view again when what views are made with changed (the deadline they state), and edits none that looks the same', async () => {
    for (let i = 0; i < 3; i++) h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: `an egret ${i}` }]);
    await h.tracked(3);
    await h.app.poller.tick();

    const app = await h.restart(undefined, { TASK_DEADLINE_MS: String(40 * 60_000) });
    const from = h.discord.calls.length;
    await app.poller.tick();
    expect(app.tracker.stats).toMatchObject({ renders: 3, sameView: 3 });
    expect(patches(from)).toEqual([]);
  });
});
