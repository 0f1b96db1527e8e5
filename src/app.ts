// The composition root's factory: createApp(config, overrides) wires Discord, the proxy client,
// the store, the tracker and the poller. No side effects at import; tests build the same app
// pointed at the fakes.
import { once } from 'node:events';
import { Client, Events } from 'discord.js';
import { commands as defaultCommands } from '../commands/index.ts';
import type { Command } from '../commands/types.ts';
import type { Config } from './config.ts';
import type { AppContext } from './context.ts';
import { AppEvents, taskEvent } from './events.ts';
import { noteFinished } from './jobs/screen.ts';
import { Poster } from './discord/poster.ts';
import { InteractionGate } from './discord/interaction-gate.ts';
import { createInteractionRest, createRestAgent } from './discord/rest-agent.ts';
import { createRouter } from './discord/router.ts';
import { Audit } from './jobs/audit.ts';
import { Jobs } from './jobs/jobs.ts';
import { createLogger, type Logger } from './logger.ts';
import { ProxyClient } from './proxy/client.ts';
import { backendsOf } from './config-backends.ts';
import { DEFAULT_BACKEND, laneOf } from './proxy/lanes.ts';
import { BackendPool, relabel, shareCircuit } from './proxy/pool.ts';
import { shardOptions } from './discord/shards.ts';
import { createScrubber, secretsOf } from './secrets.ts';
import type { HealthServer } from './health/health-server.ts';
import { Metrics } from './health/metrics.ts';
import { createHealthServer } from './health/serve.ts';
import { ProxyHealth } from './proxy/health.ts';
import { TaskReader } from './proxy/task-reader.ts';
import { createDownloadAgent, originsOf } from './media/guard.ts';
import { createStores, type Stores } from './store/create-store.ts';
import { NotifyHookServer, notifyHookUrl } from './tasks/notify-hook.ts';
import { Poller } from './tasks/poller.ts';
import { ChannelQueue } from './discord/channel-queue.ts';
import { LANE_PACE, LocalBudget, budgetRate, withFallback } from './discord/budget.ts';
import { Tracker } from './tasks/tracker.ts';
import { warmEmojiCheck } from './render/buttons.ts';

export interface AppOverrides {
  logger?: Logger;
  now?: () => number;
  /** Namespace prefix in the store (tests). */
  storePrefix?: string;
  /** false: no poll timer; tests call app.poller.tick(). */
  autoPoll?: boolean;
  commands?: readonly Command[];
  /** Waits before proxy retries (tests use short ones). */
  proxyRetryDelaysMs?: number[];
  /**
   * false: do not connect to the gateway (a worker that only polls and edits, or the second
   * process of a test on one fake Discord, which would otherwise receive every interaction too).
   */
  gateway?: boolean;
}

export interface App extends AppContext {
  client: Client;
  /** What the app reports as it works (tracked, edited, finished, handled): for metrics and tests (events.ts). */
  events: AppEvents;
  /** The notifyHook receiver, when NOTIFY_HOOK_URL is set. */
  notifyHook: NotifyHookServer | null;
  /** This app's metrics (its own registry). */
  metrics: Metrics;
  /** /healthz, /readyz and /metrics, when HEALTH_PORT is set. */
  healthServer: HealthServer | null;
  /** The channel-route queue (finals first under DISCORD_CHANNEL_BUDGET): its stats for the benchmark and tests. */
  channelQueue: ChannelQueue;
  start(): Promise<void>;
  /**
   * Stops taking interactions, waits for those in flight (SHUTDOWN_GRACE_MS at most, then cuts off
   * their backend calls), stops the poller and releases its leases, destroys the Discord client and
   * closes the store, in that order. A second call while stopping cuts the wait short and answers
   * the same promise. `release: false` leaves this process's task leases to expire, as a crash
   * would (tests).
   */
  stop(opts?: { release?: boolean }): Promise<void>;
}

/** After the grace period: how long the users of the interactions that were cut off have to be told. */
const TELL_MS = 1_000;
/** How long the poller's last pass and the tracker's edits in flight may take before the client goes. */
const DRAIN_MS = 1_500;

export function createApp(config: Config, overrides: AppOverrides = {}): App {
  // One scrubber for every secret in the config: the logger's lines, and all the proxy answers.
  const scrub = createScrubber(secretsOf(config));
  const logger = overrides.logger ?? createLogger({ level: config.LOG_LEVEL, format: config.LOG_FORMAT, scrub });
  const now = overrides.now ?? Date.now;
  const metrics = new Metrics(now);
  const events = new AppEvents((event, err) => logger.error('event listener failed', { event, err }));
  const restAgent = createRestAgent();
  // discord.js reads SHARD_COUNT from the environment itself when the client is left at one shard: a
  // blank one (as .env.example has it, or compose's env_file) would read as 0 and stop the client.
  if (process.env.SHARD_COUNT?.trim() === '') delete process.env.SHARD_COUNT;
  const restOptions = { ...(config.DISCORD_API_URL ? { api: config.DISCORD_API_URL } : {}), retries: 2, timeout: 15_000, agent: restAgent };
  const client = new Client({ intents: [], allowedMentions: { parse: [] }, ...shardOptions(config), rest: restOptions });
  metrics.watchDiscord(client.rest);
  // A job's token edits are not bound by Discord's global limit: discord.js's 50/s count left out (rest-agent.ts).
  const interactionRest = createInteractionRest(restOptions);
  metrics.watchDiscord(interactionRest);
  // One client per configured backend (MJ_BACKENDS, or MJ_BASE_URL as `default`), each with its own circuit.
  const specs = backendsOf(config);
  const notifyHookAt = config.NOTIFY_HOOK_URL && config.NOTIFY_HOOK_SECRET ? notifyHookUrl(config.NOTIFY_HOOK_URL, config.NOTIFY_HOOK_SECRET) : undefined;
  const members = specs.map((spec) => ({
    spec,
    client: new ProxyClient({
      baseUrl: spec.baseUrl,
      apiKey: spec.apiKey,
      authStyle: spec.authStyle,
      timeoutMs: config.PROXY_TIMEOUT_MS,
      submitTimeoutMs: config.PROXY_SUBMIT_TIMEOUT_MS,
      modeBaseUrls: spec.modes,
      retryDelaysMs: overrides.proxyRetryDelaysMs,
      scrub,
      // Its own breaker, told to the other processes through the store when it opens.
      health: new ProxyHealth(5, 30_000, now, shareCircuit(() => stores.capabilities.forBackend(spec.name), now, 30_000)),
      // Push: every submit asks the proxy to call back (the secret makes the URL unguessable).
      notifyHook: notifyHookAt,
      observe: (e) => metrics.proxyRequest(relabel(spec.name, e)),
    }),
  }));
  // Every lane (a backend, or a speed of it with its own base): hidden buttons and capabilities are kept per lane.
  const backends = specs.flatMap((b) => [laneOf(b.name, null, []), ...Object.keys(b.modes).map((m) => laneOf(b.name, m, Object.keys(b.modes)))]);
  const stores: Stores = createStores(config.STORE_URL, { prefix: overrides.storePrefix, logger, now, backends, retentionMs: config.DATA_RETENTION_DAYS * 24 * 3600_000 });
  // Downloads may reach the configured origins (the proxy, Discord's API) even on a private network.
  const downloads = createDownloadAgent(originsOf([...specs.flatMap((b) => [b.baseUrl, ...Object.values(b.modes)]), config.DISCORD_API_URL]));
  const proxy = new BackendPool({
    members,
    logger,
    now,
    capabilities: (backend) => stores.capabilities.forBackend(backend),
    onFailover: (e) => metrics.failover(e.from, e.reason),
  });
  // Finals first at Discord's global limit: one budget for every process on Redis, this process's own on SQLite.
  const rate = budgetRate(config.DISCORD_CHANNEL_BUDGET);
  const ownBudget = new LocalBudget(rate);
  const sharedBudget = stores.discordBudget(rate, LANE_PACE);
  const channelQueue = new ChannelQueue({
    budget: sharedBudget ? withFallback(sharedBudget, ownBudget, (err) => logger.warn('the shared Discord budget cannot be read; this process keeps its own', { err })) : ownBudget,
    onError: (err) => logger.error('channel queue failed', { err }),
    onSent: (priority, waitedMs) => metrics.channelQueueSent(priority, waitedMs),
  });
  const poster = new Poster({
    queue: channelQueue,
    rest: client.rest,
    interactionRest,
    dispatcher: downloads,
    applicationId: config.DISCORD_APP_ID,
    logger,
    now,
    resultMaxBytes: config.RESULT_MAX_BYTES,
    downloadTimeoutMs: config.PROXY_TIMEOUT_MS,
  });
  const tracker: Tracker = new Tracker({
    tasks: stores.tasks,
    poster,
    logger,
    now,
    deadlineMs: config.TASK_DEADLINE_MS,
    editMinIntervalMs: config.EDIT_MIN_INTERVAL_MS,
    applicationId: config.DISCORD_APP_ID,
    backendOf: (record) => proxy.laneOf(record),
    onActive: (record, again) => {
      poller.follow(record);
      events.report('tracked', { ...taskEvent(record, proxy.laneOf(record)), again });
    },
    onUnsaved: (count) => stores.health.setPending(count),
    jobs: metrics,
    events,
  });
  // What each backend can do is remembered in the store, per backend.
  const reader = new TaskReader({
    proxy,
    capabilities: (backend) => stores.capabilities.forBackend(backend),
    logger,
    batchSize: config.LIST_BATCH_SIZE,
    concurrency: config.FETCH_CONCURRENCY,
  });
  const push = Boolean(config.NOTIFY_HOOK_URL && config.NOTIFY_HOOK_SECRET);
  const poller: Poller = new Poller({
    reader,
    proxy,
    tasks: stores.tasks,
    tracker,
    leases: stores.leases,
    logger,
    now,
    batchSize: config.LIST_BATCH_SIZE,
    intervals: { moving: config.POLL_INTERVAL_MS, queued: config.POLL_QUEUED_INTERVAL_MS, push: config.POLL_PUSH_INTERVAL_MS },
    push,
    leaseTtlMs: config.LEASE_TTL_MS,
    backoffMaxMs: config.POLL_BACKOFF_MAX_MS,
    hintBus: push ? stores.hints : null,
    finalsWaiting: () => channelQueue.finalsWaiting > 0,
    // A job stays with its backend: one no longer configured ends it at once, one not answering at its deadline.
    backendGone: (r, late) => {
      const backend = r.backend || DEFAULT_BACKEND;
      const gone = !proxy.member(backend) ? 'removed' : late && !proxy.reachable(backend) ? 'unreachable' : null;
      if (gone) logger.warn(gone === 'removed' ? 'job ended: its backend is no longer configured' : 'job ended: its backend did not answer until the deadline', { taskId: r.taskId, backend });
      return gone;
    },
  });
  const notifyHook = push
    ? new NotifyHookServer({
        host: config.NOTIFY_HOOK_HOST,
        port: config.NOTIFY_HOOK_PORT,
        secret: config.NOTIFY_HOOK_SECRET!,
        maxBodyBytes: config.NOTIFY_HOOK_MAX_BYTES,
        logger,
        onTask: (id) => poller.hint(id),
      })
    : null;
  metrics.watch({
    activeTasks: () => tracker.liveCount,
    leasesHeld: () => poller.heldIds().length,
    edits: () => tracker.stats,
    storeFailures: () => stores.health.failures.values(),
    pendingWrites: () => stores.health.pendingWrites,
    circuit: () => proxy.health.state,
    circuits: () => proxy.circuits(),
    channelQueue: () => ({ stats: channelQueue.stats, waiting: channelQueue.waitingBy() }),
  });
  const healthServer = createHealthServer({ config, metrics, client, gateway: overrides.gateway !== false, stores, circuit: proxy.health, receiver: notifyHook });
  // The audit channel: a line per job that ends (from the `finished` event) and per admin change.
  const audit = new Audit({ server: (guildId) => stores.prefs.server(guildId), post: (channelId, content) => poster.postLine(channelId, content), logger, scrub, now });
  events.on('finished', (e) => audit.jobFinished(e));
  const ctx: AppContext = { config, proxy, reader, stores, tracker, poller, logger, now, downloads, audit };
  const jobs = new Jobs(ctx);
  // A job the backend failed for a banned prompt counts towards its owner's cooldown (jobs/screen.ts).
  events.on('finished', (e) => void noteFinished(ctx, e).catch((err: unknown) => logger.warn('banned-prompt failure not counted', { err })));
  const gate = new InteractionGate();
  const route = createRouter(overrides.commands ?? defaultCommands, ctx, { jobs, config, logger, now }, {
    gate,
    events: {
      jobFailed: (command, code, who) => {
        metrics.jobFailed(command, code);
        // A job the backend refused (a banned prompt, a full queue …): a line in the audit channel too.
        if (who) audit.jobRefused(who.guildId, who.userId, command, who.prompt, code);
      },
      handled: (e) => events.report('handled', e),
    },
  });
  client.on(Events.InteractionCreate, (interaction) => void route(interaction));
  client.on(Events.Error, (err) => logger.error('discord client error', { err }));

  let stopped = false;
  let stopping: Promise<void> | null = null;
  let hurry!: () => void;
  const hurried = new Promise<void>((resolve) => (hurry = resolve));
  /** What start-up does once the store answers (and was migrated): each backend's hidden buttons, then push (which may need Redis). */
  const afterStore = async () => {
    for (const backend of backends) {
      const hidden = await stores.hidden.list(backend).catch(() => undefined);
      if (hidden) tracker.setHiddenButtons(backend, hidden);
    }
    if (notifyHook && !stopped) {
      // With several processes a callback reaches any of them: the task's owner gets it relayed.
      await stores.hints?.subscribe((ids) => {
        for (const id of ids) poller.hint(id, true);
      });
      if (!healthServer?.servesReceiver && !stopped) await notifyHook.listen();
      logger.info('notifyHook receiver listening', { host: config.NOTIFY_HOOK_HOST, port: notifyHook.port || healthServer?.port, url: config.NOTIFY_HOOK_URL });
    }
  };

  return {
    ...ctx,
    client,
    events,
    notifyHook,
    metrics,
    healthServer,
    channelQueue,
    async start() {
      warmEmojiCheck();
      if (healthServer) {
        // First, so a probe sees the process alive (and not ready) while the store and the gateway come up.
        await healthServer.listen();
        logger.info('health server listening', { url: healthServer.url, metrics: healthServer.access, withNotifyHook: healthServer.servesReceiver });
        if (healthServer.access === 'off') logger.warn('/metrics is off on an address others can reach; set METRICS_TOKEN to serve it');
      }
      // The store first. When it does not answer at once (Redis down), the bot still logs in, so
      // commands get a private "temporarily unavailable" (the router checks the store is ready),
      // and the rest of start-up follows once the store answers (it keeps retrying).
      let waiting!: () => void;
      const unanswered = new Promise<false>((resolve) => (waiting = () => resolve(false)));
      let logged = false;
      const opened = stores.open((err) => {
        if (!logged) logger.warn('waiting for the store', { err });
        logged = true;
        waiting();
      });
      const ready = await Promise.race([opened.then(() => true as const), unanswered]);
      if (ready && !stopped) await afterStore();
      if (overrides.gateway === false) {
        client.rest.setToken(config.DISCORD_TOKEN);
      } else {
        const loggedIn = once(client, Events.ClientReady);
        await client.login(config.DISCORD_TOKEN);
        await loggedIn;
        logger.info('logged in', { user: client.user?.tag, shards: client.options.shards, shardCount: client.options.shardCount });
      }
      // A signal while starting: stop() owns what is left; nothing starts after it.
      if (stopped) return;
      if (ready) {
        if (overrides.autoPoll !== false) poller.start();
        return;
      }
      void opened
        .then(async () => {
          if (stopped) return;
          logger.info('store ready');
          await afterStore();
          if (overrides.autoPoll !== false && !stopped) poller.start();
        })
        .catch((err: unknown) => logger.error('start-up after the store failed', { err }));
    },
    stop(opts = {}) {
      if (stopping) {
        hurry();
        return stopping;
      }
      stopped = true;
      stopping = (async () => {
        // Each step's end at debug level: a stop that runs into the supervisor's kill says where it waited.
        const since = Date.now();
        const done = (step: string) => logger.debug('stop: step done', { step, afterMs: Date.now() - since });
        // 1. No new interactions; the ones in flight finish, for a bounded time. A job the backend
        // took is saved and shown before the store closes.
        gate.close();
        if (!(await gate.settled(config.SHUTDOWN_GRACE_MS, hurried))) {
          // Cut off: a submit already sent is reported as "may still run", one not sent as "restarting".
          logger.warn('interactions still running at shutdown; cutting off their backend calls', { running: gate.running, graceMs: config.SHUTDOWN_GRACE_MS });
          proxy.interrupt();
          await gate.settled(TELL_MS);
        }
        done('interactions');
        // 2. No more reads: the poller's last pass ends, its leases are released (another process
        // may take the tasks over at once), edits in flight go out.
        proxy.interrupt();
        const drained = await settledWithin(DRAIN_MS, (async () => {
          await notifyHook?.close();
          await poller.stop({ release: opts.release });
          await tracker.stop();
          // The audit lines of the jobs that just ended go out (within the same bound).
          await audit.stop();
        })());
        if (!drained) logger.warn('the poller or an edit was still busy at shutdown; the next start resumes from the store');
        done('poller and edits');
        // 3. Discord, then the connections, then the store: a write still in flight fails here,
        // and the store's previous state is what the next start resumes from. What still waits for
        // the channel budget is not sent (its job stays active in the store and shows at the next start).
        channelQueue.close();
        await client.destroy();
        done('gateway');
        interactionRest.clearHashSweeper();
        interactionRest.clearHandlerSweeper();
        await restAgent.close();
        done('Discord connections');
        await proxy.close();
        await downloads.destroy();
        done('backend connections');
        await stores.close();
        done('store');
        // Last: /readyz answers 503 while the bot stops (the gateway is gone), /healthz until the end.
        await healthServer?.close();
      })();
      return stopping;
    },
  };
}

/** Whether `work` settled within `ms` (it goes on either way). */
async function settledWithin(ms: number, work: Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const done = work.then(() => true as const, () => true as const);
  try {
    return await Promise.race([done, late]);
  } finally {
    clearTimeout(timer);
  }
}
