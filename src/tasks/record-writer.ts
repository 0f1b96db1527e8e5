// Writes task records. A record the store could not write (a full disk, Redis away) is never
// dropped: it stays here ("unsaved"), the task is shown and followed as usual, its buttons find it
// here, and the tracker writes it again on every poll until the store takes it.
import type { Logger } from '../logger.ts';
import { StoreError } from '../store/errors.ts';
import type { TaskRecord, TaskRepository } from '../store/tasks.ts';

export interface RecordWriterOptions {
  tasks: TaskRepository;
  logger: Logger;
  /** Called with the number of records waiting in memory for a write the store refused. */
  onUnsaved?: (count: number) => void;
  /** Called before each write: sets what the value says about its view (`viewOf`), from what the tracker knows of `record`. */
  stamp?: (record: TaskRecord, value: TaskRecord) => void;
}

export class RecordWriter {
  /** Records whose last write the store refused: the newest state of each. */
  readonly #unsaved = new Map<string, TaskRecord>();
  /** The retry under way. */
  #retrying: Promise<void> | null = null;

  constructor(private readonly o: RecordWriterOptions) {}

  /** The newest record of a task whose write the store refused. */
  unsaved(taskId: string): TaskRecord | undefined {
    return this.#unsaved.get(taskId);
  }

  /** The records waiting, oldest first. */
  waiting(): TaskRecord[] {
    return [...this.#unsaved.values()];
  }

  /**
   * Writes `value` (by default the record itself). A write the store refuses keeps the record in
   * memory; other errors are bugs and go up. Answers whether it was written.
   */
  async write(record: TaskRecord, value: TaskRecord = record): Promise<boolean> {
    this.o.stamp?.(record, value);
    try {
      await this.o.tasks.put(value);
    } catch (err) {
      if (!(err instanceof StoreError)) throw err;
      if (!this.#unsaved.has(record.taskId)) this.o.logger.warn('task record kept in memory until the store takes it', { taskId: record.taskId });
      this.#unsaved.set(record.taskId, record);
      this.o.onUnsaved?.(this.#unsaved.size);
      return false;
    }
    // A copy (the pre-final write) is not the record's newest state: it stays queued if it was.
    if (value === record && this.#unsaved.delete(record.taskId)) this.o.onUnsaved?.(this.#unsaved.size);
    return true;
  }

  /**
   * Writes the records the store refused, oldest first, each inside its task's lane (`serial`);
   * stops at the first failure (the store is still down). One at a time: a call while one is under
   * way answers that one.
   */
  retry(serial: (taskId: string, fn: () => Promise<void>) => Promise<void>): Promise<void> {
    this.#retrying ??= this.#retry(serial).finally(() => (this.#retrying = null));
    return this.#retrying;
  }

  async #retry(serial: (taskId: string, fn: () => Promise<void>) => Promise<void>): Promise<void> {
    for (const record of this.waiting()) {
      let saved = false;
      await serial(record.taskId, async () => {
        // Another write may have saved (or re-queued) it meanwhile.
        saved = this.#unsaved.get(record.taskId) !== record || (await this.write(record));
      });
      if (!saved) return;
    }
  }
}
