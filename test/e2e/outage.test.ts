// A backend that refuses or cannot answer reads: the poller backs off instead of spinning, logs
// once per change of state (naming the cause), and the reply says once that the service cannot be
// reached, until it can again. Time is a fake clock of the test's own (it does not drift while the
// machine is busy); runDue() is the timer's pass.
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, API_KEY, type Harness } from '../helpers/harness.ts';
import { editsOf, imagine, readsSince } from '../scale/helpers.ts';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const env = { POLL_INTERVAL_MS: '1000', POLL_QUEUED_INTERVAL_MS: '5000', LEASE_TTL_MS: '60000', POLL_BACKOFF_MAX_MS: '30000' };

let now = 0;
const start = () => {
  now = Date.now();
  return startHarness({ now: () => now, env });
};

/** Runs the timer's passes as the timer would, for `ms` of fake time (or until `maxPasses`). */
async function runFor(ms: number, maxPasses = 400): Promise<number> {
  const end = now + ms;
  let passes = 0;
  while (now < end && passes < maxPasses) {
    now += Math.max(1, Math.min(h.app.poller.nextPassInMs(), end - now));
    await h.app.poller.runDue();
    passes++;
  }
  return passes;
}

const parsed = (from: number) => h.logs.slice(from).map((l) => JSON.parse(l) as { level: string; msg: string; [k: string]: unknown });

describe('a backend that refuses reads', () => {
  for (const fault of [401, 403, 'error-code', 'garbage'] as const) {
    it(`backs off on ${fault}: a handful of reads in 10 s, and one warning, not one per request`, async () => {
      h = await start();
      // A task not yet seen (NOT_START, at the head of the queue), then the key stops working.
      const { id } = await imagine(h, `refused ${fault}`);
      h.proxy.setQuirks({ readFault: fault });
      const from = h.proxy.requests.length;
      const logFrom = h.logs.length;
      await runFor(10_000);
      const reads = readsSince(h, from).length;
      expect(reads).toBeGreaterThanOrEqual(2);
      // Retries at about 1, 2, 4 and 8 s (jittered); garbage costs a list and a fetch each time.
      expect(reads).toBeLessThanOrEqual(12);
      const warnings = parsed(logFrom).filter((l) => l.level === 'warn' || l.level === 'error');
      expect(warnings).toHaveLength(1);
      if (fault === 401 || fault === 403 || fault === 'error-code') expect(warnings[0]!.msg).toMatch(/MJ_AUTH_STYLE/);
      expect(h.logs.join('\n')).not.toContain(API_KEY);

      // The key works again: the task is read at its next retry, and the log says so once.
      h.proxy.setQuirks({ readFault: null });
      h.proxy.finish(id);
      await runFor(30_000);
      await h.discord.waitForMessage((m) => m.components.length === 3);
      await h.allFinished(10_000);
      expect(parsed(logFrom).filter((l) => /reads work again/.test(l.msg))).toHaveLength(1);
    });
  }

  it('a refused key pauses the whole backend: a task submitted meanwhile waits for the same read', async () => {
    h = await start();
    const first = await imagine(h, 'first');
    h.proxy.setQuirks({ readFault: 401 }); // reads only: submits still go through
    await runFor(10_000); // refused at about 1, 2, 4 and 8 s (jittered): the backend now waits until 13 to 19 s
    const second = await imagine(h, 'second');
    let from = h.proxy.requests.length;
    await runFor(2_000);
    // The new task's own first poll (a second after its submit) waits for the backend.
    expect(readsSince(h, from)).toHaveLength(0);
    from = h.proxy.requests.length;
    await runFor(8_000);
    const reads = readsSince(h, from);
    expect(reads).toHaveLength(1);
    expect([...reads[0]!.body.ids].sort()).toEqual([first.id, second.id].sort());
  });
});

describe('a backend that cannot be reached', () => {
  it('the reply says once that the service cannot be reached and the bot keeps trying, and stops saying it on recovery', async () => {
    h = await start();
    const { id, it: cmd } = await imagine(h, 'during an outage');
    await h.app.poller.tick();
    const original = await h.discord.waitForMessage((m) => m.id === h.discord.originalOf(cmd)?.id && /\(Submitted\)/.test(m.content));
    const logFrom = h.logs.length;
    h.proxy.setQuirks({ status5xx: 503 });
    await runFor(20_000);
    const notice = /can’t be reached right now\. The bot keeps trying/;
    await h.discord.waitForMessage((m) => m.id === original.id && notice.test(m.content));
    const said = () => editsOf(h, cmd.token).filter((c) => notice.test(c.json?.content ?? '')).length;
    expect(said()).toBe(1);
    const warning = parsed(logFrom).find((l) => l.level === 'warn');
    // The log names the host and the cause, not just a code.
    expect(JSON.stringify(warning)).toContain(new URL(h.proxy.baseUrl).host);
    expect(JSON.stringify(warning)).toMatch(/HTTP 503/);

    h.proxy.setQuirks({ status5xx: null });
    h.proxy.advance(id, 2); // running now
    await runFor(20_000);
    const back = await h.discord.waitForMessage((m) => m.id === original.id && /%\)/.test(m.content));
    expect(back.content).not.toMatch(notice);
    expect(said()).toBe(1);
  });

  it('a job whose view does not change on recovery loses the notice too', async () => {
    h = await start();
    const { it: cmd } = await imagine(h, 'stays queued');
    await h.app.poller.tick();
    const original = await h.discord.waitForMessage((m) => m.id === h.discord.originalOf(cmd)?.id && /\(Submitted\)/.test(m.content));
    h.proxy.setQuirks({ resetConnection: true });
    await runFor(20_000);
    await h.discord.waitForMessage((m) => m.id === original.id && /can’t be reached/.test(m.content));
    h.proxy.setQuirks({ resetConnection: false });
    await runFor(20_000);
    await h.discord.waitForMessage((m) => m.id === original.id && /\(Submitted\)/.test(m.content) && !/can’t be reached/.test(m.content));
  });
});
