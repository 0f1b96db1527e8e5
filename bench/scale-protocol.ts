// Messages between the scale benchmark (bench/scale.ts: the fakes, the shared REST proxy, the
// workload) and each bot process under test (bench/scale-bot.ts). Several of these run at once on
// one Redis store, so what each one reports is its own share; the harness adds them up.
import type { TickReport } from '../src/tasks/poller.ts';
import type { ChannelQueueStats } from '../src/discord/channel-queue.ts';
import type { SeedJob } from './protocol.ts';

export type { SeedJob };

export type ToScaleBot =
  | { type: 'seed'; jobs: (SeedJob & { interactionAt?: number })[] }
  | { type: 'measure-start' }
  | { type: 'measure-stop' }
  /** The ids of the tasks whose lease this process holds now. */
  | { type: 'held' }
  | { type: 'exit' };

export interface ScaleMeasure {
  durationMs: number;
  /** This process's timer passes while measured. */
  passes: (TickReport & { at: number })[];
  /** Every task id this process asked the proxy about while measured, with when (ms, wall clock). */
  reads: Record<string, number[]>;
  /** When a final result of a job was first handed to this process's channel queue (ms, wall clock). */
  finalsQueued: Record<string, number>;
  /** When the answer that first said a job SUCCESS reached this process's pass (ms, wall clock). */
  answered: Record<string, number>;
  /** When the channel queue handed a job's final result to discord.js, and when its answer came (ms, wall clock). */
  finalsSent: Record<string, number>;
  finalsDone: Record<string, number>;
  /** Per wall-clock second (s since the epoch), the most a 10 ms timer of this process came late (ms). */
  lateBySecond: Record<string, number>;
  /** Per wall-clock second, the CPU this process used (user + system), and garbage collection's pauses (ms). */
  cpuBySecond: Record<string, number>;
  gcBySecond: Record<string, number>;
  /** The channel queue's own counts while measured (progressBeforeFinal: within this process). */
  queue: ChannelQueueStats;
  /** 429 answers this process's discord.js saw (the REST proxy answers one only if it gave up waiting). */
  rest429: number;
  /** discord.js's own rate-limit waits in this process (it counts its requests alone). */
  restWaits: number;
  published: number;
  lagP99Ms: number;
  lagMaxMs: number;
  rssPeakMb: number;
  rssPeakEverMb: number;
}

export type FromScaleBot =
  | { type: 'ready'; rssMb: number; pid: number }
  | { type: 'seeded'; tracked: number }
  | { type: 'ack' }
  | { type: 'held'; ids: string[] }
  | { type: 'measured'; m: ScaleMeasure };
