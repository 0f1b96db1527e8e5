// The channel queue's (channel-queue.ts) lanes, priorities, options and counters.
import type { BudgetSource, Lane } from './budget.ts';

/** The lane of a channel's message edits. */
export const editLane = (channelId: string): string => `${channelId}:edit`;
/** The lane of a channel's new messages. */
export const postLane = (channelId: string): string => `${channelId}:post`;

export type Priority = 'final' | 'other' | 'notice' | 'progress';

/** What yields to final results: progress edits and notices (a lane's last sends and the tokens go to finals first). */
export const yieldsToFinals = (priority: Priority): boolean => priority === 'progress' || priority === 'notice';
/** Where the queue keeps what the budget said of an entry's lane: the lane, or for what yields its share of it. */
export const paceKey = (e: { priority: Priority; channel: Lane }): string => (yieldsToFinals(e.priority) ? `~${e.channel}` : e.channel!);

/** What a request that was dropped answers: a newer view of the same job replaced it. */
export const SHED: unique symbol = Symbol('shed');
export type Shed = typeof SHED;

export type ByPriority = Record<Priority, number>;

export interface ChannelQueueStats {
  /** Requests handed to the queue (a progress edit that took an older one's place counts again). */
  queued: ByPriority;
  sent: ByPriority;
  /** Progress edits dropped: a newer view of the same job (progress or final) replaced them. */
  shed: number;
  /** Progress edits sent while a final result waited in this queue (the goal is 0). */
  progressBeforeFinal: number;
  /** Times the queue had requests ready and no token, and waited for the budget to give one. */
  budgetWaits: number;
  /** Milliseconds spent in those waits. */
  budgetWaitMs: number;
  /** Tokens taken and then not used (what they were taken for was shed meanwhile): dropped, never saved for later. */
  tokensUnused: number;
}

export interface ChannelQueueOptions {
  budget: BudgetSource;
  /** Tokens asked for at once (a shared bucket is one round trip per take). Default 5. */
  takeAtMost?: number;
  onError?: (err: unknown) => void;
  /** Each request as it goes, with how long it waited in the queue (ms): for metrics. */
  onSent?: (priority: Priority, waitedMs: number) => void;
  /** The clock waits are measured by (real time: the budget is). */
  now?: () => number;
}
