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
// A record the store could not write (a full disk, Redis away) is never dropped: it stays in
// memory ("unsaved"), the task is shown and followed as usual, its buttons find it there, and its
// write is retried on every poll until the store takes it.
import { createHash } from 'node:crypto';
import type { Logger } from '../logger.ts';
import type { SubmitOutcome, Task, TaskStatus } from '../proxy/types.ts';
import { TERMINAL_STATUSES } from '../proxy/types.ts';
import { progressNumber } from '../proxy/parse.ts';
import { minimalView, renderTaskView, type MessageView, type ViewContext } from '../render/task-view.ts';
import { backendOf, type TaskRecord, type TaskRepository } from '../store/tasks.ts';
import type { Poster, PublishResult } from '../discord/poster.ts';
import type { RawFile } from 'discord.js';
import { inLane, type Lanes } from '../util/lanes.ts';
import { StoreError } from '../store/errors.ts';

/** Discord's interaction token lifetime. */
export const TOKEN_LIFETIME_MS = 15 * 60_000;
/** Polls in which the proxy did not know a task before the bot gives up on it. */
export const MAX_MISSES = 10;

export interface TrackInput {
  outcome: SubmitOutcome;
  kind: string;
  prompt: string;
  ownerId: string;
  locale: string;
  guildId: string | null;
  channelId: string;
  interactionToken: string | null;
  /** When the interaction was created (the token's lifetime counts from then). */
  interactionAt: number;
  messageId: string | null;
  parentTaskId?: string;
  label?: string;
  mode?: string;
  /** Hash of the view the reply already shows (no edit is sent for the same view). */
  shownHash?: string;
}

export interface TrackerOptions {
  tasks: TaskRepository;
  poster: Poster;
  logger: Logger;
  now: () => number;
  deadlineMs: number;
  editMinIntervalMs: number;
  applicationId: string;
  /** Called when this process starts following a task (track, revive): the poller takes its lease. */
  onActive?: (record: TaskRecord) => void;
  /** Called with the number of records waiting in memory for a write the store refused. */
  onUnsaved?: (count: number) => void;
}

/** What the tracker did, for tests and the benchmark. */
export interface TrackerStats {
  /** Updates handed to applyUpdate. */
  updates: number;
  /** Updates merged into a newer one before they ran. */
  coalesced: number;
  /** Updates older than the state already shown. */
  stale: number;
  /** Updates whose task had not changed (no render, no write). */
  unchanged: number;
  renders: number;
  /** Edits put off by EDIT_MIN_INTERVAL_MS. */
  deferred: number;
  /** Views sent to Discord (publish calls). */
  published: number;
}

/**
 * Order of task states, for dropping stale ones: a task only moves forward (trueai ranks its
 * notifications the same way, api.md §4). MODAL sits before SUBMITTED: after /submit/modal the same
 * task runs again from SUBMITTED.
 */
export function taskRank(task: Task | null): number {
  if (!task) return -1;
  switch (task.status) {
    case 'NOT_START':
      return 0;
    case 'MODAL':
      return 0.5;
    case 'SUBMITTED':
      return 1;
    case 'IN_PROGRESS':
      return 2 + (progressNumber(task.progress) ?? 0) / 1000;
    default:
      return 3;
  }
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Whether two states of a task look the same: the fields a view (or a later click) depends on.
 * Field by field, allocating nothing: at thousands of queued tasks most polls end here.
 */
export function sameTaskState(a: Task | null, b: Task | null): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  if (
    a.status !== b.status || a.progress !== b.progress || a.imageUrl !== b.imageUrl || a.videoUrl !== b.videoUrl ||
    a.failReason !== b.failReason || a.action !== b.action || a.prompt !== b.prompt || a.promptEn !== b.promptEn ||
    a.description !== b.description || !sameList(a.imageUrls, b.imageUrls) || !sameList(a.videoUrls, b.videoUrls) ||
    a.buttons.length !== b.buttons.length
  ) {
    return false;
  }
  for (let i = 0; i < a.buttons.length; i++) {
    const x = a.buttons[i];
    const y = b.buttons[i];
    if (x.customId !== y.customId || x.style !== y.style || x.label !== y.label || x.emoji !== y.emoji) return false;
  }
  const p = a.properties;
  const q = b.properties;
  return p.numberOfQueues === q.numberOfQueues && p.finalPrompt === q.finalPrompt && p.messageContent === q.messageContent;
}

/**
 * A preview link that differs from the one shown only in its query (new-api adds `?rand=<ns>` to
 * every read, CDN links get re-signed) is the same image while the progress stands still: keep the
 * shown link, so the view does not change and nothing is sent again.
 */
export function keepShownPreview(prev: Task | null, task: Task): Task {
  if (!prev?.imageUrl || !task.imageUrl || prev.imageUrl === task.imageUrl) return task;
  if (task.status === 'SUCCESS' || prev.status !== task.status || prev.progress !== task.progress) return task;
  const base = (u: string) => u.split('?')[0];
  return base(prev.imageUrl) === base(task.imageUrl) ? { ...task, imageUrl: prev.imageUrl } : task;
}

export function viewHash(view: MessageView): string {
  return createHash('sha1').update(JSON.stringify([view.content, view.embeds, view.components, view.files.map((f) => f.url)])).digest('base64url');
}

/** Fields of a record only callers (commands, buttons) change; polling never does while it is active. */
const CALLER_FIELDS = ['prompt', 'label', 'interactionToken', 'tokenExpiresAt', 'messageId'] as const satisfies readonly (keyof TaskRecord)[];

/** A stand-in task for states the bot knows before the proxy has said anything. */
export function placeholderTask(id: string, status: TaskStatus, prompt = ''): Task {
  return {
    id, action: '', status, prompt, promptEn: '', description: '', state: '', submitTime: null, startTime: null, finishTime: null,
    progress: '', imageUrl: null, imageUrls: [], videoUrl: null, videoUrls: [], failReason: null, buttons: [], properties: {},
  };
}

export class Tracker {
  readonly stats: TrackerStats = { updates: 0, coalesced: 0, stale: 0, unchanged: 0, renders: 0, deferred: 0, published: 0 };
  /** Records of the active tasks this process follows. */
  readonly #live = new Map<string, TaskRecord>();
  /** Tail of each task's lane. */
  readonly #lanes: Lanes = new Map();
  /** An update waiting in a lane: a newer one replaces its task. */
  readonly #waiting = new Map<string, { task: Task; done: Promise<void> }>();
  /** The task state whose view Discord shows (or needs no edit for). */
  readonly #shown = new Map<string, Task>();
  /** Deferred edits (EDIT_MIN_INTERVAL_MS). */
  readonly #flushes = new Map<string, NodeJS.Timeout>();
  /** Records whose last write the store refused: kept here, written again by retryUnsaved(). */
  readonly #unsaved = new Map<string, TaskRecord>();
  #stopped = false;
  /** Tasks whose final result is being downloaded and published (off the poll path), and when that ends. */
  readonly #finishing = new Map<string, Promise<void>>();
  /** The backend does not answer reads (the poller says so): shown under jobs under way. */
  #outage = false;
  /** Per backend, the customId patterns it refused as unknown (store.hidden): not offered on its jobs. */
  readonly #hidden = new Map<string, readonly string[]>();

  constructor(private readonly o: TrackerOptions) {}

  /** Buttons `backend` no longer offers: set at start from the store and when it refuses one. */
  setHiddenButtons(backend: string, patterns: readonly string[]): void {
    this.#hidden.set(backend, [...patterns]);
  }

  viewContext(record: TaskRecord): ViewContext {
    return {
      locale: record.locale,
      ownerId: record.ownerId,
      prompt: record.prompt,
      label: record.label,
      queuePosition: record.queuePosition,
      status: record.status === 'TIMEOUT' || record.status === 'LOST' ? record.status : undefined,
      pressed: record.pressed,
      hidden: this.#hidden.get(backendOf(record)) ?? [],
      deadlineMinutes: Math.round(this.o.deadlineMs / 60_000),
      outage: this.#outage,
    };
  }

  /**
   * The backend stopped (or started again) answering reads: every job under way says so (or stops
   * saying so) once; the edit goes out like any other (same view, no edit).
   */
  setOutage(down: boolean): void {
    if (this.#outage === down) return;
    this.#outage = down;
    for (const rec of [...this.#live.values()]) {
      if (!rec.active) continue;
      void this.#serial(rec.taskId, async () => {
        if (rec.active && !this.#waiting.has(rec.taskId)) await this.#show(rec, rec.task, false);
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
    return this.#unsaved.get(taskId);
  }

  /** Active tasks the store does not list yet (their write failed): the poller follows them anyway. */
  unsavedActiveIds(): string[] {
    return [...this.#unsaved.values()].filter((r) => r.active).map((r) => r.taskId);
  }

  /** Writes the records the store refused, oldest first; stops at the first failure (still down). */
  async retryUnsaved(): Promise<void> {
    for (const record of [...this.#unsaved.values()]) {
      let saved = false;
      await this.#serial(record.taskId, async () => {
        // Another write may have saved (or re-queued) it meanwhile.
        if (this.#unsaved.get(record.taskId) !== record) {
          saved = true;
          return;
        }
        saved = await this.#persist(record);
      });
      if (!saved) return;
    }
  }

  liveRecords(): IterableIterator<TaskRecord> {
    return this.#live.values();
  }

  /** Starts following an active record read from the store (after a restart or a takeover). */
  adopt(record: TaskRecord): TaskRecord {
    const cur = this.#live.get(record.taskId);
    if (cur) return cur;
    if (record.active) this.#live.set(record.taskId, record);
    return record;
  }

  /** Stops following a task without touching it (another process took it over). */
  forget(taskId: string): void {
    this.#live.delete(taskId);
    this.#shown.delete(taskId);
    this.#cancelFlush(taskId);
  }

  /**
   * Whether this state of the task would change nothing: Discord shows the same state already and
   * nothing is pending. The poller asks before handing a state over, so an unchanged task costs
   * no lane, no render and no write.
   */
  isUnchanged(record: TaskRecord, task: Task): boolean {
    const shown = this.#shown.get(record.taskId);
    return record.missCount === 0 && shown !== undefined && record.status === task.status && record.task === shown && sameTaskState(shown, keepShownPreview(shown, task)) && !this.#waiting.has(record.taskId);
  }

  /** Whether the task's final result is still being downloaded and published: the poller keeps its lease and does not poll it. */
  finishing(taskId: string): boolean {
    return this.#finishing.has(taskId);
  }

  /** Resolves when the results being published now are out (tick(), stop). */
  async resultsOut(): Promise<void> {
    while (this.#finishing.size) await Promise.allSettled([...this.#finishing.values()]);
  }

  /** Whether an edit for this task is put off (EDIT_MIN_INTERVAL_MS). */
  hasDeferredEdit(taskId: string): boolean {
    return this.#flushes.has(taskId);
  }

  /** Cancels deferred edits; running updates finish. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const t of this.#flushes.values()) clearTimeout(t);
    this.#flushes.clear();
    await Promise.allSettled([...this.#lanes.values()]);
  }

  // --- the public operations --------------------------------------------------------------

  /** Starts following a job the proxy accepted; shows its first state in the record's message. */
  async track(input: TrackInput): Promise<TaskRecord[]> {
    const now = this.o.now();
    const { outcome } = input;
    const records: TaskRecord[] = [];
    // "Imagine all" answers several ids: the first takes the reply, the rest get messages of their own.
    for (const [i, taskId] of outcome.taskIds.entries()) {
      const modal = outcome.kind === 'modal';
      const record: TaskRecord = {
        taskId,
        kind: input.kind,
        prompt: input.prompt,
        ownerId: input.ownerId,
        locale: input.locale,
        guildId: input.guildId,
        channelId: input.channelId,
        applicationId: this.o.applicationId,
        interactionToken: i === 0 ? input.interactionToken : null,
        tokenExpiresAt: input.interactionAt + TOKEN_LIFETIME_MS,
        messageId: i === 0 ? input.messageId : null,
        parentTaskId: input.parentTaskId,
        label: input.label,
        mode: input.mode,
        createdAt: now,
        deadlineAt: now + this.o.deadlineMs,
        queuePosition: outcome.kind === 'queued' ? outcome.queuePosition : null,
        status: modal ? 'MODAL' : 'NOT_START',
        active: !modal,
        viewHash: i === 0 ? (input.shownHash ?? null) : null,
        lastEditAt: 0,
        task: modal ? placeholderTask(taskId, 'MODAL', input.prompt) : null,
        pressed: [],
        missCount: 0,
        ...(modal ? { modal: { customId: '', finalPrompt: outcome.finalPrompt } } : {}),
      };
      if (record.active) this.#live.set(taskId, record);
      await this.#serial(taskId, async () => {
        await this.#persist(record);
        if (i === 0 || record.messageId === null) await this.#show(record, record.task, true);
      });
      if (record.active) this.o.onActive?.(record);
      records.push(record);
    }
    return records;
  }

  /**
   * One observed state of a tracked task. Edits Discord only when what the user sees changed,
   * at most once per `editMinIntervalMs` for progress; terminal states always go out.
   */
  applyUpdate(record: TaskRecord, task: Task): Promise<void> {
    const id = record.taskId;
    this.stats.updates++;
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

  /** The task is past its deadline: say so, offer "check again", stop polling. */
  expire(record: TaskRecord): Promise<void> {
    return this.#serial(record.taskId, async () => {
      const rec = this.#resolve(record);
      rec.status = 'TIMEOUT';
      rec.active = false;
      await this.#show(rec, rec.task, true);
    });
  }

  /** The proxy no longer knows the task. */
  lose(record: TaskRecord): Promise<void> {
    return this.#serial(record.taskId, () => this.#lose(this.#resolve(record)));
  }

  /** The proxy did not return the task in this poll. */
  miss(record: TaskRecord): Promise<void> {
    return this.#serial(record.taskId, async () => {
      const rec = this.#resolve(record);
      rec.missCount += 1;
      this.#shown.delete(rec.taskId);
      if (rec.missCount >= MAX_MISSES) await this.#lose(rec);
      else await this.#persist(rec);
    });
  }

  /** Starts following a task again ("check again", a modal submitted). */
  async revive(record: TaskRecord): Promise<void> {
    const rec = this.#resolve(record);
    await this.#serial(rec.taskId, async () => {
      rec.active = true;
      rec.status = rec.task?.status ?? 'NOT_START';
      rec.deadlineAt = this.o.now() + this.o.deadlineMs;
      rec.missCount = 0;
      this.#shown.delete(rec.taskId);
      this.#live.set(rec.taskId, rec);
      await this.#persist(rec);
    });
    this.o.onActive?.(rec);
  }

  /** Marks a pressed button green on the message it sits on. */
  markPressed(record: TaskRecord, customId: string): Promise<void> {
    return this.#serial(record.taskId, async () => {
      const rec = this.#resolve(record);
      if (rec.pressed.includes(customId) || !rec.task) return;
      rec.pressed.push(customId);
      if (rec !== record && !record.pressed.includes(customId)) record.pressed.push(customId);
      // The same rows the message shows (synthesized picks, hidden buttons), with this one green.
      const view = renderTaskView(rec.task, { ...this.viewContext(rec), media: 'attach' });
      rec.viewHash = viewHash(view);
      await this.#persist(rec);
      await this.o.poster.editComponents(rec, view.components);
    });
  }

  /**
   * Shows a task's current state in another interaction's reply (/task on a job that already has a
   * message): the same view and buttons, owned by the same record, which this leaves untouched.
   */
  async showCopy(record: TaskRecord, task: Task, at: { token: string; channelId: string; locale: string }): Promise<boolean> {
    const copy: TaskRecord = {
      ...record,
      locale: at.locale,
      channelId: at.channelId,
      interactionToken: at.token,
      tokenExpiresAt: this.o.now() + TOKEN_LIFETIME_MS,
      messageId: null,
      status: task.status,
      task,
    };
    const ctx = this.viewContext(copy);
    return (await this.#publish(copy, task, ctx, renderTaskView(task, { ...ctx, media: 'attach' }), false)).ok;
  }

  /** Renders and (if changed) publishes the record's view, then saves the record. */
  show(record: TaskRecord, task: Task | null, final: boolean): Promise<void> {
    return this.#serial(record.taskId, () => this.#show(this.#resolve(record), task, final));
  }

  // --- inside a lane ----------------------------------------------------------------------

  /** Runs `fn` after everything queued for this task; one operation per task at a time. */
  #serial(taskId: string, fn: () => Promise<void>): Promise<void> {
    return inLane(this.#lanes, taskId, fn);
  }

  /**
   * The live record when this process follows the task, else the one given (read from the store).
   * A caller that read its own copy may have changed what only callers change (where the job is
   * shown, its prompt): that goes into the live record.
   */
  #resolve(record: TaskRecord): TaskRecord {
    const live = this.#live.get(record.taskId);
    if (!live || live === record) return record;
    for (const k of CALLER_FIELDS) if (record[k] !== live[k]) (live as unknown as Record<string, unknown>)[k] = record[k];
    return live;
  }

  async #apply(record: TaskRecord, incoming: Task): Promise<void> {
    if (taskRank(incoming) < taskRank(record.task) || this.#finishing.has(record.taskId)) {
      this.stats.stale++;
      return;
    }
    const task = keepShownPreview(record.task, incoming);
    if (this.isUnchanged(record, task)) {
      this.stats.unchanged++;
      return;
    }
    const before = `${record.status}|${record.missCount}|${record.queuePosition}`;
    record.missCount = 0;
    const terminal = TERMINAL_STATUSES.has(task.status);
    record.status = task.status;
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
    await this.#show(record, task, terminal, changed);
  }

  async #lose(record: TaskRecord): Promise<void> {
    record.status = 'LOST';
    record.active = false;
    await this.#show(record, record.task, true);
  }

  async #show(record: TaskRecord, task: Task | null, final: boolean, save = true): Promise<void> {
    const id = record.taskId;
    const ctx = this.viewContext(record);
    const view = renderTaskView(task, { ...ctx, media: 'attach' });
    this.stats.renders++;
    const hash = viewHash(view);
    const now = this.o.now();
    const shownNow = () => {
      if (task && task === record.task) this.#shown.set(id, task);
    };
    if (hash === record.viewHash) {
      this.#cancelFlush(id);
      shownNow();
      if (save) await this.#save(record);
      return;
    }
    const dueAt = record.lastEditAt + this.o.editMinIntervalMs;
    if (!final && now < dueAt) {
      // Too soon after the last edit: show the newest state when the interval is over.
      this.stats.deferred++;
      this.#shown.delete(id);
      this.#deferFlush(id, dueAt - now);
      await this.#save(record);
      return;
    }
    this.#cancelFlush(id);
    if (final && save && !record.active) {
      // The final view carries buttons a user may click at once, and a click reads the store:
      // save the task first. Still active there until the edit is out, so a crash in between
      // leaves the final edit to the next process.
      await this.#persist(record, { ...record, active: true });
    }
    if (final && view.files.length) {
      // Results are downloaded and uploaded off the poll path: a job with ten slow files must not
      // hold the pass, and with it everyone else's progress. The downloads start now (bounded in
      // the poster); the publish waits for them in this task's lane, and until it is out the task
      // takes no more updates (finishing) while the poller keeps its lease.
      const files = this.o.poster.fetchFiles(view);
      // Awaited later, in the lane: a rejection before then is not unhandled.
      files.catch(() => undefined);
      const done = this.#serial(id, () => this.#publishAndSave(record, task, ctx, view, hash, final, files))
        .catch((err: unknown) => this.o.logger.error('result publish failed', { taskId: id, err }))
        .finally(() => this.#finishing.delete(id));
      this.#finishing.set(id, done);
      return;
    }
    await this.#publishAndSave(record, task, ctx, view, hash, final);
  }

  /** Publishes the view and records the outcome (`files`: downloads already under way). */
  async #publishAndSave(
    record: TaskRecord,
    task: Task | null,
    ctx: ViewContext,
    view: MessageView,
    hash: string,
    final: boolean,
    files?: Promise<RawFile[] | null>,
  ): Promise<void> {
    const id = record.taskId;
    const res = await this.#publish(record, task, ctx, view, final, files);
    if (res.ok) {
      record.viewHash = hash;
      record.lastEditAt = this.o.now();
      if (task && task === record.task) this.#shown.set(id, task);
      if (res.messageId) record.messageId = res.messageId;
    } else {
      this.#shown.delete(id);
      if (res.reason === 'gone') {
        this.o.logger.info('task message is gone; stop tracking', { taskId: id });
        record.active = false;
      } else if (final && res.reason === 'refused') {
        // Even the minimal message was refused: retrying cannot help.
        record.active = false;
      } else if (final) {
        // Discord failed for a passing reason: stay active so the next tick shows the final state.
        record.active = true;
      }
    }
    await this.#save(record);
  }

  /**
   * Puts `view` on Discord with its results attached; when they cannot be downloaded, or Discord
   * refuses their size (the server's upload limit), the same view with the results as links.
   */
  async #publish(record: TaskRecord, task: Task | null, ctx: ViewContext, view: MessageView, final: boolean, fetching?: Promise<RawFile[] | null>): Promise<PublishResult> {
    const files = view.files.length ? await (fetching ?? this.o.poster.fetchFiles(view)) : undefined;
    const asLinks = () => renderTaskView(task, { ...ctx, media: 'link' });
    this.stats.published++;
    let res = await this.o.poster.publish(record, files === null ? asLinks() : view, files ?? undefined, final);
    if (!res.ok && res.reason === 'too-large') {
      this.stats.published++;
      res = await this.o.poster.publish(record, asLinks(), undefined, final);
    }
    if (!res.ok && res.reason === 'refused' && final) {
      // Discord refused the message itself (400): the same body would be refused on every tick until
      // the deadline and the user would never see the result. The result with a plain note instead.
      this.o.logger.warn('final view refused by Discord; showing the result alone', { taskId: record.taskId });
      this.stats.published++;
      res = await this.o.poster.publish(record, minimalView(task, { ...ctx, media: files ? 'attach' : 'link' }), files ?? undefined, final);
    }
    return res;
  }

  /**
   * Writes `value` (by default the record itself). A write the store refuses keeps the record in
   * memory for retryUnsaved(); other errors are bugs and go up. Answers whether it was written.
   */
  async #persist(record: TaskRecord, value: TaskRecord = record): Promise<boolean> {
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

  /** Saves the record; a record that stopped being active leaves the live set. */
  async #save(record: TaskRecord): Promise<void> {
    await this.#persist(record);
    if (!record.active && this.#live.get(record.taskId) === record) {
      this.#live.delete(record.taskId);
      this.#shown.delete(record.taskId);
      this.#cancelFlush(record.taskId);
    } else if (record.active && !this.#live.has(record.taskId)) {
      // A final edit that failed for a passing reason keeps the task active: follow it again.
      this.#live.set(record.taskId, record);
    }
  }

  #deferFlush(taskId: string, delayMs: number): void {
    if (this.#flushes.has(taskId) || this.#stopped) return;
    const timer = setTimeout(() => {
      this.#flushes.delete(taskId);
      const rec = this.#live.get(taskId);
      if (!rec?.task || !rec.active) return;
      void this.#serial(taskId, () => this.#show(rec, rec.task, false)).catch((err: unknown) => this.o.logger.error('deferred edit failed', { err }));
    }, Math.max(1, delayMs));
    timer.unref?.();
    this.#flushes.set(taskId, timer);
  }

  #cancelFlush(taskId: string): void {
    const t = this.#flushes.get(taskId);
    if (t) clearTimeout(t);
    this.#flushes.delete(taskId);
  }
}
