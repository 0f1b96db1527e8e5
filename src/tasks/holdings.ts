// The tasks this process holds: with several processes each active task is polled by exactly one,
// the one holding its lease (SET NX PX, LEASE_TTL_MS). The active index is read and the leases
// taken or renewed together; a task another process took over is let go, a task that settled gives
// its lease up, and records not in memory yet (a restart, a takeover) are adopted from the store.
import type { Logger } from '../logger.ts';
import type { LeaseRepository } from '../store/leases.ts';
import { byAge, type TaskRecord, type TaskRepository } from '../store/tasks.ts';
import type { Tracker } from './tracker.ts';

/** Records read from the store per query when adopting tasks. */
const ADOPT_CHUNK = 500;

export interface HoldingsOptions {
  tasks: TaskRepository;
  leases: LeaseRepository;
  tracker: Tracker;
  logger: Logger;
  leaseTtlMs: number;
  /** A task left this process's hands: whatever the poller keeps about it goes too. */
  onDrop: (taskId: string) => void;
}

export class Holdings {
  #held = new Set<string>();
  /** While claimAndLoad reads the index and claims: the tasks this process started following meanwhile. */
  #joined: Set<string> | null = null;
  /** The part of the active tasks this process held at the last reading of the index (1 before the first). */
  #part = 1;

  constructor(private readonly o: HoldingsOptions) {}

  has(taskId: string): boolean {
    return this.#held.has(taskId);
  }

  get size(): number {
    return this.#held.size;
  }

  /**
   * The part of all active tasks (every process's) this one holds, as of the last reading of the
   * index: 1 with one process.
   */
  get part(): number {
    return this.#part;
  }

  ids(): IterableIterator<string> {
    return this.#held.values();
  }

  /** Takes the lease of a task this process just started following; false when another holds it. */
  async claim(taskId: string): Promise<boolean> {
    const held = await this.o.leases.claim([taskId], this.o.leaseTtlMs);
    if (!held.has(taskId)) return false;
    this.#held.add(taskId);
    this.#joined?.add(taskId);
    return true;
  }

  /** Lists the active tasks, takes or renews their leases, and returns the live records held. */
  async claimAndLoad(): Promise<TaskRecord[]> {
    // Tasks followed while this reads the index and claims (a job just submitted) are not in
    // what it read: they stay held, not taken for settled.
    const joined = (this.#joined = new Set<string>());
    let ids: string[], held: Set<string>;
    try {
      const listed = await this.o.tasks.activeIds();
      // Active tasks whose write the store refused are not listed, and are followed all the same.
      const unsaved = this.o.tracker.unsavedActiveIds();
      const listedSet = unsaved.length ? new Set(listed) : null;
      const unlisted = unsaved.filter((id) => !listedSet!.has(id));
      ids = unlisted.length ? [...listed, ...unlisted].sort(byAge) : listed;
      held = ids.length ? await this.o.leases.claim(ids, this.o.leaseTtlMs) : new Set<string>();
    } finally {
      this.#joined = null;
    }
    for (const id of joined) if (this.#held.has(id)) held.add(id);
    // Those held before and not now: settled (no longer listed), or taken over by another process.
    // Thousands held, nearly all still: no copies of the sets, the index as a set only when needed.
    let active: Set<string> | null = null;
    const done: string[] = [];
    for (const id of this.#held) {
      if (held.has(id)) continue;
      active ??= new Set(ids);
      if (!active.has(id)) done.push(id);
      else {
        // Another process holds it now (this one stalled past the lease): let go.
        this.o.tracker.forget(id);
        this.#drop(id);
      }
    }
    for (const id of done) this.#drop(id);
    this.#held = held;
    if (done.length) await this.o.leases.release(done).catch((err: unknown) => this.o.logger.warn('lease release failed', { err }));

    const records: TaskRecord[] = [];
    const missing: string[] = [];
    let heldListed = 0;
    for (const id of ids) {
      if (!held.has(id)) continue;
      heldListed++;
      const live = this.o.tracker.live(id);
      // A task whose result is being published stays held (its lease renewed) but is not polled.
      if (live) {
        if (live.active || !this.o.tracker.finishing(id)) records.push(live);
      } else missing.push(id);
    }
    this.#part = ids.length ? heldListed / ids.length : 1;
    // Records not yet in memory (a restart, a takeover): read in slices, so that adopting
    // thousands at once neither blocks the event loop nor allocates them all in one go.
    for (let i = 0; i < missing.length; i += ADOPT_CHUNK) {
      if (i > 0) await new Promise((r) => setImmediate(r));
      const loaded = await this.o.tasks.getMany(missing.slice(i, i + ADOPT_CHUNK));
      for (const r of loaded) if (r?.active) records.push(this.o.tracker.adopt(r));
    }
    return records;
  }

  /**
   * Renews the leases held, while a pass runs longer than a third of a lease (thousands of tasks at a
   * slow backend, a Discord that makes the edits wait): without it they would lapse mid-pass and another
   * process would take the tasks over and show them too. Any lost meanwhile are let go at the next pass.
   */
  async renew(): Promise<void> {
    if (this.#held.size) await this.o.leases.claim([...this.#held], this.o.leaseTtlMs);
  }

  /** The live records of the tasks held, without reading the store. */
  heldRecords(): TaskRecord[] {
    const out: TaskRecord[] = [];
    const gone: string[] = [];
    for (const id of this.#held) {
      const r = this.o.tracker.live(id);
      if (r?.active) out.push(r);
      else if (!this.#keeps(id)) gone.push(id);
    }
    for (const id of gone) this.#drop(id);
    this.#release(gone);
    return out;
  }

  /** After a pass: tasks that settled give up their lease (those whose result is being published keep it). */
  settle(records: TaskRecord[]): void {
    const settled = records.filter((r) => !r.active && !this.#keeps(r.taskId)).map((r) => r.taskId);
    for (const id of settled) this.#drop(id);
    this.#release(settled);
  }

  /**
   * Stops holding anything; `release: false` leaves the leases to expire (what a crash does). A task
   * whose result is still on its way (or whose last write the store refused) keeps its lease until it
   * expires either way: the store says active until the result is out, and another process taking it
   * over at once would show the result a second time.
   */
  async close(release: boolean): Promise<void> {
    const ids = [...this.#held].filter((id) => !this.#keeps(id));
    if (release && ids.length) {
      await this.o.leases.release(ids).catch((err: unknown) => this.o.logger.warn('lease release failed', { err }));
    }
    this.#held.clear();
  }

  /**
   * A settled task whose lease is kept all the same: its result is still being published (the store
   * says active until it is out), or the store refused its last write (it still says active there).
   */
  #keeps(id: string): boolean {
    return this.o.tracker.finishing(id) || this.o.tracker.unsaved(id) !== undefined;
  }

  #drop(id: string): void {
    this.#held.delete(id);
    this.o.onDrop(id);
  }

  #release(ids: string[]): void {
    if (ids.length) void this.o.leases.release(ids).catch((err: unknown) => this.o.logger.warn('lease release failed', { err }));
  }
}
