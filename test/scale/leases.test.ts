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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const backends: [string, () => [LeaseRepository, LeaseRepository]][] = [
  [
    'memory',
    () => {
      const shared = new Map();
      return [new MemoryLeases('a', Date.now, shared), new MemoryLeases('b', Date.now, shared)];
    },
  ],
  ['redis', () => [new RedisLeases(() => connected, `${prefix}-lease`, 'a'), new RedisLeases(() => connected, `${prefix}-lease`, 'b')]],
];

describe.each(backends)('leases on %s', (_name, make) => {
  it('takes free leases, renews its own, and leaves others alone until they expire', async () => {
    const [a, b] = make();
    expect([...(await a.claim(['1', '2'], 300))].sort()).toEqual(['1', '2']);
    expect([...(await b.claim(['1', '2', '3'], 300))]).toEqual(['3']);
    await sleep(200);
    expect([...(await a.claim(['1', '2'], 300))].sort()).toEqual(['1', '2']); // renewed
    await sleep(200);
    expect([...(await b.claim(['1', '2'], 300))]).toEqual([]); // still a's, thanks to the renewal
    await sleep(350);
    expect([...(await b.claim(['1', '2'], 300))].sort()).toEqual(['1', '2']); // expired: taken over
    expect([...(await a.claim(['1', '2'], 300))]).toEqual([]);
  });

  it('release gives up only the caller\'s own leases', async () => {
    const [a, b] = make();
    await a.claim(['x'], 5000);
    await b.release(['x']);
    expect([...(await b.claim(['x'], 5000))]).toEqual([]);
    await a.release(['x']);
    expect([...(await b.claim(['x'], 5000))]).toEqual(['x']);
  });

  it('claims thousands of ids in a few round trips', async () => {
    const [a] = make();
    const ids = Array.from({ length: 2500 }, (_, i) => `bulk-${i}`);
    const t0 = Date.now();
    expect((await a.claim(ids, 5000)).size).toBe(2500);
    expect((await a.claim(ids, 5000)).size).toBe(2500);
    expect(Date.now() - t0).toBeLessThan(2000);
    await a.release(ids);
  });
});
