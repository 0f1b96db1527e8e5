// The running-jobs limit on every path that starts a job: commands, buttons, modals, the remix
// editor, "Imagine all" and "Check again", counted from the store's per-owner index of active tasks.
import { afterEach, describe, expect, it } from 'vitest';
import { encodePng } from '../../stand-ins/fake-proxy.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { must } from '../helpers/must.ts';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const MIN = 60_000;
const submits = (route = '/mj/submit/imagine') => h.proxy.requests.filter((r) => r.route === route).length;
const buttons = (m: any) => m.components.flatMap((r: any) => r.components);

const imagine = (prompt: string, opts: any = {}) => h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: prompt }], opts);

/** An /imagine grid, finished. */
async function grid(prompt: string) {
  const before = await h.app.stores.tasks.activeIds();
  imagine(prompt);
  h.proxy.finish(await h.trackedId(before));
  await h.app.poller.tick();
  return h.discord.waitForMessage((m) => m.components.length === 3 && m.content.includes(prompt));
}

describe('the running-jobs limit', () => {
  it('holds the reservation until the job’s record is saved: a job asking in between is refused', async () => {
    h = await startHarness({ env: { USER_MAX_CONCURRENT: '1' } });
    // Slow store writes: the first record write waits until the test lets it through.
    const tasks = h.app.stores.tasks;
    const put = tasks.put.bind(tasks);
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    let writing!: () => void;
    const firstWrite = new Promise<void>((r) => (writing = r));
    let puts = 0;
    tasks.put = async (record) => {
      if (puts++ === 0) {
        writing();
        await gate;
      }
      return put(record);
    };
    try {
      imagine('first');
      await firstWrite;
      const second = imagine('second');
      const cb = await h.answered(second);
      expect(cb.data.content).toMatch(/already have 1 job/);
      expect(cb.data.flags & 64).toBe(64);
    } finally {
      open();
    }
    expect(await h.tracked(1)).toHaveLength(1);
    expect(submits()).toBe(1);
  });

  it('counts a job waiting for remix input, and submitting its editor goes through the same check', async () => {
    h = await startHarness({ sharedClock: true, env: { USER_MAX_CONCURRENT: '1', TASK_DEADLINE_MS: String(10 * MIN) } });
    const g = await grid('remix base');
    h.proxy.setQuirks({ remix: true });
    const click = h.discord.clickButton(g.id, g.components[1].components[0].custom_id);
    const waiting = await h.discord.waitForMessage((m) => m.id === h.discord.originalOf(click)?.id && /Waiting for your input/.test(m.content));
    // The editor waits for input: it is the one job allowed.
    const refused = imagine('while the editor waits');
    expect((await h.answered(refused)).data.content).toMatch(/already have 1 job/);

    // Past its deadline the waiting editor no longer holds the slot; another job takes it ...
    h.discord.clock.advance(11 * MIN);
    const other = imagine('another job');
    expect((await h.answered(other)).type).toBe(4);
    expect(await h.tracked(1)).toHaveLength(1);
    // ... and submitting the old editor now would make two: refused, nothing sent.
    const open = h.discord.clickButton(waiting.id, waiting.components[0].components[0].custom_id);
    const modal = await h.answered(open);
    expect(modal.type).toBe(9);
    const sent = submits('/mj/submit/modal');
    const sub = h.discord.submitModal(modal.data.custom_id, { prompt: 'remix base, but blue' }, { messageId: waiting.id });
    const cb = await h.answered(sub);
    expect(cb.data.content).toMatch(/already have 1 job/);
    expect(submits('/mj/submit/modal')).toBe(sent);
  });

  it('a finished job stops counting at once, even while its result is still being posted', async () => {
    h = await startHarness({ env: { USER_MAX_CONCURRENT: '1' } });
    imagine('first');
    const id = await h.trackedId();
    // The result's download hangs: the job is done at the backend, its message not yet edited.
    h.proxy.setQuirks({ holdMedia: true });
    try {
      h.proxy.finish(id);
      const pass = h.app.poller.tick();
      // No event for this: the fake proxy holding a download is the fake's own state.
      await h.until(() => h.proxy.mediaHeld > 0, 'the result download');
      const next = imagine('next');
      const cb = await h.answered(next);
      expect(cb.data.content ?? '').not.toMatch(/already have/);
      h.proxy.setQuirks({ holdMedia: false });
      await pass;
      await h.handled(next);
    } finally {
      h.proxy.setQuirks({ holdMedia: false });
    }
    expect(submits()).toBe(2);
  });

  it('“Check again” on a job past its deadline goes through the same check', async () => {
    h = await startHarness({ sharedClock: true, env: { USER_MAX_CONCURRENT: '1', TASK_DEADLINE_MS: String(10 * MIN) } });
    imagine('stuck');
    await h.tracked(1);
    await h.app.poller.tick();
    h.discord.clock.advance(11 * MIN);
    await h.app.poller.tick();
    const stuck = await h.discord.waitForMessage((m) => buttons(m).some((b: any) => /Check again/.test(b.label ?? '')));
    const next = imagine('next');
    expect((await h.answered(next)).type).toBe(4);
    expect(await h.tracked(1)).toHaveLength(1);
    const check = h.discord.clickButton(stuck.id, buttons(stuck).find((b: any) => /Check again/.test(b.label ?? '')).custom_id);
    const cb = await h.answered(check);
    expect(cb.data?.content).toMatch(/already have 1 job/);
    expect(cb.data.flags & 64).toBe(64);
    expect(await h.app.stores.tasks.activeIds()).toHaveLength(1);
  });
});

describe('“Imagine all” on a /describe result', () => {
  async function describeResult() {
    const a = h.discord.addAttachment(encodePng([200, 40, 40]), 'photo.png', 'image/png');
    const req = h.proxy.nextRequest((r) => r.route === '/mj/submit/describe');
    h.discord.sendSlashCommand('describe', [{ name: 'image', type: 11, value: a.id }], { attachments: [a] });
    await req;
    for (const t of await h.tracked(1)) h.proxy.finish(t);
    await h.app.poller.tick();
    return h.discord.waitForMessage((m) => m.embeds.length > 0 && /2️⃣/.test(m.embeds[0].description ?? ''));
  }

  it('with the default limit of 3 starts three and says plainly, privately, that the fourth was not started', async () => {
    h = await startHarness({ env: { USER_MAX_CONCURRENT: '3' } });
    const msg = await describeResult();
    const before = submits();
    const all = buttons(msg).find((x: any) => /Imagine all/.test(x.label ?? ''));
    const click = h.discord.clickButton(msg.id, all.custom_id);
    const note = await h.discord.waitForMessage((m) => (m.flags & 64) === 64 && /not started/.test(m.content));
    expect(note.content).toMatch(/3 of 4/);
    expect(note.content).toMatch(/4️⃣/);
    expect(note.content).not.toMatch(/already have/);
    await h.handled(click);
    expect(submits()).toBe(before + 3);
    expect(await h.app.stores.tasks.activeIds()).toHaveLength(3);
    expect(h.discord.callbackOf(click).data?.flags ?? 0).toBe(0); // the started jobs are public
    // The limit is reached now: a fifth job is refused.
    const more = imagine('one more');
    expect((await h.answered(more)).data.content).toMatch(/already have 3 jobs/);
  });

  it('a server’s own, lower running limit is the one the note names', async () => {
    h = await startHarness({ env: { USER_MAX_CONCURRENT: '3' } });
    await h.app.stores.prefs.setServer(h.discord.guildId, { limits: { running: 2 } });
    const msg = await describeResult();
    const all = buttons(msg).find((x: any) => /Imagine all/.test(x.label ?? ''));
    const click = h.discord.clickButton(msg.id, all.custom_id);
    const note = await h.discord.waitForMessage((m) => (m.flags & 64) === 64 && /not started/.test(m.content));
    // The describe job has ended: two of the four start, under the server's limit of 2 (not the operator's 3).
    expect(note.content).toMatch(/Started 2 of 4: you may run 2 jobs at once/);
    await h.handled(click);
  });
});
