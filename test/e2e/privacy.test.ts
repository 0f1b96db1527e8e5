// /privacy end to end, through the real discord.js client against the fake Discord and the real
// store: what the bot keeps about a user, "Forget me" (confirmed) removing their records, recent
// list and settings (a running job stops being followed and counting; buttons on old messages then
// say "expired"), a server admin deleting a member's data for their server only, and everyone else
// refused, forged clicks included.
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/harness.ts';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const EPHEMERAL = 64;
/** @everyone's permissions in the fake guild: no Manage Server, no Administrator. */
const PLAIN_MEMBER = '2248473465835073';
const OTHER_GUILD = '900000000000000001';

type Button = { custom_id: string; label?: string; style?: number };
const buttonsOf = (m: any): Button[] => (m.components ?? []).flatMap((r: any) => r.components);
const isFinishedGrid = (m: any) => m.attachments.length === 1 && buttonsOf(m).some((b) => b.custom_id.startsWith('mj:b:'));

function carol() {
  const u = h.discord.makeUser('carol');
  u.permissions = PLAIN_MEMBER;
  return u;
}
type User = ReturnType<typeof carol>;

/** /imagine as `user`, finished: its task id and the finished message. */
async function finishedJob(prompt: string, user?: User) {
  const before = await h.app.stores.tasks.activeIds();
  const it = h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: prompt }], { user });
  const id = await h.trackedId(before);
  await h.handled(it);
  h.proxy.finish(id);
  await h.app.poller.tick();
  const msg = await h.discord.waitForMessage((m) => m.id === h.discord.originalOf(it)?.id && isFinishedGrid(m));
  return { id, msg };
}

/** /imagine as `user`, left running: its task id. */
async function runningJob(prompt: string, user?: User) {
  const before = await h.app.stores.tasks.activeIds();
  const it = h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: prompt }], { user });
  const id = await h.trackedId(before);
  await h.handled(it);
  return id;
}

/** /privacy as `user` (naming `member`): the handled event and the private panel. */
async function privacy(o: { user?: User; member?: string; locale?: string } = {}) {
  const it = h.discord.sendSlashCommand('privacy', o.member ? [{ name: 'member', type: 6, value: o.member }] : [], { user: o.user, locale: o.locale });
  const done = await h.handled(it);
  return { it, done, cb: h.discord.callbackOf(it), panel: h.discord.originalOf(it) };
}

async function click(messageId: string, customId: string, user?: User) {
  const it = h.discord.clickButton(messageId, customId, { user });
  const done = await h.handled(it);
  return { it, done, cb: h.discord.callbackOf(it), msg: h.discord.messages.get(messageId) };
}

describe('/privacy: what the bot keeps, and Forget me', () => {
  it('lists records, recent jobs, settings and today’s count privately; Forget me (confirmed) removes them, old buttons say expired, a running job counts until its deadline', async () => {
    // The test skips 10 minutes; started in a UTC day's last hour it would count today's jobs in the
    // next day (it failed at 23:52 UTC): then its clock starts a minute into the next day.
    const intoDay = Date.now() % 86_400_000;
    let skipped = intoDay > 86_400_000 - 3_600_000 ? 86_400_000 - intoDay + 60_000 : 0;
    h = await startHarness({ now: () => Date.now() + skipped, env: { USER_MAX_CONCURRENT: '2', USER_MAX_DAILY: '10', DATA_RETENTION_DAYS: '14', TASK_DEADLINE_MS: '600000' } });
    const alice = h.discord.users.alice;
    const bob = h.discord.users.bob;
    const done = await finishedJob('a fox kept for a while');
    const running = await runningJob('a fox still running');
    const bobs = await finishedJob('bob’s own fox', bob);
    await h.app.stores.prefs.setUser(alice.id, { stylize: 250 });

    const { cb, panel, done: opened } = await privacy();
    expect(opened.ok).toBe(true);
    expect(cb.data.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(panel.content).toContain('**What the bot keeps about you**');
    expect(panel.content).toContain('Job records: **2** (1 still running)');
    expect(panel.content).toContain('kept 14 days after its last change');
    expect(panel.content).toContain('Recent jobs (for `/tasks` and autocomplete): **2**');
    expect(panel.content).toContain('Your `/settings` choices: stored');
    expect(panel.content).toContain('Jobs counted today for the daily limit: **2**');
    expect(panel.content).toContain('Messages in Discord are not deleted: 🗑 on a result removes it.');
    expect(panel.allowed_mentions?.parse ?? []).toEqual([]);
    expect(buttonsOf(panel).map((b) => b.custom_id)).toEqual(['mj:pv:ask']);

    // With two running, the limit holds: a third job is refused.
    await runningJob('a second running fox');
    const refused = h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: 'one too many' }]);
    expect((await h.answered(refused)).data.content).toMatch(/already have 2 jobs/);
    expect(await h.app.stores.owners.running(alice.id)).toBe(2);

    // Forget me → the confirmation (nothing removed yet) → "Keep my data" removes nothing.
    const ask = await click(panel.id, 'mj:pv:ask');
    expect(ask.cb.type).toBe(6);
    expect(ask.msg.content).toContain('Forget everything the bot keeps about you?');
    expect(ask.msg.content).toContain('removes 3 job records');
    expect(buttonsOf(ask.msg).map((b) => b.custom_id)).toEqual(['mj:pv:yes', 'mj:pv:no']);
    expect(await h.app.stores.tasks.get(done.id)).toBeDefined();
    const keep = await click(panel.id, 'mj:pv:no');
    expect(keep.msg.content).toBe('Nothing was removed.');
    expect(await h.app.stores.tasks.get(done.id)).toBeDefined();

    const again = await privacy();
    await click(again.panel.id, 'mj:pv:ask');
    const yes = await click(again.panel.id, 'mj:pv:yes');
    expect(yes.done.ok).toBe(true);
    expect(yes.msg.content).toContain('Done: 3 job records, your recent jobs and your settings were removed.');
    expect(buttonsOf(yes.msg)).toEqual([]);
    const s = h.app.stores;
    expect(await s.tasks.get(done.id)).toBeUndefined();
    expect(await s.tasks.get(running)).toBeUndefined();
    expect(await s.tasks.activeIds()).not.toContain(running);
    // The two jobs still run at the backend: their slots (ids only) count until their deadline.
    expect(await s.owners.running(alice.id)).toBe(2);
    expect(await s.recent.list(alice.id)).toEqual([]);
    expect(await s.prefs.hasUser(alice.id)).toBe(false);
    expect(await s.tasks.ownedBy(alice.id)).toEqual([]);
    // Bob's data is untouched.
    expect(await s.tasks.get(bobs.id)).toBeDefined();
    expect((await s.recent.list(bob.id)).map((j) => j.taskId)).toEqual([bobs.id]);

    // The running job is no longer followed: its progress does not bring the record back.
    h.proxy.advance(running, 2);
    await h.app.poller.tick();
    await h.app.poller.tick();
    expect(await s.tasks.get(running)).toBeUndefined();

    // Buttons on the old message: expired, nothing sent.
    const n = h.proxy.requests.length;
    const late = await click(done.msg.id, buttonsOf(done.msg)[0]!.custom_id);
    expect(late.done.ok).toBe(false);
    expect(late.cb.data.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(late.cb.data.content).toBe('These buttons have expired. Run the command again.');
    expect(h.proxy.requests.length).toBe(n);
    // The message itself stays in Discord.
    expect(h.discord.messages.has(done.msg.id)).toBe(true);

    // Forgetting made no room: a new job is refused while the forgotten ones may still run …
    const still = h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: 'room made?' }]);
    expect((await h.answered(still)).data.content).toMatch(/already have 2 jobs/);
    await h.handled(still);
    // … and once their deadline passed, new jobs start.
    skipped += 600_000 + 1_000;
    await runningJob('a fresh start');
    await runningJob('and another');
    const after = await privacy();
    expect(after.panel.content).toContain('Job records: **2** (2 still running)');
    expect(after.panel.content).toContain('Your `/settings` choices: none stored');
    // Today's count stays: forgetting does not reset the daily limit.
    expect(after.panel.content).toContain('Jobs counted today for the daily limit: **5**');
  });

  it('speaks the user’s language (zh-CN)', async () => {
    h = await startHarness();
    const { panel } = await privacy({ locale: 'zh-CN' });
    expect(panel.content).toContain('**机器人保存的关于你的数据**');
    expect(panel.content).toContain('任务记录：**0** 条');
    expect(buttonsOf(panel)[0]!.label).toBe('忘记我');
  });

  it('someone else’s panel is refused', async () => {
    h = await startHarness();
    await finishedJob('alice’s fox');
    const { panel } = await privacy();
    const c = carol();
    const r = await click(panel.id, 'mj:pv:ask', c);
    expect(r.done.ok).toBe(false);
    expect(r.cb.data.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(r.cb.data.content).toBe('This panel is someone else’s. Use /privacy to open yours.');
    expect((await h.app.stores.tasks.ownedBy(h.discord.users.alice.id)).length).toBe(1);
  });
});

describe('/privacy member: a server admin deletes a member’s data for their server', () => {
  it('removes only this server’s records of the member and those jobs from their recent list; their settings and other servers’ jobs stay', async () => {
    h = await startHarness();
    const c = carol();
    const here = await finishedJob('carol’s fox here', c);
    // A job of Carol's from another server (written as that server's process would have).
    const elsewhere = { ...(await h.app.stores.tasks.get(here.id))!, taskId: '1700000000000777', guildId: OTHER_GUILD, channelId: '900000000000000002', messageId: null };
    await h.app.stores.tasks.put(elsewhere);
    await h.app.stores.recent.add(c.id, [{ taskId: elsewhere.taskId, prompt: 'elsewhere', at: 1 }]);
    await h.app.stores.prefs.setUser(c.id, { raw: true });
    const alices = await finishedJob('alice’s own fox');

    const { panel, cb } = await privacy({ member: c.id });
    expect(cb.data.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(panel.content).toContain(`**Data of <@${c.id}> kept for this server**`);
    expect(panel.content).toContain('Records of jobs they made in this server: **1** (0 still running)');
    expect(panel.content).toContain('Their `/settings` choices are personal');
    // A mention that pings nobody.
    expect(panel.allowed_mentions?.parse ?? []).toEqual([]);
    expect(buttonsOf(panel).map((b) => b.custom_id)).toEqual([`mj:pv:del:${c.id}`]);

    const del = await click(panel.id, `mj:pv:del:${c.id}`);
    expect(del.done.ok).toBe(true);
    expect(del.msg.content).toBe(`Removed 1 job records of <@${c.id}> made in this server, and those jobs from their recent list.`);
    const s = h.app.stores;
    expect(await s.tasks.get(here.id)).toBeUndefined();
    expect(await s.tasks.get(elsewhere.taskId)).toBeDefined();
    expect((await s.recent.list(c.id)).map((j) => j.taskId)).toEqual([elsewhere.taskId]);
    expect(await s.prefs.user(c.id)).toEqual({ raw: true });
    expect(await s.tasks.get(alices.id)).toBeDefined();
    // Carol's old buttons here: expired.
    const late = await click(here.msg.id, buttonsOf(here.msg)[0]!.custom_id, c);
    expect(late.cb.data.content).toBe('These buttons have expired. Run the command again.');
  });

  it('a member without Manage Server cannot: neither by the command nor by a forged click', async () => {
    h = await startHarness();
    const alice = h.discord.users.alice;
    const job = await finishedJob('alice’s fox');
    const c = carol();

    const byCommand = await privacy({ user: c, member: alice.id });
    expect(byCommand.done.ok).toBe(false);
    expect(byCommand.cb.data.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(byCommand.cb.data.content).toBe('Only members with the Manage Server permission can delete a member’s data.');

    // Carol's own panel, carrying an admin's delete button for Alice (what a forged interaction sends).
    const mine = await privacy({ user: c });
    const msg = structuredClone(h.discord.messages.get(mine.panel.id));
    msg.components = [{ type: 1, components: [{ type: 2, style: 4, label: 'x', custom_id: `mj:pv:del:${alice.id}` }] }];
    h.discord.messages.set(mine.panel.id, msg);
    const forged = await click(mine.panel.id, `mj:pv:del:${alice.id}`, c);
    expect(forged.done.ok).toBe(false);
    expect(forged.cb.type).toBe(4);
    expect(forged.cb.data.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(forged.cb.data.content).toBe('Only members with the Manage Server permission can delete a member’s data.');
    expect(await h.app.stores.tasks.get(job.id)).toBeDefined();
    expect((await h.app.stores.recent.list(alice.id)).map((j) => j.taskId)).toEqual([job.id]);
  });
});
