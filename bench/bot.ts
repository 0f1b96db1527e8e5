// The bot under test, in a process of its own (started by bench/run.ts with an IPC channel): the
// real app (discord.js REST, undici, SQLite, tracker, poller, renderer, notifyHook receiver)
// pointed at the fakes the benchmark runs. It does not connect to the gateway (a worker, see
// AppOverrides.gateway): the benchmark answers the N slash commands itself and hands the jobs over
// here, where the tracker takes them as /imagine would (the reply already shows "Waiting to
// start"), so N = 10,000 does not cost 10,000 interactions. Here it measures event-loop delay
// and memory.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import type { TickReport } from '../src/tasks/poller.ts';
import { mapLimit } from '../src/util/map-limit.ts';
import { NaiveLoop } from './naive.ts';
import { SpanProbe } from './span.ts';
import type { BotMeasure, BotMode, FromBot, ToBot } from './protocol.ts';
import { startHeapSample, stopHeapSample } from './heap-sample.ts';

const mode = (process.env.BENCH_MODE ?? 'ours') as BotMode;
const send = (m: FromBot) => process.send?.(m);

const config = loadConfig(process.env);
const app = createApp(config, {
  gateway: false,
  autoPoll: mode === 'ours',
  logger: createLogger({ level: 'error', secrets: [config.MJ_API_KEY, config.DISCORD_TOKEN], write: (l) => process.stderr.write(`${l}\n`) }),
});

const RESOLUTION_MS = 10;
let lag = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
let rssPeak = 0;
let rssPeakEver = 0;
let heapPeak = 0;
let startedAt = 0;
let passes: (TickReport & { at: number })[] = [];
let pollerBase = { ...app.poller.stats };
let trackerBase = { ...app.tracker.stats };
let naive: NaiveLoop | null = null;
/** The bot's own span of each push (bench/span.ts). */
const span = new SpanProbe(app.poller);
/** discord.js's own rate-limit waits while measuring: global (its 50/s for every request) and per route. */
const restWaits = { global: 0, route: 0, globalMs: 0, routeMs: 0 };
app.client.rest.on('rateLimited', (info) => {
  if (!startedAt) return;
  if (info.global) {
    restWaits.global++;
    restWaits.globalMs += Math.max(0, info.timeToReset);
  } else {
    restWaits.route++;
    restWaits.routeMs += Math.max(0, info.timeToReset);
  }
});

const mb = (bytes: number) => bytes / 2 ** 20;
const sample = () => {
  const m = process.memoryUsage();
  rssPeak = Math.max(rssPeak, m.rss);
  rssPeakEver = Math.max(rssPeakEver, m.rss);
  heapPeak = Math.max(heapPeak, m.heapUsed);
};
setInterval(sample, 100).unref();
app.poller.onPass((r) => {
  if (startedAt) passes.push({ ...r, at: Date.now() });
});

const diff = <T extends object>(now: T, base: T): T =>
  Object.fromEntries(Object.entries(now).map(([k, v]) => [k, (v as number) - ((base as Record<string, number>)[k] ?? 0)])) as T;
const beyond = (ns: number) => Math.max(0, ns / 1e6 - RESOLUTION_MS);

async function handle(msg: ToBot): Promise<void> {
  switch (msg.type) {
    case 'seed':
      for (const job of msg.jobs) span.watch(job.token, job.taskId);
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
          interactionAt: job.at,
          messageId: job.messageId,
          shown: waiting,
        });
      });
      send({ type: 'count', tracked: app.tracker.liveCount, rssMb: mb(process.memoryUsage().rss) });
      return;
    case 'measure-start':
      lag.disable();
      lag = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
      lag.enable();
      rssPeak = 0;
      heapPeak = 0;
      sample();
      passes = [];
      pollerBase = { ...app.poller.stats };
      trackerBase = { ...app.tracker.stats };
      startedAt = Date.now();
      span.start();
      Object.assign(restWaits, { global: 0, route: 0, globalMs: 0, routeMs: 0 });
      await startHeapSample();
      send({ type: 'ack' });
      return;
    case 'naive-start':
      naive = new NaiveLoop(app);
      naive.start([...app.tracker.liveRecords()], msg.intervalMs);
      send({ type: 'ack' });
      return;
    case 'naive-stop':
      naive?.stop();
      send({ type: 'ack' });
      return;
    case 'measure-stop': {
      lag.disable();
      span.stop();
      await stopHeapSample();
      sample();
      const m: BotMeasure = {
        durationMs: Date.now() - startedAt,
        passes,
        poller: diff(app.poller.stats, pollerBase),
        tracker: diff(app.tracker.stats, trackerBase),
        naive: naive ? { ...naive.stats } : null,
        lagP50Ms: beyond(lag.percentile(50)),
        lagP99Ms: beyond(lag.percentile(99)),
        lagMaxMs: beyond(lag.max),
        rssPeakMb: mb(rssPeak),
        rssPeakEverMb: mb(rssPeakEver),
        heapPeakMb: mb(heapPeak),
        spans: span.samples,
        hints: Object.fromEntries(span.hints),
        discordSent: Object.fromEntries(span.discordSent),
        patchSocketWait: span.patchSocketWait,
        restWaits: { ...restWaits },
      };
      startedAt = 0;
      send({ type: 'measured', m });
      return;
    }
    case 'exit':
      naive?.stop();
      await app.stop().catch(() => undefined);
      process.exit(0);
  }
}

process.on('message', (msg: ToBot) => {
  handle(msg).catch((err: unknown) => {
    process.stderr.write(`bench bot: ${String(err)}\n`);
    process.exit(1);
  });
});

await app.start();
sample();
send({ type: 'ready', rssMb: mb(process.memoryUsage().rss) });
