// A job's edits through its interaction token are not bound by Discord's global limit (50 requests a
// second per bot token): the fake Discord exempts them as Discord does. discord.js's REST counts every
// request it sends against one process-wide 50 a second, so a burst of token edits (many jobs moving
// at once, or 10,000 queued jobs each gaining ❌ Cancel) used to hold the 51st edit until the next
// second. They go through a REST of their own now (src/discord/rest-agent.ts): 70 jobs moving at
// once are all shown within well under a second, and discord.js reports no global wait.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/harness.ts';

const JOBS = 120;

let h: Harness;
beforeEach(async () => {
  h = await startHarness({});
});
afterEach(async () => {
  await h.close();
});

describe('token edits and the global limit', () => {
  it(`${JOBS} jobs moving at once: every edit sent in one burst, none held by discord.js's 50 a second`, async () => {
    for (let i = 0; i < JOBS; i++) h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: `a fox number ${i}` }]);
    const ids = await h.tracked(JOBS, 80_000);
    await h.app.poller.tick();
    let globalWaits = 0;
    h.app.client.rest.on('rateLimited', (info) => {
      if (info.global) globalWaits++;
    });
    const from = h.discord.calls.length;
    const progressEdits = () =>
      h.discord.calls.slice(from).filter((c) => c.method === 'PATCH' && /^\/webhooks\/\d+\/[^/]+\/messages\//.test(c.path) && /\(\d+%\)/.test((c.json as { content?: string } | undefined)?.content ?? '') && c.status < 300);

    for (const id of ids) h.proxy.advance(id, 2); // IN_PROGRESS, some percent: a new view for every job
    await h.app.poller.tick();
    await h.when(['edited'], () => progressEdits().length >= JOBS, `the ${JOBS} progress edits`, 30_000);

    const edits = progressEdits();
    expect(edits).toHaveLength(JOBS);
    // With discord.js's global count, the 51st and 101st edits waited for their next seconds: a spread of 2 s or more.
    const spread = Math.max(...edits.map((c) => c.at)) - Math.min(...edits.map((c) => c.at));
    expect(spread).toBeLessThan(1500);
    expect(globalWaits).toBe(0);
    // Discord's own limits were never hit.
    expect(edits.every((c) => c.status !== 429)).toBe(true);
  }, 150_000);
});
