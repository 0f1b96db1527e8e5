// People's data expires after the retention the store was built with (DATA_RETENTION_DAYS): job
// records, the active index, recent lists and users' settings, on SQLite and on Redis, checked by the
// expiry each backend holds (no sleeping through a month), and once in real time with a short one.
// Server settings do not expire. /privacy's scan finds every record of an owner, beyond the 25 of
// their recent list, on both backends.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createClient } from '@keyv/redis';
import sqlite3 from 'sqlite3';
import { createStores, type Stores } from '../../src/store/create-store.ts';
import type { TaskRecord } from '../../src/store/tasks.ts';
import { TEST_REDIS_URL } from '../helpers/redis.ts';

const dir = mkdtempSync(join(tmpdir(), 'mjbot-retention-'));
const redisPrefix = `mjbot-test-retention-${process.pid}-${Date.now()}`;
const redis = createClient({ url: TEST_REDIS_URL });
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (!redis.isOpen) await redis.connect();
  for await (const keys of redis.scanIterator({ MATCH: `${redisPrefix}*`, COUNT: 500 })) {
    const list = ([] as string[]).concat(keys as string | string[]);
    if (list.length) await redis.del(list);
  }
  await redis.close();
});

const DAY = 24 * 3600_000;
const USER = '100000000000000001';

function record(taskId: string, o: Partial<TaskRecord> = {}): TaskRecord {
  return {
    taskId, kind: 'imagine', prompt: 'p', ownerId: USER, locale: 'en-US', guildId: '200000000000000001', channelId: 'c', applicationId: 'a',
    interactionToken: 't', tokenExpiresAt: 1, messageId: null, createdAt: 1, deadlineAt: Date.now() + DAY, queuePosition: null,
    status: 'SUCCESS', active: false, viewHash: null, lastEditAt: 0, task: null, pressed: [], missCount: 0, ...o,
  };
}

/** The expiry (ms since the epoch) a backend holds for a key of Keyv's namespace `ns`, or of a plain Redis key. */
async function expiresAt(backend: string, file: string, ns: string, key: string, plain = false): Promise<number | null> {
  if (backend === 'sqlite') {
    const db = new sqlite3.Database(file);
    const row = await new Promise<{ value: string } | undefined>((res, rej) => db.get('SELECT value FROM keyv WHERE key = ?', [`${ns}:${key}`], (err, r) => (err ? rej(err) : res(r as { value: string } | undefined))));
    await new Promise((r) => db.close(r));
    if (!row) return null;
    // The recent list is a plain JSON value with Keyv's envelope around it.
    return (JSON.parse(row.value) as { expires?: number }).expires ?? null;
  }
  if (!redis.isOpen) await redis.connect();
  const ms = await redis.pTTL(plain ? `${ns}:${key}` : `${ns}::${ns}:${key}`);
  return ms >= 0 ? Date.now() + ms : null;
}

const backends = (short: number, clock?: () => number): [string, string, () => Stores][] => {
  const file = join(dir, `r-${short}.sqlite`);
  return [
    ['sqlite', file, () => createStores(`sqlite://${file}`, { prefix: 'ret', retentionMs: short, now: clock })],
    ['redis', '', () => createStores(TEST_REDIS_URL, { prefix: `${redisPrefix}-${short}`, retentionMs: short, now: clock })],
  ];
};

describe('retention (DATA_RETENTION_DAYS through createStores)', () => {
  for (const [name, file, open] of backends(3 * DAY)) {
    it(`${name}: records, the active index, recent lists and user settings carry the configured expiry; server settings none`, async () => {
      const s = open();
      await s.open();
      const ns = name === 'sqlite' ? 'ret' : `${redisPrefix}-${3 * DAY}`;
      const before = Date.now();
      await s.tasks.put(record('1700000000000001', { status: 'IN_PROGRESS', active: true }));
      await s.recent.add(USER, [{ taskId: '1700000000000001', prompt: 'p', at: 1 }]);
      await s.prefs.setUser(USER, { raw: true });
      await s.prefs.setServer('200000000000000001', { galleryChannelId: '300000000000000001' });
      const near = (at: number | null) => {
        expect(at).not.toBeNull();
        // Three days from the write, give or take the test's own time: not the 30-day default.
        expect(Math.abs(at! - (before + 3 * DAY))).toBeLessThan(60_000);
      };
      near(await expiresAt(name, file, `${ns}-tasks`, '1700000000000001'));
      near(await expiresAt(name, file, `${ns}-prefs`, `user:${USER}`));
      if (name === 'sqlite') {
        near(await expiresAt(name, file, `${ns}-recent`, USER));
        near(await expiresAt(name, file, `${ns}-active`, '1700000000000001'));
        expect(await expiresAt(name, file, `${ns}-prefs`, 'server:200000000000000001')).toBeNull();
      } else {
        near(await expiresAt(name, file, `${ns}-recent`, USER, true));
        // The per-owner set outlives every record that counts in it by a day.
        const owners = await expiresAt(name, file, `${ns}-owners`, USER, true);
        expect(Math.abs(owners! - (before + 4 * DAY))).toBeLessThan(60_000);
        expect(await redis.pTTL(`${ns}-prefs::${ns}-prefs:server:200000000000000001`)).toBe(-1);
      }
      await s.close();
    });
  }

  for (const [name, , open] of backends(400)) {
    it(`${name}: with a short retention, records, recent lists and settings are gone once it passed (real time)`, async () => {
      const s = open();
      await s.open();
      await s.tasks.put(record('1700000000000002'));
      await s.recent.add(USER, [{ taskId: '1700000000000002', prompt: 'p', at: 1 }]);
      await s.prefs.setUser(USER, { raw: true });
      await s.prefs.setServer('200000000000000002', { galleryChannelId: '300000000000000001' });
      expect(await s.tasks.get('1700000000000002')).toBeDefined();
      // Waiting on the store's own answer (no event exists for an expiry): at most a second or two.
      await vi.waitFor(async () => {
        expect(await s.tasks.get('1700000000000002')).toBeUndefined();
        expect(await s.recent.list(USER)).toEqual([]);
        expect(await s.prefs.hasUser(USER)).toBe(false);
      }, { timeout: 3000, interval: 100 });
      expect((await s.prefs.server('200000000000000002')).galleryChannelId).toBe('300000000000000001');
      await s.close();
    });
  }

  it('sqlite: values past their expiry are deleted from the file by the sweep, not only when read again', async () => {
    const file = join(dir, 'sweep.sqlite');
    const s = createStores(`sqlite://${file}`, { prefix: 'sweep', retentionMs: 300 });
    await s.open();
    await s.tasks.put(record('1700000000000003'));
    await s.recent.add(USER, [{ taskId: '1700000000000003', prompt: 'p', at: 1 }]);
    await s.prefs.setUser(USER, { raw: true });
    await s.prefs.setServer('200000000000000003', { galleryChannelId: '300000000000000001' });
    const rows = async () => {
      const db = new sqlite3.Database(file);
      const keys = await new Promise<string[]>((res, rej) => db.all("SELECT key FROM keyv WHERE key LIKE 'sweep-%'", (err, r) => (err ? rej(err) : res((r as { key: string }[]).map((x) => x.key)))));
      await new Promise((r) => db.close(r));
      return keys.sort();
    };
    expect(await rows()).toEqual(expect.arrayContaining(['sweep-tasks:1700000000000003', `sweep-recent:${USER}`, `sweep-prefs:user:${USER}`]));
    // Past the retention nothing reads them: they are still in the file until the sweep.
    await vi.waitFor(async () => expect(await s.sweepExpired()).toBe(3), { timeout: 3000, interval: 100 });
    const left = await rows();
    expect(left).not.toContain('sweep-tasks:1700000000000003');
    expect(left).not.toContain(`sweep-recent:${USER}`);
    expect(left).not.toContain(`sweep-prefs:user:${USER}`);
    expect(left).toContain('sweep-prefs:server:200000000000000003');
    await s.close();
  });

  let now = Date.now();
  for (const [name, file, open] of backends(5 * DAY, () => now)) {
    it(`${name}: settings in use are written again (their retention restarts) at most once a day`, async () => {
      now = Date.now();
      const s = open();
      await s.open();
      const ns = name === 'sqlite' ? 'ret' : `${redisPrefix}-${5 * DAY}`;
      await s.prefs.setUser(USER, { stylize: 250 });
      const first = await expiresAt(name, file, `${ns}-prefs`, `user:${USER}`);
      // Read within the day (the store's clock): not written again.
      now += 3600_000;
      await s.prefs.user(USER);
      expect(await expiresAt(name, file, `${ns}-prefs`, `user:${USER}`)).toBeLessThanOrEqual(first! + 1000);
      // Read two days after the write: written again, so it lives on from the read (Keyv's expiry runs on real time).
      now += 2 * DAY;
      await new Promise((r) => setTimeout(r, 50));
      await s.prefs.user(USER);
      expect(await expiresAt(name, file, `${ns}-prefs`, `user:${USER}`)).toBeGreaterThan(first! + 40);
      expect(await s.prefs.user(USER)).toEqual({ stylize: 250 });
      await s.close();
    });
  }
});

describe('the scan behind /privacy', () => {
  for (const [name, , open] of backends(30 * DAY)) {
    it(`${name}: finds every record of an owner (more than a recent list holds), of one server when asked, and forget() takes one out of every index`, async () => {
      const s = open();
      await s.open();
      await s.tasks.clear();
      const other = '100000000000000009';
      for (let i = 0; i < 30; i++) await s.tasks.put(record(`17000000000001${String(i).padStart(2, '0')}`, i < 3 ? { guildId: '200000000000000009' } : {}));
      await s.tasks.put(record('1700000000000200', { ownerId: other }));
      await s.tasks.put(record('1700000000000201', { status: 'IN_PROGRESS', active: true }));
      expect((await s.tasks.ownedBy(USER)).length).toBe(31);
      expect((await s.tasks.ownedBy(USER, '200000000000000009')).map((r) => r.taskId).sort()).toEqual(['1700000000000100', '1700000000000101', '1700000000000102']);
      expect((await s.tasks.ownedBy(other)).map((r) => r.taskId)).toEqual(['1700000000000200']);
      expect(await s.owners.running(USER)).toBe(1);
      await s.tasks.forget({ taskId: '1700000000000201', ownerId: USER });
      expect(await s.tasks.get('1700000000000201')).toBeUndefined();
      expect(await s.tasks.activeIds()).not.toContain('1700000000000201');
      expect(await s.owners.running(USER)).toBe(0);
      await s.close();
    });
  }
});
