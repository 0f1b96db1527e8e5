// The tracker's pure rules: how task states are ordered and compared, when a preview link is the
// same image, what a view hashes to, and the stand-in task shown before the proxy has said anything.
// No I/O and no clock, so the poller, the tracker and the job handlers share them freely.
import { createHash } from 'node:crypto';
import type { SubmitOutcome, Task, TaskStatus } from '../proxy/types.ts';
import { progressNumber } from '../proxy/parse.ts';
import type { MessageView } from '../render/task-view.ts';
import { hasEnded, type RecordStatus, type TaskRecord } from '../store/tasks.ts';

/** What the tracker needs of a submit's answer (a job found by /task has no submit: `accepted`). */
export type TrackedOutcome = { taskIds: string[]; backend?: string } & (
  | { kind: 'accepted' }
  | Pick<Extract<SubmitOutcome, { kind: 'queued' }>, 'kind' | 'queuePosition'>
  | Pick<Extract<SubmitOutcome, { kind: 'modal' }>, 'kind' | 'finalPrompt'>
);

export interface TrackInput {
  outcome: TrackedOutcome;
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
  /** The view the reply already shows (Tracker.waitingView): not sent again. */
  shown?: MessageView;
  /** The task's state as already read from the backend (/task following a job it did not start): shown at once. */
  first?: Task;
  /** Shown to the requester alone (ephemeral); after the token, the result goes by DM. */
  private?: boolean;
  /** The bot cannot reach the channel itself (a user install): after the token, the result goes by DM. */
  noChannel?: boolean;
}

/** Polls in which the proxy did not know a task before the bot gives up on it. */
export const MAX_MISSES = 10;

/** What show.ts did. */
export interface ShowStats {
  renders: number;
  /** Edits put off by EDIT_MIN_INTERVAL_MS. */
  deferred: number;
  /** Views sent to Discord (publish calls). */
  published: number;
  /** Views not sent: the same as the one the message shows. */
  sameView: number;
  /** Progress views not made: they would have waited behind final results for Discord's budget (looked at again later). */
  held: number;
}

/** What the tracker did, for tests and the benchmark (renders, deferred, published: show.ts). */
export interface TrackerStats extends ShowStats {
  /** Updates handed to applyUpdate. */
  updates: number;
  /** Updates merged into a newer one before they ran. */
  coalesced: number;
  /** Updates older than the state already shown. */
  stale: number;
  /** Updates whose task had not changed (no render, no write). */
  unchanged: number;
}

/** What the tracker tells of jobs (the metrics): each one it starts following, and each one that ends. */
export interface JobEvents {
  started(record: TaskRecord): void;
  /** Called once per ending: when the record first reaches an ending status (hasEnded). */
  ended(record: TaskRecord, status: RecordStatus): void;
}

/** Ends the job's record with `status`; `events` hear of it only when it had not ended already. */
export function endJob(record: TaskRecord, status: RecordStatus, events: JobEvents | undefined): void {
  if (!hasEnded(record.status)) events?.ended(record, status);
  record.status = status;
  record.active = false;
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
    const x = a.buttons[i]!;
    const y = b.buttons[i]!;
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

/** A stand-in task for states the bot knows before the proxy has said anything. */
export function placeholderTask(id: string, status: TaskStatus, prompt = ''): Task {
  return {
    id, action: '', status, prompt, promptEn: '', description: '', state: '', submitTime: null, startTime: null, finishTime: null,
    progress: '', imageUrl: null, imageUrls: [], videoUrl: null, videoUrls: [], failReason: null, buttons: [], properties: {},
  };
}

/** The record of a job the proxy accepted: `i` is its place in the answer ("Imagine all" answers several ids). */
export function newRecord(input: TrackInput, i: number, now: number, deadlineMs: number, applicationId: string, tokenLifetimeMs: number): TaskRecord {
  const { outcome } = input;
  const taskId = outcome.taskIds[i]!;
  const modal = outcome.kind === 'modal';
  return {
    taskId,
    kind: input.kind,
    prompt: input.prompt,
    ownerId: input.ownerId,
    locale: input.locale,
    guildId: input.guildId,
    channelId: input.channelId,
    applicationId,
    interactionToken: i === 0 ? input.interactionToken : null,
    tokenExpiresAt: input.interactionAt + tokenLifetimeMs,
    messageId: i === 0 ? input.messageId : null,
    parentTaskId: input.parentTaskId,
    label: input.label,
    mode: input.mode,
    ...(outcome.backend ? { backend: outcome.backend } : {}),
    createdAt: now,
    deadlineAt: now + deadlineMs,
    queuePosition: outcome.kind === 'queued' ? outcome.queuePosition : null,
    status: modal ? 'MODAL' : 'NOT_START',
    active: !modal,
    viewHash: i === 0 && input.shown ? viewHash(input.shown) : null,
    lastEditAt: 0,
    task: modal ? placeholderTask(taskId, 'MODAL', input.prompt) : null,
    pressed: [],
    missCount: 0,
    ...(modal ? { modal: { customId: '', finalPrompt: outcome.finalPrompt } } : {}),
    ...(input.private ? { private: true } : {}),
    ...(input.noChannel ? { noChannel: true } : {}),
  };
}
