// The Redis the store and scale tests use, under key prefixes of their own: the local one unless
// TEST_REDIS_URL points elsewhere (another host, port or database: redis://host:6380/2).
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL?.trim() || 'redis://127.0.0.1:6379';

/** Removes every key a test wrote under its own `prefix` (its stores', counters', leases'). */
export async function removeKeys(prefix: string, url = TEST_REDIS_URL): Promise<void> {
  const { createClient } = await import('@keyv/redis');
  const redis = createClient({ url });
  await redis.connect();
  try {
    for await (const batch of redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
      const keys = ([] as string[]).concat(batch as string | string[]);
      if (keys.length) await redis.del(keys);
    }
  } finally {
    await redis.close();
  }
}
