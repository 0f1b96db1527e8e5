// Final results first at Discord's global limit (issue 16, item 3): jobs whose interaction tokens
// expired are edited through the bot's own channel access, which a small DISCORD_CHANNEL_BUDGET
// paces (3 a second here). Progress edits wait in the channel queue; when the jobs finish, their finals go out first,
// the progress still waiting is shed, no progress edit is sent while a final waits, and every
// job's last state is what its message shows. Counted from the fake Discord's call log, and read again
// from /metrics (the queue's counts and how long its finals waited).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { samples, value } from '../helpers/metrics-text.ts';

const MIN = 60_000;
const JOBS = 8;
const FINISHING = 6;
/** Requests a second through the bot's own access: 3 go at once, the other progress edits wait. */
const BUDGET = 3;

let h: Harness;
beforeEach(async () => {
  h = await startHarness({
    sharedClock: true,
    env: { DISCORD_CHANNEL_BUDGET: String(BUDGET), TASK_DEADLINE_MS: String(60 * MIN), HEALTH_PORT: '0' },
    // Discord's per-channel edit bucket (5 per 5 s) would pace one channel far below the budget: this
    // test is about the global budget, so the channel's bucket is made roomy.
    discord: { editLimit: { count: 1000, perMs: 1000 } },
  });
});
afterEach(async () => {
  await h.close();
});

/** Channel-route edits and posts of the jobs' messages (not the token routes, not the pings). */
function channelEdits(from: number) {
  return h.discord.calls
    .slice(from)
    .map((c, i) => ({ ...c, idx: from + i }))
    .filter((c) => c.method === 'PATCH' && /^\/channels\/\d+\/messages\/\d+$/.test(c.path) && c.status < 300);
}
const isFinal = (c: { json: any }) => (c.json?.components?.length ?? 0) > 0 && !/\(\d+%\)/.test(c.json?.content ?? '');
const isProgress = (c: { json: any }) => /\(\d+%\)/.test(c.json?.content ?? '');

describe('final results first', () => {
  it('jobs whose finals wait for the budget are read no more, and wake no pass while they wait', async () => {
    for (let i = 0; i < JOBS; i++) h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: `a waiting fox ${i}` }]);
    const ids = await h.tracked(JOBS);
    await h.app.poller.tick();
    h.discord.clock.advance(16 * MIN); // past the tokens: every edit takes the budget (3 a second)
    // Most finish: their finals fill the budget and wait.
    for (const id of ids.slice(0, FINISHING)) h.proxy.finish(id);
    h.discord.clock.advance(h.config.POLL_INTERVAL_MS);
    await h.app.poller.runDue();
    await h.until(() => h.app.channelQueue.finalsWaiting > 0, 'finals waiting for the budget');
    // The rest finish: the timer's pass reads them and, finals waiting, goes on without waiting for their results.
    for (const id of ids.slice(FINISHING)) h.proxy.finish(id);
    h.discord.clock.advance(h.config.POLL_INTERVAL_MS);
    await h.app.poller.runDue();
    await h.until(() => ids.every((id) => h.app.tracker.finishing(id) || !h.app.tracker.live(id)), 'every result on its way');
    // A poll interval later: nothing is due (their reads had scheduled them again), and a pass reads nothing.
    h.discord.clock.advance(h.config.POLL_INTERVAL_MS);
    expect(h.app.poller.nextPassInMs()).toBeGreaterThan(0);
    const reads = h.proxy.requests.length;
    await h.app.poller.runDue();
    expect(h.proxy.requests.length).toBe(reads);
    await h.app.tracker.resultsOut();
  });

  it('while finals wait for the budget, a head of the queue that all started is still followed at once by a larger one', async () => {
    // LIST_BATCH_SIZE 2: the head is the two oldest waiting jobs.
    await h.close();
    h = await startHarness({
      sharedClock: true,
      env: { DISCORD_CHANNEL_BUDGET: String(BUDGET), TASK_DEADLINE_MS: String(60 * MIN), LIST_BATCH_SIZE: '2' },
      discord: { editLimit: { count: 1000, perMs: 1000 } },
    });
    for (let i = 0; i < FINISHING; i++) h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: `a fox that ends ${i}` }]);
    const ending = await h.tracked(FINISHING);
    const queuedLong = { steps: Array.from({ length: 20 }, () => ({ status: 'NOT_START', progress: '0%' })), submitCode: 22 };
    for (let i = 0; i < 12; i++) {
      h.proxy.nextTimeline(queuedLong);
      h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: `a fox in the queue ${i}` }]);
      await h.tracked(FINISHING + i + 1);
    }
    const waiting = (await h.tracked(FINISHING + 12)).slice(FINISHING);
    await h.app.poller.tick();
    h.discord.clock.advance(16 * MIN); // past the tokens: every edit takes the budget (3 a second)
    for (const id of ending) h.proxy.finish(id);
    h.discord.clock.advance(h.config.POLL_INTERVAL_MS);
    await h.app.poller.runDue();
    await h.until(() => h.app.channelQueue.finalsWaiting > 0, 'finals waiting for the budget');
    // The queue starts as a whole; the head (one batch, LIST_BATCH_SIZE) is read and found started.
    for (const id of waiting) h.proxy.tasks.get(id)!.json.status = 'SUBMITTED';
    h.discord.clock.advance(h.config.POLL_INTERVAL_MS);
    const from = h.proxy.requests.length;
    await h.app.poller.runDue();
    expect(h.proxy.requests.slice(from).flatMap((r) => r.body?.ids ?? []).sort()).toEqual(waiting.slice(0, 2).sort());
    expect(h.app.poller.nextPassInMs()).toBe(0);
    // The next pass reads the next two (and so on): seen started while the finals still wait.
    await h.app.poller.runDue();
    expect(h.proxy.requests.slice(from).flatMap((r) => r.body?.ids ?? []).sort()).toEqual(waiting.slice(0, 6).sort());
    await h.app.tracker.resultsOut();
  });

  it('many jobs past their tokens finishing at once: every final shown, no progress sent while a final waited, each last state shown', async () => {
    for (let i = 0; i < JOBS; i++) h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: `a fox number ${i}` }]);
    const ids = await h.tracked(JOBS);
    await h.app.poller.tick();
    // The tokens expire (15 minutes): from now on every edit takes the channel route and the budget.
    h.discord.clock.advance(16 * MIN);
    const from = h.discord.calls.length;

    for (const id of ids) h.proxy.advance(id, 2); // IN_PROGRESS, some percent
    // The pass waits for its progress edits, which wait for the budget: not awaited yet.
    const progressPass = h.app.poller.tick();
    await h.until(() => channelEdits(from).some(isProgress), 'a first progress edit through the channel route (the fake Discord reports no event)', 15_000);

    // Most jobs finish now; two move on (their newer progress replaces the one still waiting).
    const finishing = ids.slice(0, FINISHING);
    const moving = ids.slice(FINISHING);
    for (const id of finishing) h.proxy.finish(id);
    for (const id of moving) h.proxy.advance(id); // 78%, with a preview
    const finalsQueuedAt = h.discord.calls.length;
    for (const id of ids) h.app.poller.hint(id);
    await h.app.poller.settleHints();
    await progressPass;
    await h.app.tracker.resultsOut();
    // At a budget of 3 a second the finals take seconds by design: room for a busy machine.
    await h.when(['edited'], () => channelEdits(from).filter(isFinal).length >= FINISHING, 'every final edit', 15_000);

    const edits = channelEdits(from);
    const finals = edits.filter(isFinal);
    // Every final shown, once each.
    expect(finals).toHaveLength(FINISHING);
    const lastFinal = Math.max(...finals.map((c) => c.idx));
    // No progress edit reached Discord between the finals being queued and the last final.
    const progressWhileFinalWaited = edits.filter((c) => isProgress(c) && c.idx > finalsQueuedAt && c.idx < lastFinal);
    expect(progressWhileFinalWaited).toEqual([]);
    // The progress still waiting was shed: fewer progress edits went out than jobs moved.
    const progressSent = edits.filter(isProgress).length;
    expect(progressSent).toBeLessThan(JOBS + moving.length);
    // The queue's own count agrees: progress shed, none sent while a final waited.
    expect(h.app.channelQueue.stats.shed).toBeGreaterThan(0);
    expect(h.app.channelQueue.stats.progressBeforeFinal).toBe(0);
    // The moving jobs' newer progress was not even made while the finals waited (it would have waited too).
    expect(h.app.tracker.stats.held).toBeGreaterThan(0);

    // Each job's last state is what its message shows.
    for (const id of finishing) {
      const r = (await h.app.stores.tasks.get(id))!;
      expect(r.status).toBe('SUCCESS');
      const msg = h.discord.messages.get(r.messageId!)!;
      expect(msg.components.length).toBeGreaterThan(0);
      expect(msg.content).not.toMatch(/\(\d+%\)/);
    }
    for (const id of moving) {
      const task = h.proxy.getTask(id);
      const r = (await h.app.stores.tasks.get(id))!;
      await h.when(['edited'], () => new RegExp(`\\(${task.progress}\\)`).test(h.discord.messages.get(r.messageId!)?.content ?? ''), `job ${id} showing ${task.progress}`, 15_000);
    }
    // Never over the budget: in any second, at most a second's worth saved up plus the rate of
    // requests through the bot's own access; and no 429.
    const channelCalls = h.discord.calls.slice(from).filter((c) => c.auth);
    const busiest = Math.max(...channelCalls.map((c) => channelCalls.filter((d) => d.at >= c.at && d.at < c.at + 1000).length));
    expect(busiest).toBeLessThanOrEqual(2 * BUDGET);
    expect(h.discord.calls.slice(from).filter((c) => c.status === 429)).toEqual([]);

    // /metrics tells the same: what was queued and sent by priority, what was shed, how long the finals
    // waited (at 3 a second, some a second or more), and the waits for the budget's tokens.
    const res = await fetch(`${h.app.healthServer!.url}/metrics`);
    const m = samples(await res.text());
    const stats = h.app.channelQueue.stats;
    expect(value(m, 'mjbot_discord_queue_sent_total', { priority: 'final' })).toBe(stats.sent.final);
    expect(stats.sent.final).toBeGreaterThanOrEqual(FINISHING);
    expect(value(m, 'mjbot_discord_queue_queued_total', { priority: 'progress' })).toBe(stats.queued.progress);
    expect(value(m, 'mjbot_discord_queue_queued_total', { priority: 'progress' })).toBeGreaterThan(value(m, 'mjbot_discord_queue_sent_total', { priority: 'progress' }));
    expect(value(m, 'mjbot_discord_queue_shed_total')).toBe(stats.shed);
    expect(value(m, 'mjbot_discord_queue_progress_before_final_total')).toBe(0);
    expect(value(m, 'mjbot_discord_queue_waiting', { priority: 'final' })).toBe(0);
    expect(value(m, 'mjbot_discord_queue_wait_seconds_count', { priority: 'final' })).toBe(stats.sent.final);
    expect(value(m, 'mjbot_discord_queue_wait_seconds_bucket', { priority: 'final', le: '0.5' })).toBeLessThan(stats.sent.final);
    expect(value(m, 'mjbot_discord_queue_wait_seconds_sum', { priority: 'final' })).toBeGreaterThan(1);
    expect(value(m, 'mjbot_discord_queue_budget_waits_total')).toBeGreaterThan(0);
    expect(value(m, 'mjbot_discord_queue_budget_wait_seconds_total')).toBeGreaterThan(1);
  });
});

describe('a timer pass while final results wait', () => {
  it('waits for none of its updates: their edits queue behind the finals, and the pass reads on', async () => {
    // The beforeEach's harness, again at 1 request a second and a poll interval of a minute: a pass
    // would otherwise wait up to 20 s for its progress edits, which wait for every final.
    await h.close();
    h = await startHarness({
      sharedClock: true,
      env: { DISCORD_CHANNEL_BUDGET: '1', POLL_INTERVAL_MS: String(MIN), TASK_DEADLINE_MS: String(60 * MIN) },
      discord: { editLimit: { count: 1000, perMs: 1000 } },
    });
    for (let i = 0; i < JOBS; i++) h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: `a heron number ${i}` }]);
    const ids = await h.tracked(JOBS);
    await h.app.poller.tick();
    h.discord.clock.advance(16 * MIN); // tokens expired, every task due
    const finishing = ids.slice(0, FINISHING);
    for (const id of finishing) h.proxy.finish(id);
    for (const id of ids.slice(FINISHING)) h.proxy.advance(id, 2);
    const from = h.discord.calls.length;
    const report = await h.app.poller.runDue();
    expect(report.due).toBe(JOBS);
    // Over before the finals (6 at 1 a second): had it waited for its progress edits, none would wait now.
    // (They are queued or still being made; the progress views of the others are not even made meanwhile.)
    expect(h.app.channelQueue.holdsProgress).toBe(true);
    expect(channelEdits(from).filter(isFinal).length).toBeLessThan(FINISHING);
    await h.when(['edited'], () => channelEdits(from).filter(isFinal).length >= FINISHING, 'every final edit', 20_000);
    expect(h.app.channelQueue.stats.progressBeforeFinal).toBe(0);
  }, 40_000);
});
