// The one place that builds Keyv: the typed repositories from STORE_URL — tasks (records and
// the active index), owners (running jobs per owner), recent (jobs per user), hidden (buttons per
// backend), capabilities (per backend), leases, counters — on an embedded SQLite file by default
// (sqlite://path), or Redis (redis://host:port) when several processes share state. Opening
// migrates a store written by an older version (migrate.ts). One adapter instance per namespace:
// Keyv 5 writes `store.namespace` onto the adapter, so sharing one between namespaces breaks their
// isolation (discord-fake.md C3).
//
// Two things Keyv's adapters do not do well at thousands of active tasks are done here instead:
// listing the active ids (the SQLite adapter pages through LIKE … OFFSET ten rows at a time, the
// Redis one SCANs the whole key space) and, on SQLite, getMany (a linear search per key). On Redis
// the active index is a set and leases use the adapter's own client library (node-redis).
//
// Errors: every Keyv throws (throwOnErrors) instead of only emitting 'error', so a write that did
// not happen (a full disk, Redis away) reaches its caller as a StoreError, never as a silent
// success. On Redis one client serves every namespace; it does not queue commands while
// disconnected (disableOfflineQueue) and gives each command STORE_COMMAND_TIMEOUT_MS, so a call
// fails fast instead of hanging, while the client reconnects in the background.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Keyv, { type KeyvStoreAdapter } from 'keyv';
import KeyvSqlite from '@keyv/sqlite';
import KeyvRedis, { createClient, type RedisClientType } from '@keyv/redis';
import type { Logger } from '../logger.ts';
import { DEFAULT_BACKEND, RECORD_TTL_MS, TaskRepository, byAge, type ActiveIndex } from './tasks.ts';
import { KeyValueRepository, Quarantine, readTolerantly, writeQuickly } from './key-value.ts';
import { MemoryLeases, RedisLeases, type LeaseRepository } from './leases.ts';
import { RedisBudget, type BudgetShape, type SharedBudget } from './discord-budget.ts';
import { LocalCounters, RedisCounters, guardCounters, type CounterRepository } from './counters.ts';
import { RedisOwnerIndex, SqliteOwnerIndex, guardOwners, type OwnerIndex } from './owners.ts';
import { StoreHealth } from './health.ts';
import { CapabilityRepository } from './capabilities.ts';
import { PreferenceRepository } from './preferences.ts';
import { KeyvHiddenButtons, RedisHiddenButtons, type HiddenButtonRepository } from './hidden-buttons.ts';
import { KeyvRecent, RedisRecent, type RecentRepository } from './recent.ts';
import { migrateStore, type MigrationTargets } from './migrate.ts';

/** A Redis command that takes longer than this fails (Discord wants an answer within 3 s). */
const STORE_COMMAND_TIMEOUT_MS = 2_000;
/** How often a SQLite store deletes the values past their expiry. */
const SWEEP_EVERY_MS = 3600_000;
/** Redis reconnects after 0.1 s, doubling up to this. */
const RECONNECT_MAX_MS = 2_000;

export interface Stores {
  tasks: TaskRepository;
  /** What each backend turned out to support (list-by-condition, its batch size). */
  capabilities: CapabilityRepository;
  /** Buttons each backend refused as unknown. */
  hidden: HiddenButtonRepository;
  /** Each user's recent jobs. */
  recent: RecentRepository;
  /** /settings: each user's choices and each server's settings. */
  prefs: PreferenceRepository;
  /** Which process polls which active task (Redis: shared between processes; SQLite: this process). */
  leases: LeaseRepository;
  /**
   * Redis: the per-second budget of Discord channel-route requests every process takes from
   * (discord-budget.ts); null on SQLite, where one process keeps its own.
   */
  discordBudget(rate: BudgetShape, pace: { readonly count: number; readonly perMs: number; readonly keepForFinals?: number }): SharedBudget | null;
  /** Counters moved atomically (jobs per user per day). */
  counters: CounterRepository;
  /** Jobs counted per owner (running-jobs limit) and the reservations of jobs being submitted. */
  owners: OwnerIndex;
  /** Whether the store was reached and works. */
  health: StoreHealth;
  /** True when several processes may share this store (Redis). */
  shared: boolean;
  /** Redis: passes notifyHook hints to the process that holds the task (pub/sub). */
  hints: HintBus | null;
  /**
   * Resolves once the store answers (Redis: connected; it keeps retrying until then, calling
   * `onWaiting` with each failure) and was migrated to this version's schema. SQLite: one probe,
   * which throws when the file cannot be used.
   */
  open(onWaiting?: (err: unknown) => void): Promise<void>;
  /**
   * SQLite: deletes every value past its expiry (Keyv deletes one only when it is read, so a record
   * nobody reads again would stay on disk past the retention); run at open and every hour. Answers
   * how many went. Redis expires keys itself: nothing to do (0).
   */
  sweepExpired(): Promise<number>;
  /** One cheap round trip (SELECT 1, PING): throws when the store does not answer. */
  ping(): Promise<void>;
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
  /** Clock of the in-process leases (SQLite) and of the per-owner counts. */
  now?: () => number;
  /** The configured backends' names (the migration needs them). Default: just the default one. */
  backends?: readonly string[];
  /**
   * How long people's data lives after its last write (DATA_RETENTION_DAYS): job records, the active
   * index, recent lists, users' settings; the per-owner index a day longer. Default 30 days.
   */
  retentionMs?: number;
}

/** A Redis SCAN pattern matching keys that start with `prefix` (its glob characters escaped). */
const globPrefix = (prefix: string) => `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;

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
  const keyv = new Keyv<T>({ store, namespace, throwOnErrors: true });
  // Failures reach the caller (throwOnErrors) and StoreHealth reports them once; a listener must
  // still be there, or an emitted 'error' would be thrown by the emitter.
  keyv.on('error', (err: unknown) => logger?.debug('store error', { namespace, err }));
  readTolerantly(keyv);
  writeQuickly(keyv);
  return keyv;
}

/** SQLite: the active ids are the keys of a Keyv namespace, listed straight from the index. */
class SqliteActiveIndex implements ActiveIndex {
  constructor(
    private readonly keyv: Keyv<never>,
    private readonly store: IndexedSqlite,
    private readonly namespace: string,
    private readonly ttlMs = RECORD_TTL_MS,
  ) {}
  async add(taskId: string): Promise<void> {
    await this.keyv.set(taskId, 1 as never, this.ttlMs);
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

/**
 * Migrates once the store answers. A migration that fails leaves the old values where they are
 * (retried at the next start) and does not keep the bot from running: what it moves are
 * conveniences (recent lists, hidden buttons, learned capabilities).
 */
async function migrated(t: MigrationTargets): Promise<void> {
  await migrateStore(t).catch((err: unknown) => t.logger?.warn('store migration failed; retried at the next start', { err }));
}

export function createStores(url: string, opts: StoreOptions = {}): Stores {
  const prefix = opts.prefix ?? 'mjbot';
  const ns = (name: string) => `${prefix}-${name}`;
  const health = new StoreHealth(opts.logger);
  const now = opts.now ?? Date.now;
  const backends = opts.backends ?? [DEFAULT_BACKEND];
  const retentionMs = opts.retentionMs ?? RECORD_TTL_MS;
  const prefsOptions = { userTtlMs: retentionMs, now };

  if (url.startsWith('sqlite://')) {
    // One adapter per namespace (see above); the active index and the owner table share one.
    const taskStore = sqliteAdapter(url);
    const activeStore = sqliteAdapter(url);
    const taskKeyv = wrap<never>(taskStore as unknown as KeyvStoreAdapter, ns('tasks'), opts.logger);
    const keyv = (name: string) => wrap<unknown>(sqliteAdapter(url) as unknown as KeyvStoreAdapter, ns(name), opts.logger);
    // The counters keep the namespace version 1 called `settings`, so today's counts carry over.
    const settingsKeyv = keyv('settings');
    const asideKeyv = keyv('quarantine');
    const capabilityKeyv = keyv('capabilities');
    const hiddenKeyv = keyv('hidden');
    const recentKeyv = keyv('recent');
    const metaKeyv = keyv('meta');
    const prefsKeyv = keyv('prefs');
    const activeKeyv = wrap<never>(activeStore as unknown as KeyvStoreAdapter, ns('active'), opts.logger);
    const quarantine = new Quarantine(asideKeyv, opts.logger);
    const owners = guardOwners(new SqliteOwnerIndex((sql, ...p) => activeStore.query(sql, ...p), ns('owners'), now), health);
    // Every record's id, from the primary-key index in one query (/privacy).
    const taskIds = async function* () {
      yield await taskStore.keysWithPrefix(`${ns('tasks')}:`);
    };
    const keyvs = [taskKeyv, settingsKeyv, asideKeyv, activeKeyv, capabilityKeyv, hiddenKeyv, recentKeyv, metaKeyv, prefsKeyv];
    const capabilities = new CapabilityRepository(new KeyValueRepository(capabilityKeyv, health, quarantine, 'capabilities'));
    const hidden = new KeyvHiddenButtons(hiddenKeyv, health);
    const recent = new KeyvRecent(recentKeyv, health, retentionMs);
    // Keyv's envelope is `{"value":…,"expires":<ms>}`; a value that is not JSON (corrupt) is left to the quarantine.
    const sweepExpired = async () => {
      const rows = (await taskStore.query(
        `DELETE FROM ${taskStore.opts.table} WHERE (CASE WHEN json_valid(value) THEN json_extract(value, '$.expires') END) <= ? RETURNING key`,
        Date.now(),
      )) as unknown[];
      return rows.length;
    };
    let sweeper: NodeJS.Timeout | null = null;
    let sweeping: Promise<unknown> = Promise.resolve();
    return {
      tasks: new TaskRepository(taskKeyv, new SqliteActiveIndex(activeKeyv, activeStore, ns('active'), retentionMs), owners, health, quarantine, { ttlMs: retentionMs, ids: taskIds }),
      capabilities,
      hidden,
      recent,
      prefs: new PreferenceRepository(new KeyValueRepository(prefsKeyv, health, quarantine, 'prefs'), prefsOptions),
      counters: guardCounters(new LocalCounters(new KeyValueRepository(settingsKeyv, health, quarantine, 'counters')), health),
      owners,
      health,
      leases: new MemoryLeases(undefined, opts.now),
      discordBudget: () => null,
      shared: false,
      hints: null,
      async open() {
        await health.run('open', 'read', async () => {
          await taskStore.query('SELECT 1');
          await owners.running('');
        });
        await migrated({ legacy: settingsKeyv, meta: metaKeyv, recent, hidden, capabilities, backends, logger: opts.logger });
        health.markReady();
        const sweep = () => void (sweeping = sweepExpired().catch((err: unknown) => opts.logger?.warn('expired values not swept; tried again later', { err })));
        sweep();
        sweeper ??= setInterval(sweep, SWEEP_EVERY_MS).unref();
      },
      sweepExpired,
      async ping() {
        await health.run('ping', 'read', () => taskStore.query('SELECT 1'));
      },
      async close() {
        if (sweeper) clearInterval(sweeper);
        await sweeping;
        // One connection after another: the last to close checkpoints the WAL into the database and
        // removes it, which it cannot while another is closing at the same moment. A connection that
        // does not close keeps its WAL file: said (the data is safe either way).
        for (const k of keyvs) {
          await k.disconnect().catch((err: unknown) => opts.logger?.warn('a store connection did not close', { err }));
        }
      },
    };
  }
  if (!url.startsWith('redis://') && !url.startsWith('rediss://')) throw new Error(`STORE_URL: unsupported scheme in ${url.split(':')[0]}://`);

  // One client for everything: Keyv's adapters, the sets, scripts and counters. Connecting starts
  // here, so no adapter opens a connection of its own; it retries until Redis answers.
  const redis = createClient({
    url,
    disableOfflineQueue: true,
    pingInterval: 10_000,
    commandOptions: { timeout: STORE_COMMAND_TIMEOUT_MS },
    socket: { connectTimeout: 5_000, reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, RECONNECT_MAX_MS) },
  }) as RedisClientType;
  // Every failed reconnect emits this; open() and StoreHealth report the outage once.
  redis.on('error', (err: unknown) => opts.logger?.debug('store connection error', { err }));
  void redis.connect().catch(() => undefined);
  const client = async () => redis;
  const adapter = () => new KeyvRedis(redis, { throwOnErrors: true, throwOnConnectError: true }) as unknown as KeyvStoreAdapter;
  const taskKeyv = wrap<never>(adapter(), ns('tasks'), opts.logger);
  const settingsKeyv = wrap<unknown>(adapter(), ns('settings'), opts.logger);
  const metaKeyv = wrap<unknown>(adapter(), ns('meta'), opts.logger);
  const quarantine = new Quarantine(wrap<unknown>(adapter(), ns('quarantine'), opts.logger), opts.logger);
  const capabilities = new CapabilityRepository(new KeyValueRepository(wrap<unknown>(adapter(), ns('capabilities'), opts.logger), health, quarantine, 'capabilities'));
  const hidden = new RedisHiddenButtons(client, ns('hidden'), health);
  const recent = new RedisRecent(client, ns('recent'), health, retentionMs);
  const prefs = new PreferenceRepository(new KeyValueRepository(wrap<unknown>(adapter(), ns('prefs'), opts.logger), health, quarantine, 'prefs'), prefsOptions);
  const migration = () => migrated({ legacy: settingsKeyv, meta: metaKeyv, recent, hidden, capabilities, backends, logger: opts.logger });
  const owners = guardOwners(new RedisOwnerIndex(client, ns('owners'), now, retentionMs + 24 * 3600_000), health);
  // Every record's id: a SCAN of the records' keys (the adapter's `<namespace>::` before Keyv's `<namespace>:<id>`), for /privacy.
  const recordPrefix = `${ns('tasks')}::${ns('tasks')}:`;
  const taskIds = async function* () {
    for await (const keys of redis.scanIterator({ MATCH: globPrefix(recordPrefix), COUNT: 1000 })) {
      yield ([] as string[]).concat(keys as string | string[]).map((k) => k.slice(recordPrefix.length));
    }
  };
  // A subscribed connection can do nothing else: a second one, opened only when push is on.
  const channel = ns('hints');
  let subscriber: RedisClientType | null = null;
  const hints: HintBus = {
    async publish(taskIds) {
      if (taskIds.length) await (await client()).publish(channel, taskIds.join(','));
    },
    async subscribe(fn) {
      subscriber = redis.duplicate();
      subscriber.on('error', (err: unknown) => opts.logger?.debug('store connection error', { namespace: channel, err }));
      await subscriber.connect();
      await subscriber.subscribe(channel, (message: string) => fn(message.split(',').filter(Boolean)));
    },
  };
  // The Discord budget's takes on a connection of their own (opened with the first budget): one
  // connection answers in order, and a take behind a poll pass's hundreds of record writes waited
  // while final results queued for its token (the scale bench's burst). Until it is ready, the main one.
  let budgetRedis: RedisClientType | null = null;
  const budgetClient = async () => {
    if (!budgetRedis) {
      budgetRedis = redis.duplicate();
      budgetRedis.on('error', (err: unknown) => opts.logger?.debug('store connection error', { namespace: 'discord-budget', err }));
      void budgetRedis.connect().catch(() => undefined);
    }
    return budgetRedis.isReady ? budgetRedis : redis;
  };
  const end = async (c: RedisClientType) => {
    if (c.isReady) await c.close().catch(() => c.destroy());
    else if (c.isOpen) c.destroy();
  };
  return {
    tasks: new TaskRepository(taskKeyv, new RedisActiveIndex(client, ns('active')), owners, health, quarantine, { ttlMs: retentionMs, ids: taskIds }),
    capabilities,
    hidden,
    recent,
    prefs,
    leases: new RedisLeases(client, ns('lease')),
    discordBudget: (rate, pace) => new RedisBudget(budgetClient, ns('discord-budget'), rate, pace),
    counters: guardCounters(new RedisCounters(client, ns('count')), health),
    owners,
    health,
    shared: true,
    hints,
    open(onWaiting) {
      const ready = async () => {
        await migration();
        health.markReady();
      };
      if (redis.isReady) return ready();
      return new Promise((resolve) => {
        const failed = (err: unknown) => onWaiting?.(err);
        redis.on('error', failed);
        redis.once('ready', () => {
          redis.off('error', failed);
          void ready().then(resolve);
        });
      });
    },
    sweepExpired: async () => 0,
    async ping() {
      await health.run('ping', 'read', () => redis.ping());
    },
    async close() {
      await Promise.allSettled([subscriber ? end(subscriber) : undefined, budgetRedis ? end(budgetRedis) : undefined, end(redis)]);
    },
  };
}
