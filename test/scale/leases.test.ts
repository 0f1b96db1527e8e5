// The lease contract, on both backends: a free lease is taken, the owner renews it, another owner
// cannot take it until it expires, and release gives up only one's own leases.
import { afterAll, describe, expect, it } from 'vitest';
import { createClient, type RedisClientType } from '@keyv/redis';
import { MemoryLeases, RedisLeases, type LeaseRepository } from '../../src/store/leases.ts';
import { TEST_REDIS_URL } from '../helpers/redis.ts';

const REDIS = TEST_REDIS_URL;
const prefix = `mjbot-leases-${process.pid}-${Date.now()}`;
const redis = createClient({ url: REDIS }) as RedisClientType;
const connected = redis.connect().then(() => redis);

afterAll(async () => {
  const r = await connected;
  const keys: string[] = [];
  for await (const batch of r.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) keys.push(...batch);
  if (keys.length) await r.del(keys);
  await r.close();
});

/** Two owners' leases on one backend, and how time passes for them. */
type Backend = () => { leases: [LeaseRepository, LeaseRepository]; wait(ms: number): Promise<void> };

const backends: [string, Backend][] = [
  [
    'memory',
    () => {
      // The memory leases run on the clock they are given: a fake one, moved by wait().
      let now = Date.now();
      const shared = new Map();
      const clock = () => now;
      return { leases: [new MemoryLeases('a', clock, shared), new MemoryLeases('b', clock, shared)], wait: async (ms) => void (now += ms) };
    },
  ],
  [
    'redis',
    () => ({
      leases: [new RedisLeases(() => connected, `${prefix}-lease`, 'a'), new RedisLeases(() => connected, `${prefix}-lease`, 'b')],
      // Real time: a Redis lease expires on Redis's own clock (PX).
      wait: (ms) => new Promise((r) => setTimeout(r, ms)),
    }),
  ],
];

describe.each(backends)('leases on %s', (_name, make) => {
  it('takes free leases, renews its own, and leaves others alone until they expire', async () => {
    const {
      leases: [a, b],
      wait,
    } = make();
    expect([...(await a.claim(['1', '2'], 300))].sort()).toEqual(['1', '2']);
    expect([...(await b.claim(['1', '2', '3'], 300))]).toEqual(['3']);
    await wait(200);
    expect([...(await a.claim(['1', '2'], 300))].sort()).toEqual(['1', '2']); // renewed
    await wait(200);
    expect([...(await b.claim(['1', '2'], 300))]).toEqual([]); // still a's, thanks to the renewal
    await wait(350);
    expect([...(await b.claim(['1', '2'], 300))].sort()).toEqual(['1', '2']); // expired: taken over
    expect([...(await a.claim(['1', '2'], 300))]).toEqual([]);
  });

  it('release gives up only the caller\'s own leases', async () => {
    const [a, b] = make().leases;
    await a.claim(['x'], 5000);
    await b.release(['x']);
    expect([...(await b.claim(['x'], 5000))]).toEqual([]);
    await a.release(['x']);
    expect([...(await b.claim(['x'], 5000))]).toEqual(['x']);
  });

  it('claims thousands of ids in a few round trips', async () => {
    const [a] = make().leases;
    const ids = Array.from({ length: 2500 }, (_, i) => `bulk-${i}`);
    const t0 = Date.now();
    expect((await a.claim(ids, 5000)).size).toBe(2500);
    expect((await a.claim(ids, 5000)).size).toBe(2500);
    expect(Date.now() - t0).toBeLessThan(2000);
    await a.release(ids);
  });
});
