// Tracked tasks: one record per proxy task the bot shows in Discord, plus an index of the active
// ones (read in one query or one command), so a tick never scans finished records, and the
// per-owner index the running-jobs limit counts from. Every write either happens or throws a
// StoreError; a record that cannot be read (not JSON, not a record) is quarantined and skipped.
import type Keyv from 'keyv';
import { DEFAULT_BACKEND } from '../proxy/task-reader.ts';
import type { Task, TaskStatus } from '../proxy/types.ts';
import type { StoreHealth } from './health.ts';
import { CorruptValue, type Quarantine } from './key-value.ts';
import type { OwnerIndex } from './owners.ts';

/** How long a task's record (and so its buttons) lives after its last write by default (DATA_RETENTION_DAYS sets it: createStores). */
export const RECORD_TTL_MS = 30 * 24 * 3600_000;

/**
 * Version of the stored record's shape, written with every record as `schema`. Version 1 (no
 * `schema` field) has the same fields, so it is read as it is: records, and so the buttons of
 * messages posted before an upgrade, keep working. A future change of shape upgrades in `upgraded`.
 */
export const RECORD_SCHEMA = 2;

/** The backend a task runs on is named as configured: this one for MJ_BASE_URL, else the mode's name. */
export { DEFAULT_BACKEND };

export type RecordStatus = TaskStatus | 'TIMEOUT' | 'LOST';

export interface TaskRecord {
  taskId: string;
  /** imagine, action, modal, blend, describe … (what the bot submitted). */
  kind: string;
  /** The prompt as the user typed it (for actions: the parent's), for display. */
  prompt: string;
  ownerId: string;
  locale: string;
  guildId: string | null;
  channelId: string;
  applicationId: string;
  /** The interaction token that lets us edit our reply, and when it stops working (ms). */
  interactionToken: string | null;
  tokenExpiresAt: number;
  /** The message that shows this task (null until known). */
  messageId: string | null;
  /** For actions: the grid or image it came from, and the button's label (U2, Zoom Out 2x …). */
  parentTaskId?: string;
  parentMessageId?: string;
  label?: string;
  mode?: string;
  /**
   * The configured backend that took the job (several backends): its buttons, modal, seed, cancel
   * and reads go there only. None (a record written before): `default` (the one of MJ_BASE_URL).
   */
  backend?: string;
  /** Why the job ended without its backend: no longer configured (`removed`) or not reachable to its deadline (`unreachable`). */
  backendGone?: 'removed' | 'unreachable';
  createdAt: number;
  deadlineAt: number;
  queuePosition: number | null;
  status: RecordStatus;
  active: boolean;
  /** Hash of the last view sent to Discord: an edit goes out only when it changes. */
  viewHash: string | null;
  /**
   * Set when Discord shows the view of `task` (viewHash is that view's): the epoch it was rendered
   * under (tasks/view-epoch.ts). A process adopting the record under the same epoch renders nothing
   * until the task changes.
   */
  viewOf?: string;
  lastEditAt: number;
  /** The last task object seen: its buttons route clicks after a restart. */
  task: Task | null;
  /** Proxy customIds already pressed on this message (rendered green, as Midjourney does). */
  pressed: string[];
  /** Consecutive polls in which the proxy did not know the task. */
  missCount: number;
  /** Set while the task waits in status MODAL for the user's input. */
  modal?: { customId: string; finalPrompt: string | null };
  /** Shown to its requester alone (an ephemeral reply): after the token, delivered by DM. */
  private?: boolean;
  /** The bot cannot reach the channel itself (a user install where the server did not add it): after the token, by DM. */
  noChannel?: boolean;
  /** When a Share began (a second click, even from another process, waits for it), and the post it made. */
  sharing?: number;
  shared?: { channelId: string; messageId: string; guildId: string | null };
}

/** The set of active task ids: a Keyv namespace on SQLite, a Redis set on Redis. */
export interface ActiveIndex {
  add(taskId: string): Promise<void>;
  remove(taskId: string): Promise<void>;
  /** Every active id, oldest first (ids start with a millisecond timestamp). */
  list(): Promise<string[]>;
  clear(): Promise<void>;
}

/** Oldest first: proxy ids are a millisecond timestamp plus a few digits. */
export function byAge(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** How long past its deadline an active task still counts for its owner (its record may be lost). */
const ACTIVE_GRACE_MS = 3600_000;

/** Statuses of a job that no longer runs, whatever the record's `active` says. */
const ENDED: ReadonlySet<string> = new Set(['SUCCESS', 'FAILURE', 'CANCEL', 'TIMEOUT', 'LOST']);

/** Whether a job in this status no longer runs (it succeeded, failed, was cancelled, timed out or was lost). */
export function hasEnded(status: string): status is RecordStatus {
  return ENDED.has(status);
}

/**
 * Until when a task counts against its owner's running-jobs limit: while it runs, and while it
 * waits for remix input (until its deadline); null when it does not count. By its status first: a
 * finished job's record stays `active` while its result is being posted (so a crash then leaves
 * the final edit to the next process), and must not hold a slot meanwhile.
 */
export function countsUntil(record: TaskRecord): number | null {
  if (record.status === 'MODAL') return record.deadlineAt;
  if (ENDED.has(record.status)) return null;
  if (record.active) return record.deadlineAt + ACTIVE_GRACE_MS;
  return null;
}

/** The fields the bot relies on: a value without them is not a record (garbage, another version). */
export function isTaskRecord(v: unknown): v is TaskRecord {
  const r = v as Partial<TaskRecord> | null;
  return (
    typeof r === 'object' && r !== null && typeof r.taskId === 'string' && typeof r.ownerId === 'string' && typeof r.channelId === 'string' &&
    typeof r.status === 'string' && typeof r.active === 'boolean' && typeof r.deadlineAt === 'number' && Array.isArray(r.pressed) &&
    typeof r.missCount === 'number' && typeof r.locale === 'string' && typeof r.prompt === 'string'
  );
}

/** A stored record of any version as a record of today's shape (the version stays in the store). */
function upgraded(stored: TaskRecord & { schema?: number }): TaskRecord {
  // Not a copy and `delete record.schema`: once optimized, that left the copy in dictionary mode (V8),
  // and a restart's 10,000 records took a quarter of the heap, each read of a field a hash lookup.
  const { schema: _schema, ...record } = stored;
  // Read from the store: a backend name that is not one is the default backend's job (as before records named it).
  if (record.backend !== undefined && (typeof record.backend !== 'string' || !/^[a-z][a-z0-9_-]{0,31}$/.test(record.backend))) delete record.backend;
  if (record.backendGone !== undefined && record.backendGone !== 'removed' && record.backendGone !== 'unreachable') delete record.backendGone;
  return record;
}

export interface TaskRepositoryOptions {
  /** How long a record lives after its last write (the retention). Default RECORD_TTL_MS. */
  ttlMs?: number;
  /** Every stored record's task id, in batches (a scan of the store: for /privacy, never on a hot path). */
  ids?: () => AsyncIterable<string[]>;
}

/** Records read per query when scanning every record (/privacy). */
const SCAN_CHUNK = 500;

export class TaskRepository {
  readonly ttlMs: number;
  /**
   * The index entries this process last wrote for each active task (until when it counts for its
   * owner; it is in the active index): a put that changes neither writes the record alone. One process
   * writes an active task's record, the one holding its lease; a put of a record read from the store
   * (a restart, a takeover) writes its entries once. A burst's puts wrote them again and again: most
   * of the Redis commands of a result, and the bots' largest allocation.
   */
  readonly #indexed = new Map<string, number | null>();

  constructor(
    private readonly records: Keyv<never>,
    private readonly active: ActiveIndex,
    readonly owners: OwnerIndex,
    private readonly health: StoreHealth,
    private readonly quarantine: Quarantine,
    private readonly opts: TaskRepositoryOptions = {},
  ) {
    this.ttlMs = opts.ttlMs ?? RECORD_TTL_MS;
  }

  async get(taskId: string): Promise<TaskRecord | undefined> {
    const v = await this.health.run('tasks.get', 'read', () => this.records.get(taskId) as Promise<unknown>);
    return this.#checked(taskId, v);
  }

  async getMany(taskIds: string[]): Promise<(TaskRecord | undefined)[]> {
    if (taskIds.length === 0) return [];
    const values = await this.health.run('tasks.getMany', 'read', () => this.records.get(taskIds) as Promise<unknown[]>);
    // Good records are taken as they are (not a promise each: a restart reads 10,000); the rest
    // go through #checked, which quarantines what is unreadable.
    const out: (TaskRecord | undefined)[] = [];
    const bad: Promise<void>[] = [];
    values.forEach((v, i) => {
      if (v === undefined || v === null) out.push(undefined);
      else if (!(v instanceof CorruptValue) && isTaskRecord(v)) out.push(upgraded(v));
      else {
        out.push(undefined);
        bad.push(this.#checked(taskIds[i]!, v).then(() => undefined));
      }
    });
    await Promise.all(bad);
    return out;
  }

  /** Saves the record and keeps the active and per-owner indexes in step with it. */
  async put(record: TaskRecord): Promise<void> {
    await this.health.run('tasks.put', 'write', async () => {
      // The three at once (one round trip on Redis, not three in a row): a poll pass puts hundreds of
      // records, and each put's later commands waited behind every other put's on the one connection
      // (the scale bench's burst: puts p50 0.3 s, p99 1.8 s, and each result that much later). Written in a
      // row they were no safer: a failure after the first left the same halves.
      const until = countsUntil(record);
      const indexed = record.active && this.#indexed.get(record.taskId) === until;
      await Promise.all([
        this.records.set(record.taskId, { ...record, schema: RECORD_SCHEMA } as never, this.ttlMs),
        ...(indexed ? [] : [record.active ? this.active.add(record.taskId) : this.active.remove(record.taskId), this.owners.track(record.ownerId, record.taskId, until)]),
      ]);
      if (record.active) this.#indexed.set(record.taskId, until);
      else this.#indexed.delete(record.taskId);
    });
  }

  async activeIds(): Promise<string[]> {
    return this.health.run('tasks.activeIds', 'read', () => this.active.list());
  }

  async delete(taskId: string): Promise<void> {
    this.#indexed.delete(taskId);
    await this.health.run('tasks.delete', 'write', async () => {
      await this.records.delete(taskId);
      await this.active.remove(taskId);
    });
  }

  /**
   * Every stored record of `ownerId` (of one server when `guildId` is given): a scan of every
   * record, complete whatever the owner's recent list still names. For /privacy, not a hot path.
   */
  async ownedBy(ownerId: string, guildId?: string): Promise<TaskRecord[]> {
    const out: TaskRecord[] = [];
    if (!this.opts.ids) return out;
    const mine = (r: TaskRecord | undefined): r is TaskRecord => !!r && r.ownerId === ownerId && (guildId === undefined || r.guildId === guildId);
    await this.health.run('tasks.scan', 'read', async () => {
      for await (const batch of this.opts.ids!()) {
        for (let i = 0; i < batch.length; i += SCAN_CHUNK) out.push(...(await this.getMany(batch.slice(i, i + SCAN_CHUNK))).filter(mine));
      }
    });
    return out;
  }

  /** Removes a record for good (🗑, /privacy): out of the active index, and it no longer counts for its owner. */
  async forget(record: Pick<TaskRecord, 'taskId' | 'ownerId'>): Promise<void> {
    await this.delete(record.taskId);
    await this.owners.track(record.ownerId, record.taskId, null);
  }

  async clear(): Promise<void> {
    this.#indexed.clear();
    await this.health.run('tasks.clear', 'write', async () => {
      await this.records.clear();
      await this.active.clear();
      await this.owners.clear();
    });
  }

  /** A record as read, or undefined when there is none or it is unreadable (then quarantined, out of the index). */
  async #checked(taskId: string, v: unknown): Promise<TaskRecord | undefined> {
    if (v === undefined || v === null) return undefined;
    if (!(v instanceof CorruptValue) && isTaskRecord(v)) return upgraded(v);
    this.#indexed.delete(taskId);
    await this.quarantine.hold(`tasks:${taskId}`, v instanceof CorruptValue ? v.raw : v, async () => {
      await this.records.delete(taskId);
      await this.active.remove(taskId);
    });
    return undefined;
  }
}
