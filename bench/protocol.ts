// Messages between the benchmark (bench/run.ts, which runs the fakes and the workload) and the bot
// under test (bench/bot.ts, a child process, so its memory and event loop are measured alone).
import { renderTaskView, type MessageView } from '../src/render/task-view.ts';
import type { PollerStats, TickReport } from '../src/tasks/poller.ts';
import type { TrackerStats } from '../src/tasks/lifecycle.ts';
import type { SpanSample } from './span.ts';

export type BotMode = 'ours' | 'naive';

/** A job the benchmark started: the interaction it answered with the "Waiting to start" line. */
export interface SeedJob {
  taskId: string;
  prompt: string;
  ownerId: string;
  guildId: string;
  channelId: string;
  token: string;
  messageId: string;
  /** When the interaction was created (ms). */
  at: number;
}

/** The first reply of a job, exactly as /imagine sends it (src/jobs/jobs.ts). */
export function waitingView(prompt: string, ownerId: string): MessageView {
  return renderTaskView(null, { locale: 'en-US', ownerId, prompt });
}

export type ToBot =
  | { type: 'seed'; jobs: SeedJob[] }
  | { type: 'measure-start' }
  | { type: 'measure-stop' }
  | { type: 'naive-start'; intervalMs: number }
  | { type: 'naive-stop' }
  | { type: 'exit' };

export interface BotMeasure {
  durationMs: number;
  /** Timer passes of the poller (ours), in order. */
  passes: (TickReport & { at: number })[];
  poller: PollerStats;
  tracker: TrackerStats;
  naive: NaiveStats | null;
  /** Event-loop delay beyond the sampling resolution, ms. */
  lagP50Ms: number;
  lagP99Ms: number;
  lagMaxMs: number;
  /** Peak RSS during the measured run, and since the process started (seeding included). */
  rssPeakMb: number;
  rssPeakEverMb: number;
  heapPeakMb: number;
  /** Push: the bot's own span of each edit that followed a hint (bench/span.ts). */
  spans: SpanSample[];
  /** Push: when each hint arrived at the bot, per task (wall clock, ms). */
  hints: Record<string, number[]>;
  /** Discord requests written by the bot while measuring, per route kind. */
  discordSent: Record<string, number>;
  /** Interaction-token edits: handed to undici → headers written (ms). */
  patchSocketWait: number[];
  /** discord.js's own rate-limit waits while measuring (its global 50/s, and per route). */
  restWaits: { global: number; route: number; globalMs: number; routeMs: number };
}

export interface NaiveStats {
  /** GET /fetch calls. */
  fetches: number;
  /** Edits the design asked for (one per job per tick, the final one with the file). */
  editsRequested: number;
  /** Edits replaced by a newer one while waiting in discord.js's queue. */
  skipped: number;
}

export type FromBot =
  | { type: 'ready'; rssMb: number }
  | { type: 'count'; tracked: number; rssMb: number }
  | { type: 'measured'; m: BotMeasure }
  | { type: 'ack' };
