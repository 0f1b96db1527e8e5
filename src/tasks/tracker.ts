// The tracker owns the life of a tracked task: it creates the record when a job is accepted, and
// `applyUpdate` turns each observed task state (from the poller or a notifyHook hint) into at
// most one Discord edit per visible state, then stops on a terminal status or the deadline.
import { createHash } from 'node:crypto';
import type { Logger } from '../logger.ts';
import type { SubmitOutcome, Task, TaskStatus } from '../proxy/types.ts';
import { TERMINAL_STATUSES } from '../proxy/types.ts';
import { renderTaskView, type MessageView, type ViewContext } from '../render/task-view.ts';
import { buttonRows } from '../render/buttons.ts';
import type { TaskRecord, TaskRepository } from '../store/tasks.ts';
import type { Poster } from '../discord/poster.ts';

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
}

export function viewHash(view: MessageView): string {
  return createHash('sha1').update(JSON.stringify([view.content, view.embeds, view.components, view.files.map((f) => f.url)])).digest('base64url');
}

/** A stand-in task for states the bot knows before the proxy has said anything. */
export function placeholderTask(id: string, status: TaskStatus, prompt = ''): Task {
  return {
    id, action: '', status, prompt, promptEn: '', description: '', state: '', submitTime: null, startTime: null, finishTime: null,
    progress: '', imageUrl: null, imageUrls: [], videoUrl: null, videoUrls: [], failReason: null, buttons: [], properties: {},
  };
}

export class Tracker {
  constructor(private readonly o: TrackerOptions) {}

  viewContext(record: TaskRecord): ViewContext {
    return {
      locale: record.locale,
      ownerId: record.ownerId,
      prompt: record.prompt,
      label: record.label,
      queuePosition: record.queuePosition,
      status: record.status === 'TIMEOUT' || record.status === 'LOST' ? record.status : undefined,
      pressed: record.pressed,
      deadlineMinutes: Math.round(this.o.deadlineMs / 60_000),
    };
  }

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
      await this.o.tasks.put(record);
      if (i === 0 || record.messageId === null) await this.show(record, record.task, true);
      records.push(record);
    }
    return records;
  }

  /**
   * One observed state of a tracked task. Edits Discord only when what the user sees changed,
   * at most once per `editMinIntervalMs` for progress; terminal states always go out.
   */
  async applyUpdate(record: TaskRecord, task: Task): Promise<void> {
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
    await this.show(record, task, terminal);
  }

  /** The task is past its deadline: say so, offer "check again", stop polling. */
  async expire(record: TaskRecord): Promise<void> {
    record.status = 'TIMEOUT';
    record.active = false;
    await this.show(record, record.task, true);
  }

  /** The proxy no longer knows the task. */
  async lose(record: TaskRecord): Promise<void> {
    record.status = 'LOST';
    record.active = false;
    await this.show(record, record.task, true);
  }

  /** The proxy did not return the task in this poll. */
  async miss(record: TaskRecord): Promise<void> {
    record.missCount += 1;
    if (record.missCount >= MAX_MISSES) await this.lose(record);
    else await this.o.tasks.put(record);
  }

  /** Starts following a task again ("check again"). */
  async revive(record: TaskRecord): Promise<void> {
    record.active = true;
    record.status = record.task?.status ?? 'NOT_START';
    record.deadlineAt = this.o.now() + this.o.deadlineMs;
    record.missCount = 0;
    await this.o.tasks.put(record);
  }

  /** Marks a pressed button green on the message it sits on. */
  async markPressed(record: TaskRecord, customId: string): Promise<void> {
    if (record.pressed.includes(customId) || !record.task) return;
    record.pressed.push(customId);
    const rows = buttonRows(record.task.buttons, { taskId: record.taskId, locale: record.locale, pressed: new Set(record.pressed) });
    const view = renderTaskView(record.task, { ...this.viewContext(record), media: 'attach' });
    record.viewHash = viewHash(view);
    await this.o.tasks.put(record);
    await this.o.poster.editComponents(record, rows);
  }

  /** Renders and (if changed) publishes the record's view, then saves the record. */
  async show(record: TaskRecord, task: Task | null, final: boolean): Promise<void> {
    const ctx = this.viewContext(record);
    const view = renderTaskView(task, { ...ctx, media: 'attach' });
    const hash = viewHash(view);
    const now = this.o.now();
    const due = final || now - record.lastEditAt >= this.o.editMinIntervalMs;
    if (hash === record.viewHash || !due) {
      // Nothing new to show, or too soon after the last edit: the next tick looks again.
      await this.o.tasks.put(record);
      return;
    }
    let files = view.files.length ? await this.o.poster.fetchFiles(view) : undefined;
    let shown = view;
    if (files === null) {
      shown = renderTaskView(task, { ...ctx, media: 'link' });
      files = undefined;
    }
    let res = await this.o.poster.publish(record, shown, files, final);
    if (!res.ok && res.reason === 'too-large') {
      // Discord refused the files (the server's upload limit): show the result as links instead.
      res = await this.o.poster.publish(record, renderTaskView(task, { ...ctx, media: 'link' }), undefined, final);
    }
    if (res.ok) {
      record.viewHash = hash;
      record.lastEditAt = now;
      if (res.messageId) record.messageId = res.messageId;
    } else if (res.reason === 'gone') {
      this.o.logger.info('task message is gone; stop tracking', { taskId: record.taskId });
      record.active = false;
    } else if (final) {
      // Discord failed for a passing reason: stay active so the next tick shows the final state.
      record.active = true;
    }
    await this.o.tasks.put(record);
  }
}
