// Leases: which process polls which active task. With Redis (several processes), a lease is the
// key `<prefix>-lease:<taskId>` holding the owner's id, taken with SET NX PX, renewed on every
// tick and deleted when the task settles; when its owner dies the key expires and another
// process takes the task over. With SQLite only one process runs, so a map in memory does the
// same job. Both answer in batches: a tick claims every active task in a round trip or two.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { RedisClientType } from '@keyv/redis';

export interface LeaseRepository {
  /** This process's id, the value a lease holds. */
  readonly owner: string;
  /** Takes the free leases among `ids` and renews those this owner holds; answers the ids it holds now. */
  claim(ids: readonly string[], ttlMs: number): Promise<Set<string>>;
  /** Gives up leases this owner holds (others' leases are left alone). */
  release(ids: readonly string[]): Promise<void>;
}

export function newOwnerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

/** One process: every claim succeeds unless another owner in this process holds the lease. */
export class MemoryLeases implements LeaseRepository {
  readonly #held: Map<string, { owner: string; until: number }>;

  constructor(
    readonly owner: string = newOwnerId(),
    private readonly now: () => number = Date.now,
    shared?: Map<string, { owner: string; until: number }>,
  ) {
    this.#held = shared ?? new Map();
  }

  async claim(ids: readonly string[], ttlMs: number): Promise<Set<string>> {
    const now = this.now();
    const out = new Set<string>();
    for (const id of ids) {
      const cur = this.#held.get(id);
      if (!cur) {
        this.#held.set(id, { owner: this.owner, until: now + ttlMs });
      } else if (cur.owner === this.owner || cur.until <= now) {
        cur.owner = this.owner;
        cur.until = now + ttlMs;
      } else {
        continue;
      }
      out.add(id);
    }
    return out;
  }

  async release(ids: readonly string[]): Promise<void> {
    for (const id of ids) if (this.#held.get(id)?.owner === this.owner) this.#held.delete(id);
  }
}

// GET-then-SET NX or PEXPIRE in one script, so a lease is never renewed for an owner that lost it.
// Returns the 1-based positions of the keys this owner holds afterwards.
const CLAIM = `
local held = {}
for i, key in ipairs(KEYS) do
  local cur = redis.call('GET', key)
  if cur == ARGV[1] then
    redis.call('PEXPIRE', key, ARGV[2])
    held[#held + 1] = i
  elseif not cur then
    redis.call('SET', key, ARGV[1], 'PX', ARGV[2])
    held[#held + 1] = i
  end
end
return held`;

const RELEASE = `
local n = 0
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then
    redis.call('DEL', key)
    n = n + 1
  end
end
return n`;

/** Keys per script call: keeps one call short (Redis runs scripts one at a time). */
const CHUNK = 500;

export class RedisLeases implements LeaseRepository {
  constructor(
    private readonly client: () => Promise<RedisClientType>,
    private readonly keyPrefix: string,
    readonly owner: string = newOwnerId(),
  ) {}

  #key(id: string): string {
    return `${this.keyPrefix}:${id}`;
  }

  async claim(ids: readonly string[], ttlMs: number): Promise<Set<string>> {
    const out = new Set<string>();
    if (ids.length === 0) return out;
    const redis = await this.client();
    for (let i = 0; i < ids.length; i += CHUNK) {
      const chunk = ids.slice(i, i + CHUNK);
      const held = (await redis.eval(CLAIM, { keys: chunk.map((id) => this.#key(id)), arguments: [this.owner, String(Math.max(1, Math.round(ttlMs)))] })) as number[];
      for (const pos of held) out.add(chunk[pos - 1]!);
    }
    return out;
  }

  async release(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const redis = await this.client();
    for (let i = 0; i < ids.length; i += CHUNK) {
      await redis.eval(RELEASE, { keys: ids.slice(i, i + CHUNK).map((id) => this.#key(id)), arguments: [this.owner] });
    }
  }
}
