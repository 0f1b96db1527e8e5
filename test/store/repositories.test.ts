// The typed repositories (recent jobs, hidden buttons, capabilities) and the migration from the
// untyped `settings` namespace of version 1, run against every real backend. "Two processes" are
// two stores on the same SQLite file or the same Redis, as two bot processes would open them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import Keyv from 'keyv';
import KeyvSqlite from '@keyv/sqlite';
import KeyvRedis, { createClient } from '@keyv/redis';
import { createStores, type Stores } from '../../src/store/create-store.ts';
import { RECENT_MAX } from '../../src/store/recent.ts';
import { TEST_REDIS_URL, removeKeys } from '../helpers/redis.ts';

const REDIS = TEST_REDIS_URL;
const dir = mkdtempSync(join(tmpdir(), 'mjbot-repos-'));
const redisPrefix = `mjbot-test-repos-${process.pid}-${Date.now()}`;
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await removeKeys(redisPrefix, REDIS);
});

let n = 0;
interface Backend {
  name: string;
  /** A fresh place (file or prefix) for one test. */
  place(): { url: string; prefix: string };
  /** Writes `key` into namespace `<prefix>-<namespace>` through Keyv, as version 1 of the bot did. */
  legacy(place: { url: string; prefix: string }, namespace: string): Keyv<unknown>;
}
const backends: Backend[] = [
  {
    name: 'sqlite',
    place: () => ({ url: `sqlite://${join(dir, `s${++n}.sqlite`)}`, prefix: 'mjbot' }),
    legacy: (p, ns) => new Keyv({ store: new KeyvSqlite({ uri: p.url }), namespace: `${p.prefix}-${ns}` }),
  },
  {
    name: 'redis',
    place: () => ({ url: REDIS, prefix: `${redisPrefix}-${++n}` }),
    legacy: (p, ns) => new Keyv({ store: new KeyvRedis(REDIS), namespace: `${p.prefix}-${ns}` }),
  },
];

async function open(p: { url: string; prefix: string }, backends?: string[]): Promise<Stores> {
  const s = createStores(p.url, { prefix: p.prefix, backends });
  await s.open();
  return s;
}

/** Two writers on one place: two stores on Redis, as two processes; on SQLite (one process) one store twice. */
async function openTwo(b: Backend, p: { url: string; prefix: string }): Promise<[Stores, Stores]> {
  if (b.name === 'redis') return [await open(p), await open(p)];
  const s = await open(p);
  return [s, s];
}

describe.each(backends)('typed repositories on $name', (b) => {
  it('recent jobs: two processes adding for one user at once both keep their job', async () => {
    const p = b.place();
    // SQLite has one process: its two writers are two calls in one store.
    const [s1, s2] = await openTwo(b, p);
    try {
      await s1.recent.add('u', [{ taskId: '1000', prompt: 'old', at: 1 }]);
      for (let round = 0; round < 5; round++) {
        await Promise.all([
          s1.recent.add('u', [{ taskId: `a${round}`, prompt: 'from one', at: 2 }]),
          s2.recent.add('u', [{ taskId: `b${round}`, prompt: 'from two', at: 2 }]),
        ]);
      }
      const ids = (await s1.recent.list('u')).map((j) => j.taskId);
      expect(ids.sort()).toEqual(['1000', 'a0', 'a1', 'a2', 'a3', 'a4', 'b0', 'b1', 'b2', 'b3', 'b4']);
      expect(await s2.recent.list('someone else')).toEqual([]);
    } finally {
      await s1.close();
      if (s2 !== s1) await s2.close();
    }
  });

  it('recent jobs: newest first, no duplicates, at most RECENT_MAX, prompts kept exactly', async () => {
    const s = await open(b.place());
    try {
      for (let i = 0; i < RECENT_MAX + 5; i++) await s.recent.add('u', [{ taskId: String(i), prompt: `p${i}`, at: 1_700_000_000_000 + i }]);
      await s.recent.add('u', [{ taskId: '3', prompt: ':colon/slash "quoted" 雪 🐱', at: 1_764_665_361_123 }]);
      const list = await s.recent.list('u');
      expect(list).toHaveLength(RECENT_MAX);
      expect(list[0]).toEqual({ taskId: '3', prompt: ':colon/slash "quoted" 雪 🐱', at: 1_764_665_361_123 });
      expect(list[1]!.taskId).toBe(String(RECENT_MAX + 4));
      expect(new Set(list.map((j) => j.taskId)).size).toBe(RECENT_MAX);
    } finally {
      await s.close();
    }
  });

  it('recent jobs: a job removed (🗑) leaves the list, the others stay in order; removing what is not there changes nothing', async () => {
    const s = await open(b.place());
    try {
      for (const id of ['1', '2', '3']) await s.recent.add('u', [{ taskId: id, prompt: `p${id}`, at: Number(id) }]);
      await s.recent.remove('u', '2');
      expect((await s.recent.list('u')).map((j) => j.taskId)).toEqual(['3', '1']);
      await s.recent.remove('u', 'nope');
      await s.recent.remove('nobody', '1');
      expect((await s.recent.list('u')).map((j) => j.taskId)).toEqual(['3', '1']);
      expect(await s.recent.list('nobody')).toEqual([]);
      await s.recent.remove('u', '3');
      await s.recent.remove('u', '1');
      expect(await s.recent.list('u')).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it('hidden buttons: kept per backend; two processes hiding different buttons at once both stay', async () => {
    const p = b.place();
    const [s1, s2] = await openTwo(b, p);
    try {
      const [one, two] = await Promise.all([s1.hidden.add('default', 'MJ::JOB::reroll'), s2.hidden.add('default', 'MJ::BOOKMARK')]);
      expect(one.length + two.length).toBeGreaterThanOrEqual(3); // the second answer includes the first
      await s1.hidden.add('default', 'MJ::JOB::reroll');
      await s1.hidden.add('default', '');
      expect((await s2.hidden.list('default')).sort()).toEqual(['MJ::BOOKMARK', 'MJ::JOB::reroll']);
      await s2.hidden.add('fast', 'MJ::Seed');
      expect(await s1.hidden.list('fast')).toEqual(['MJ::Seed']);
      expect(await s1.hidden.list('relax')).toEqual([]);
      expect(await s1.hidden.list('default')).not.toContain('MJ::Seed');
    } finally {
      await s1.close();
      if (s2 !== s1) await s2.close();
    }
  });

  it('capabilities: kept per backend', async () => {
    const s = await open(b.place());
    try {
      await s.capabilities.forBackend('default').set('capability:list-by-condition', false, 60_000);
      await s.capabilities.forBackend('fast').set('capability:list-by-condition-max', 5);
      expect(await s.capabilities.forBackend('default').get('capability:list-by-condition')).toBe(false);
      expect(await s.capabilities.forBackend('fast').get('capability:list-by-condition')).toBeUndefined();
      expect(await s.capabilities.forBackend('fast').get('capability:list-by-condition-max')).toBe(5);
    } finally {
      await s.close();
    }
  });

  it('migrates a store written by version 1 (the settings namespace) on open, once', async () => {
    const p = b.place();
    // Written the way version 1 wrote them: Keyv, namespace `settings`, one list for every backend.
    const old = b.legacy(p, 'settings');
    await old.set('hidden-buttons', ['MJ::JOB::reroll', 'MJ::Seed']);
    await old.set('capability:list-by-condition-max', 2, 24 * 3600_000);
    await old.set('capability:list-by-condition', false, 24 * 3600_000);
    await old.set('recent:u1', [{ taskId: '1764665361123456', prompt: 'a cat', at: 1_764_665_361_123 }, { garbage: true }], 30 * 24 * 3600_000);
    await old.set('recent:u2', { not: 'a list' });
    await old.set('daily:u1:2026-12-02', { n: 3, until: Date.now() + 60_000 }, 60_000);
    const s = await open(p, ['default', 'fast']);
    try {
      for (const backend of ['default', 'fast']) expect((await s.hidden.list(backend)).sort()).toEqual(['MJ::JOB::reroll', 'MJ::Seed']);
      expect(await s.capabilities.forBackend('default').get('capability:list-by-condition-max')).toBe(2);
      expect(await s.capabilities.forBackend('default').get('capability:list-by-condition')).toBe(false);
      expect(await s.capabilities.forBackend('fast').get('capability:list-by-condition')).toBeUndefined();
      expect(await s.recent.list('u1')).toEqual([{ taskId: '1764665361123456', prompt: 'a cat', at: 1_764_665_361_123 }]);
      expect(await s.recent.list('u2')).toEqual([]);
      // What moved is gone from the old namespace; what did not (the SQLite counters) stays.
      expect(await old.get('hidden-buttons')).toBeUndefined();
      expect(await old.get('recent:u1')).toBeUndefined();
      expect(await old.get('daily:u1:2026-12-02')).toEqual({ n: 3, until: expect.any(Number) });
      expect(await b.legacy(p, 'meta').get('schema')).toBe(2);
    } finally {
      await s.close();
    }
    // Once migrated, an old value that reappears is not copied again.
    await old.set('hidden-buttons', ['MJ::BOOKMARK']);
    const again = await open(p, ['default']);
    try {
      expect(await again.hidden.list('default')).not.toContain('MJ::BOOKMARK');
    } finally {
      await again.close();
      await old.disconnect();
    }
  });
});
