// What the tracker needs from Discord, in its own terms: the tracker decides what to show and
// when; a publisher (discord/poster.ts) knows how to get it onto the message. tasks/ reaches
// Discord only through this.
import type { MessageView } from '../render/task-view.ts';
import type { TaskRecord } from '../store/tasks.ts';

/** A downloaded result, attached to the message. */
export interface ResultFile {
  name: string;
  data: Buffer;
  contentType?: string;
}

/**
 * 'refused': Discord rejected the message itself (400): sending the same body again cannot work.
 * 'shed': a progress edit dropped unsent at Discord's global limit, because a newer view of the same
 * job (progress or final) took its place; that newer view is what shows.
 */
export type PublishResult = { ok: true; messageId: string } | { ok: false; reason: 'gone' | 'error' | 'too-large' | 'refused' | 'shed' };

export interface TaskPublisher {
  /** How long an interaction token can edit its reply from the moment of the interaction (ms). */
  readonly tokenLifetimeMs: number;
  /** The view's result files, or null when any of them could not be had (the message then links them). */
  fetchFiles(view: MessageView): Promise<ResultFile[] | null>;
  /** Resolves when a final result of `record` may be made (its files fetched): Discord's queue has room for it. */
  roomForFinal?(record: TaskRecord): Promise<void>;
  /** Whether a progress edit of `record` would wait behind final results for Discord's budget now. */
  progressHeld?(record: TaskRecord): boolean;
  /** Shows the view on the record's message; `files` replace its attachments when given. */
  publish(record: TaskRecord, view: MessageView, files: ResultFile[] | undefined, final: boolean): Promise<PublishResult>;
  /** A new message of the bot's own in a channel (Share's gallery post); 'gone': the channel is gone or closed to the bot. */
  post(channelId: string, view: MessageView, files: ResultFile[] | undefined): Promise<PublishResult>;
  /**
   * A newer state of the job arrived while its last edit may still wait for Discord's budget: a
   * progress edit still waiting is dropped (answering 'shed'); `final`: the newer state is its last
   * (its result, on its way through the channel queue, holds progress back from now: `record`'s route).
   */
  supersede?(taskId: string, final: boolean, record?: TaskRecord): void;
  /** Changes only the message's buttons; false when the message could not be edited. */
  editComponents(record: TaskRecord, components: unknown[]): Promise<boolean>;
}
