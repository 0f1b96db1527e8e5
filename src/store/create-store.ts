// The one place that knows Keyv. Builds small typed repositories from STORE_URL: an embedded
// SQLite file by default (sqlite://path), Redis (redis://host:port) when several processes share
// state. One adapter instance per namespace: Keyv 5 writes `store.namespace` onto the adapter, so
// sharing one between namespaces breaks their isolation (discord-fake.md C3).
//
// Two things Keyv's adapters do not do well at thousands of active tasks are done here instead:
// listing the active ids (the SQLite adapter pages through LIKE … OFFSET ten rows at a time, the
// Redis one SCANs the whole key space) and, on SQLite, getMany (a linear search per key). On Redis
// the active index is a set and leases use the adapter's own client library (node-redis).
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Keyv, { type KeyvStoreAdapter } from 'keyv';
import KeyvSqlite from '@keyv/sqlite';
import KeyvRedis, { createClient, type RedisClientType } from '@keyv/redis';
import type { Logger } from '../logger.ts';
import { RECORD_TTL_MS, TaskRepository, byAge, type ActiveIndex } from './tasks.ts';
import { KeyValueRepository } from './key-value.ts';
import { MemoryLeases, RedisLeases, type LeaseRepository } from './leases.ts';
import { LocalCounters, RedisCounters, type CounterRepository } from './counters.ts';

export interface Stores {
  tasks: TaskRepository;
  /** Backend capabilities and other small settings. */
  settings: KeyValueRepository<unknown>;
  /** Which process polls which active task (Redis: shared between processes; SQLite: this process). */
  leases: LeaseRepository;
  /** Counters moved atomically (jobs per user per day). */
  counters: CounterRepository;
  /** True when several processes may share this store (Redis). */
  shared: boolean;
  /** Redis: passes notifyHook hints to the process that holds the task (pub/sub). */
  hints: HintBus | null;
  close(): Promise<void>;
}

/** Carries task ids between processes: a callback may reach any of them, the task's owner acts on it. */
export interface HintBus {
  publish(taskIds: string[]): Promise<void>;
  subscribe(fn: (taskIds: string[]) => void): Promise<void>;
}

export interface StoreOptions {
  /** Prefix for every namespace (tests use their own so they can clean up). */
  prefix?: string;
  logger?: Logger;
  /** Clock of the in-process leases (SQLite). */
  now?: () => number;
}

/** The SQLite adapter, with a getMany that is linear and a key listing that uses the primary key. */
class IndexedSqlite extends KeyvSqlite {
  override async getMany<Value>(keys: string[]): Promise<(Value | undefined)[]> {
    if (keys.length === 0) return [];
    const rows = (await this.query(`SELECT key, value FROM ${this.opts.table} WHERE key IN (SELECT value FROM json_each(?))`, JSON.stringify(keys))) as { key: string; value: Value }[];
    const byKey = new Map(rows.map((r) => [r.key, r.value]));
    return keys.map((k) => byKey.get(k));
  }

  /** Keys starting with `prefix`, read from the primary-key index in one query. */
  async keysWithPrefix(prefix: string): Promise<string[]> {
    const rows = (await this.query(`SELECT key FROM ${this.opts.table} WHERE key >= ? AND key < ?`, prefix, `${prefix}\uffff`)) as { key: string }[];
    return rows.map((r) => r.key.slice(prefix.length));
  }
}

function sqliteAdapter(url: string): IndexedSqlite {
  const file = url.slice('sqlite://'.length);
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const store = new IndexedSqlite({ uri: url, busyTimeout: 10_000 });
  // WAL: readers do not wait for writers, and a write is not an fsync of the whole journal.
  void store.query('PRAGMA journal_mode=WAL').catch(() => undefined);
  void store.query('PRAGMA synchronous=NORMAL').catch(() => undefined);
  return store;
}

function wrap<T>(store: KeyvStoreAdapter, namespace: string, logger?: Logger): Keyv<T> {
  const keyv = new Keyv<T>({ store, namespace });
  keyv.on('error', (err: unknown) => logger?.error('store error', { namespace, err }));
  return keyv;
}

export function createKeyv<T>(url: string, namespace: string, logger?: Logger): Keyv<T> {
  let store: KeyvStoreAdapter;
  if (url.startsWith('sqlite://')) {
    store = sqliteAdapter(url) as unknown as KeyvStoreAdapter;
  } else if (url.startsWith('redis://') || url.startsWith('rediss://')) {
    store = new KeyvRedis(url, { throwOnConnectError: true, connectionTimeout: 5_000 }) as unknown as KeyvStoreAdapter;
  } else {
    throw new Error(`STORE_URL: unsupported scheme in ${url.split(':')[0]}://`);
  }
  return wrap<T>(store, namespace, logger);
}

/** SQLite: the active ids are the keys of a Keyv namespace, listed straight from the index. */
class SqliteActiveIndex implements ActiveIndex {
  constructor(
    private readonly keyv: Keyv<never>,
    private readonly store: IndexedSqlite,
    private readonly namespace: string,
  ) {}
  async add(taskId: string): Promise<void> {
    await this.keyv.set(taskId, 1 as never, RECORD_TTL_MS);
  }
  async remove(taskId: string): Promise<void> {
    await this.keyv.delete(taskId);
  }
  async list(): Promise<string[]> {
    return (await this.store.keysWithPrefix(`${this.namespace}:`)).sort(byAge);
  }
  async clear(): Promise<void> {
    await this.keyv.clear();
  }
}

/** Redis: one set, read with one SMEMBERS. */
class RedisActiveIndex implements ActiveIndex {
  constructor(
    private readonly client: () => Promise<RedisClientType>,
    private readonly key: string,
  ) {}
  async add(taskId: string): Promise<void> {
    await (await this.client()).sAdd(this.key, taskId);
  }
  async remove(taskId: string): Promise<void> {
    await (await this.client()).sRem(this.key, taskId);
  }
  async list(): Promise<string[]> {
    return (await (await this.client()).sMembers(this.key)).sort(byAge);
  }
  async clear(): Promise<void> {
    await (await this.client()).del(this.key);
  }
}

export function createStores(url: string, opts: StoreOptions = {}): Stores {
  const prefix = opts.prefix ?? 'mjbot';
  const ns = (name: string) => `${prefix}-${name}`;
  const taskKeyv = createKeyv<never>(url, ns('tasks'), opts.logger);
  const settingsKeyv = createKeyv<unknown>(url, ns('settings'), opts.logger);
  const closers: (() => Promise<unknown>)[] = [() => taskKeyv.disconnect(), () => settingsKeyv.disconnect()];

  if (url.startsWith('sqlite://')) {
    const activeStore = sqliteAdapter(url);
    const activeKeyv = wrap<never>(activeStore as unknown as KeyvStoreAdapter, ns('active'), opts.logger);
    closers.push(() => activeKeyv.disconnect());
    const settings = new KeyValueRepository(settingsKeyv);
    return {
      tasks: new TaskRepository(taskKeyv, new SqliteActiveIndex(activeKeyv, activeStore, ns('active'))),
      settings,
      counters: new LocalCounters(settings),
      leases: new MemoryLeases(undefined, opts.now),
      shared: false,
      hints: null,
      async close() {
        await Promise.allSettled(closers.map((c) => c()));
      },
    };
  }

  // Redis: a client of our own for the set and the leases (scripts, SADD …), connected on first use.
  const redis = createClient({ url, socket: { connectTimeout: 5_000 } }) as RedisClientType;
  redis.on('error', (err: unknown) => opts.logger?.error('store error', { namespace: prefix, err }));
  let connecting: Promise<RedisClientType> | null = null;
  // A failed connect is forgotten, so the next call tries again instead of failing for good.
  const client = () =>
    (connecting ??= redis.connect().then(
      () => redis,
      (err: unknown) => {
        connecting = null;
        throw err;
      },
    ));
  closers.push(async () => {
    if (connecting) await connecting.then(() => redis.close()).catch(() => undefined);
  });
  // A subscribed connection can do nothing else: a second one, opened only when push is on.
  const channel = ns('hints');
  let subscriber: RedisClientType | null = null;
  closers.push(async () => {
    if (subscriber) await subscriber.close().catch(() => undefined);
  });
  const hints: HintBus = {
    async publish(taskIds) {
      if (taskIds.length) await (await client()).publish(channel, taskIds.join(','));
    },
    async subscribe(fn) {
      subscriber = redis.duplicate();
      subscriber.on('error', (err: unknown) => opts.logger?.error('store error', { namespace: channel, err }));
      await subscriber.connect();
      await subscriber.subscribe(channel, (message: string) => fn(message.split(',').filter(Boolean)));
    },
  };
  return {
    tasks: new TaskRepository(taskKeyv, new RedisActiveIndex(client, ns('active'))),
    settings: new KeyValueRepository(settingsKeyv),
    leases: new RedisLeases(client, ns('lease')),
    counters: new RedisCounters(client, ns('count')),
    shared: true,
    hints,
    async close() {
      await Promise.allSettled(closers.map((c) => c()));
    },
  };
}
