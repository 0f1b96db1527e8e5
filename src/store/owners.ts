// Who runs what: per owner, the tasks that count against the running-jobs limit (active ones, and
// ones waiting for remix input until their deadline) and the reservations of jobs being submitted.
// TaskRepository.put keeps the tasks in step; a reservation is taken before a submit, atomically
// with the count (so racing requests cannot both get the last slot), and given back once the
// job's record is saved or the submit failed. A reservation left by a process that died expires.
// Once the backend took a job, a slot of its reservation becomes the task's own entry (claim) in
// one step, before the record is saved: the job is never counted twice (slot and task) nor not at all.
//
// Redis: one sorted set per owner (member: task id or reservation slot, score: until when it
// counts; +inf for active tasks), counted and reserved in one Lua script, so several processes
// share the count. SQLite (one process): a table of its own, reserved in one INSERT … SELECT.
import { randomBytes } from 'node:crypto';
import type { RedisClientType } from '@keyv/redis';
import type { StoreHealth } from './health.ts';

export interface ReserveRequest {
  /** Jobs wanted. */
  count: number;
  /** Fewer than `count` is fine down to this many ("Imagine all" starts what the limit allows). Default `count`. */
  min?: number;
  /** Running jobs allowed; 0 = no limit (the reservation is still written: the store must take writes). */
  limit: number;
  ttlMs: number;
  /** A task that already counts and is about to run again (a remix editor, "Check again"): not counted twice. */
  replacing?: string;
}

export interface Reservation {
  ownerId: string;
  id: string;
  /** Jobs granted: 0 when the limit left no room. */
  granted: number;
}

export interface OwnerIndex {
  /** Jobs counted against `ownerId` now (tasks and reservations). */
  running(ownerId: string): Promise<number>;
  reserve(ownerId: string, req: ReserveRequest): Promise<Reservation>;
  release(reservation: Reservation): Promise<void>;
  /**
   * The backend took these jobs: each takes over one slot of the reservation, atomically (the
   * count does not change), counting until the slot would have expired or the record's save says
   * otherwise (track). `from`: the first slot to take (the jobs before it claimed theirs). Slots
   * beyond the reservation's are not added.
   */
  claim(reservation: Reservation, taskIds: readonly string[], from?: number): Promise<void>;
  /** Counts `taskId` for `ownerId` until `until` (ms since the epoch; Infinity: while active), or not at all (null). */
  track(ownerId: string, taskId: string, until: number | null): Promise<void>;
  clear(): Promise<void>;
}

/** The index with its failures turned into StoreErrors and noted in `health`, as every repository's are. */
export function guardOwners(o: OwnerIndex, health: StoreHealth): OwnerIndex {
  return {
    running: (ownerId) => health.run('owners.running', 'read', () => o.running(ownerId)),
    reserve: (ownerId, req) => health.run('owners.reserve', 'write', () => o.reserve(ownerId, req)),
    release: (r) => health.run('owners.release', 'write', () => o.release(r)),
    claim: (r, ids, from) => health.run('owners.claim', 'write', () => o.claim(r, ids, from)),
    track: (ownerId, taskId, until) => health.run('owners.track', 'write', () => o.track(ownerId, taskId, until)),
    clear: () => health.run('owners.clear', 'write', () => o.clear()),
  };
}

/** Slots of a reservation: one member per job, so the count stays a plain cardinality. */
const slots = (r: { id: string; granted: number }) => Array.from({ length: r.granted }, (_, i) => `r:${r.id}:${i}`);
const newId = () => randomBytes(6).toString('hex');

/** How long the per-owner set lives after its last write by default (longer than any record that counts in it; createStores: the retention plus a day). */
const KEY_TTL_MS = 31 * 24 * 3600_000;

type Query = (sql: string, ...params: unknown[]) => Promise<unknown>;

/** SQLite: rows (ns, owner, member, until) in a table of their own; one process. */
export class SqliteOwnerIndex implements OwnerIndex {
  /** What this process last wrote per task (SQLite has one process): an unchanged put costs nothing. */
  readonly #written = new Map<string, number | null>();
  readonly #ready: Promise<unknown>;
  #sweptAt = 0;

  constructor(
    private readonly query: Query,
    private readonly ns: string,
    private readonly now: () => number = Date.now,
  ) {
    this.#ready = query('CREATE TABLE IF NOT EXISTS owner_jobs(ns TEXT NOT NULL, owner TEXT NOT NULL, member TEXT NOT NULL, until REAL NOT NULL, PRIMARY KEY (ns, owner, member))');
    this.#ready.catch(() => undefined);
  }

  async #q<T>(sql: string, ...params: unknown[]): Promise<T> {
    await this.#ready;
    return (await this.query(sql, ...params)) as T;
  }

  async running(ownerId: string): Promise<number> {
    const [row] = await this.#q<{ n: number }[]>('SELECT COUNT(*) AS n FROM owner_jobs WHERE ns = ? AND owner = ? AND until > ?', this.ns, ownerId, this.now());
    return row?.n ?? 0;
  }

  async reserve(ownerId: string, req: ReserveRequest): Promise<Reservation> {
    const now = this.now();
    if (now - this.#sweptAt > 60_000) {
      // Rows that stopped counting are ignored by every count; they are deleted now and then.
      this.#sweptAt = now;
      await this.#q('DELETE FROM owner_jobs WHERE ns = ? AND until <= ?', this.ns, now);
    }
    const id = newId();
    // One statement: SQLite runs it under its write lock, so the count and the insert are atomic
    // (as the Lua script is on Redis). It inserts as many slots as the limit leaves room for.
    const rows = await this.#q<{ member: string }[]>(
      `INSERT INTO owner_jobs (ns, owner, member, until)
       SELECT ?1, ?2, value, ?3 FROM json_each(?4) WHERE true
       LIMIT (CASE WHEN ?5 > 0 THEN max(0, ?5 - (SELECT COUNT(*) FROM owner_jobs WHERE ns = ?1 AND owner = ?2 AND until > ?6 AND member != ?7)) ELSE -1 END)
       RETURNING member`,
      this.ns, ownerId, now + req.ttlMs, JSON.stringify(slots({ id, granted: req.count })), req.limit, now, req.replacing ?? '',
    );
    const res: Reservation = { ownerId, id, granted: rows.length };
    if (res.granted < (req.min ?? req.count)) {
      await this.release(res);
      return { ...res, granted: 0 };
    }
    return res;
  }

  async release(r: Reservation): Promise<void> {
    if (r.granted === 0) return;
    await this.#q('DELETE FROM owner_jobs WHERE ns = ? AND owner = ? AND member IN (SELECT value FROM json_each(?))', this.ns, r.ownerId, JSON.stringify(slots(r)));
  }

  async claim(r: Reservation, taskIds: readonly string[], from = 0): Promise<void> {
    for (const [i, slot] of slots(r).slice(from).entries()) {
      const taskId = taskIds[i];
      if (taskId === undefined) return;
      // One statement: the slot's row becomes the task's (a row the task had already is replaced).
      await this.#q('UPDATE OR REPLACE owner_jobs SET member = ? WHERE ns = ? AND owner = ? AND member = ?', taskId, this.ns, r.ownerId, slot);
      this.#written.delete(taskId);
    }
  }

  async track(ownerId: string, taskId: string, until: number | null): Promise<void> {
    if (this.#written.has(taskId) && this.#written.get(taskId) === until) return;
    if (until === null) await this.#q('DELETE FROM owner_jobs WHERE ns = ? AND owner = ? AND member = ?', this.ns, ownerId, taskId);
    else {
      await this.#q(
        'INSERT INTO owner_jobs (ns, owner, member, until) VALUES (?, ?, ?, ?) ON CONFLICT (ns, owner, member) DO UPDATE SET until = excluded.until',
        this.ns, ownerId, taskId, Number.isFinite(until) ? until : Number.MAX_VALUE,
      );
    }
    this.#written.set(taskId, until);
  }

  async clear(): Promise<void> {
    this.#written.clear();
    await this.#q('DELETE FROM owner_jobs WHERE ns = ?', this.ns);
  }
}

// Drops what no longer counts, counts the rest (less the task being replaced), and adds the
// reservation's slots when they fit. Returns how many it granted.
const RESERVE = `
local key = KEYS[1]
local now = tonumber(ARGV[1])
local want = tonumber(ARGV[2])
local min = tonumber(ARGV[3])
local limit = tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
local n = redis.call('ZCARD', key)
if ARGV[7] ~= '' and redis.call('ZSCORE', key, ARGV[7]) then n = n - 1 end
local granted = want
if limit > 0 then granted = math.min(want, limit - n) end
if granted < min then return 0 end
for i = 0, granted - 1 do redis.call('ZADD', key, ARGV[6], 'r:' .. ARGV[5] .. ':' .. i) end
redis.call('PEXPIRE', key, ARGV[8])
return granted`;

// Each task id takes over one reservation slot that still counts, with its score (KEYS[1]; ARGV:
// reservation id, the first slot's number, then the task ids).
const CLAIM = `
local key = KEYS[1]
local from = tonumber(ARGV[2])
for i = 3, #ARGV do
  local slot = 'r:' .. ARGV[1] .. ':' .. (from + i - 3)
  local score = redis.call('ZSCORE', key, slot)
  if score then
    redis.call('ZREM', key, slot)
    redis.call('ZADD', key, score, ARGV[i])
  end
end
return 1`;

/** Redis: a sorted set per owner, shared by every process. */
export class RedisOwnerIndex implements OwnerIndex {
  constructor(
    private readonly client: () => Promise<RedisClientType>,
    private readonly keyPrefix: string,
    private readonly now: () => number = Date.now,
    private readonly keyTtlMs = KEY_TTL_MS,
  ) {}

  #key(ownerId: string): string {
    return `${this.keyPrefix}:${ownerId}`;
  }

  async running(ownerId: string): Promise<number> {
    return Number(await (await this.client()).zCount(this.#key(ownerId), `(${this.now()}`, '+inf'));
  }

  async reserve(ownerId: string, req: ReserveRequest): Promise<Reservation> {
    const id = newId();
    const args = [this.now(), req.count, req.min ?? req.count, req.limit, id, this.now() + req.ttlMs, req.replacing ?? '', this.keyTtlMs].map(String);
    const granted = await (await this.client()).eval(RESERVE, { keys: [this.#key(ownerId)], arguments: args });
    return { ownerId, id, granted: Number(granted) };
  }

  async release(r: Reservation): Promise<void> {
    if (r.granted > 0) await (await this.client()).zRem(this.#key(r.ownerId), slots(r));
  }

  async claim(r: Reservation, taskIds: readonly string[], from = 0): Promise<void> {
    const ids = taskIds.slice(0, Math.max(0, r.granted - from));
    if (ids.length) await (await this.client()).eval(CLAIM, { keys: [this.#key(r.ownerId)], arguments: [r.id, String(from), ...ids] });
  }

  async track(ownerId: string, taskId: string, until: number | null): Promise<void> {
    const redis = await this.client();
    const key = this.#key(ownerId);
    if (until === null) await redis.zRem(key, taskId);
    else await redis.multi().zAdd(key, { score: until, value: taskId }).pExpire(key, this.keyTtlMs).exec();
  }

  async clear(): Promise<void> {
    const redis = await this.client();
    for await (const keys of redis.scanIterator({ MATCH: `${this.keyPrefix}:*`, COUNT: 500 })) {
      const list = ([] as string[]).concat(keys as string | string[]);
      if (list.length) await redis.del(list);
    }
  }
}
