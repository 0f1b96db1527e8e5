// The tracker's showing half: renders a record's view (with the hidden buttons and the outage
// notice it knows of) and gets it onto Discord through the publisher, inside the task's lane (the
// tracker's; `serial` runs there).
//
// A view that did not change costs no edit; a progress edit within `editMinIntervalMs` of the
// previous one is deferred to the end of that interval (deferred-edits.ts), and then shows the
// newest state. A final view with results downloads them off the poll path: until it is out the
// task is "finishing". When the results cannot be downloaded or Discord refuses their size, the
// same view goes out with links; a final view Discord refuses outright, as the result alone.
import { finishedEvent, taskEvent, type AppEvents } from '../events.ts';
import type { Logger } from '../logger.ts';
import type { Task } from '../proxy/types.ts';
import { minimalView, renderTaskView, type MessageView, type ViewContext } from '../render/task-view.ts';
import type { TaskRecord } from '../store/tasks.ts';
import type { PublishResult, ResultFile, TaskPublisher } from './publisher.ts';
import { DeferredEdits } from './deferred-edits.ts';
import type { RecordWriter } from './record-writer.ts';
import { viewHash, type ShowStats } from './lifecycle.ts';
import { viewEpoch } from './view-epoch.ts';

/** How soon a progress view held back behind final results (TaskPublisher.progressHeld) is looked at again. */
const HELD_PROGRESS_MS = 2_000;

export interface ShowingOptions {
  /** Discord, as the tracker needs it (discord/poster.ts). */
  publisher: TaskPublisher;
  writer: RecordWriter;
  logger: Logger;
  now: () => number;
  deadlineMs: number;
  editMinIntervalMs: number;
  /** The tracker's counters this half keeps (the same object as the tracker's stats). */
  stats: ShowStats;
  /** The tracker's records of the active tasks this process follows. */
  live: Map<string, TaskRecord>;
  /** The tracker's map of the task state whose view Discord shows (or needs no edit for). */
  shown: Map<string, Task>;
  /** Runs `fn` in the task's lane (the tracker's): after everything queued for it. */
  serial: (taskId: string, fn: () => Promise<void>) => Promise<void>;
  /** The lane a record's calls go to: its backend and speed (proxy/lanes.ts). */
  backendOf: (record: { mode?: string | null; backend?: string | null }) => string;
  /** Where an edit that went out and a job no longer followed are reported. */
  events?: AppEvents;
}

export class Showing {
  /** Deferred edits (EDIT_MIN_INTERVAL_MS). */
  readonly deferred: DeferredEdits;
  /** Tasks whose final result is being published (with files: downloaded, off the poll path), and when that ends. */
  readonly #finishing = new Map<string, Promise<void>>();
  /** Per record, the state saved when its progress view was last held back (TaskPublisher.progressHeld). */
  readonly #heldSaved = new WeakMap<TaskRecord, Task | null>();
  /** The backends (lanes) whose reads stopped getting answers: their jobs under way say so. */
  readonly #outage = new Set<string>();
  /** Per backend, the customId patterns it refused as unknown (store.hidden): not offered on its jobs. */
  readonly #hidden = new Map<string, readonly string[]>();
  /** Per backend, the epoch its views are rendered under now (view-epoch.ts); cleared when that changes. */
  readonly #epochs = new Map<string, string>();

  constructor(private readonly o: ShowingOptions) {
    this.deferred = new DeferredEdits({ now: o.now, run: (id) => this.#runDeferred(id) });
  }

  /** Buttons `backend` no longer offers. */
  setHiddenButtons(backend: string, patterns: readonly string[]): void {
    this.#hidden.set(backend, [...patterns]);
    this.#epochs.delete(backend);
  }

  /** `backend` stopped (`down`) or started again answering reads; answers whether that changed. */
  setOutage(backend: string, down: boolean): boolean {
    if (this.#outage.has(backend) === down) return false;
    if (down) this.#outage.add(backend);
    else this.#outage.delete(backend);
    this.#epochs.delete(backend);
    return true;
  }

  /** What the record's view is rendered under now, beyond the record itself (view-epoch.ts). */
  epochOf(record: Pick<TaskRecord, 'mode' | 'backend'>): string {
    const backend = this.o.backendOf(record);
    let epoch = this.#epochs.get(backend);
    if (epoch === undefined) this.#epochs.set(backend, (epoch = viewEpoch(Math.round(this.o.deadlineMs / 60_000), this.#hidden.get(backend) ?? [], this.#outage.has(backend))));
    return epoch;
  }

  /** The first view of a job not yet submitted: what a reply shows before the backend has said anything. */
  waitingView(who: Pick<TaskRecord, 'locale' | 'ownerId' | 'prompt'>): MessageView {
    this.o.stats.renders++;
    return renderTaskView(null, { ...this.viewContext({ ...who, queuePosition: null, status: 'NOT_START', pressed: [] }), media: 'attach' });
  }

  viewContext(record: Pick<TaskRecord, 'locale' | 'ownerId' | 'prompt' | 'label' | 'queuePosition' | 'status' | 'pressed' | 'mode'> & Partial<Pick<TaskRecord, 'guildId' | 'backend' | 'backendGone'>>): ViewContext {
    return {
      // Share needs a server (its gallery, or its channel for a private job); 🗑 is on every result of the job's own message.
      controls: { share: !!record.guildId, remove: true },
      locale: record.locale,
      ownerId: record.ownerId,
      prompt: record.prompt,
      label: record.label,
      queuePosition: record.queuePosition,
      status: record.status === 'TIMEOUT' || record.status === 'LOST' ? record.status : undefined,
      ...((record.status === 'TIMEOUT' || record.status === 'LOST') && record.backendGone ? { backendGone: record.backendGone } : {}),
      pressed: record.pressed,
      hidden: this.#hidden.get(this.o.backendOf(record)) ?? [],
      deadlineMinutes: Math.round(this.o.deadlineMs / 60_000),
      outage: this.#outage.has(this.o.backendOf(record)),
      mode: record.mode,
    };
  }

  /** Whether the task's final result is still being published (its lease is kept, it is not polled). */
  finishing(taskId: string): boolean {
    return this.#finishing.has(taskId);
  }

  /** Resolves when the results being published now are out. */
  async resultsOut(): Promise<void> {
    while (this.#finishing.size) await Promise.allSettled([...this.#finishing.values()]);
  }

  /**
   * Shows `task` in the record's message (called inside its lane) and saves the record; `save`
   * false: a change nobody sees, not written when the view is the same.
   */
  async show(record: TaskRecord, task: Task | null, final: boolean, save = true): Promise<void> {
    const id = record.taskId;
    if (!final && this.o.publisher.progressHeld?.(record)) {
      // It would wait behind final results for Discord's budget and be replaced there by a newer state:
      // not made now (a burst's thousands of progress views cost the bots the CPU their finals needed),
      // the newest state is looked at again a little later.
      this.o.stats.held++;
      this.o.shown.delete(id);
      this.deferred.defer(id, this.o.now() + HELD_PROGRESS_MS);
      // Saved once per state (the look again 2 s later finds the same one while the task does not move).
      if (save && this.#heldSaved.get(record) !== task) {
        this.#heldSaved.set(record, task);
        await this.#save(record);
      }
      return;
    }
    const ctx = this.viewContext(record);
    const view = renderTaskView(task, { ...ctx, media: 'attach' });
    this.o.stats.renders++;
    const hash = viewHash(view);
    const now = this.o.now();
    const shownNow = () => {
      if (task && task === record.task) this.o.shown.set(id, task);
    };
    if (hash === record.viewHash) {
      this.o.stats.sameView++;
      this.deferred.cancel(id);
      shownNow();
      // Written once when nothing changed but the record does not say yet that its view is current
      // (a queued task's first read): a restart then finds it so without rendering it (view-epoch.ts).
      if (save || (task === record.task && record.viewOf !== this.epochOf(record))) await this.#save(record);
      return;
    }
    const dueAt = record.lastEditAt + this.o.editMinIntervalMs;
    if (!final && now < dueAt) {
      // Too soon after the last edit: show the newest state when the interval is over.
      this.o.stats.deferred++;
      this.o.shown.delete(id);
      this.deferred.defer(id, dueAt);
      await this.#save(record);
      return;
    }
    this.deferred.cancel(id);
    // A final view makes the task "finishing" until it is out and saved: the record says inactive from
    // here on, the store still says active, and a poll pass does not wait for this (read-apply.ts
    // within). Not finishing, the pass gave the lease up meanwhile, and another process adopted the
    // task from the store and showed its result a second time.
    // (Each publish ends only its own entry: a second final of the task, an expiry say, has its own.)
    let ended: (() => void) | null = null;
    let mine: Promise<void> | null = null;
    if (final && !record.active && !this.#finishing.has(id)) this.#finishing.set(id, (mine = new Promise<void>((resolve) => (ended = resolve))));
    const endMine = (p: Promise<void> | null) => {
      if (p && this.#finishing.get(id) === p) this.#finishing.delete(id);
    };
    try {
      if (final && save && !record.active) {
        // The final view carries buttons a user may click at once, and a click reads the store:
        // save the task first. Still active there until the edit is out, so a crash in between
        // leaves the final edit to the next process.
        await this.o.writer.write(record, { ...record, active: true });
      }
      if (final && view.files.length) {
        // Results are downloaded and uploaded off the poll path: a job with ten slow files must not
        // hold the pass, and with it everyone else's progress. The downloads start now (bounded in
        // the poster); the publish waits for them in this task's lane, and until it is out the task
        // takes no more updates (finishing) while the poller keeps its lease.
        // Once the channel queue has room for it (a burst of results past their tokens), made as it goes.
        const room = this.o.publisher.roomForFinal?.(record);
        const files = room ? room.then(() => this.o.publisher.fetchFiles(view)) : this.o.publisher.fetchFiles(view);
        // Awaited later, in the lane: a rejection before then is not unhandled.
        files.catch(() => undefined);
        const release = ended as (() => void) | null;
        const before = mine;
        ended = null; // the publish in the lane ends the finishing now
        const done: Promise<void> = this.o.serial(id, () => this.#publishAndSave(record, task, ctx, view, hash, final, files))
          .catch((err: unknown) => this.o.logger.error('result publish failed', { taskId: id, err }))
          .finally(() => {
            endMine(done);
            release?.();
          });
        // In place of this call's own entry, or of none; another publish's entry is left to it.
        if (!this.#finishing.has(id) || this.#finishing.get(id) === before) this.#finishing.set(id, done);
        return;
      }
      await this.#publishAndSave(record, task, ctx, view, hash, final);
    } finally {
      if (ended) {
        endMine(mine);
        (ended as () => void)();
      }
    }
  }

  /**
   * Shows `task` in another interaction's reply (`at`) through a copy of the record: the same view
   * and buttons; the record itself is left untouched. Answers whether it went out.
   */
  async copy(record: TaskRecord, task: Task, at: { token: string; channelId: string; locale: string }): Promise<boolean> {
    const copy: TaskRecord = {
      ...record,
      locale: at.locale,
      channelId: at.channelId,
      interactionToken: at.token,
      tokenExpiresAt: this.o.now() + this.o.publisher.tokenLifetimeMs,
      messageId: null,
      status: task.status,
      task,
    };
    // A copy is not the job's message: 🗑 (which removes the job's message) stays there.
    const ctx: ViewContext = { ...this.viewContext(copy), controls: { share: !!copy.guildId, remove: false } };
    return (await this.#publish(copy, task, ctx, renderTaskView(task, { ...ctx, media: 'attach' }), false)).ok;
  }

  /** Edits only the message's buttons (one was pressed): the record's new view hash is saved first. */
  async buttons(record: TaskRecord, task: Task): Promise<void> {
    // The same rows the message shows (synthesized picks, hidden buttons), with the pressed ones green.
    const view = renderTaskView(task, { ...this.viewContext(record), media: 'attach' });
    record.viewHash = viewHash(view);
    await this.o.writer.write(record);
    await this.o.publisher.editComponents(record, view.components);
  }

  /** Publishes the view and records the outcome (`files`: downloads already under way). */
  async #publishAndSave(
    record: TaskRecord,
    task: Task | null,
    ctx: ViewContext,
    view: MessageView,
    hash: string,
    final: boolean,
    files?: Promise<ResultFile[] | null>,
  ): Promise<void> {
    const id = record.taskId;
    const res = await this.#publish(record, task, ctx, view, final, files);
    if (res.ok) {
      record.viewHash = hash;
      record.lastEditAt = this.o.now();
      if (task && task === record.task) this.o.shown.set(id, task);
      if (res.messageId) record.messageId = res.messageId;
      this.o.events?.report('edited', { ...taskEvent(record, this.o.backendOf(record)), final });
    } else {
      this.o.shown.delete(id);
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
  async #publish(record: TaskRecord, task: Task | null, ctx: ViewContext, view: MessageView, final: boolean, fetching?: Promise<ResultFile[] | null>): Promise<PublishResult> {
    const files = view.files.length ? await (fetching ?? this.o.publisher.fetchFiles(view)) : undefined;
    const asLinks = () => renderTaskView(task, { ...ctx, media: 'link' });
    this.o.stats.published++;
    let res = await this.o.publisher.publish(record, files === null ? asLinks() : view, files ?? undefined, final);
    if (!res.ok && res.reason === 'too-large') {
      this.o.stats.published++;
      res = await this.o.publisher.publish(record, asLinks(), undefined, final);
    }
    if (!res.ok && res.reason === 'refused' && final) {
      // Discord refused the message itself (400): the same body would be refused on every tick until
      // the deadline and the user would never see the result. The result with a plain note instead.
      this.o.logger.warn('final view refused by Discord; showing the result alone', { taskId: record.taskId });
      this.o.stats.published++;
      res = await this.o.publisher.publish(record, minimalView(task, { ...ctx, media: files ? 'attach' : 'link' }), files ?? undefined, final);
    }
    return res;
  }

  /** Saves the record; a record that stopped being active leaves the live set. */
  async #save(record: TaskRecord): Promise<void> {
    await this.o.writer.write(record);
    const { live } = this.o;
    if (!record.active && live.get(record.taskId) === record) {
      live.delete(record.taskId);
      this.o.shown.delete(record.taskId);
      this.deferred.cancel(record.taskId);
      this.o.events?.report('finished', finishedEvent(record, this.o.backendOf(record)));
    } else if (record.active && !live.has(record.taskId)) {
      // A final edit that failed for a passing reason keeps the task active: follow it again.
      live.set(record.taskId, record);
    }
  }

  /** A deferred edit is due: the newest state of the task, if it is still followed. */
  #runDeferred(taskId: string): void {
    const rec = this.o.live.get(taskId);
    if (!rec?.task || !rec.active) return;
    void this.o.serial(taskId, () => this.show(rec, rec.task, false)).catch((err: unknown) => this.o.logger.error('deferred edit failed', { err }));
  }
}
