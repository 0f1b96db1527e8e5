// One contract, run against every real backend: the SQLite file and the machine's Redis (under a
// key prefix of its own, cleaned up after).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createClient } from '@keyv/redis';
import { createStores, type Stores } from '../../src/store/create-store.ts';
import type { TaskRecord } from '../../src/store/tasks.ts';

const dir = mkdtempSync(join(tmpdir(), 'mjbot-store-'));
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  // Counters and leases live outside Keyv's namespaces: remove this run's keys by prefix.
  const redis = createClient({ url: 'redis://127.0.0.1:6379' });
  await redis.connect();
  for await (const keys of redis.scanIterator({ MATCH: `${redisPrefix}*`, COUNT: 500 })) {
    const list = ([] as string[]).concat(keys as string | string[]);
    if (list.length) await redis.del(list);
  }
  await redis.close();
});

function record(taskId: string, active: boolean): TaskRecord {
  return {
    taskId, kind: 'imagine', prompt: 'p', ownerId: 'u', locale: 'en-US', guildId: null, channelId: 'c', applicationId: 'a',
    interactionToken: 't', tokenExpiresAt: 1, messageId: null, createdAt: 1, deadlineAt: 2, queuePosition: null,
    status: 'NOT_START', active, viewHash: null, lastEditAt: 0, task: null, pressed: [], missCount: 0,
  };
}

const redisPrefix = `mjbot-test-${process.pid}-${Date.now()}`;
const backends: [string, () => Stores][] = [
  ['sqlite', () => createStores(`sqlite://${join(dir, 'contract.sqlite')}`, { prefix: 'contract' })],
  ['redis', () => createStores('redis://127.0.0.1:6379', { prefix: redisPrefix })],
];

describe.each(backends)('store contract on %s', (_name, make) => {
  it('keeps records, the active index in step, and namespaces apart', async () => {
    const s = make();
    try {
      await s.tasks.put(record('1', true));
      await s.tasks.put(record('2', true));
      await s.tasks.put(record('3', false));
      await s.settings.set('capability', false);
      expect((await s.tasks.activeIds()).sort()).toEqual(['1', '2']);
      expect((await s.tasks.get('3'))?.active).toBe(false);
      expect((await s.tasks.getMany(['1', 'nope', '3'])).map((r) => r?.taskId)).toEqual(['1', undefined, '3']);

      await s.tasks.put({ ...record('1', false), pressed: ['MJ::JOB::upsample::1::h'] });
      expect(await s.tasks.activeIds()).toEqual(['2']);
      expect((await s.tasks.get('1'))?.pressed).toEqual(['MJ::JOB::upsample::1::h']);

      await s.tasks.clear();
      expect(await s.tasks.activeIds()).toEqual([]);
      expect(await s.settings.get('capability')).toBe(false); // another namespace survives
    } finally {
      await s.tasks.clear();
      await s.settings.clear();
      await s.close();
    }
  });

  it('a second instance on the same store sees the same state (restart)', async () => {
    const a = make();
    await a.tasks.put(record('r1', true));
    await a.close();
    const b = make();
    try {
      expect(await b.tasks.activeIds()).toContain('r1');
    } finally {
      await b.tasks.clear();
      await b.close();
    }
  });
});

describe.each(backends)('counters on %s', (_name, make) => {
  it('adds atomically: of twenty racing takes against a limit of five, exactly five stay', async () => {
    const s = make();
    try {
      const key = `daily:race:${Date.now()}`;
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, async () => {
          const n = await s.counters.add(key, 1, 60_000);
          if (n > 5) {
            await s.counters.add(key, -1, 60_000);
            return false;
          }
          return true;
        }),
      );
      expect(outcomes.filter(Boolean)).toHaveLength(5);
      expect(await s.counters.get(key)).toBe(5);
      expect(await s.counters.get(`${key}:other`)).toBe(0);
    } finally {
      await s.close();
    }
  });

  it('forgets a counter when its time is up', async () => {
    const s = make();
    try {
      const key = `daily:ttl:${Date.now()}`;
      expect(await s.counters.add(key, 2, 150)).toBe(2);
      expect(await s.counters.add(key, 1, 150)).toBe(3);
      await new Promise((r) => setTimeout(r, 250));
      expect(await s.counters.get(key)).toBe(0);
      expect(await s.counters.add(key, 1, 150)).toBe(1);
      // A sliding counter lives from its last add.
      const slide = `${key}:slide`;
      await s.counters.add(slide, 1, 200, true);
      await new Promise((r) => setTimeout(r, 120));
      await s.counters.add(slide, 1, 200, true);
      await new Promise((r) => setTimeout(r, 120));
      expect(await s.counters.get(slide)).toBe(2);
    } finally {
      await s.close();
    }
  });
});
