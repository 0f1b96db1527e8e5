// What the app reports as it works, for whoever watches it: tests that wait for "the job is
// tracked" instead of polling the store, the playground, and later an audit trail. (The metrics
// take the same facts through the tracker's JobEvents and the router's RouterEvents today; moving
// them onto these events would leave one mechanism.) The payloads are plain data, never the
// tracker's live records. Listeners run synchronously inside the work that reports; one that
// throws is logged and the work goes on.
import { EventEmitter } from 'node:events';
import type { RecordStatus, TaskRecord } from './store/tasks.ts';

/** A task this process shows, at the moment of the event. */
export interface TaskEvent {
  taskId: string;
  /** The backend it runs on, as configured ('default', or a mode's name). */
  backend: string;
  ownerId: string;
  status: RecordStatus;
}

export interface EditedEvent extends TaskEvent {
  /** The final view (result, failure, deadline, lost): the last edit of the job. */
  final: boolean;
}

/** A job stopped being followed, with what an audit line says of it (plain data, copied from the record). */
export interface FinishedEvent extends TaskEvent {
  guildId: string | null;
  channelId: string;
  /** The message that shows the job (null: none known). */
  messageId: string | null;
  /** imagine, blend, describe … (the command), action or modal (a button), show (/task). */
  kind: string;
  /** A button's job: its label (Image #2, Zoom Out 2x …). */
  label: string | null;
  prompt: string;
  /** Shown to its requester alone (no public message to link to). */
  private: boolean;
  /** The backend's failReason, when it failed. */
  failReason: string | null;
}

export interface HandledEvent {
  interactionId: string;
  kind: 'command' | 'button' | 'select' | 'modal' | 'autocomplete' | 'other';
  /** The command's name, or the first part of our custom_id (the handler). */
  name: string;
  /** How it was answered in the end (the router's AckState: 'public-reply', 'ephemeral', 'update', 'modal'; 'none' for an autocomplete). */
  answer: string;
  /** false: the handler threw (a refusal such as "not your job", or a failure) and the router reported it. */
  ok: boolean;
  /** From the start of routing to the end of the handler's work. */
  ms: number;
}

export interface AppEventMap {
  /**
   * This process follows a job: a new one is saved and its first view is out (`again` false), or
   * one is followed again ("Check again", the remix editor).
   */
  tracked: [TaskEvent & { again: boolean }];
  /** A view of a job went out on its message (a progress edit, the first or the final one). */
  edited: [EditedEvent];
  /** A job this process followed stopped being followed: final state shown and saved, or its message gone. */
  finished: [FinishedEvent];
  /** The router is done with an interaction: answered, its work done or its error reported. */
  handled: [HandledEvent];
}

export type AppEventName = keyof AppEventMap;

export class AppEvents extends EventEmitter<AppEventMap> {
  /** `onListenerError`: where a throwing listener's error goes (the app's logger). */
  constructor(private readonly onListenerError: (event: AppEventName, err: unknown) => void = () => undefined) {
    super();
    // Any number of watchers (each test's waits add and remove their own).
    this.setMaxListeners(0);
  }

  /** Emits `event`; a listener's error is handed to `onListenerError`, never to the reporting work. */
  report<K extends AppEventName>(event: K, ...args: AppEventMap[K]): void {
    try {
      (this.emit as (e: K, ...a: AppEventMap[K]) => boolean)(event, ...args);
    } catch (err) {
      this.onListenerError(event, err);
    }
  }
}

/** The event fields of a record on `backend` (copied: listeners never hold the live record). */
export function taskEvent(record: { taskId: string; ownerId: string; status: RecordStatus }, backend: string): TaskEvent {
  return { taskId: record.taskId, backend, ownerId: record.ownerId, status: record.status };
}

/** The `finished` event of a record (copied, like taskEvent). */
export function finishedEvent(record: TaskRecord, backend: string): FinishedEvent {
  return {
    ...taskEvent(record, backend),
    guildId: record.guildId,
    channelId: record.channelId,
    messageId: record.messageId,
    kind: record.kind,
    label: record.label ?? null,
    prompt: record.prompt,
    private: !!record.private,
    failReason: record.task?.failReason || null,
  };
}
