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
