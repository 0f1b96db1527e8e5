// One contract, run against every real backend: the SQLite file and the machine's Redis (under a
// key prefix of its own, cleaned up after).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createClient } from '@keyv/redis';
import sqlite3 from 'sqlite3';
import { createStores, type Stores } from '../../src/store/create-store.ts';
import { StoreError } from '../../src/store/errors.ts';
import type { TaskRecord } from '../../src/store/tasks.ts';
import { TEST_REDIS_URL, removeKeys } from '../helpers/redis.ts';

const dir = mkdtempSync(join(tmpdir(), 'mjbot-store-'));
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  // Counters and leases live outside Keyv's namespaces: remove this run's keys by prefix.
  await removeKeys(redisPrefix);
});

function record(taskId: string, active: boolean): TaskRecord {
  return {
    taskId, kind: 'imagine', prompt: 'p', ownerId: 'u', locale: 'en-US', guildId: null, channelId: 'c', applicationId: 'a',
    interactionToken: 't', tokenExpiresAt: 1, messageId: null, createdAt: 1, deadlineAt: 2, queuePosition: null,
    status: 'NOT_START', active, viewHash: null, lastEditAt: 0, task: null, pressed: [], missCount: 0,
  };
}

const redisPrefix = `mjbot-test-${process.pid}-${Date.now()}`;
async function opened(s: Stores): Promise<Stores> {
  await s.open();
  return s;
}
const sqliteFile = join(dir, 'contract.sqlite');
const openSqlite = (now?: () => number) => opened(createStores(`sqlite://${sqliteFile}`, { prefix: 'contract', now }));
const openRedis = (now?: () => number) => opened(createStores(TEST_REDIS_URL, { prefix: redisPrefix, now }));
/** Each backend, optionally on a clock of the test's own (the per-owner counts expire by it). */
const backends: [string, (now?: () => number) => Promise<Stores>][] = [
  ['sqlite', openSqlite],
  ['redis', openRedis],
];

/** Writes a value straight into the backend, as another program (or a bad disk) would. */
async function writeRaw(backend: string, namespace: string, key: string, raw: string): Promise<void> {
  if (backend === 'sqlite') {
    const db = new sqlite3.Database(sqliteFile);
    await new Promise<void>((res, rej) => db.run('UPDATE keyv SET value = ? WHERE key = ?', [raw, `${namespace}:${key}`], (err) => (err ? rej(err) : res())));
    await new Promise((r) => db.close(r));
    return;
  }
  const redis = createClient({ url: TEST_REDIS_URL });
  await redis.connect();
  await redis.set(`${namespace}::${namespace}:${key}`, raw);
  await redis.close();
}

describe.each(backends)('store contract on %s', (_name, make) => {
  it('keeps records, the active index in step, and namespaces apart', async () => {
    const s = await make();
    try {
      await s.tasks.put(record('1', true));
      await s.tasks.put(record('2', true));
      await s.tasks.put(record('3', false));
      await s.capabilities.forBackend('default').set('capability', false);
      expect((await s.tasks.activeIds()).sort()).toEqual(['1', '2']);
      expect((await s.tasks.get('3'))?.active).toBe(false);
      expect((await s.tasks.getMany(['1', 'nope', '3'])).map((r) => r?.taskId)).toEqual(['1', undefined, '3']);

      await s.tasks.put({ ...record('1', false), pressed: ['MJ::JOB::upsample::1::h'] });
      expect(await s.tasks.activeIds()).toEqual(['2']);
      expect((await s.tasks.get('1'))?.pressed).toEqual(['MJ::JOB::upsample::1::h']);

      await s.tasks.clear();
      expect(await s.tasks.activeIds()).toEqual([]);
      expect(await s.capabilities.forBackend('default').get('capability')).toBe(false); // another namespace survives
    } finally {
      await s.tasks.clear();
      await s.capabilities.clear();
      await s.close();
    }
  });

  it('reads back strings that start with ":" (Keyv escapes them) as written, beside records that hold none', async () => {
    const s = await make();
    try {
      // Records without an escaped string are parsed plainly (key-value.ts); these take Keyv's way.
      const odd = { ...record('c1', true), prompt: ':base64:aGk= ::: "::x', label: '::two', pressed: [':one', 'MJ::JOB::a::1'] };
      const plain = { ...record('c2', true), prompt: 'a fox says "hi: there" :)' };
      await s.tasks.put(odd);
      await s.tasks.put(plain);
      expect(await s.tasks.getMany(['c1', 'c2'])).toEqual([odd, plain]);
    } finally {
      await s.tasks.clear();
      await s.close();
    }
  });

  it('a second instance on the same store sees the same state (restart)', async () => {
    const a = await make();
    await a.tasks.put(record('r1', true));
    await a.close();
    const b = await make();
    try {
      expect(await b.tasks.activeIds()).toContain('r1');
    } finally {
      await b.tasks.clear();
      await b.close();
    }
  });

  it('answers a ping (the readiness check)', async () => {
    const s = await make();
    try {
      await expect(s.ping()).resolves.toBeUndefined();
    } finally {
      await s.close();
    }
  });
});

describe.each(backends)('preferences on %s', (_name, make) => {
  it('keeps each user\'s and each server\'s settings, field by field, and drops what is not a setting', async () => {
    const s = await make();
    const user = `u-${Date.now()}`;
    expect(await s.prefs.user(user)).toEqual({});
    await s.prefs.setUser(user, { version: '7', stylize: 250, remix: true });
    // undefined puts a field back to the default; a wrong type is never stored.
    const after = await s.prefs.setUser(user, { stylize: undefined, raw: true, visibility: 'loud' as never });
    expect(after).toEqual({ version: '7', raw: true, remix: true });
    const again = await make();
    expect(await again.prefs.user(user)).toEqual({ version: '7', raw: true, remix: true });
    await again.prefs.setServer('123456789012345678', { modes: ['fast', 7 as never], galleryChannelId: 'not-a-channel', defaults: { stylize: 750 } });
    expect(await s.prefs.server('123456789012345678')).toEqual({ modes: ['fast'], defaults: { stylize: 750 } });
    await s.prefs.forgetUser(user);
    expect(await again.prefs.user(user)).toEqual({});
    await Promise.all([s.close(), again.close()]);
  });
});

describe.each(backends)('counters on %s', (_name, make) => {
  it('adds atomically: of twenty racing takes against a limit of five, exactly five stay', async () => {
    const s = await make();
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
    const s = await make();
    try {
      const key = `daily:ttl:${Date.now()}`;
      expect(await s.counters.add(key, 2, 150)).toBe(2);
      expect(await s.counters.add(key, 1, 150)).toBe(3);
      // Real time: a counter expires by the store's own clock (Redis PEXPIRE, Keyv's TTL), which no fake clock moves.
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

const owned = (taskId: string, ownerId: string, over: Partial<TaskRecord> = {}): TaskRecord => ({ ...record(taskId, true), ownerId, deadlineAt: Date.now() + 600_000, ...over });

describe.each(backends)('per-owner index on %s', (name, make) => {
  it('counts active tasks and tasks waiting for remix input, kept in step by put', async () => {
    const s = await make();
    const owner = `o-${name}-${Date.now()}`;
    try {
      await s.tasks.put(owned('t1', owner));
      await s.tasks.put(owned('t2', owner, { active: false, status: 'MODAL' }));
      await s.tasks.put(owned('t3', owner, { active: false, status: 'SUCCESS' }));
      await s.tasks.put(owned('t4', `${owner}-other`));
      expect(await s.owners.running(owner)).toBe(2);
      await s.tasks.put(owned('t1', owner, { active: false, status: 'SUCCESS' }));
      expect(await s.owners.running(owner)).toBe(1);
    } finally {
      await s.tasks.clear();
      await s.close();
    }
  });

  it('a put that changes neither index writes the record alone; the one that ends the task writes both', async () => {
    const s = await make();
    const owner = `o-idx-${Date.now()}`;
    const tracks = () => s.health.calls.get('owners.track') ?? 0;
    const deadlineAt = Date.now() + 600_000;
    try {
      const before = tracks();
      await s.tasks.put(owned('t1', owner, { deadlineAt }));
      await s.tasks.put(owned('t1', owner, { deadlineAt, missCount: 1 }));
      await s.tasks.put(owned('t1', owner, { deadlineAt, status: 'IN_PROGRESS', viewHash: 'h2' }));
      expect(tracks() - before).toBe(1);
      expect((await s.tasks.get('t1'))?.viewHash).toBe('h2');
      expect(await s.tasks.activeIds()).toContain('t1');
      expect(await s.owners.running(owner)).toBe(1);
      await s.tasks.put(owned('t1', owner, { deadlineAt, active: false, status: 'SUCCESS' }));
      expect(tracks() - before).toBe(2);
      expect(await s.tasks.activeIds()).not.toContain('t1');
      expect(await s.owners.running(owner)).toBe(0);
      // A second instance (a restart, another process) writes the entries of a record it puts once.
      const again = await make();
      try {
        const from = again.health.calls.get('owners.track') ?? 0;
        await again.tasks.put(owned('t1', owner, { deadlineAt }));
        await again.tasks.put(owned('t1', owner, { deadlineAt }));
        expect((again.health.calls.get('owners.track') ?? 0) - from).toBe(1);
        expect(await s.owners.running(owner)).toBe(1);
      } finally {
        await again.close();
      }
    } finally {
      await s.tasks.clear();
      await s.close();
    }
  });

  it('reserves atomically: of twenty racing reservations against a limit of five, five are granted', async () => {
    const s = await make();
    const owner = `race-${name}-${Date.now()}`;
    try {
      const all = await Promise.all(Array.from({ length: 20 }, () => s.owners.reserve(owner, { count: 1, limit: 5, ttlMs: 60_000 })));
      expect(all.filter((r) => r.granted === 1)).toHaveLength(5);
      expect(await s.owners.running(owner)).toBe(5);
      for (const r of all) await s.owners.release(r);
      expect(await s.owners.running(owner)).toBe(0);
    } finally {
      await s.close();
    }
  });

  it('a claimed slot becomes the job\'s own entry: the job counts once, before, while and after its record is saved', async () => {
    let clock = Date.now();
    const s = await make(() => clock);
    const owner = `claim-${name}-${Date.now()}`;
    try {
      const r = await s.owners.reserve(owner, { count: 3, min: 1, limit: 3, ttlMs: 1_000 });
      expect(r.granted).toBe(3);
      // "Imagine all": two submits, one job each, claimed in turn; the third slot is never used.
      await s.owners.claim(r, ['c1']);
      expect(await s.owners.running(owner)).toBe(3);
      await s.owners.claim(r, ['c2'], 1);
      expect(await s.owners.running(owner)).toBe(3);
      await s.tasks.put(owned('c1', owner));
      await s.tasks.put(owned('c2', owner));
      expect(await s.owners.running(owner)).toBe(3);
      await s.owners.release(r);
      expect(await s.owners.running(owner)).toBe(2);
      // A claim takes no more slots than the reservation has; a claimed job whose record never got
      // saved stops counting when its slot would have lapsed, the saved ones go on counting.
      const lone = await s.owners.reserve(owner, { count: 1, limit: 3, ttlMs: 1_000 });
      await s.owners.claim(lone, ['c5', 'c6']);
      expect(await s.owners.running(owner)).toBe(3);
      clock += 1_001;
      expect(await s.owners.running(owner)).toBe(2);
    } finally {
      await s.tasks.clear();
      await s.close();
    }
  });

  it('grants part of a request down to its minimum, does not count twice the task it replaces, and lets reservations expire', async () => {
    let clock = Date.now();
    const s = await make(() => clock);
    const owner = `part-${name}-${Date.now()}`;
    try {
      const most = await s.owners.reserve(owner, { count: 4, min: 1, limit: 3, ttlMs: 1_000 });
      expect(most.granted).toBe(3);
      expect((await s.owners.reserve(owner, { count: 1, limit: 3, ttlMs: 1_000 })).granted).toBe(0);
      clock += 1_001; // the process that reserved died: its reservation lapses
      expect(await s.owners.running(owner)).toBe(0);
      await s.tasks.put(owned('w1', owner, { active: false, status: 'MODAL', deadlineAt: clock + 60_000 }));
      expect((await s.owners.reserve(owner, { count: 1, limit: 1, ttlMs: 1_000 })).granted).toBe(0);
      expect((await s.owners.reserve(owner, { count: 1, limit: 1, ttlMs: 1_000, replacing: 'w1' })).granted).toBe(1);
      // Without a limit the reservation is still written (the store must take writes).
      expect((await s.owners.reserve(owner, { count: 2, limit: 0, ttlMs: 1_000 })).granted).toBe(2);
    } finally {
      await s.tasks.clear();
      await s.close();
    }
  });
});

describe.each(backends)('unreadable values on %s', (name, make) => {
  it('a record that is not JSON, or not a record, is quarantined and skipped; the others are read', async () => {
    const s = await make();
    const ns = name === 'sqlite' ? 'contract' : redisPrefix;
    try {
      for (const id of ['c1', 'c2', 'c3']) await s.tasks.put(record(id, true));
      await writeRaw(name, `${ns}-tasks`, 'c1', '{"value":{"taskId": oops');
      await writeRaw(name, `${ns}-tasks`, 'c3', '{"value":"a string, not a record"}');
      expect((await s.tasks.getMany(['c1', 'c2', 'c3'])).map((r) => r?.taskId)).toEqual([undefined, 'c2', undefined]);
      expect(await s.tasks.activeIds()).toEqual(['c2']);
      expect(await s.tasks.get('c1')).toBeUndefined();
      await s.capabilities.forBackend('default').set('list', [1]);
      await writeRaw(name, `${ns}-capabilities`, 'default:list', 'not json');
      expect(await s.capabilities.forBackend('default').get('list')).toBeUndefined();
    } finally {
      await s.tasks.clear();
      await s.capabilities.clear();
      await s.close();
    }
  });
});

describe('a store that fails', () => {
  it('SQLite: a write the disk refuses throws a StoreError (Keyv would only emit it), and reads go on', async () => {
    const s = await openSqlite();
    const db = new sqlite3.Database(sqliteFile);
    const run = (sql: string) => new Promise<void>((res, rej) => db.run(sql, (err) => (err ? rej(err) : res())));
    try {
      await s.tasks.put(record('f1', true));
      await run(`CREATE TRIGGER full_keyv BEFORE INSERT ON keyv BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`);
      await expect(s.tasks.put(record('f2', true))).rejects.toBeInstanceOf(StoreError);
      await expect(s.capabilities.forBackend('default').set('x', 1)).rejects.toBeInstanceOf(StoreError);
      expect(s.health.healthy).toBe(false);
      // Counted for the metrics (mjbot_store_errors_total), by kind and operation.
      expect([...s.health.failures.values()]).toEqual([{ kind: 'write', op: 'tasks.put', count: 1 }, { kind: 'write', op: 'capabilities.set', count: 1 }]);
      expect((await s.tasks.get('f1'))?.taskId).toBe('f1');
      await run('DROP TRIGGER full_keyv');
      await s.tasks.put(record('f2', true));
      expect(s.health.healthy).toBe(true);
    } finally {
      await new Promise((r) => db.close(r));
      await s.tasks.clear();
      await s.close();
    }
  });

  it('Redis: with nothing listening, calls fail at once with a StoreError instead of waiting', async () => {
    const s = createStores('redis://127.0.0.1:1', { prefix: `${redisPrefix}-down` });
    try {
      const started = Date.now();
      await expect(s.tasks.put(record('d1', true))).rejects.toBeInstanceOf(StoreError);
      await expect(s.owners.reserve('u', { count: 1, limit: 3, ttlMs: 1_000 })).rejects.toBeInstanceOf(StoreError);
      await expect(s.tasks.activeIds()).rejects.toBeInstanceOf(StoreError);
      await expect(s.ping()).rejects.toBeInstanceOf(StoreError);
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(s.health.ready).toBe(false);
    } finally {
      await s.close();
    }
  });
});
