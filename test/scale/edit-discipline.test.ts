// Edit discipline: at most one Discord edit per visible state, bursts collapse into their newest
// state (≤ 1 progress edit per EDIT_MIN_INTERVAL_MS per message), an unchanged task costs no
// render and no store write, an older state never replaces a newer one, and a preview or a result
// is never sent again when it did not change.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { editsOf, imagine } from './helpers.ts';

let h: Harness;
afterEach(async () => {
  vi.restoreAllMocks();
  await h?.close();
});

const contentOf = (c: { json?: { content?: string } }) => c.json?.content ?? '';

describe('edit discipline', () => {
  it('a burst of progress collapses into one edit of its newest state, sent once the app\'s clock passes EDIT_MIN_INTERVAL_MS', async () => {
    // The app runs on a manual clock, and the interval is one no real timer reaches within the
    // test: only moving the clock makes the put-off edit due (runDeferredEdits is the timer's work).
    h = await startHarness({ sharedClock: true, env: { EDIT_MIN_INTERVAL_MS: '60000' } });
    const job = await imagine(h, 'burst');
    const shown = () => editsOf(h, job.token).map((c) => (c.json?.components?.length === 3 ? 'result' : contentOf(c).match(/\((Submitted|\d+%)\)/)?.[1]));
    await h.app.poller.tick(); // Submitted: the first edit goes out at once
    await h.discord.waitForMessage((m) => /\(Submitted\)/.test(m.content));
    for (let i = 0; i < 3; i++) {
      h.proxy.advance(job.id); // 15%, 46%, 78% + preview, within the interval
      await h.app.poller.tick();
    }
    // Each pass waited for its update: nothing went out within the interval.
    expect(shown()).toEqual(['Submitted']);
    h.discord.clock.advance(59_999);
    expect(h.app.tracker.runDeferredEdits()).toBe(0);
    expect(shown()).toEqual(['Submitted']);
    h.discord.clock.advance(1);
    expect(h.app.tracker.runDeferredEdits()).toBe(1);
    const latest = await h.discord.waitForMessage((m) => /\(78%\)/.test(m.content));
    expect(latest.embeds[0]?.image?.url).toMatch(/grid_0\.webp$/);
    // The final view is never put off, though it comes within the interval after the last edit.
    h.proxy.finish(job.id);
    await h.app.poller.tick();
    await h.discord.waitForMessage((m) => m.components.length === 3);
    expect(shown()).toEqual(['Submitted', '78%', 'result']);
  });

  it('a poll that finds nothing new renders nothing, writes nothing and edits nothing', async () => {
    h = await startHarness();
    const job = await imagine(h, 'steady');
    h.proxy.advance(job.id);
    await h.app.poller.tick();
    await h.discord.waitForMessage((m) => /\(15%\)/.test(m.content));
    const put = vi.spyOn(h.app.stores.tasks, 'put');
    const renders = h.app.tracker.stats.renders;
    const edits = editsOf(h, job.token).length;
    for (let i = 0; i < 5; i++) await h.app.poller.tick();
    expect(put).not.toHaveBeenCalled();
    // A render is no Discord call: the tracker's count is the only witness of its cost.
    expect(h.app.tracker.stats.renders).toBe(renders);
    expect(editsOf(h, job.token)).toHaveLength(edits);
  });

  it('a preview link that only changes its query (relay ?rand=, re-signed CDN) is not sent again', async () => {
    h = await startHarness();
    const job = await imagine(h, 'relay preview');
    h.proxy.advance(job.id, 3); // 78% with a preview
    await h.app.poller.tick();
    await h.discord.waitForMessage((m) => /\(78%\)/.test(m.content) && m.embeds.length === 1);
    const fake = h.proxy.tasks.get(job.id)!;
    const base = fake.json.imageUrl!;
    const before = editsOf(h, job.token).length;
    for (let i = 0; i < 4; i++) {
      fake.json.imageUrl = `${base}?rand=${Date.now()}${i}`;
      await h.app.poller.tick();
    }
    expect(editsOf(h, job.token)).toHaveLength(before);
    // When the progress moves, the new link goes out with it.
    fake.json.progress = '93%';
    fake.json.imageUrl = `${base}?rand=fresh`;
    await h.app.poller.tick();
    const moved = await h.discord.waitForMessage((m) => /\(93%\)/.test(m.content));
    expect(moved.embeds[0].image.url).toContain('rand=fresh');
    expect(editsOf(h, job.token)).toHaveLength(before + 1);
  });

  it('progress edits upload nothing; the result is uploaded once, and a pressed button does not upload it again', async () => {
    h = await startHarness();
    const job = await imagine(h, 'upload once');
    for (let i = 0; i < 4; i++) {
      h.proxy.advance(job.id);
      await h.app.poller.tick();
    }
    await h.app.poller.tick();
    const grid = await h.discord.waitForMessage((m) => m.components.length === 3 && m.attachments.length === 1);
    const edits = editsOf(h, job.token);
    expect(edits.slice(0, -1).every((c) => c.files.length === 0)).toBe(true);
    expect(edits.at(-1)!.files).toHaveLength(1);

    const action = h.proxy.nextRequest((r) => r.route === '/mj/submit/action');
    h.discord.clickButton(grid.id, grid.components[0].components[0].custom_id);
    await action;
    await h.discord.waitForMessage((m) => m.id === grid.id && m.components[0].components[0].style === 3);
    const uploads = h.discord.calls.filter((c) => c.files.length > 0 && c.path.includes(job.token));
    expect(uploads).toHaveLength(1);
    for (let i = 0; i < 3; i++) await h.app.poller.tick();
    expect(h.discord.calls.filter((c) => c.files.length > 0 && c.path.includes(job.token))).toHaveLength(1);
  });

  it('an older state arriving after a newer one (a slow poll after a push) is dropped', async () => {
    h = await startHarness();
    const job = await imagine(h, 'no going back');
    h.proxy.advance(job.id); // 15%
    await h.app.poller.tick();
    const older = (await h.app.reader.readTasks('default', [job.id])).found.get(job.id)!;
    h.proxy.advance(job.id, 2); // 78%
    await h.app.poller.tick();
    await h.discord.waitForMessage((m) => /\(78%\)/.test(m.content));
    const edits = editsOf(h, job.token).length;
    await h.app.tracker.applyUpdate(h.app.tracker.live(job.id)!, older);
    expect(editsOf(h, job.token)).toHaveLength(edits);
    expect(h.app.tracker.live(job.id)!.task!.progress).toBe('78%');
  });

  it('updates of one task that arrive before the first one ran merge into the newest', async () => {
    h = await startHarness();
    const job = await imagine(h, 'merge');
    const rec = h.app.tracker.live(job.id)!;
    const states = [];
    for (let i = 0; i < 3; i++) {
      h.proxy.advance(job.id);
      states.push((await h.app.reader.readTasks('default', [job.id])).found.get(job.id)!);
    }
    const before = editsOf(h, job.token).length;
    await Promise.all(states.map((t) => h.app.tracker.applyUpdate(rec, t)));
    // None had started: they collapse into one update, of the newest state: one edit.
    const edits = editsOf(h, job.token);
    expect(edits).toHaveLength(before + 1);
    expect(contentOf(edits.at(-1)!)).toMatch(/\(78%\)/);
    expect(edits.some((c) => /\((15|46)%\)/.test(contentOf(c)))).toBe(false);
  });
});
