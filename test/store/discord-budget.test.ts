// The Discord budget every process shares on Redis (store/discord-budget.ts): two stores (two
// processes) on one Redis take from one bucket, so together they never get more than the rate.
import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from '@keyv/redis';
import { createStores, type Stores } from '../../src/store/create-store.ts';
import { FINALS_FRESH_MS } from '../../src/store/discord-budget.ts';
import { ChannelQueue } from '../../src/discord/channel-queue.ts';
import { LANE_PACE, budgetRate } from '../../src/discord/budget.ts';
import { TEST_REDIS_URL } from '../helpers/redis.ts';

const prefix = `mjbot-budget-${process.pid}-${Date.now()}`;
const opened: Stores[] = [];

afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
  const redis = createClient({ url: TEST_REDIS_URL });
  await redis.connect();
  await redis.del([`${prefix}-discord-budget`, `${prefix}-discord-budget-lanes`, `${prefix}-discord-budget-log`]);
  await redis.close();
});

async function store(): Promise<Stores> {
  const s = createStores(TEST_REDIS_URL, { prefix });
  await s.open();
  opened.push(s);
  return s;
}

describe('shared Discord budget (Redis)', () => {
  it('two processes take from one bucket: what it saved up between them, then the rate', async () => {
    // 10 a second: the two takes may be tens of milliseconds apart on a loaded machine (a first
    // connection), and at 100 a second that refilled the bucket between them (CI saw 8).
    const a = (await store()).discordBudget(budgetRate(10, 4), LANE_PACE)!;
    const b = (await store()).discordBudget(budgetRate(10, 4), LANE_PACE)!;
    const first = await Promise.all([a.take(8), b.take(8)]);
    expect(first[0].got + first[1].got).toBe(4);
    const empty = await a.take(1);
    expect(empty.got).toBe(0);
    expect(empty.waitMs).toBeGreaterThan(0);
    expect(empty.waitMs).toBeLessThanOrEqual(100);
    await new Promise((r) => setTimeout(r, empty.waitMs + 5)); // the bucket's own refill time, which Redis keeps
    expect((await b.take(5)).got).toBeGreaterThanOrEqual(1);
  });

  it('the cap: never more than its count in its window, whatever the bucket saved up; the wait says when the oldest grant leaves it', async () => {
    const rate = { perSecond: 47, saved: 100, capCount: 49, capMs: 1042 };
    const a = (await store()).discordBudget(rate, LANE_PACE)!;
    const b = (await store()).discordBudget(rate, LANE_PACE)!;
    const first = await Promise.all([a.take(30), b.take(30)]);
    expect(first[0].got + first[1].got).toBe(49);
    const short = first.find((r) => r.got < 30)!;
    expect(short.waitMs).toBeGreaterThan(900);
    expect(short.waitMs).toBeLessThanOrEqual(1042);
    // Lanes too: none goes, none is counted as paced.
    const lanes = await a.take(['c1:edit', null]);
    expect(lanes).toMatchObject({ got: 0, granted: [false, false], pacedMs: [0, 0] });
    expect(lanes.waitMs).toBeGreaterThan(900);
    await new Promise((r) => setTimeout(r, lanes.waitMs + 5));
    // The 49 left the window together: 30 at once (the bucket still holds 51 and what came since).
    expect((await b.take(30)).got).toBe(30);
  });

  it("takes on a connection of their own: a take is answered while the store's connection still sends a pass's writes", async () => {
    const s = await store();
    const budget = s.discordBudget(budgetRate(100, 4), LANE_PACE)!;
    await budget.take(1); // opens the budget's connection
    await new Promise((r) => setTimeout(r, 100));
    // 2,000 writes of 20 kB on the store's connection (40 MB to send first, answered in order), then a take.
    const payload = 'x'.repeat(20_000);
    let written = 0;
    const writes = Promise.all(Array.from({ length: 2_000 }, () => s.hints!.publish([payload]).then(() => written++)));
    const writtenAtTake = await budget.take(1).then(() => written);
    await writes;
    // On one connection the take's answer would come after all 2,000.
    expect(writtenAtTake).toBeLessThan(1_000);
  });

  it('finals first across processes: while one has final results waiting, another gets no token for anything else', async () => {
    const a = (await store()).discordBudget(budgetRate(100, 4), LANE_PACE)!;
    const b = (await store()).discordBudget(budgetRate(100, 4), LANE_PACE)!;
    expect((await a.take(1, 5)).got).toBe(1); // a: 5 finals waiting, 4 after this one
    const held = await b.take(2); // b: progress only
    expect(held.got).toBe(0);
    expect(held.waitMs).toBe(20); // looks again a token's time later, and 20 ms at least
    expect((await a.take(3, 4)).got).toBe(3); // the tokens b did not get are a's: 1 final still waiting
    await new Promise((r) => setTimeout(r, 30));
    expect((await b.take(1)).got).toBe(0);
    expect((await b.take(1, 2)).got).toBe(1); // b's own finals are served beside a's
    expect((await a.take(1, 1)).got).toBe(1); // a's last final: none waiting there now
    await new Promise((r) => setTimeout(r, 30));
    expect((await b.take(1)).got).toBe(1);
  });

  it('a count of finals that is not renewed (the process stopped) holds the others back for half a second at most', async () => {
    const a = (await store()).discordBudget(budgetRate(100, 4), LANE_PACE)!;
    const b = (await store()).discordBudget(budgetRate(100, 4), LANE_PACE)!;
    await a.take(1, 50);
    expect((await b.take(1)).got).toBe(0);
    await new Promise((r) => setTimeout(r, FINALS_FRESH_MS + 50));
    expect((await b.take(1)).got).toBe(1);
  });

  it('finals behind a busy channel do not hold the other processes back (only the finals that could go now count)', async () => {
    const a = new ChannelQueue({ budget: (await store()).discordBudget(budgetRate(47, 2), LANE_PACE)! });
    const b = new ChannelQueue({ budget: (await store()).discordBudget(budgetRate(47, 2), LANE_PACE)! });
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    // a: 5 finals in one channel, 300 ms each (one at a time there), so ~1.5 s of finals it cannot hurry.
    const aDone = Promise.all(Array.from({ length: 5 }, (_, i) => a.run('final', `a${i}`, 'busy', () => sleep(300))));
    await sleep(20);
    // b: 20 Share posts in 20 channels: the budget (47 a second) has room for them beside a's one-at-a-time finals.
    const started = Date.now();
    let bLast = 0;
    await Promise.all(Array.from({ length: 20 }, (_, i) => b.run('other', null, `c${i}`, async () => {
      bLast = Date.now() - started;
    })));
    await aDone;
    // Held back until a's finals were done, b's last would go after ~1.4 s; at the budget's pace, ~0.5 s.
    expect(bLast).toBeLessThan(1000);
  });

  it('what yields to finals (progress, notices) waits while another process has any queued, even behind a busy channel', async () => {
    const a = new ChannelQueue({ budget: (await store()).discordBudget(budgetRate(47, 2), LANE_PACE)! });
    const b = new ChannelQueue({ budget: (await store()).discordBudget(budgetRate(47, 2), LANE_PACE)! });
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const order: string[] = [];
    // a: 3 finals in one channel, 200 ms each (one at a time there): ready one at a time, queued all along.
    const aDone = Promise.all(Array.from({ length: 3 }, (_, i) => a.run('final', `a${i}`, 'busy', async () => {
      order.push(`final a${i}`);
      await sleep(200);
    })));
    await sleep(20);
    // b: a ping, a progress edit and a Share post in channels of their own: the Share post goes at once.
    const bDone = Promise.all([
      b.run('notice', null, 'c1:post', async () => void order.push('ping')),
      b.run('progress', 'p', 'c2:edit', async () => void order.push('progress')),
      b.run('other', null, 'c3:post', async () => void order.push('share')),
    ]);
    await aDone;
    await bDone;
    // The Share post at once (beside a0), the ping and the progress edit once a's last final left.
    expect(order.indexOf('share')).toBeLessThan(order.indexOf('final a1'));
    expect(order.filter((o) => o.startsWith('final'))).toEqual(['final a0', 'final a1', 'final a2']);
    expect(order.slice(4).sort()).toEqual(['ping', 'progress']);
  });

  it("a lane's pace is kept by every process together: a channel's edits from two processes are 5 in the pace's window, not 5 each", async () => {
    const a = (await store()).discordBudget(budgetRate(1000, 40), LANE_PACE)!;
    const b = (await store()).discordBudget(budgetRate(1000, 40), LANE_PACE)!;
    const lanes = ['c1:edit', 'c1:edit', 'c1:edit'];
    const first = await a.take(lanes);
    expect(first.granted).toEqual([true, true, true]);
    const second = await b.take([...lanes, 'c2:edit', null]);
    // b's fourth and fifth edits in c1 fit; its sixth waits for the window, taking no token; c2 and a request bound to no lane go.
    expect(second.granted).toEqual([true, true, false, true, true]);
    expect(second.got).toBe(4);
    expect(second.pacedMs![2]).toBeGreaterThan(LANE_PACE.perMs - 1000);
    expect(second.pacedMs![2]).toBeLessThanOrEqual(LANE_PACE.perMs);
    expect(second.pacedMs!.filter((ms, i) => i !== 2)).toEqual([0, 0, 0, 0]);
    // a's next edit in c1 is held as well: the window is one for both.
    const third = await a.take(['c1:edit', 'c1:post']);
    expect(third.granted).toEqual([false, true]);
  });

  it('progress leaves a lane\'s last sends to the rest, across processes too', async () => {
    const pace = { count: 5, perMs: LANE_PACE.perMs, keepForFinals: 2 };
    const a = (await store()).discordBudget(budgetRate(1000, 40), pace)!;
    const b = (await store()).discordBudget(budgetRate(1000, 40), pace)!;
    expect((await a.take(['c:edit', 'c:edit'], 0, [true, true])).granted).toEqual([true, true]);
    const more = await b.take(['c:edit', 'c:edit'], 0, [true, true]);
    expect(more.granted).toEqual([true, false]);
    expect(more.pacedMs![1]).toBeGreaterThan(LANE_PACE.perMs - 1000);
    expect((await a.take(['c:edit', 'c:edit', 'c:edit'], 2, [false, false, false])).granted).toEqual([true, true, false]);
  });

  it('forgets the lanes not used for a window, a few at each take: the lanes hash does not keep every channel ever paced', async () => {
    const pace = { count: 5, perMs: 100 };
    const a = (await store()).discordBudget(budgetRate(100_000, 1000), pace)!;
    for (let i = 0; i < 10; i++) await a.take(Array.from({ length: 20 }, (_, j) => `old-${i * 20 + j}:post`));
    const redis = createClient({ url: TEST_REDIS_URL });
    await redis.connect();
    try {
      expect(await redis.hLen(`${prefix}-discord-budget-lanes`)).toBe(200);
      await new Promise((r) => setTimeout(r, pace.perMs + 20));
      for (let i = 0; i < 150; i++) await a.take([`busy-${i % 3}:edit`]);
      // Each take drops the stale lanes among 4 it samples: most of the 200 are gone, the ones in use stay.
      expect(await redis.hLen(`${prefix}-discord-budget-lanes`)).toBeLessThan(60);
      expect(Number(await redis.hExists(`${prefix}-discord-budget-lanes`, 'busy-0:edit'))).toBe(1);
    } finally {
      await redis.close();
    }
  });

  it('SQLite has none: its one process keeps its own', () => {
    const s = createStores('sqlite://:memory:');
    expect(s.discordBudget(budgetRate(10, 1), LANE_PACE)).toBeNull();
    void s.close();
  });
});
