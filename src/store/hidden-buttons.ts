// Buttons a backend does not offer, per backend (its configured name: 'default' or the mode name):
// customId patterns it refused as unknown. Backends differ (api.md §0), so a refusal by one hides
// the button on that backend's messages only. Two processes may remember different buttons at
// once and both must stay: Redis keeps a set per backend (SADD is atomic); SQLite (one process)
// reads and writes one backend at a time in this process.
import type Keyv from 'keyv';
import type { RedisClientType } from '@keyv/redis';
import { inLane, type Lanes } from '../util/lanes.ts';
import type { StoreHealth } from './health.ts';
import { CorruptValue } from './key-value.ts';

export interface HiddenButtonRepository {
  /** The patterns `backend` refused, in the order they were remembered (Redis: any order). */
  list(backend: string): Promise<string[]>;
  /** Remembers `pattern` for `backend`; answers the backend's whole list as it now stands. */
  add(backend: string, pattern: string): Promise<string[]>;
}

/** Version of the stored value's shape (`{ v, patterns }`); one list for every backend was version 1. */
const HIDDEN_SCHEMA = 2;

const patternsOf = (v: unknown): string[] => {
  const list = (v as { patterns?: unknown } | null)?.patterns;
  return Array.isArray(list) ? list.filter((p): p is string => typeof p === 'string') : [];
};

/** SQLite: one Keyv value per backend. */
export class KeyvHiddenButtons implements HiddenButtonRepository {
  readonly #lanes: Lanes = new Map();

  constructor(
    private readonly keyv: Keyv<unknown>,
    private readonly health: StoreHealth,
  ) {}

  async list(backend: string): Promise<string[]> {
    const v = await this.health.run('hidden.list', 'read', () => this.keyv.get(backend));
    return v instanceof CorruptValue ? [] : patternsOf(v);
  }

  add(backend: string, pattern: string): Promise<string[]> {
    return inLane(this.#lanes, backend, async () => {
      const list = await this.list(backend);
      if (!pattern || list.includes(pattern)) return list;
      const next = [...list, pattern];
      await this.health.run('hidden.add', 'write', () => this.keyv.set(backend, { v: HIDDEN_SCHEMA, patterns: next }));
      return next;
    });
  }
}

/** Redis: a set per backend. */
export class RedisHiddenButtons implements HiddenButtonRepository {
  constructor(
    private readonly client: () => Promise<RedisClientType>,
    private readonly keyPrefix: string,
    private readonly health: StoreHealth,
  ) {}

  async list(backend: string): Promise<string[]> {
    return this.health.run('hidden.list', 'read', async () => (await this.client()).sMembers(`${this.keyPrefix}:${backend}`));
  }

  async add(backend: string, pattern: string): Promise<string[]> {
    if (!pattern) return this.list(backend);
    const key = `${this.keyPrefix}:${backend}`;
    return this.health.run('hidden.add', 'write', async () => {
      const [, members] = (await (await this.client()).multi().sAdd(key, pattern).sMembers(key).exec()) as unknown as [number, string[]];
      return members;
    });
  }
}
