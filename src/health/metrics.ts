// The app's Prometheus metrics (prom-client), in a registry of the app's own: two apps in one
// process (tests, the playground's restart) never share or collide. Every name starts with
// `mjbot_`; every label takes a bounded set of values: command kinds, route templates, configured
// backend names, codes, HTTP statuses. Never a task id, a user id, a token or a URL.
//
// Events are counted where they happen (the tracker's job events, the proxy transport, the
// router, discord.js's REST events); sizes and totals the app keeps anyway (live tasks, leases,
// the tracker's edit counters, the store's failures) are read when Prometheus scrapes.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { REST } from 'discord.js';
import type { ChannelQueueStats, Priority } from '../discord/channel-queue.ts';
import type { ProxyRequestEvent } from '../proxy/client.ts';
import type { CircuitState } from '../proxy/health.ts';
import { DEFAULT_BACKEND } from '../proxy/lanes.ts';
import type { RecordStatus, TaskRecord } from '../store/tasks.ts';
import type { JobEvents, TrackerStats } from '../tasks/lifecycle.ts';

export const PREFIX = 'mjbot_';

/** What the scrape-time metrics read: the app's own sizes and counters. */
export interface MetricSources {
  /** Active tasks this process follows. */
  activeTasks(): number;
  /** Task leases this process holds. */
  leasesHeld(): number;
  edits(): Readonly<TrackerStats>;
  /** Failed store calls since start (StoreHealth.failures). */
  storeFailures(): Iterable<{ kind: string; op: string; count: number }>;
  /** Records waiting in memory for a write the store refused. */
  pendingWrites(): number;
  circuit(): CircuitState;
  /** Each backend's circuit, by name (several backends); without it, `circuit()` as the backend `default`. */
  circuits?(): Record<string, CircuitState>;
  /** The channel queue (discord/channel-queue.ts): its counts, and what waits in it now. */
  channelQueue?(): { stats: Readonly<ChannelQueueStats>; waiting: Record<Priority, number> };
}

/** Seconds from a job's submit to its end: Midjourney jobs take from seconds (describe) to many minutes (video, relax mode). */
const JOB_BUCKETS = [1, 5, 10, 20, 30, 45, 60, 90, 120, 180, 300, 600, 900, 1800];
/** Seconds per proxy request: reads take milliseconds, submits up to PROXY_SUBMIT_TIMEOUT_MS. */
const PROXY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Seconds a request waited in the channel queue: none while under the budget, up to a minute in a burst of finals (2,000 at 47 a second). */
const QUEUE_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 45, 60, 120];
const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

/** A label value from our own code (a command kind, an error code), kept to a safe shape. */
const word = (s: string, pattern: RegExp) => (pattern.test(s) ? s : 'other');
export const commandLabel = (kind: string): string => word(kind, /^[a-z][a-z0-9_-]{0,31}$/);
export const codeLabel = (code: string): string => word(code, /^[A-Z][A-Z0-9_]{0,39}$/);

/**
 * A Discord API route with every id and token taken out: `/channels/:id/messages/:id`,
 * `/webhooks/:id/:token/messages/@original`. discord.js's bucket routes replace only 17-19 digit
 * snowflakes; any other segment that is not a plain word becomes a placeholder too.
 */
export function discordRouteLabel(route: string): string {
  const out: string[] = [];
  for (const part of (route.split('?')[0] ?? '').split('/')) {
    const [before, prev] = [out.at(-2), out.at(-1)];
    if (/^\d+$/.test(part) || part === ':id') out.push(':id');
    else if ((before === 'webhooks' || before === 'interactions') && prev === ':id') out.push(':token');
    else if (prev === 'reactions') out.push(':reaction');
    else out.push(/^(?:[a-z][a-z-]*|@original|@me|:token|:reaction|)$/.test(part) ? part : ':param');
  }
  return out.join('/');
}

/** The configured backend that ran the job (records written before several backends: `default`). */
const backendLabel = (record: TaskRecord) => commandLabel(record.backend ?? DEFAULT_BACKEND);

export class Metrics implements JobEvents {
  readonly registry = new Registry();
  #defaults = false;
  readonly #jobsStarted: Counter<'command' | 'backend'>;
  readonly #jobsFinished: Counter<'command' | 'outcome' | 'backend'>;
  readonly #jobsFailed: Counter<'command' | 'code'>;
  readonly #jobSeconds: Histogram<'command' | 'outcome' | 'backend'>;
  readonly #proxyRequests: Counter<'route' | 'backend'>;
  readonly #proxyErrors: Counter<'route' | 'backend' | 'code'>;
  readonly #proxySeconds: Histogram<'route' | 'backend'>;
  readonly #discordRequests: Counter<'method' | 'route' | 'status'>;
  readonly #discordRateLimited: Counter<'route' | 'global'>;
  readonly #failovers: Counter<'backend' | 'reason'>;
  readonly #queueWait: Histogram<'priority'>;

  constructor(private readonly now: () => number = Date.now) {
    const registers = [this.registry];
    const counter = <L extends string>(name: string, help: string, labelNames: L[]) => new Counter<L>({ name: PREFIX + name, help, labelNames, registers });
    this.#jobsStarted = counter('jobs_started_total', 'Jobs the backend took and the bot started following, by kind and backend.', ['command', 'backend']);
    this.#jobsFinished = counter('jobs_finished_total', 'Jobs that ended, by kind, outcome (success, failure, cancel, timeout, lost) and backend.', ['command', 'outcome', 'backend']);
    this.#jobsFailed = counter('jobs_failed_total', 'Jobs asked for that never started: the submit (or the work before it) failed, by command and error code.', ['command', 'code']);
    this.#jobSeconds = new Histogram({ name: `${PREFIX}job_duration_seconds`, help: 'Seconds from a job’s submit to its end, by kind, outcome and backend.', labelNames: ['command', 'outcome', 'backend'], buckets: JOB_BUCKETS, registers });
    this.#proxyRequests = counter('proxy_requests_total', 'Requests sent to the proxy (each attempt), by route and backend.', ['route', 'backend']);
    this.#proxyErrors = counter('proxy_request_errors_total', 'Proxy requests that failed (no answer, an HTTP error, an error code), by route, backend and code.', ['route', 'backend', 'code']);
    this.#proxySeconds = new Histogram({ name: `${PREFIX}proxy_request_duration_seconds`, help: 'Seconds per proxy request, by route and backend.', labelNames: ['route', 'backend'], buckets: PROXY_BUCKETS, registers });
    this.#discordRequests = counter('discord_requests_total', 'Discord REST responses, by method, route and HTTP status (429: rate limited).', ['method', 'route', 'status']);
    this.#failovers = counter('backend_failovers_total', 'New jobs a backend surely did not take, sent on to the next backend at once, by the backend that refused and why.', ['backend', 'reason']);
    this.#queueWait = new Histogram({ name: `${PREFIX}discord_queue_wait_seconds`, help: 'Seconds a request waited in the channel queue (Discord’s global limit, finals first) before it was sent, by priority (final, other, notice, progress).', labelNames: ['priority'], buckets: QUEUE_BUCKETS, registers });
    this.#discordRateLimited = counter('discord_rate_limited_total', 'Times discord.js’s REST queue waited for a rate limit, by route and whether it was the global one.', ['route', 'global']);
  }

  /** Node's process metrics (event-loop lag, memory, CPU, GC) under the same prefix. Once; they cannot be stopped, so only an app that serves them asks. */
  collectProcessMetrics(): void {
    if (this.#defaults) return;
    this.#defaults = true;
    collectDefaultMetrics({ register: this.registry, prefix: PREFIX });
  }

  // --- events -----------------------------------------------------------------------------

  started(record: TaskRecord): void {
    this.#jobsStarted.inc({ command: commandLabel(record.kind), backend: backendLabel(record) });
  }

  ended(record: TaskRecord, status: RecordStatus): void {
    const labels = { command: commandLabel(record.kind), outcome: status.toLowerCase(), backend: backendLabel(record) };
    this.#jobsFinished.inc(labels);
    this.#jobSeconds.observe(labels, Math.max(0, this.now() - record.createdAt) / 1000);
  }

  jobFailed(command: string, code: string): void {
    this.#jobsFailed.inc({ command: commandLabel(command), code: codeLabel(code) });
  }

  proxyRequest(e: ProxyRequestEvent): void {
    const labels = { route: e.route, backend: e.backend };
    this.#proxyRequests.inc(labels);
    this.#proxySeconds.observe(labels, e.seconds);
    if (e.error) this.#proxyErrors.inc({ ...labels, code: codeLabel(e.error) });
  }

  /** A new job went on to the next backend (proxy/pool.ts). */
  failover(backend: string, reason: string): void {
    this.#failovers.inc({ backend: commandLabel(backend), reason: commandLabel(reason) });
  }

  /** Counts discord.js's REST responses and rate-limit waits. */
  watchDiscord(rest: REST): void {
    rest.on('response', (request, response) => {
      const method = request.method.toUpperCase();
      this.#discordRequests.inc({ method: METHODS.has(method) ? method : 'OTHER', route: discordRouteLabel(request.route), status: String(response.status) });
    });
    rest.on('rateLimited', (info) => this.#discordRateLimited.inc({ route: discordRouteLabel(info.route), global: String(info.global) }));
  }

  /** A request the channel queue sent, after waiting `waitedMs` in it. */
  channelQueueSent(priority: Priority, waitedMs: number): void {
    this.#queueWait.observe({ priority }, Math.max(0, waitedMs) / 1000);
  }

  /** The scrape-time metrics, read from `s`. */
  watch(s: MetricSources): void {
    const registers = [this.registry];
    const gauge = (name: string, help: string, read: () => number) =>
      new Gauge({ name: PREFIX + name, help, registers, collect() {
        this.set(read());
      } });
    gauge('tasks_active', 'Active tasks this process follows.', s.activeTasks);
    gauge('leases_held', 'Task leases this process holds (with several processes, each task is polled by its lease holder).', s.leasesHeld);
    gauge('store_pending_writes', 'Task records kept in memory because the store refused their write.', s.pendingWrites);
    new Gauge({ name: `${PREFIX}backend_circuit_open`, help: '1 while the backend’s circuit breaker is open (no new jobs go there), else 0, by backend.', labelNames: ['backend'], registers, collect() {
      this.reset();
      for (const [backend, state] of Object.entries(s.circuits?.() ?? { default: s.circuit() })) this.set({ backend: commandLabel(backend) }, state === 'open' ? 1 : 0);
    } });
    new Counter({ name: `${PREFIX}discord_edits_total`, help: 'Task views: sent to Discord, or skipped (same_view, unchanged, stale, coalesced) or put off (deferred).', labelNames: ['result'], registers, collect() {
      const e = s.edits();
      this.reset();
      const results = { sent: e.published, same_view: e.sameView, unchanged: e.unchanged, stale: e.stale, coalesced: e.coalesced, deferred: e.deferred };
      for (const [result, n] of Object.entries(results)) this.inc({ result }, n);
    } });
    if (s.channelQueue) this.#watchQueue(s.channelQueue);
    new Counter({ name: `${PREFIX}store_errors_total`, help: 'Store calls that failed, by kind (read, write) and operation.', labelNames: ['kind', 'op'], registers, collect() {
      this.reset();
      for (const f of s.storeFailures()) this.inc({ kind: f.kind, op: f.op }, f.count);
    } });
  }

  #watchQueue(read: NonNullable<MetricSources['channelQueue']>): void {
    const registers = [this.registry];
    const counts = (name: string, help: string, pick: (st: Readonly<ChannelQueueStats>) => Record<Priority, number>) =>
      new Counter({ name: PREFIX + name, help, labelNames: ['priority'], registers, collect() {
        this.reset();
        for (const [priority, n] of Object.entries(pick(read().stats))) this.inc({ priority }, n);
      } });
    counts('discord_queue_queued_total', 'Requests handed to the channel queue (the bot’s own channel access, under DISCORD_CHANNEL_BUDGET), by priority.', (st) => st.queued);
    counts('discord_queue_sent_total', 'Requests the channel queue sent, by priority.', (st) => st.sent);
    new Gauge({ name: `${PREFIX}discord_queue_waiting`, help: 'Requests waiting in the channel queue now, by priority.', labelNames: ['priority'], registers, collect() {
      for (const [priority, n] of Object.entries(read().waiting)) this.set({ priority }, n);
    } });
    const total = (name: string, help: string, pick: (st: Readonly<ChannelQueueStats>) => number) =>
      new Counter({ name: PREFIX + name, help, registers, collect() {
        this.reset();
        this.inc(pick(read().stats));
      } });
    total('discord_queue_shed_total', 'Progress edits the channel queue dropped: a newer view of the same job replaced them.', (st) => st.shed);
    total('discord_queue_progress_before_final_total', 'Progress edits sent while a final result waited in the queue (the goal is 0).', (st) => st.progressBeforeFinal);
    total('discord_queue_budget_waits_total', 'Times the channel queue had requests ready and waited for a budget token.', (st) => st.budgetWaits);
    total('discord_queue_budget_wait_seconds_total', 'Seconds the channel queue spent waiting for budget tokens.', (st) => st.budgetWaitMs / 1000);
    total('discord_queue_tokens_unused_total', 'Budget tokens taken for a request shed meanwhile, and dropped.', (st) => st.tokensUnused);
  }

  /** The exposition text, and its content type. */
  async text(): Promise<{ body: string; contentType: string }> {
    return { body: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}
