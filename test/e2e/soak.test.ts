// Soak: a few hundred jobs through the real app while the proxy and Discord misbehave at random.
// Bounded in time; ends with every job in a final, correct Discord state and the bot still healthy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, startHarness, type Harness } from '../helpers/harness.ts';
import { must } from '../helpers/must.ts';

const JOBS = 200;
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ env: { LIST_BATCH_SIZE: '40' } });
});
afterAll(async () => {
  await h.close();
});

/** A small seeded PRNG, so a failing run can be replayed. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

describe('soak', () => {
  it(`${JOBS} jobs with random proxy and Discord faults all end in their final state`, async () => {
    const rand = rng(20261123);
    const interactions: { prompt: string; token: string; id: string }[] = [];
    for (let i = 0; i < JOBS; i++) {
      const outcome = rand() < 0.2 ? 'FAILURE' : 'SUCCESS';
      h.proxy.nextTimeline(outcome === 'FAILURE' ? 'failure' : 'success');
      const prompt = `soak job ${i}`;
      const it = h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: prompt }], { user: i % 2 ? h.discord.users.bob : h.discord.users.alice });
      interactions.push({ prompt, token: it.token, id: it.id });
      // In waves of 20: each wave handled (submitted, tracked) before the next is sent.
      if (i % 20 === 19) await Promise.all(interactions.slice(-20).map((x) => h.handled(x, 30_000)));
    }
    const ids = await h.app.stores.tasks.activeIds();
    expect(ids.length).toBe(JOBS);
    // Submits reach the proxy in any order: map each interaction to its task through the records.
    const taskOf = new Map((await h.app.stores.tasks.getMany(ids)).map((r) => [r!.interactionToken, r!.taskId]));

    const faults = [{ status5xx: 502 }, { malformedJson: true }, { resetConnection: true }, { emptyBody: true }, { slowMs: 50 }] as const;
    const started = Date.now();
    let ticks = 0;
    while ((await h.app.stores.tasks.activeIds()).length > 0 && Date.now() - started < 60_000) {
      ticks++;
      h.proxy.reset();
      if (rand() < 0.3) h.proxy.setQuirks(must(faults[Math.floor(rand() * faults.length)], 'a fault'));
      if (rand() < 0.3) h.discord.failNext((method, path) => method === 'PATCH' && path.includes('/messages/'), 500, { message: 'boom', code: 0 });
      for (const id of await h.app.stores.tasks.activeIds()) if (rand() < 0.5) h.proxy.advance(id, 1 + Math.floor(rand() * 2));
      await h.app.poller.tick();
    }
    h.proxy.reset();
    expect(await h.app.stores.tasks.activeIds()).toEqual([]);

    // Every job's message shows its final state.
    for (const { prompt, token } of interactions) {
      const edits = h.discord.calls.filter((c) => c.method === 'PATCH' && c.path.includes(token) && c.status === 200);
      const last = edits[edits.length - 1]?.json;
      expect(last, prompt).toBeTruthy();
      const status = h.proxy.getTask(taskOf.get(token)!).status;
      expect(['SUCCESS', 'FAILURE'], prompt).toContain(status);
      if (status === 'SUCCESS') {
        expect(last.components, prompt).toHaveLength(3);
        expect(last.attachments, prompt).toHaveLength(1);
      } else {
        expect(last.embeds[0]?.title, prompt).toBe('Job failed');
      }
      // No state is sent twice in a row.
      let previous: string | undefined;
      for (const [i, { json }] of edits.entries()) {
        const shown = JSON.stringify([json.content, json.embeds, json.components]);
        if (i > 0) expect(shown === previous, `${prompt} edit ${i}`).toBe(false);
        previous = shown;
      }
    }

    // Still healthy: a new job goes through. From someone new: the fake's failures are banned-prompt
    // refusals, and alice and bob, refused some forty times, are in moderation's cooldown (as meant).
    const carol = h.discord.makeUser('carol');
    const after = h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: 'after the storm' }], { user: carol });
    await h.discord.waitForCall((c) => c.path.includes(`/interactions/${after.id}/`));
    expect(h.discord.callbackOf(after).data.content).toMatch(/Waiting to start/);
    const cooled = h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: 'once more' }], { user: h.discord.users.alice });
    await h.discord.waitForCall((c) => c.path.includes(`/interactions/${cooled.id}/`));
    expect(h.discord.callbackOf(cooled).data.content).toMatch(/refused several of your prompts as banned/);
    const everything = JSON.stringify(h.discord.calls) + h.logs.join('\n');
    expect(everything).not.toContain(API_KEY);
    console.log(`soak: ${JOBS} jobs settled in ${ticks} ticks, ${Date.now() - started} ms, ${h.discord.calls.length} Discord calls`);
  }, 120_000);
});
