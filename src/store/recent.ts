// Each user's recent jobs (newest first, at most RECENT_MAX): autocomplete for /seed and /task, and
// /tasks. Adding is a merge (the new jobs first, then the older ones not among them), so two jobs
// started at once must both end up listed, even when two processes start them. Redis: the merge is
// one Lua script, atomic across processes. SQLite (one process): a read and a write, one at a time
// per user in this process.
import type Keyv from 'keyv';
import type { RedisClientType } from '@keyv/redis';
import { inLane, type Lanes } from '../util/lanes.ts';
import type { StoreHealth } from './health.ts';
import { CorruptValue } from './key-value.ts';

export interface RecentJob {
  taskId: string;
  prompt: string;
  at: number;
}

export const RECENT_MAX = 25;
/** How long a list lives after its last write by default (DATA_RETENTION_DAYS sets it: createStores). */
export const RECENT_TTL_MS = 30 * 24 * 3600_000;
/** Version of the stored list's shape (`{ v, jobs }`); a plain array was version 1. */
const RECENT_SCHEMA = 2;

export interface RecentRepository {
  /** The user's list as stored; anything in it that is not a job is left out. */
  list(userId: string): Promise<RecentJob[]>;
  /** Puts `jobs` first (newest first), keeps the older ones not among them, up to RECENT_MAX. */
  add(userId: string, jobs: RecentJob[]): Promise<void>;
  /** Takes a job out of the user's list (🗑). */
  remove(userId: string, taskId: string): Promise<void>;
  /** Removes the user's whole list (/privacy). */
  forget(userId: string): Promise<void>;
}

export const isRecentJob = (j: unknown): j is RecentJob => {
  const r = j as Partial<RecentJob> | null;
  return typeof r === 'object' && r !== null && typeof r.taskId === 'string' && typeof r.prompt === 'string' && typeof r.at === 'number';
};

/** The jobs of a stored value of any version (an array was version 1); garbage reads as none. */
export function recentJobsOf(stored: unknown): RecentJob[] {
  const list = Array.isArray(stored) ? stored : (stored as { jobs?: unknown } | null)?.jobs;
  return Array.isArray(list) ? list.filter(isRecentJob) : [];
}

function merged(jobs: RecentJob[], older: RecentJob[]): RecentJob[] {
  const ids = new Set(jobs.map((j) => j.taskId));
  return [...jobs, ...older.filter((j) => !ids.has(j.taskId))].slice(0, RECENT_MAX);
}

/** SQLite: one Keyv value per user. */
export class KeyvRecent implements RecentRepository {
  readonly #lanes: Lanes = new Map();

  constructor(
    private readonly keyv: Keyv<unknown>,
    private readonly health: StoreHealth,
    /** How long a list lives after its last write (the retention). */
    private readonly ttlMs = RECENT_TTL_MS,
  ) {}

  async list(userId: string): Promise<RecentJob[]> {
    const v = await this.health.run('recent.list', 'read', () => this.keyv.get(userId));
    return v instanceof CorruptValue ? [] : recentJobsOf(v);
  }

  add(userId: string, jobs: RecentJob[]): Promise<void> {
    if (jobs.length === 0) return Promise.resolve();
    return inLane(this.#lanes, userId, async () => {
      const next = merged(jobs, await this.list(userId));
      await this.health.run('recent.add', 'write', () => this.keyv.set(userId, { v: RECENT_SCHEMA, jobs: next }, this.ttlMs));
    });
  }

  remove(userId: string, taskId: string): Promise<void> {
    return inLane(this.#lanes, userId, async () => {
      const next = (await this.list(userId)).filter((j) => j.taskId !== taskId);
      await this.health.run('recent.remove', 'write', () => this.keyv.set(userId, { v: RECENT_SCHEMA, jobs: next }, this.ttlMs));
    });
  }

  forget(userId: string): Promise<void> {
    return inLane(this.#lanes, userId, async () => {
      await this.health.run('recent.forget', 'write', () => this.keyv.delete(userId));
    });
  }
}

// The merge of `add`, in Redis: the stored list is JSON of our own (not Keyv's envelope) so the
// script can read it. A value it cannot read counts as an empty list.
const ADD = `
local ok, cur = pcall(cjson.decode, redis.call('GET', KEYS[1]) or '{}')
local older = (ok and type(cur) == 'table' and type(cur.jobs) == 'table') and cur.jobs or {}
local out, seen, max = {}, {}, tonumber(ARGV[2])
for _, j in ipairs(cjson.decode(ARGV[1])) do
  if #out < max and not seen[j.taskId] then out[#out + 1] = j; seen[j.taskId] = true end
end
for _, j in ipairs(older) do
  if #out >= max then break end
  if type(j) == 'table' and type(j.taskId) == 'string' and not seen[j.taskId] then out[#out + 1] = j; seen[j.taskId] = true end
end
redis.call('SET', KEYS[1], cjson.encode({ v = tonumber(ARGV[4]), jobs = out }), 'PX', ARGV[3])
return #out`;

// Takes one job out of the list, in Redis: the same format as ADD, one script, atomic.
const REMOVE = `
local ok, cur = pcall(cjson.decode, redis.call('GET', KEYS[1]) or '{}')
if not ok or type(cur) ~= 'table' or type(cur.jobs) ~= 'table' then return 0 end
local out = {}
for _, j in ipairs(cur.jobs) do
  if type(j) == 'table' and j.taskId ~= ARGV[1] then out[#out + 1] = j end
end
if #out == 0 then redis.call('DEL', KEYS[1]) return 0 end
redis.call('SET', KEYS[1], cjson.encode({ v = cur.v, jobs = out }), 'KEEPTTL')
return #out`;

/** Redis: one JSON string per user, merged by a script. */
export class RedisRecent implements RecentRepository {
  constructor(
    private readonly client: () => Promise<RedisClientType>,
    private readonly keyPrefix: string,
    private readonly health: StoreHealth,
    /** How long a list lives after its last write (the retention). */
    private readonly ttlMs = RECENT_TTL_MS,
  ) {}

  #key(userId: string): string {
    return `${this.keyPrefix}:${userId}`;
  }

  async list(userId: string): Promise<RecentJob[]> {
    const raw = await this.health.run('recent.list', 'read', async () => (await this.client()).get(this.#key(userId)));
    if (!raw) return [];
    try {
      return recentJobsOf(JSON.parse(raw));
    } catch {
      return [];
    }
  }

  async add(userId: string, jobs: RecentJob[]): Promise<void> {
    if (jobs.length === 0) return;
    const args = [JSON.stringify(jobs), RECENT_MAX, this.ttlMs, RECENT_SCHEMA].map(String);
    await this.health.run('recent.add', 'write', async () => (await this.client()).eval(ADD, { keys: [this.#key(userId)], arguments: args }));
  }

  async remove(userId: string, taskId: string): Promise<void> {
    await this.health.run('recent.remove', 'write', async () => (await this.client()).eval(REMOVE, { keys: [this.#key(userId)], arguments: [taskId] }));
  }

  async forget(userId: string): Promise<void> {
    await this.health.run('recent.forget', 'write', async () => (await this.client()).del(this.#key(userId)));
  }
}
