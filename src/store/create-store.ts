// The one place that knows Keyv. Builds small typed repositories from STORE_URL: an embedded
// SQLite file by default (sqlite://path), Redis (redis://host:port) when several processes share
// state. One adapter instance per namespace: Keyv 5 writes `store.namespace` onto the adapter, so
// sharing one between namespaces breaks their isolation (discord-fake.md C3).
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Keyv, { type KeyvStoreAdapter } from 'keyv';
import KeyvSqlite from '@keyv/sqlite';
import KeyvRedis from '@keyv/redis';
import type { Logger } from '../logger.ts';
import { TaskRepository } from './tasks.ts';
import { KeyValueRepository } from './key-value.ts';

export interface Stores {
  tasks: TaskRepository;
  /** Backend capabilities and other small settings. */
  settings: KeyValueRepository<unknown>;
  close(): Promise<void>;
}

export interface StoreOptions {
  /** Prefix for every namespace (tests use their own so they can clean up). */
  prefix?: string;
  logger?: Logger;
}

export function createKeyv<T>(url: string, namespace: string, logger?: Logger): Keyv<T> {
  let store: KeyvStoreAdapter;
  if (url.startsWith('sqlite://')) {
    const file = url.slice('sqlite://'.length);
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    store = new KeyvSqlite({ uri: url, busyTimeout: 10_000 }) as unknown as KeyvStoreAdapter;
  } else if (url.startsWith('redis://') || url.startsWith('rediss://')) {
    store = new KeyvRedis(url, { throwOnConnectError: true, connectionTimeout: 5_000 }) as unknown as KeyvStoreAdapter;
  } else {
    throw new Error(`STORE_URL: unsupported scheme in ${url.split(':')[0]}://`);
  }
  const keyv = new Keyv<T>({ store, namespace });
  keyv.on('error', (err: unknown) => logger?.error('store error', { namespace, err }));
  return keyv;
}

export function createStores(url: string, opts: StoreOptions = {}): Stores {
  const ns = (name: string) => `${opts.prefix ?? 'mjbot'}-${name}`;
  const taskKeyv = createKeyv<never>(url, ns('tasks'), opts.logger);
  const activeKeyv = createKeyv<never>(url, ns('active'), opts.logger);
  const settingsKeyv = createKeyv<unknown>(url, ns('settings'), opts.logger);
  const all = [taskKeyv, activeKeyv, settingsKeyv];
  return {
    tasks: new TaskRepository(taskKeyv, activeKeyv),
    settings: new KeyValueRepository(settingsKeyv),
    async close() {
      await Promise.allSettled(all.map((k) => k.disconnect()));
    },
  };
}
