// The router answers every interaction as its handler planned, so an error is reported by what
// was actually sent. On a button, '@original' is the message carrying the buttons: whatever fails,
// before or after the click was answered, that message stays.
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/harness.ts';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const MIN = 60_000;
const buttons = (m: any) => m.components.flatMap((r: any) => r.components);
const deletes = () => h.discord.calls.filter((c) => c.method === 'DELETE');

/** A job past its deadline: its message offers "Check again". */
async function stuckJob() {
  h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: 'stuck fox' }]);
  await h.tracked(1);
  await h.app.poller.tick();
  h.discord.clock.advance(11 * MIN);
  await h.app.poller.tick();
  return h.discord.waitForMessage((m) => buttons(m).some((b: any) => /Check again/.test(b.label ?? '')));
}

describe('a click that fails', () => {
  it('after the click was answered by an update, leaves the message and answers privately', async () => {
    h = await startHarness({ sharedClock: true, env: { TASK_DEADLINE_MS: String(10 * MIN) } });
    const stuck = await stuckJob();
    // The read after "Check again" fails in a way nobody expected.
    h.app.reader.readTasks = async () => {
      throw new Error('boom');
    };
    const click = h.discord.clickButton(stuck.id, buttons(stuck).find((b: any) => /Check again/.test(b.label ?? '')).custom_id);
    expect((await h.answered(click)).type).toBe(6);
    const note = await h.discord.waitForMessage((m) => (m.flags & 64) === 64 && /went wrong|error/i.test(m.content));
    expect(note.id).not.toBe(stuck.id);
    expect(deletes()).toEqual([]);
    expect(h.discord.messages.has(stuck.id)).toBe(true);
  });

  it('before the click was answered, answers privately and leaves the message', async () => {
    h = await startHarness({ sharedClock: true, env: { TASK_DEADLINE_MS: String(10 * MIN) } });
    const stuck = await stuckJob();
    // Someone else's job, clicked by a member who is no admin: refused before anything is sent.
    const click = h.discord.clickButton(stuck.id, buttons(stuck).find((b: any) => /Check again/.test(b.label ?? '')).custom_id, { user: { ...h.discord.users.bob, permissions: '0' } });
    const cb = await h.answered(click);
    expect(cb.type).toBe(4);
    expect(cb.data.flags & 64).toBe(64);
    expect(deletes()).toEqual([]);
    expect(h.discord.messages.has(stuck.id)).toBe(true);
  });
});

describe('a job the backend took', () => {
  it('keeps its public reply when a later step fails', async () => {
    h = await startHarness();
    h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: 'a grid' }]);
    h.proxy.finish(await h.trackedId());
    await h.app.poller.tick();
    const grid = await h.discord.waitForMessage((m) => m.components.length === 3 && m.content.includes('a grid'));
    // Marking the pressed button fails after the upscale was submitted and followed.
    h.app.tracker.markPressed = async () => {
      throw new Error('boom');
    };
    const click = h.discord.clickButton(grid.id, buttons(grid)[0].custom_id);
    expect((await h.answered(click)).type).toBe(5);
    await h.discord.waitForMessage((m) => (m.flags & 64) === 64 && /went wrong|error/i.test(m.content));
    const reply = h.discord.originalOf(click);
    expect(deletes()).toEqual([]);
    expect(h.discord.messages.has(reply.id)).toBe(true);
    expect(h.discord.messages.has(grid.id)).toBe(true);
  });
});
