// ❌ Cancel (issue 13 item 4): a job under way offers ❌ to its owner; a click reaches
// POST /mj/task/{id}/cancel, the message says Cancelled, the job stops counting at once and is no
// longer polled; someone else's click is refused privately; a backend without the route (404) is
// remembered and its jobs no longer offer ❌.
import { afterEach, describe, expect, it } from 'vitest';
import { API_KEY, startHarness, type Harness } from '../helpers/harness.ts';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

/** @everyone's permissions in the fake guild: no Manage Server, no Administrator. */
const PLAIN_MEMBER = '2248473465835073';

const imagine = (prompt: string, opts: any = {}) => h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: prompt }], opts);
const cancels = () => h.proxy.requests.filter((r) => /\/cancel$/.test(r.route ?? ''));

/** A job under way, read once: its id and its message (which shows ❌ where the backend may have cancel). */
async function running(prompt: string, opts: any = {}) {
  const before = await h.app.stores.tasks.activeIds();
  const cmd = imagine(prompt, opts);
  const id = await h.trackedId(before);
  await h.app.poller.tick();
  const message = await h.discord.waitForMessage((m) => m.id === h.discord.originalOf(cmd)?.id && /\(Submitted|已提交/.test(m.content));
  return { id, message };
}

async function privateAnswer(interaction: { id: string; token: string }): Promise<string> {
  const cb = await h.answered(interaction);
  expect(cb.data.flags & 64).toBe(64);
  return cb.data.content;
}

describe('cancel', () => {
  it('❌ cancels a running job at the backend: the message says Cancelled, the job stops counting at once and is no longer polled', async () => {
    h = await startHarness({ env: { USER_MAX_CONCURRENT: '1' } });
    const job = await running('a job to cancel');
    const x = job.message.components[0].components[0];
    expect(x).toMatchObject({ custom_id: `mj:x:${job.id}`, emoji: { name: '❌' }, label: 'Cancel' });
    // It counts: a second job is refused while it runs.
    expect(await privateAnswer(imagine('not yet'))).toMatch(/already have 1 job/);

    const cancelReq = h.proxy.nextRequest((r) => r.route === `/mj/task/${job.id}/cancel`);
    const click = h.discord.clickButton(job.message.id, x.custom_id);
    expect((await cancelReq).method).toBe('POST');
    expect((await h.answered(click)).type).toBe(6);
    const done = await h.discord.waitForMessage((m) => m.id === job.message.id && /\(Cancelled\)/.test(m.content));
    expect(done.components).toEqual([]);
    expect(done.embeds[0].title).toBe('Job cancelled');
    // The click's work is done once the record is saved: ended, out of the active index and the owner's count.
    await h.handled(click);
    expect(h.proxy.getTask(job.id)).toMatchObject({ status: 'FAILURE', failReason: '取消任务' });
    expect(await h.app.stores.tasks.activeIds()).toEqual([]);
    expect((await h.app.stores.tasks.get(job.id))?.status).toBe('CANCEL');

    // At once, without a poll in between: the next job is taken.
    const next = imagine('the next job');
    expect((await h.answered(next)).type).toBe(4);
    const nextId = await h.trackedId();
    // Polling stopped for the cancelled job: a pass reads the new job only.
    const reads = h.proxy.requests.length;
    await h.app.poller.tick();
    const read = h.proxy.requests.slice(reads);
    expect(read.length).toBeGreaterThan(0);
    expect(read.some((r) => JSON.stringify(r.body ?? '').includes(job.id) || r.route?.includes(job.id))).toBe(false);
    expect(read.some((r) => JSON.stringify(r.body ?? '').includes(nextId) || r.route?.includes(nextId))).toBe(true);
    expect((await h.app.stores.tasks.get(job.id))?.status).toBe('CANCEL');
  });

  it('a job cancelled elsewhere (trueai’s web UI: FAILURE "取消任务") shows as Cancelled at the next poll', async () => {
    h = await startHarness();
    const job = await running('cancelled from the web UI');
    const res = await fetch(`${h.proxy.baseUrl}/mj/task/${job.id}/cancel`, { method: 'POST', headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(200);
    await h.app.poller.tick();
    const done = await h.discord.waitForMessage((m) => m.id === job.message.id && /\(Cancelled\)/.test(m.content));
    expect(done.embeds[0].title).toBe('Job cancelled');
    await h.allFinished();
  });

  it('says 已取消 to a Chinese user', async () => {
    h = await startHarness();
    const job = await running('中文取消', { locale: 'zh-CN' });
    const x = job.message.components[0].components[0];
    expect(x.label).toBe('取消');
    h.discord.clickButton(job.message.id, x.custom_id, { locale: 'zh-CN' });
    await h.discord.waitForMessage((m) => m.id === job.message.id && /\(已取消\)/.test(m.content));
  });

  it('someone else’s click is refused privately, a server admin’s too; nothing reaches the backend', async () => {
    h = await startHarness();
    const job = await running('alice’s job');
    const x = job.message.components[0].components[0];
    const carol = h.discord.makeUser('carol');
    carol.permissions = PLAIN_MEMBER;
    expect(await privateAnswer(h.discord.clickButton(job.message.id, x.custom_id, { user: carol }))).toMatch(/not your job/);
    expect(await privateAnswer(h.discord.clickButton(job.message.id, x.custom_id, { user: h.discord.users.bob }))).toMatch(/not your job/);
    expect(cancels()).toHaveLength(0);
    expect(await h.app.stores.tasks.activeIds()).toEqual([job.id]);
  });

  it('a finished job offers no ❌, and a stale one is refused as expired', async () => {
    h = await startHarness();
    const job = await running('finishes first');
    const x = job.message.components[0].components[0];
    h.proxy.finish(job.id);
    await h.app.poller.tick();
    const grid = await h.discord.waitForMessage((m) => m.id === job.message.id && m.components.length === 3);
    expect(grid.components.flatMap((r: any) => r.components).some((b: any) => b.custom_id.startsWith('mj:x:'))).toBe(false);
    // The old ❌, replayed on the finished message.
    const msg = structuredClone(h.discord.messages.get(job.message.id));
    msg.components = [{ type: 1, components: [x] }];
    h.discord.messages.set(job.message.id, msg);
    expect(await privateAnswer(h.discord.clickButton(job.message.id, x.custom_id))).toMatch(/expired/);
    expect(cancels()).toHaveLength(0);
  });

  it.each([
    ['404', true],
    ['a new-api relay’s dashboard page', 'html'],
  ] as const)('a backend without cancel (%s): the user is told privately, the ❌ goes, and its jobs no longer offer it', async (_, noCancel) => {
    h = await startHarness();
    h.proxy.setQuirks({ noCancel });
    const job = await running('no cancel here');
    const x = job.message.components[0].components[0];
    const click = h.discord.clickButton(job.message.id, x.custom_id);
    await h.discord.waitForMessage((m) => (m.flags & 64) === 64 && /does not offer that/.test(m.content));
    await h.handled(click);
    expect(cancels()).toHaveLength(1);
    await h.discord.waitForMessage((m) => m.id === job.message.id && m.components.length === 0 && /\(Submitted\)/.test(m.content));
    // Still running, still followed.
    expect(await h.app.stores.tasks.activeIds()).toEqual([job.id]);
    const other = await running('another job');
    expect(other.message.components).toEqual([]);
    h.proxy.advance(other.id);
    await h.app.poller.tick();
    const progress = await h.discord.waitForMessage((m) => m.id === other.message.id && /\(\d+%\)/.test(m.content));
    expect(progress.components).toEqual([]);
  });
});
