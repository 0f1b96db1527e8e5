// Brings a store written by an older version up to STORE_SCHEMA when the bot starts. The version
// is kept in the store (namespace `meta`); every step can run twice, or in two processes at once,
// without harm (copies are merges, the old values are removed after), so no lock is needed.
//
// Version 1 (up to the typed repositories) kept three things in the untyped `settings` namespace,
// for every backend at once: `hidden-buttons` (one list), `capability:list-by-condition[-max]`
// (learned from the default backend, the only one the poller read), and `recent:<userId>`. Task
// records need no copy: the task repository reads a version-1 record as it is (see tasks.ts).
import type Keyv from 'keyv';
import type { Logger } from '../logger.ts';
import type { CapabilityRepository } from './capabilities.ts';
import type { HiddenButtonRepository } from './hidden-buttons.ts';
import { CorruptValue } from './key-value.ts';
import { recentJobsOf, type RecentRepository } from './recent.ts';
import { DEFAULT_BACKEND } from './tasks.ts';

export const STORE_SCHEMA = 2;
const SCHEMA_KEY = 'schema';

export interface MigrationTargets {
  /** The namespace version 1 kept everything in. */
  legacy: Keyv<unknown>;
  meta: Keyv<unknown>;
  recent: RecentRepository;
  hidden: HiddenButtonRepository;
  capabilities: CapabilityRepository;
  /** The configured backends: version 1's hidden buttons applied to each of them. */
  backends: readonly string[];
  logger?: Logger;
}

/** Migrates when the stored version is older; answers the version found. */
export async function migrateStore(t: MigrationTargets): Promise<number> {
  const found = Number(await t.meta.get(SCHEMA_KEY)) || 1;
  if (found >= STORE_SCHEMA) return found;
  const moved = await fromVersion1(t);
  await t.meta.set(SCHEMA_KEY, STORE_SCHEMA);
  // A new store has no version either: it is only worth a line when something was moved.
  if (Object.values(moved).some((n) => n > 0)) t.logger?.info('store migrated', { from: found, to: STORE_SCHEMA, ...moved });
  return found;
}

async function fromVersion1(t: MigrationTargets): Promise<{ recentLists: number; hiddenButtons: number; capabilities: number }> {
  const moved = { recentLists: 0, hiddenButtons: 0, capabilities: 0 };
  const done: string[] = [];
  for await (const [key, value] of t.legacy.iterator?.(undefined) ?? []) {
    // An unreadable value is not copied; it stays where it was, for a human to look at.
    if (typeof key !== 'string' || value instanceof CorruptValue) continue;
    if (key.startsWith('recent:')) {
      await t.recent.add(key.slice('recent:'.length), recentJobsOf(value));
      moved.recentLists++;
    } else if (key === 'hidden-buttons') {
      const patterns = Array.isArray(value) ? value.filter((p): p is string => typeof p === 'string') : [];
      for (const backend of t.backends) for (const p of patterns) await t.hidden.add(backend, p);
      moved.hiddenButtons = patterns.length;
    } else if (key.startsWith('capability:')) {
      // Keep what is left of its lifetime (a day, from when it was learned).
      const raw = await t.legacy.getRaw(key);
      const ttl = typeof raw?.expires === 'number' ? raw.expires - Date.now() : undefined;
      if (ttl === undefined || ttl > 0) await t.capabilities.forBackend(DEFAULT_BACKEND).set(key, value, ttl);
      moved.capabilities++;
    } else continue;
    done.push(key);
  }
  // Removed only now: a process that stopped half-way copies everything again next time.
  for (const key of done) await t.legacy.delete(key);
  return moved;
}
