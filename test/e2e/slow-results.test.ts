// Result downloads (and the uploads to Discord that carry them) run off the poll path: a job whose
// files are slow does not hold the next pass, and so nobody else's progress; its downloads are
// bounded per job and overall. The fake proxy holds media answers until told to let them go.
// runDue() is the timer's pass (tick() waits for results, for tests that read Discord right after).
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { imagine } from '../scale/helpers.ts';
import { RESULT_DOWNLOADS_AT_ONCE, RESULT_DOWNLOADS_PER_JOB } from '../../src/discord/poster.ts';

let h: Harness;
afterEach(async () => {
  h?.proxy.setQuirks({ holdMedia: false });
  await h?.close();
});

// A download that hangs would hold a pass for this long (per file) if it ran inside the pass.
const env = { PROXY_TIMEOUT_MS: '60000', TASK_DEADLINE_MS: String(60 * 60_000), POLL_INTERVAL_MS: '1000' };

/** Sends /imagine and waits until the poller holds the task (its first poll is scheduled from then). */
async function start(prompt: string) {
  const job = await imagine(h, prompt);
  // No event for this: the poller takes the lease after `tracked`, and does not report it.
  await h.until(() => h.app.poller.heldIds().includes(job.id), `the poller to hold ${job.id}`, 10_000);
  return job;
}

/** Once the fake proxy holds downloads in a number that passes `ok` (no event for this: the fake's own state). */
async function heldDownloads(ok: (n: number) => boolean) {
  await h.until(() => ok(h.proxy.mediaHeld), 'the result downloads the fake proxy holds', 10_000);
}

/** The timer's pass, a poll interval later (fake clock). */
async function pass() {
  h.discord.clock.advance(1000);
  return h.app.poller.runDue();
}

/** A job whose result is `n` videos on the fake's CDN (a /video job makes up to four; a relay may send more). */
function videosTimeline(base: string, n: number) {
  const videoUrls = Array.from({ length: n }, (_, i) => ({ url: `${base}/cdn/slow-job/0_${i}.mp4` }));
  return { steps: [{ status: 'SUBMITTED', progress: '0%' }, { status: 'SUCCESS', videoUrls }] };
}

describe('slow result downloads', () => {
  it('a job whose files hang does not hold the next pass: another user’s job keeps moving', async () => {
    h = await startHarness({ env, sharedClock: true });
    h.proxy.nextTimeline(videosTimeline(h.proxy.baseUrl, 10));
    const slow = await start('ten slow videos');
    h.proxy.nextTimeline('failure'); // its end needs no download (the fake holds every media answer)
    const other = await start('bob’s job');
    await pass();
    h.proxy.setQuirks({ holdMedia: true });
    h.proxy.advance(slow.id);
    await pass(); // the slow job is done; its files hang
    await heldDownloads((n) => n > 0);

    h.proxy.advance(other.id); // running
    await pass();
    await h.discord.waitForMessage((m) => m.id === h.discord.originalOf(other.it)?.id && /\(\d+%\)/.test(m.content));
    h.proxy.finish(other.id);
    await pass();
    await h.discord.waitForMessage((m) => m.id === h.discord.originalOf(other.it)?.id && m.embeds[0]?.title === 'Job failed');
    // Its task is done; the slow one is still waiting for its files, and still held (not polled).
    expect(await h.app.stores.tasks.activeIds()).toEqual([slow.id]);
    const reads = h.proxy.requests.length;
    await pass();
    expect(h.proxy.requests.slice(reads).filter((r) => r.route !== null)).toHaveLength(0);

    h.proxy.setQuirks({ holdMedia: false });
    const done = await h.discord.waitForMessage((m) => m.id === h.discord.originalOf(slow.it)?.id && m.attachments.length === 10);
    expect(done.components.length).toBeGreaterThan(0);
    await h.allFinished(10_000);
  });

  it('downloads are bounded per job and overall', async () => {
    h = await startHarness({ env, sharedClock: true });
    const jobs = [];
    for (let i = 0; i < 3; i++) {
      h.proxy.nextTimeline(videosTimeline(h.proxy.baseUrl, 10));
      jobs.push(await start(`job ${i}`));
    }
    h.proxy.setQuirks({ holdMedia: true });
    for (const j of jobs) h.proxy.finish(j.id);
    await pass();
    await heldDownloads((n) => n === RESULT_DOWNLOADS_AT_ONCE);
    expect(RESULT_DOWNLOADS_AT_ONCE).toBeLessThan(3 * RESULT_DOWNLOADS_PER_JOB);
    await pass();
    expect(h.proxy.mediaHeld).toBe(RESULT_DOWNLOADS_AT_ONCE);
    h.proxy.setQuirks({ holdMedia: false });
    for (const j of jobs) await h.discord.waitForMessage((m) => m.id === h.discord.originalOf(j.it)?.id && m.attachments.length === 10);
  });

  it('one job alone uses at most its share', async () => {
    h = await startHarness({ env, sharedClock: true });
    h.proxy.nextTimeline(videosTimeline(h.proxy.baseUrl, 10));
    const job = await start('alone');
    h.proxy.setQuirks({ holdMedia: true });
    h.proxy.finish(job.id);
    await pass();
    await heldDownloads((n) => n === RESULT_DOWNLOADS_PER_JOB);
    await pass();
    expect(h.proxy.mediaHeld).toBe(RESULT_DOWNLOADS_PER_JOB);
    h.proxy.setQuirks({ holdMedia: false });
    await h.discord.waitForMessage((m) => m.id === h.discord.originalOf(job.it)?.id && m.attachments.length === 10);
  });
});
