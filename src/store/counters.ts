// Counters that several processes may move at once (jobs per user per day). A limit is checked
// by taking first and giving back when over: `take` adds atomically and answers the new total,
// so two requests racing for the last job of the day cannot both get it. Redis: INCRBY with its
// expiry in one MULTI. SQLite (one process): a read and a write, one key at a time in this process.
import type { RedisClientType } from '@keyv/redis';
import type { StoreHealth } from './health.ts';
import type { KeyValueRepository } from './key-value.ts';
import { inLane, type Lanes } from '../util/lanes.ts';

export interface CounterRepository {
  /**
   * Adds `delta` (may be negative) and answers the new value. The counter lives `ttlMs` from its
   * first add, or, when `sliding`, from its last one.
   */
  add(key: string, delta: number, ttlMs: number, sliding?: boolean): Promise<number>;
  get(key: string): Promise<number>;
}

/** The counters with their failures turned into StoreErrors and noted in `health`. */
export function guardCounters(c: CounterRepository, health: StoreHealth): CounterRepository {
  return {
    add: (key, delta, ttlMs, sliding) => health.run('counters.add', 'write', () => c.add(key, delta, ttlMs, sliding)),
    get: (key) => health.run('counters.get', 'read', () => c.get(key)),
  };
}

/** One process: Keyv get + set, serialized per key so concurrent adds in this process never lose one. */
export class LocalCounters implements CounterRepository {
  readonly #lanes: Lanes = new Map();

  constructor(private readonly kv: KeyValueRepository<unknown>) {}

  add(key: string, delta: number, ttlMs: number, sliding = false): Promise<number> {
    return inLane(this.#lanes, key, async () => {
      const cur = await this.kv.get<{ n: number; until: number }>(key);
      const live = cur && typeof cur.n === 'number' && cur.until > Date.now() ? cur : { n: 0, until: Date.now() + ttlMs };
      const next = { n: live.n + delta, until: sliding ? Date.now() + ttlMs : live.until };
      await this.kv.set(key, next, Math.max(1, next.until - Date.now()));
      return next.n;
    });
  }

  async get(key: string): Promise<number> {
    const cur = await this.kv.get<{ n: number; until: number }>(key);
    return cur && typeof cur.n === 'number' && cur.until > Date.now() ? cur.n : 0;
  }
}

/** Several processes: Redis INCRBY, the expiry set only when the key is new (PEXPIRE … NX). */
export class RedisCounters implements CounterRepository {
  constructor(
    private readonly client: () => Promise<RedisClientType>,
    private readonly keyPrefix: string,
  ) {}

  async add(key: string, delta: number, ttlMs: number, sliding = false): Promise<number> {
    const k = `${this.keyPrefix}:${key}`;
    const redis = await this.client();
    const ms = Math.max(1, Math.round(ttlMs));
    const tx = redis.multi().incrBy(k, delta);
    const [n] = (await (sliding ? tx.pExpire(k, ms) : tx.pExpire(k, ms, 'NX')).exec()) as unknown as [number, unknown];
    return Number(n);
  }

  async get(key: string): Promise<number> {
    const v = await (await this.client()).get(`${this.keyPrefix}:${key}`);
    return Number(v ?? 0) || 0;
  }
}
