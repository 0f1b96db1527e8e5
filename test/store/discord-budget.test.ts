// The Discord budget every process shares on Redis (store/discord-budget.ts): two stores (two
// processes) on one Redis take from one bucket, so together they never get more than the rate.
import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from '@keyv/redis';
import { createStores, type Stores } from '../../src/store/create-store.ts';
import { TEST_REDIS_URL } from '../helpers/redis.ts';

const prefix = `mjbot-budget-${process.pid}-${Date.now()}`;
const opened: Stores[] = [];

afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
  const redis = createClient({ url: TEST_REDIS_URL });
  await redis.connect();
  await redis.del(`${prefix}-discord-budget`);
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
    const a = (await store()).discordBudget(100, 4)!;
    const b = (await store()).discordBudget(100, 4)!;
    const first = await Promise.all([a.take(8), b.take(8)]);
    expect(first[0].got + first[1].got).toBe(4);
    const empty = await a.take(1);
    expect(empty.got).toBe(0);
    expect(empty.waitMs).toBeGreaterThan(0);
    expect(empty.waitMs).toBeLessThanOrEqual(10);
    await new Promise((r) => setTimeout(r, empty.waitMs + 5)); // the bucket's own refill time, which Redis keeps
    expect((await b.take(5)).got).toBeGreaterThanOrEqual(1);
  });

  it('SQLite has none: its one process keeps its own', () => {
    const s = createStores('sqlite://:memory:');
    expect(s.discordBudget(10, 1)).toBeNull();
    void s.close();
  });
});
