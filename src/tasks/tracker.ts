// The tracker owns the life of a tracked task: it creates the record when a job is accepted, and
// `applyUpdate` turns each observed task state (from the poller or a notifyHook hint) into at
// most one Discord edit per visible state, then stops on a terminal status or the deadline.
//
// Edit discipline, per task: updates run one at a time (a lane), and an update that arrives while
// another waits replaces it, so a burst collapses into its newest state; a state older than the
// one shown (a slow poll answered after a push) is dropped; a task whose state did not change
// costs no render, no hash and no store write; a progress edit within EDIT_MIN_INTERVAL_MS of the
// previous one is deferred to the end of that interval, and then shows the newest state.
//
// The records of the active tasks this process follows stay in memory ("live"): the poller hands
// them back on every tick without reading the store, and a push and a poll of the same task work
// on the same object.
//
// Records are written through record-writer.ts (a write the store refuses is kept and retried);
// views are rendered, deferred and published by show.ts, inside the tracker's lanes.
import type { Task } from '../proxy/types.ts';
import { TERMINAL_STATUSES } from '../proxy/types.ts';
import type { MessageView, ViewContext } from '../render/task-view.ts';
import { hasEnded, type TaskRecord } from '../store/tasks.ts';
import type { TaskPublisher } from './publisher.ts';
import { inLane, type Lanes } from '../util/lanes.ts';
import { RecordWriter } from './record-writer.ts';
import { Showing } from './show.ts';
import { endJob, keepShownPreview, MAX_MISSES, newRecord, placeholderTask, sameTaskState, taskRank, type TrackerStats, type TrackInput } from './lifecycle.ts';
import type { TrackerOptions } from './tracker-options.ts';

export type { TrackerOptions } from './tracker-options.ts';

export class Tracker {
  readonly stats: TrackerStats = { updates: 0, coalesced: 0, stale: 0, unchanged: 0, renders: 0, deferred: 0, published: 0, sameView: 0, held: 0 };
  /** Records of the active tasks this process follows. */
  readonly #live = new Map<string, TaskRecord>();
  /** Tail of each task's lane. */
  readonly #lanes: Lanes = new Map();
  /** An update waiting in a lane: a newer one replaces its task. */
  readonly #waiting = new Map<string, { task: Task; done: Promise<void> }>();
  /** The task state whose view Discord shows (or needs no edit for). */
  readonly #shown = new Map<string, Task>();
  readonly #writer: RecordWriter;
  /** Renders, defers and publishes the views (show.ts). */
  readonly #showing: Showing;

  constructor(private readonly o: TrackerOptions) {
    this.#writer = new RecordWriter({ tasks: o.tasks, logger: o.logger, onUnsaved: o.onUnsaved, stamp: (record, value) => this.#stamp(record, value) });
    this.#showing = new Showing({
      publisher: o.poster, writer: this.#writer, logger: o.logger, now: o.now, deadlineMs: o.deadlineMs, editMinIntervalMs: o.editMinIntervalMs,
      stats: this.stats, live: this.#live, shown: this.#shown, serial: (taskId, fn) => this.#serial(taskId, fn), backendOf: o.backendOf, events: o.events,
    });
  }

  /** Buttons `backend` no longer offers: set at start from the store and when it refuses one. */
  setHiddenButtons(backend: string, patterns: readonly string[]): void {
    this.#showing.setHiddenButtons(backend, patterns);
  }

  /** The first answer's view while the job is submitted; handed back to track() as `shown`, it is not sent again. */
  waitingView(who: Pick<TaskRecord, 'locale' | 'ownerId' | 'prompt'>): MessageView {
    return this.#showing.waitingView(who);
  }

  /** What a record's view is rendered with. */
  viewContext(record: TaskRecord): ViewContext {
    return this.#showing.viewContext(record);
  }

  /** `backend` stopped (or started again) answering reads: every job under way there says so (or stops saying so) once. */
  setOutage(backend: string, down: boolean): void {
    if (!this.#showing.setOutage(backend, down)) return;
    for (const rec of [...this.#live.values()]) {
      if (!rec.active || this.o.backendOf(rec) !== backend) continue;
      void this.#serial(rec.taskId, async () => {
        if (rec.active && !this.#waiting.has(rec.taskId)) await this.#showing.show(rec, rec.task, false);
      }).catch((err: unknown) => this.o.logger.error('outage notice failed', { taskId: rec.taskId, err }));
    }
  }

  // --- live records (the poller's view of what this process follows) ----------------------

  /** The live record of a task, if this process follows it. */
  live(taskId: string): TaskRecord | undefined {
    return this.#live.get(taskId);
  }

  get liveCount(): number {
    return this.#live.size;
  }

  /** The newest record of a task whose write the store refused (buttons read it from here meanwhile). */
  unsaved(taskId: string): TaskRecord | undefined {
    return this.#writer.unsaved(taskId);
  }

  /** Active tasks the store does not list yet (their write failed): the poller follows them anyway. */
  unsavedActiveIds(): string[] {
    return this.#writer.waiting().filter((r) => r.active).map((r) => r.taskId);
  }

  /** Writes the records the store refused, oldest first; stops at the first failure (still down). */
  retryUnsaved(): Promise<void> {
    return this.#writer.retry((taskId, fn) => this.#serial(taskId, fn));
  }

  liveRecords(): IterableIterator<TaskRecord> {
    return this.#live.values();
  }

  /** Starts following an active record read from the store (after a restart or a takeover). */
  adopt(record: TaskRecord): TaskRecord {
    const cur = this.#live.get(record.taskId);
    if (cur) return cur;
    if (record.active) {
      this.#live.set(record.taskId, record);
      // Written while Discord showed the view of its task, under what views are rendered with here:
      // shown (its first read, unchanged, costs no render).
      if (record.task && record.viewOf !== undefined && record.viewOf === this.#showing.epochOf(record)) this.#shown.set(record.taskId, record.task);
    }
    return record;
  }

  /** Stops following a task without touching it (another process took it over). */
  forget(taskId: string): void {
    this.#live.delete(taskId);
    this.#shown.delete(taskId);
    this.#showing.deferred.cancel(taskId);
  }

  /** Whether this state would change nothing (shown already, nothing pending): the poller asks, so it costs no lane, render or write. */
  isUnchanged(record: TaskRecord, task: Task): boolean {
    const shown = this.#shown.get(record.taskId);
    return record.missCount === 0 && shown !== undefined && record.status === task.status && record.task === shown && sameTaskState(shown, keepShownPreview(shown, task)) && !this.#waiting.has(record.taskId);
  }

  /** Whether the task's final result is still being downloaded and published: the poller keeps its lease and does not poll it. */
  finishing(taskId: string): boolean {
    return this.#showing.finishing(taskId);
  }

  /** Resolves when the results being published now are out (tick(), stop). */
  resultsOut(): Promise<void> {
    return this.#showing.resultsOut();
  }

  /** Runs the deferred edits that are due by the injected clock (a test that moves its clock). */
  runDeferredEdits(): number {
    return this.#showing.deferred.runDue();
  }

  /** Cancels deferred edits; running updates finish. */
  async stop(): Promise<void> {
    this.#showing.deferred.stop();
    await Promise.allSettled([...this.#lanes.values()]);
  }

  // --- the public operations --------------------------------------------------------------

  /** Starts following a job the proxy accepted; shows its first state in the record's message. */
  async track(input: TrackInput): Promise<TaskRecord[]> {
    const now = this.o.now();
    const records: TaskRecord[] = [];
    // "Imagine all" answers several ids: the first takes the reply, the rest get messages of their own.
    for (const [i, taskId] of input.outcome.taskIds.entries()) {
      const record = newRecord(input, i, now, this.o.deadlineMs, this.o.applicationId, this.o.poster.tokenLifetimeMs);
      if (record.active) this.#live.set(taskId, record);
      this.o.jobs?.started(record);
      await this.#serial(taskId, async () => {
        await this.#writer.write(record);
        // The reply shows the waiting view already: only news (a queue position, a remix editor) is shown.
        if (i === 0 && input.shown && !record.task && record.queuePosition === null) return;
        if (i === 0 || record.messageId === null) await this.#showing.show(record, record.task, true);
      });
      if (record.active) this.o.onActive?.(record, false);
      records.push(record);
    }
    const first = records[0];
    if (input.first && first?.active) await this.applyUpdate(first, input.first);
    return records;
  }

  /**
   * One observed state of a tracked task. Edits Discord only when what the user sees changed,
   * at most once per `editMinIntervalMs` for progress; terminal states always go out.
   */
  applyUpdate(record: TaskRecord, task: Task): Promise<void> {
    const id = record.taskId;
    this.stats.updates++;
    this.o.poster.supersede?.(id, TERMINAL_STATUSES.has(task.status), record); // a progress edit still waiting for the budget is older: dropped
    const waiting = this.#waiting.get(id);
    if (waiting) {
      // Not started yet: this newer state replaces the waiting one (unless it is older).
      this.stats.coalesced++;
      if (taskRank(task) >= taskRank(waiting.task)) waiting.task = task;
      return waiting.done;
    }
    const entry = { task, done: Promise.resolve() };
    this.#waiting.set(id, entry);
    entry.done = this.#serial(id, () => {
      this.#waiting.delete(id);
      return this.#apply(this.#resolve(record), entry.task);
    });
    return entry.done;
  }

  /** Past its deadline, or its backend `gone` (no longer configured: LOST; not answering: TIMEOUT): say so, stop polling. */
  expire(record: TaskRecord, gone: 'removed' | 'unreachable' | null = null): Promise<void> {
    return this.#serial(record.taskId, async () => {
      const rec = this.#resolve(record);
      // Ended meanwhile (an update ahead of this in the lane applied its final state): nothing to expire,
      // and a second final view would race the first one's publish.
      if (!rec.active || this.#showing.finishing(rec.taskId)) return;
      if (gone) rec.backendGone = gone; else delete rec.backendGone;
      endJob(rec, gone === 'removed' ? 'LOST' : 'TIMEOUT', this.o.jobs);
      await this.#showing.show(rec, rec.task, true);
    });
  }

  /** The proxy no longer knows the task ("Check again" asked). */
  lose(taskId: string): Promise<void> {
    return this.#serial(taskId, async () => {
      const rec = await this.#find(taskId);
      if (rec) await this.#lose(rec);
    });
  }

  /** The proxy did not return the task in this poll. */
  miss(record: TaskRecord): Promise<void> {
    return this.#serial(record.taskId, async () => {
      const rec = this.#resolve(record);
      rec.missCount += 1;
      this.#shown.delete(rec.taskId);
      if (rec.missCount >= MAX_MISSES) await this.#lose(rec);
      else await this.#writer.write(rec);
    });
  }

  /**
   * "Check again": the job's updates go to the clicked message, through that click's token, and it
   * is followed again with a new deadline.
   */
  async retarget(taskId: string, target: { token: string; messageId: string }): Promise<void> {
    await this.#revive(taskId, (rec) => {
      rec.interactionToken = target.token;
      rec.tokenExpiresAt = this.o.now() + this.o.poster.tokenLifetimeMs;
      rec.messageId = target.messageId;
    });
  }

  /**
   * The remix editor was submitted: the task runs again from the start with this prompt, shown in
   * the same message through the submit's token.
   */
  async resubmit(taskId: string, input: { prompt: string; token: string }): Promise<void> {
    const rec = await this.#revive(taskId, (r) => {
      r.interactionToken = input.token;
      r.tokenExpiresAt = this.o.now() + this.o.poster.tokenLifetimeMs;
      r.prompt = input.prompt;
      r.modal = undefined;
      // It runs again from the start: the status below comes from here (NOT_START).
      r.task = null;
    });
    if (rec) await this.#serial(taskId, () => this.#showing.show(this.#resolve(rec), null, false));
  }

  /** A state of the task read outside the poll ("Check again"). */
  async update(taskId: string, task: Task): Promise<void> {
    const rec = await this.#find(taskId);
    if (rec) await this.applyUpdate(this.#resolve(rec), task);
  }

  /** Follows a task again from a caller's intent: `change` edits the record, inside its lane. */
  async #revive(taskId: string, change: (record: TaskRecord) => void): Promise<TaskRecord | undefined> {
    let rec: TaskRecord | undefined;
    await this.#serial(taskId, async () => {
      rec = await this.#find(taskId);
      if (!rec) return;
      change(rec);
      rec.active = true;
      rec.status = rec.task?.status ?? 'NOT_START';
      rec.deadlineAt = this.o.now() + this.o.deadlineMs;
      rec.missCount = 0;
      this.#shown.delete(taskId);
      this.#live.set(taskId, rec);
      await this.#writer.write(rec);
    });
    if (rec) this.o.onActive?.(rec, true);
    return rec;
  }

  /** ❌ worked at the backend: the job ends now as cancelled, so it stops counting and is no longer polled. */
  cancelled(taskId: string): Promise<void> {
    return this.#serial(taskId, async () => {
      const rec = await this.#find(taskId);
      if (!rec || hasEnded(rec.status) || rec.status === 'MODAL') return;
      const task = rec.task ?? placeholderTask(taskId, 'CANCEL', rec.prompt);
      await this.#apply(this.#resolve(rec), { ...task, status: 'CANCEL', progress: '', imageUrl: null, failReason: null });
    });
  }

  /**
   * Runs `fn` on the task's newest record inside its lane, after everything queued for it: one at a
   * time per task (a second Share waits for the first and finds it done); `save` writes the record.
   */
  async withRecord<T>(taskId: string, fn: (record: TaskRecord | undefined, save: (r: TaskRecord) => Promise<void>) => Promise<T>): Promise<T> {
    let out!: T;
    await this.#serial(taskId, async () => void (out = await fn(await this.#find(taskId), async (r) => void (await this.#writer.write(r)))));
    return out;
  }

  /** The publisher the tracker shows jobs through (Share posts with it). */
  get publisher(): TaskPublisher {
    return this.o.poster;
  }

  /**
   * Marks a pressed button green on the message it sits on; without one, shows the job's buttons
   * again as the backend now offers them (one it turned out not to have is gone).
   */
  markPressed(taskId: string, customId?: string): Promise<void> {
    return this.#serial(taskId, async () => {
      const rec = await this.#find(taskId);
      if (!rec?.task || (customId !== undefined && rec.pressed.includes(customId))) return;
      if (customId !== undefined) rec.pressed.push(customId);
      await this.#showing.buttons(rec, rec.task);
    });
  }

  /**
   * Shows a task's current state in another interaction's reply (/task on a job that already has a
   * message): the same view and buttons, owned by the same record, which this leaves untouched.
   */
  async showCopy(taskId: string, task: Task, at: { token: string; channelId: string; locale: string }): Promise<boolean> {
    const record = await this.#find(taskId);
    return record ? this.#showing.copy(record, task, at) : false;
  }

  // --- inside a lane ----------------------------------------------------------------------

  /** Runs `fn` after everything queued for this task; one operation per task at a time. */
  #serial(taskId: string, fn: () => Promise<void>): Promise<void> {
    return inLane(this.#lanes, taskId, fn);
  }

  /** The live record when this process follows the task, else the one given (adopted, or a test's). */
  #resolve(record: TaskRecord): TaskRecord {
    return this.#live.get(record.taskId) ?? record;
  }

  /** The newest record of a task: followed here, waiting for the store, or read from it. */
  async #find(taskId: string): Promise<TaskRecord | undefined> {
    return this.#live.get(taskId) ?? this.#writer.unsaved(taskId) ?? (await this.o.tasks.get(taskId)) ?? undefined;
  }

  async #apply(record: TaskRecord, incoming: Task): Promise<void> {
    // A cancelled job stays cancelled: a late read may still say IN_PROGRESS, or FAILURE "取消任务".
    if (record.status === 'CANCEL') incoming = { ...incoming, status: 'CANCEL' };
    if (taskRank(incoming) < taskRank(record.task) || this.#showing.finishing(record.taskId)) {
      this.stats.stale++;
      return;
    }
    // A state that looks the same as the record's (sameTaskState: what the view depends on) keeps
    // the record's task, as a poll that finds nothing new does: after a restart the first read of
    // every task lands here (nothing shown yet in this process), and the copy it brought would
    // replace 10,000 long-lived objects with new ones for nothing.
    const read = keepShownPreview(record.task, incoming);
    const task = record.task && sameTaskState(record.task, read) ? record.task : read;
    if (this.isUnchanged(record, task)) {
      this.stats.unchanged++;
      return;
    }
    const before = `${record.status}|${record.missCount}|${record.queuePosition}`;
    record.missCount = 0;
    const terminal = TERMINAL_STATUSES.has(task.status);
    if (hasEnded(task.status)) endJob(record, task.status, this.o.jobs);
    else record.status = task.status;
    if (task.status !== 'NOT_START') record.queuePosition = null;
    if (task.properties.numberOfQueues !== undefined && task.status === 'NOT_START') record.queuePosition = task.properties.numberOfQueues;
    record.task = task;
    if (terminal) {
      record.active = false;
      if (task.status === 'MODAL') record.modal = { customId: '', finalPrompt: task.properties.finalPrompt ?? record.modal?.finalPrompt ?? null };
    }
    // A change nobody sees (a queued task's first read, a field the view ignores) is not worth a
    // store write unless what the record says about the task changed too.
    const changed = terminal || before !== `${record.status}|${record.missCount}|${record.queuePosition}`;
    await this.#showing.show(record, task, terminal, changed);
  }

  /** What a written record says about its view: current (the epoch) only while Discord shows the view of its task. */
  #stamp(record: TaskRecord, value: TaskRecord): void {
    const shown = this.#shown.get(record.taskId);
    value.viewOf = shown !== undefined && shown === record.task && value.task === shown ? this.#showing.epochOf(record) : undefined;
  }

  async #lose(record: TaskRecord): Promise<void> {
    endJob(record, 'LOST', this.o.jobs);
    await this.#showing.show(record, record.task, true);
  }
}
