import type Keyv from 'keyv';
import type { Logger } from '../logger.ts';
import type { StoreHealth } from './health.ts';

/** A stored value that could not be parsed: handed to the repository, which quarantines it. */
export class CorruptValue {
  constructor(readonly raw: string) {}
}

/** How Keyv's serializer (@keyv/serialize) writes a string that starts with ":" ("::…"), and a Buffer (":base64:…"). */
const ESCAPED = /"::|":base64:/;

/**
 * Makes Keyv's deserializer tolerant: one unparsable value becomes a CorruptValue instead of
 * failing the whole read (a getMany of a thousand records must not fail for one).
 *
 * And quicker: Keyv's default deserializer (the one create-store.ts leaves in place) parses with a
 * reviver that undoes its escaping of strings starting with ":", a function call per value; at a
 * restart that was the largest CPU cost of reading 10,000 records. A text holding no escaped string
 * gives the same value parsed plainly.
 */
export function readTolerantly(keyv: Keyv<any>): void {
  const parse = keyv.deserialize;
  if (!parse) return;
  keyv.deserialize = (async (data: string) => {
    try {
      if (typeof data === 'string' && !ESCAPED.test(data)) return JSON.parse(data);
      return await parse(data);
    } catch {
      return { value: new CorruptValue(String(data).slice(0, 10_000)) };
    }
  }) as typeof parse;
}

/**
 * And writes quicker: Keyv's default serializer (@keyv/serialize) builds the text by string
 * concatenation, value by value, to escape strings that start with ":" and Buffers; under a burst of
 * updates every record written went through it (the largest allocation of a bot at 200 updates a
 * second, a third of its CPU then in garbage collection). A value holding none of what it treats
 * specially (a string starting with ":", a Buffer or anything else with toJSON, a function, a symbol,
 * a bigint) gives the same text from JSON.stringify; any other goes to Keyv's own.
 */
export function writeQuickly(keyv: Keyv<any>): void {
  const write = keyv.serialize;
  if (!write) return;
  keyv.serialize = ((data: unknown) => (plainJson(data, 0) ? JSON.stringify(data) : write(data as never))) as typeof write;
}

/** Whether JSON.stringify writes `v` as @keyv/serialize does (nothing escaped, nothing it treats otherwise). */
export function plainJson(v: unknown, depth: number): boolean {
  switch (typeof v) {
    case 'string':
      return v.charCodeAt(0) !== 58; // ':'
    case 'number':
    case 'boolean':
    case 'undefined':
      return true;
    case 'object': {
      if (v === null) return true;
      if (depth > 64 || typeof (v as { toJSON?: unknown }).toJSON === 'function') return false;
      if (Array.isArray(v)) {
        for (const x of v) if (x === undefined || !plainJson(x, depth + 1)) return false;
        return true;
      }
      for (const k in v) if (!Object.hasOwn(v, k) || !plainJson((v as Record<string, unknown>)[k], depth + 1)) return false;
      return true;
    }
    default:
      return false;
  }
}

/**
 * Where unreadable values go: copied aside (for a human to look at), removed from where they
 * broke reads, logged once. Its own failures are logged, never thrown: a read goes on without
 * the value either way.
 */
export class Quarantine {
  readonly #seen = new Set<string>();

  constructor(
    private readonly aside: Keyv<unknown>,
    private readonly logger?: Logger,
  ) {}

  async hold(key: string, raw: unknown, remove: () => Promise<unknown>): Promise<void> {
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    this.logger?.warn('corrupt record quarantined', { key });
    try {
      await this.aside.set(key, typeof raw === 'string' ? raw : JSON.stringify(raw) ?? String(raw), 30 * 24 * 3600_000);
      await remove();
      this.#seen.delete(key);
    } catch (err) {
      this.logger?.warn('could not quarantine a corrupt record; skipping it', { key, err });
    }
  }
}

/** A typed view of one Keyv namespace. */
export class KeyValueRepository<T> {
  constructor(
    private readonly keyv: Keyv<T>,
    private readonly health: StoreHealth,
    private readonly quarantine: Quarantine,
    private readonly name = 'settings',
  ) {}

  async get<V extends T = T>(key: string): Promise<V | undefined> {
    const v = (await this.health.run(`${this.name}.get`, 'read', () => this.keyv.get(key))) as unknown;
    if (v instanceof CorruptValue) {
      await this.quarantine.hold(`${this.name}:${key}`, v.raw, () => this.keyv.delete(key));
      return undefined;
    }
    return v as V | undefined;
  }

  async set(key: string, value: T, ttlMs?: number): Promise<void> {
    await this.health.run(`${this.name}.set`, 'write', () => this.keyv.set(key, value, ttlMs));
  }

  async delete(key: string): Promise<void> {
    await this.health.run(`${this.name}.delete`, 'write', () => this.keyv.delete(key));
  }

  async clear(): Promise<void> {
    await this.health.run(`${this.name}.clear`, 'write', () => this.keyv.clear());
  }
}
