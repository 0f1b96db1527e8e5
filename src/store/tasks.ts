// Tracked tasks: one record per proxy task the bot shows in Discord, plus an index of the active
// ones (read in one query or one command), so a tick never scans finished records.
import type Keyv from 'keyv';
import type { Task, TaskStatus } from '../proxy/types.ts';

/** How long a finished task's record (and so its buttons) lives. */
export const RECORD_TTL_MS = 30 * 24 * 3600_000;

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
  createdAt: number;
  deadlineAt: number;
  queuePosition: number | null;
  status: RecordStatus;
  active: boolean;
  /** Hash of the last view sent to Discord: an edit goes out only when it changes. */
  viewHash: string | null;
  lastEditAt: number;
  /** The last task object seen: its buttons route clicks after a restart. */
  task: Task | null;
  /** Proxy customIds already pressed on this message (rendered green, as Midjourney does). */
  pressed: string[];
  /** Consecutive polls in which the proxy did not know the task. */
  missCount: number;
  /** Set while the task waits in status MODAL for the user's input. */
  modal?: { customId: string; finalPrompt: string | null };
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

export class TaskRepository {
  constructor(
    private readonly records: Keyv<never>,
    private readonly active: ActiveIndex,
  ) {}

  async get(taskId: string): Promise<TaskRecord | undefined> {
    return (await this.records.get(taskId)) as TaskRecord | undefined;
  }

  async getMany(taskIds: string[]): Promise<(TaskRecord | undefined)[]> {
    if (taskIds.length === 0) return [];
    return (await this.records.get(taskIds)) as (TaskRecord | undefined)[];
  }

  /** Saves the record and keeps the active index in step with `record.active`. */
  async put(record: TaskRecord): Promise<void> {
    await this.records.set(record.taskId, record as never, RECORD_TTL_MS);
    if (record.active) await this.active.add(record.taskId);
    else await this.active.remove(record.taskId);
  }

  async activeIds(): Promise<string[]> {
    return this.active.list();
  }

  async delete(taskId: string): Promise<void> {
    await this.records.delete(taskId);
    await this.active.remove(taskId);
  }

  async clear(): Promise<void> {
    await this.records.clear();
    await this.active.clear();
  }
}
