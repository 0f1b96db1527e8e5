// One bot process of the scale benchmark (bench/scale.ts starts 1, 2 or 4 of them with an IPC
// channel): the real app on the shared Redis store (its own key prefix per run, BENCH_STORE_PREFIX),
// reaching Discord through the one REST proxy (DISCORD_API_URL), without the gateway, like
// bench/bot.ts. The harness hands it jobs as answered slash commands; its leases decide which
// process polls which task. Besides event-loop delay and memory it notes, without changing what
// the app does: the task ids it asks the proxy about (so the harness can tell a task polled by two
// processes), when each final result entered its channel queue (so the harness can tell a progress
// edit that reached Discord while a final waited), and the 429s its discord.js saw.
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import type { TickReport } from '../src/tasks/poller.ts';
import type { ChannelQueueStats } from '../src/discord/channel-queue.ts';
import { mapLimit } from '../src/util/map-limit.ts';
import type { FromScaleBot, ScaleMeasure, ToScaleBot } from './scale-protocol.ts';
import { startHeapSample, stopHeapSample } from './heap-sample.ts';

const send = (m: FromScaleBot) => process.send?.(m);
const config = loadConfig(process.env);
const app = createApp(config, {
  gateway: false,
  storePrefix: process.env.BENCH_STORE_PREFIX,
  logger: createLogger({ level: 'error', secrets: [config.MJ_API_KEY, config.DISCORD_TOKEN], write: (l) => process.stderr.write(`${l}\n`) }),
});

const RESOLUTION_MS = 10;
let lag = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
let rssPeak = 0;
let rssPeakEver = 0;
let startedAt = 0;
let passes: (TickReport & { at: number })[] = [];
let reads: Record<string, number[]> = {};
let finalsQueued: Record<string, number> = {};
let answered: Record<string, number> = {};
let finalsSent: Record<string, number> = {};
let finalsDone: Record<string, number> = {};
let rest429 = 0;
let restWaits = 0;
let queueBase: ChannelQueueStats = structuredClone(app.channelQueue.stats);
let publishedBase = app.tracker.stats.published;

const mb = (bytes: number) => bytes / 2 ** 20;
const sample = () => {
  const rss = process.memoryUsage().rss;
  rssPeak = Math.max(rssPeak, rss);
  rssPeakEver = Math.max(rssPeakEver, rss);
};
setInterval(sample, 100).unref();
// The most a 10 ms timer came late in each wall-clock second while measured (second → ms): when the
// process could not take its Discord budget's tokens on time.
// And the CPU this process used in each second, and the part of it garbage collection took (ms).
let lateBySecond: Record<string, number> = {};
let cpuBySecond: Record<string, number> = {};
let gcBySecond: Record<string, number> = {};
let tickDue = performance.now() + 10;
let cpuLast = process.cpuUsage();
const second = () => String(Math.floor(Date.now() / 1000));
setInterval(() => {
  const t = performance.now(), late = t - tickDue;
  tickDue = t + 10;
  const cpu = process.cpuUsage(cpuLast);
  cpuLast = process.cpuUsage();
  if (!startedAt) return;
  const k = second();
  lateBySecond[k] = Math.max(lateBySecond[k] ?? 0, Math.round(late));
  cpuBySecond[k] = (cpuBySecond[k] ?? 0) + (cpu.user + cpu.system) / 1000;
}, 10).unref();
new PerformanceObserver((list) => {
  if (!startedAt) return;
  const k = second();
  for (const e of list.getEntries()) gcBySecond[k] = (gcBySecond[k] ?? 0) + e.duration;
}).observe({ entryTypes: ['gc'] });
app.poller.onPass((r) => {
  if (startedAt) passes.push({ ...r, at: Date.now() });
});
app.client.rest.on('response', (_req, res) => {
  if (startedAt && res.status === 429) rest429++;
});
app.client.rest.on('rateLimited', () => {
  if (startedAt) restWaits++;
});

// Observation only: the same calls go through, with the ids and times noted.
const stream = app.reader.stream.bind(app.reader);
app.reader.stream = (backend, ids, counts, sink, onError, pace) => {
  if (startedAt) {
    const now = Date.now();
    for (const id of ids) (reads[id] ??= []).push(now);
  }
  // When each task's answer reached the pass (its batch's), before the pass applies it.
  const noted: typeof sink = (found, missing) => {
    if (startedAt) {
      const now = Date.now();
      for (const t of found) if (t.status === 'SUCCESS') answered[t.id] ??= now;
    }
    return sink(found, missing);
  };
  return stream(backend, ids, counts, noted, onError, pace);
};
const run = app.channelQueue.run.bind(app.channelQueue);
app.channelQueue.run = (priority, job, channel, call) => {
  if (!(startedAt && priority === 'final' && job !== null)) return run(priority, job, channel, call);
  finalsQueued[job] ??= Date.now();
  // When the queue handed it to discord.js, and when Discord (through the REST proxy) answered.
  return run(priority, job, channel, async () => {
    finalsSent[job] ??= Date.now();
    try {
      return await call();
    } finally {
      finalsDone[job] ??= Date.now();
    }
  });
};

const beyond = (ns: number) => Math.max(0, ns / 1e6 - RESOLUTION_MS);
const minus = (a: ChannelQueueStats, b: ChannelQueueStats): ChannelQueueStats => ({
  queued: { final: a.queued.final - b.queued.final, other: a.queued.other - b.queued.other, notice: a.queued.notice - b.queued.notice, progress: a.queued.progress - b.queued.progress },
  sent: { final: a.sent.final - b.sent.final, other: a.sent.other - b.sent.other, notice: a.sent.notice - b.sent.notice, progress: a.sent.progress - b.sent.progress },
  shed: a.shed - b.shed,
  progressBeforeFinal: a.progressBeforeFinal - b.progressBeforeFinal,
  budgetWaits: a.budgetWaits - b.budgetWaits,
  budgetWaitMs: a.budgetWaitMs - b.budgetWaitMs,
  tokensUnused: a.tokensUnused - b.tokensUnused,
});

async function handle(msg: ToScaleBot): Promise<void> {
  switch (msg.type) {
    case 'seed':
      await mapLimit(msg.jobs, 16, async (job) => {
        const waiting = app.tracker.waitingView({ locale: 'en-US', ownerId: job.ownerId, prompt: job.prompt });
        await app.tracker.track({
          outcome: { kind: 'accepted', taskIds: [job.taskId] },
          kind: 'imagine',
          prompt: job.prompt,
          ownerId: job.ownerId,
          locale: 'en-US',
          guildId: job.guildId,
          channelId: job.channelId,
          interactionToken: job.token,
          interactionAt: job.interactionAt ?? job.at,
          messageId: job.messageId,
          shown: waiting,
        });
      });
      send({ type: 'seeded', tracked: app.tracker.liveCount });
      return;
    case 'measure-start':
      lag.disable();
      lag = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
      lag.enable();
      rssPeak = 0;
      sample();
      passes = [];
      reads = {};
      finalsQueued = {};
      answered = {};
      finalsSent = {};
      lateBySecond = {};
      cpuBySecond = {};
      gcBySecond = {};
      finalsDone = {};
      rest429 = 0;
      restWaits = 0;
      queueBase = structuredClone(app.channelQueue.stats);
      publishedBase = app.tracker.stats.published;
      startedAt = Date.now();
      await startHeapSample();
      send({ type: 'ack' });
      return;
    case 'held':
      send({ type: 'held', ids: app.poller.heldIds() });
      return;
    case 'measure-stop': {
      lag.disable();
      await stopHeapSample();
      sample();
      const m: ScaleMeasure = {
        durationMs: Date.now() - startedAt,
        passes,
        reads,
        finalsQueued,
        answered,
        finalsSent,
        finalsDone,
        lateBySecond,
        cpuBySecond,
        gcBySecond,
        queue: minus(app.channelQueue.stats, queueBase),
        rest429,
        restWaits,
        published: app.tracker.stats.published - publishedBase,
        lagP99Ms: beyond(lag.percentile(99)),
        lagMaxMs: beyond(lag.max),
        rssPeakMb: mb(rssPeak),
        rssPeakEverMb: mb(rssPeakEver),
      };
      startedAt = 0;
      send({ type: 'measured', m });
      return;
    }
    case 'exit':
      await app.stop().catch(() => undefined);
      process.exit(0);
  }
}

process.on('message', (msg: ToScaleBot) => {
  handle(msg).catch((err: unknown) => {
    process.stderr.write(`scale bot: ${String(err)}\n`);
    process.exit(1);
  });
});

await app.start();
sample();
send({ type: 'ready', rssMb: mb(process.memoryUsage().rss), pid: process.pid });
