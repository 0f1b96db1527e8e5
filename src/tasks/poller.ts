// The poller: a timer around an idempotent tick(). A pass takes the tasks this process holds (the
// active index is re-read, and the leases taken or renewed, every third of a lease; with several
// processes each task is polled by exactly one), fetches those that are due (batched through
// list-by-condition, or per-task fetch with bounded concurrency when the backend has no such
// endpoint) and hands each changed one to the tracker.
//
// Each task has its own next poll time, so the timer wakes only when something is due:
// - a task that moves (SUBMITTED, IN_PROGRESS, or changed at its last poll) is due every
//   POLL_INTERVAL_MS;
// - a task that sits in the queue unchanged (NOT_START), every POLL_QUEUED_INTERVAL_MS, except the
//   head of the queue (its oldest batch), which is where the next start shows up;
// - with push on, a task whose notifyHook callbacks arrive is polled only every
//   POLL_PUSH_INTERVAL_MS, as a safety net; a poll that finds a change the push did not bring
//   puts the task back on the fast interval;
// - with nothing active, no proxy call at all.
// Tasks due within half a fast interval of each other share a tick, so batches stay full.
//
// A read that fails puts the task off exponentially (with jitter, up to POLL_BACKOFF_MAX_MS), and
// an answer the key was refused (401/403, quota, rate limit) puts the whole backend off the same
// way: a backend that refuses every read fast is asked a handful of times a minute, not hundreds
// of times a second. The log says when reads start failing (naming the cause) and when they work
// again, not every failed request; after OUTAGE_AFTER failed passes in a row the replies say the
// service cannot be reached, until a read works again.
//
// Push hints (hint(id)) are gathered for a few milliseconds, fetched through the same batched
// path and applied the same way; with several processes, a hint for a task another process holds
// is relayed to it. Tests call tick(), which polls every active task at once.
import type { Logger } from '../logger.ts';
import { ProxyError } from '../proxy/errors.ts';
import type { ProxyClient } from '../proxy/client.ts';
import type { Task } from '../proxy/types.ts';
import type { CapabilityStore } from '../store/capabilities.ts';
import type { HintBus } from '../store/create-store.ts';
import type { LeaseRepository } from '../store/leases.ts';
import { byAge, type TaskRecord, type TaskRepository } from '../store/tasks.ts';
import { sameTaskState, type Tracker } from './tracker.ts';

export interface PollIntervals {
  /** A task that moves. */
  moving: number;
  /** A task waiting in the proxy's queue, unchanged. */
  queued: number;
  /** A moving task whose push callbacks arrive (the safety net). */
  push: number;
}

export interface PollerOptions {
  proxy: ProxyClient;
  tasks: TaskRepository;
  /** The default backend's capabilities (the one this poller reads). */
  settings: CapabilityStore;
  tracker: Tracker;
  leases: LeaseRepository;
  logger: Logger;
  now: () => number;
  batchSize: number;
  concurrency: number;
  intervals: PollIntervals;
  /** Whether submits carry a notifyHook (push on). */
  push: boolean;
  /** Lease lifetime; renewed at least every third of it. */
  leaseTtlMs: number;
  /** Several processes: hints for tasks another process holds go to it through this. */
  hintBus?: HintBus | null;
  /** How long push hints are gathered into one fetch. Default 5 ms. */
  hintDelayMs?: number;
  /** Parallel tracker updates per batch. Default 16. */
  applyConcurrency?: number;
  /** Longest wait between two reads of a task (or the backend) whose reads fail. */
  backoffMaxMs: number;
  /** Jitter source, [0, 1). Default Math.random. */
  random?: () => number;
}

const LIST_SUPPORT_KEY = 'capability:list-by-condition';
/** Records read from the store per query when adopting tasks. */
const ADOPT_CHUNK = 500;
const LIST_MAX_KEY = 'capability:list-by-condition-max';
/** Failed passes in a row after which the replies say the service cannot be reached (a blip is not an outage). */
export const OUTAGE_AFTER = 3;
/** Errors that concern the key or the account, not one task: the whole backend is put off. */
const BACKEND_CODES: ReadonlySet<string> = new Set(['UNAUTHORIZED', 'QUOTA', 'RATE_LIMITED']);

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export interface TickReport {
  /** Active tasks this process holds (follows). */
  active: number;
  /** Tasks fetched in this pass. */
  due: number;
  /** Tasks handed to the tracker. */
  updated: number;
  proxyCalls: number;
  errors: number;
  /** How long the pass took. */
  durationMs: number;
}

/** Totals since start, for the benchmark and for tests. */
export interface PollerStats {
  passes: number;
  /** Passes that asked the proxy anything. */
  busyPasses: number;
  proxyCalls: number;
  hints: number;
  hintFlushes: number;
  hintProxyCalls: number;
  /** Hints passed on to other processes. */
  hintsRelayed: number;
}

type FetchSink = (found: Task[], missing: string[]) => Promise<void>;
type ReadErrorSink = (err: unknown) => void;

/** How reads of the backend are going: the log and the outage notice follow its changes. */
interface ReadState {
  /** Passes in a row in which no read got an answer. */
  failures: number;
  /** The failing state's cause as logged (a change of cause is logged again). */
  cause: string | null;
  since: number;
  /** No timer pass reads before this (key refused, quota, rate limit). */
  until: number;
  outage: boolean;
}

const emptyReport = (): TickReport => ({ active: 0, due: 0, updated: 0, proxyCalls: 0, errors: 0, durationMs: 0 });

export class Poller {
  readonly stats: PollerStats = { passes: 0, busyPasses: 0, proxyCalls: 0, hints: 0, hintFlushes: 0, hintProxyCalls: 0, hintsRelayed: 0 };
  #timer: NodeJS.Timeout | null = null;
  #timerAt = Infinity;
  #running: Promise<TickReport> | null = null;
  #listSupported: boolean | undefined;
  #listMax: number | undefined;
  #stopped = true;
  /** When the active index was last read and the leases renewed. */
  #listedAt = -Infinity;
  /** stop() was called: hints are ignored from then on. */
  #closed = false;
  /** Leases this process holds. */
  readonly #held = new Set<string>();
  /** Next poll time per held task. */
  readonly #nextPoll = new Map<string, number>();
  /** Tasks whose push callbacks arrive. */
  readonly #pushed = new Set<string>();
  /** When each held task was last asked about (the head of the queue is due a moving interval later). */
  readonly #polledAt = new Map<string, number>();
  /** Failed reads in a row per task (its backoff). */
  readonly #failures = new Map<string, number>();
  readonly #reads: ReadState = { failures: 0, cause: null, since: 0, until: -Infinity, outage: false };
  readonly #hints = new Set<string>();
  /** Hints that came from this process's receiver (the others were relayed by another process). */
  readonly #local = new Set<string>();
  #hintTimer: NodeJS.Timeout | null = null;
  #lastHintAt = -Infinity;
  /** When the head of the queue is due again at the fast interval. */
  #headWakeAt = Infinity;
  readonly #hintFlushes = new Set<Promise<void>>();
  readonly #listeners = new Set<(r: TickReport) => void>();

  constructor(private readonly o: PollerOptions) {}

  /** Called after every timer pass and tick (the benchmark counts proxy calls per tick). */
  onPass(fn: (report: TickReport) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** Starts the timer. */
  start(): void {
    this.#stopped = false;
    this.#closed = false;
    this.#arm(0);
  }

  /**
   * Stops the timer and waits for the pass in flight. `release: false` leaves the leases to expire
   * (what a crash does); by default they are given up so another process takes over at once.
   */
  async stop(opts: { release?: boolean } = {}): Promise<void> {
    this.#stopped = true;
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#hintTimer) clearTimeout(this.#hintTimer);
    this.#hintTimer = null;
    this.#hints.clear();
    this.#local.clear();
    await this.#running?.catch(() => undefined);
    await Promise.allSettled([...this.#hintFlushes]);
    if (opts.release !== false && this.#held.size) {
      await this.o.leases.release([...this.#held]).catch((err: unknown) => this.o.logger.warn('lease release failed', { err }));
    }
    this.#held.clear();
  }

  /** Ids of the tasks this process holds the lease of. */
  heldIds(): string[] {
    return [...this.#held];
  }

  /**
   * One pass over every active task, due or not; concurrent calls share the pass in flight. Unlike
   * the timer's passes it returns only once the results it found are out too (downloads and
   * uploads run off the poll path), so a caller can read Discord right after.
   */
  async tick(): Promise<TickReport> {
    const report = await this.#pass(true);
    await this.o.tracker.resultsOut();
    return report;
  }

  /** The pass the timer runs: only the tasks that are due (tests drive it with their own clock). */
  runDue(): Promise<TickReport> {
    return this.#pass(false);
  }

  /** Milliseconds until the timer's next pass. */
  nextPassInMs(): number {
    return this.#nextDelay();
  }

  /** A task this process just started following (a job it submitted, "check again"). */
  follow(record: TaskRecord): void {
    void this.o.leases
      .claim([record.taskId], this.o.leaseTtlMs)
      .then((held) => {
        if (!held.has(record.taskId)) {
          this.o.tracker.forget(record.taskId);
          return;
        }
        this.#held.add(record.taskId);
        // The submit's answer counts as the first look: the head-of-queue rule waits a moving interval too.
        this.#polledAt.set(record.taskId, this.o.now());
        this.#schedule(record.taskId, this.o.now() + this.o.intervals.moving);
        // Its first poll is a moving interval away: the timer must fire by then (an earlier timer
        // stays). Not #nextDelay(), which walks every task held: at thousands of submits a
        // second that walk was the bot's hottest loop.
        this.#arm(this.o.intervals.moving);
      })
      .catch((err: unknown) => this.o.logger.warn('lease claim failed', { err }));
  }

  /**
   * A notifyHook callback named this task: re-fetch it soon, together with other hints. A hint
   * for a task another process holds is passed on to it (`relayed`: it came that way, do not pass
   * it on again).
   */
  hint(taskId: string, relayed = false): void {
    if (this.#closed) return;
    this.stats.hints++;
    if (!relayed) this.#local.add(taskId);
    this.#hints.add(taskId);
    if (!this.#hintTimer) {
      this.#hintTimer = setTimeout(() => {
        this.#hintTimer = null;
        const p = this.#flushHints()
          .catch((err: unknown) => this.o.logger.warn('push hints failed; the next poll picks the changes up', { err }))
          .finally(() => this.#hintFlushes.delete(p));
        this.#hintFlushes.add(p);
      }, this.o.hintDelayMs ?? 5);
    }
  }

  /** Resolves when the hints received so far have been applied (tests). */
  async settleHints(): Promise<void> {
    while (this.#hintTimer || this.#hintFlushes.size) {
      if (this.#hintTimer) await new Promise((r) => setTimeout(r, (this.o.hintDelayMs ?? 5) + 1));
      await Promise.allSettled([...this.#hintFlushes]);
    }
  }

  // --- passes -----------------------------------------------------------------------------

  #pass(all: boolean): Promise<TickReport> {
    if (!this.#running) {
      this.#running = this.#runPass(all).finally(() => {
        this.#running = null;
      });
    }
    return this.#running;
  }

  async #runPass(all: boolean): Promise<TickReport> {
    const report = emptyReport();
    const started = performance.now();
    const now = this.o.now();
    // Records the store refused earlier are written first, now that it may take them again.
    await this.o.tracker.retryUnsaved();
    // The active index is read and the leases renewed on a tick, and every third of a lease (or
    // queued interval); in between, the tasks held are known.
    const relist = all || now - this.#listedAt >= Math.min(this.o.leaseTtlMs / 3, this.o.intervals.queued);
    const records = relist ? await this.#claimAndLoad() : this.#heldRecords();
    if (relist) this.#listedAt = now;
    report.active = records.length;
    const due: TaskRecord[] = [];
    const slack = this.o.intervals.moving / 2;
    // The head of the queue (the oldest waiting tasks, one batch of them) is polled at the fast
    // interval: queues are first in, first out, so that is where the next start shows up. Not
    // needed while push callbacks arrive (they announce the start).
    let head = this.o.push && now - this.#lastHintAt < this.o.intervals.push ? 0 : this.#batchSize();
    const headIds: string[] = [];
    // A backend that refused the key is not read by the timer before its backoff is over.
    const paused = !all && now < this.#reads.until;
    for (const r of records) {
      // Oldest first: the active index and the held set are in age order.
      const next = this.#nextPoll.get(r.taskId) ?? 0;
      const atHead = r.status === 'NOT_START' && head-- > 0;
      if (atHead) headIds.push(r.taskId);
      if (now >= r.deadlineAt) await this.#safely(report, () => this.o.tracker.expire(r));
      else if (paused) continue;
      else if (all || next <= now + slack || (atHead && this.#headDueAt(r.taskId) <= now + slack)) due.push(r);
    }
    report.due = due.length;
    if (due.length) await this.#poll(due, report, 'poll');
    // When the head is next worth a look (its tasks' next regular poll is the slow one).
    this.#headWakeAt = Infinity;
    for (const id of headIds) this.#headWakeAt = Math.min(this.#headWakeAt, this.#headDueAt(id));
    this.#settle(records);
    report.durationMs = performance.now() - started;
    this.stats.passes++;
    if (report.proxyCalls) this.stats.busyPasses++;
    this.stats.proxyCalls += report.proxyCalls;
    for (const fn of this.#listeners) fn(report);
    return report;
  }

  /** Lists the active tasks, takes or renews their leases, and returns the live records held. */
  async #claimAndLoad(): Promise<TaskRecord[]> {
    // Tasks followed while this reads the index and claims (a job just submitted) are not in
    // what it read: they stay held, not taken for settled.
    const before = new Set(this.#held);
    const listed = await this.o.tasks.activeIds();
    // Active tasks whose write the store refused are not listed, and are followed all the same.
    const unlisted = this.o.tracker.unsavedActiveIds().filter((id) => !listed.includes(id));
    const ids = unlisted.length ? [...listed, ...unlisted].sort(byAge) : listed;
    const held = ids.length ? await this.o.leases.claim(ids, this.o.leaseTtlMs) : new Set<string>();
    for (const id of this.#held) if (!before.has(id)) held.add(id);
    const active = new Set(ids);
    const done: string[] = [];
    for (const id of this.#held) {
      if (!before.has(id)) continue;
      if (!active.has(id)) done.push(id);
      else if (!held.has(id)) {
        // Another process holds it now (this one stalled past the lease): let go.
        this.o.tracker.forget(id);
        this.#drop(id);
      }
    }
    for (const id of done) this.#drop(id);
    if (done.length) await this.o.leases.release(done).catch((err: unknown) => this.o.logger.warn('lease release failed', { err }));
    this.#held.clear();
    for (const id of held) this.#held.add(id);

    const records: TaskRecord[] = [];
    const missing: string[] = [];
    for (const id of ids) {
      if (!held.has(id)) continue;
      const live = this.o.tracker.live(id);
      // A task whose result is being published stays held (its lease renewed) but is not polled.
      if (live) {
        if (live.active || !this.o.tracker.finishing(id)) records.push(live);
      } else missing.push(id);
    }
    // Records not yet in memory (a restart, a takeover): read in slices, so that adopting
    // thousands at once neither blocks the event loop nor allocates them all in one go.
    for (let i = 0; i < missing.length; i += ADOPT_CHUNK) {
      if (i > 0) await new Promise((r) => setImmediate(r));
      const loaded = await this.o.tasks.getMany(missing.slice(i, i + ADOPT_CHUNK));
      for (const r of loaded) if (r?.active) records.push(this.o.tracker.adopt(r));
    }
    return records;
  }

  /** The live records of the tasks held, without reading the store. */
  #heldRecords(): TaskRecord[] {
    const out: TaskRecord[] = [];
    const gone: string[] = [];
    for (const id of this.#held) {
      const r = this.o.tracker.live(id);
      if (r?.active) out.push(r);
      else if (!this.o.tracker.finishing(id)) gone.push(id);
    }
    for (const id of gone) this.#drop(id);
    if (gone.length) void this.o.leases.release(gone).catch((err: unknown) => this.o.logger.warn('lease release failed', { err }));
    return out;
  }

  /** After a pass: tasks that settled leave the schedule and give up their lease. */
  #settle(records: TaskRecord[]): void {
    const settled: string[] = [];
    for (const r of records) {
      if (r.active) continue;
      // Its result is still on the way to Discord: keep the lease (no other process may show it
      // again), poll it no more.
      if (this.o.tracker.finishing(r.taskId)) this.#nextPoll.delete(r.taskId);
      else settled.push(r.taskId);
    }
    for (const id of settled) this.#drop(id);
    if (settled.length) void this.o.leases.release(settled).catch((err: unknown) => this.o.logger.warn('lease release failed', { err }));
    if (!this.#stopped) this.#arm(this.#nextDelay());
  }

  #drop(id: string): void {
    this.#held.delete(id);
    this.#nextPoll.delete(id);
    this.#pushed.delete(id);
    this.#polledAt.delete(id);
    this.#failures.delete(id);
  }

  /**
   * When a task at the head of the queue is worth a look: a moving interval after it was last asked
   * about, unless its reads fail, when its backoff decides (it must never land in the past, or the
   * timer spins).
   */
  #headDueAt(id: string): number {
    const next = this.#nextPoll.get(id) ?? -Infinity;
    if (this.#failures.has(id)) return next;
    return Math.min(next, (this.#polledAt.get(id) ?? -Infinity) + this.o.intervals.moving);
  }

  async #flushHints(): Promise<void> {
    const ids = [...this.#hints];
    this.#hints.clear();
    const records: TaskRecord[] = [];
    const elsewhere: string[] = [];
    for (const id of ids) {
      const r = this.o.tracker.live(id);
      // Only tasks this process follows. Another process may hold the others: pass them on (its
      // own poll would pick the change up too, later); an id nobody holds is noise.
      if (r && this.#held.has(id)) records.push(r);
      else if (this.#local.has(id)) elsewhere.push(id);
      this.#local.delete(id);
    }
    if (elsewhere.length && this.o.hintBus) {
      this.stats.hintsRelayed += elsewhere.length;
      await this.o.hintBus.publish(elsewhere).catch((err: unknown) => this.o.logger.warn('hint relay failed', { err }));
    }
    if (!records.length) return;
    // The key was refused: a callback does not make it good; the tasks are read when the backoff ends.
    if (this.o.now() < this.#reads.until) return;
    this.#lastHintAt = this.o.now();
    for (const r of records) this.#pushed.add(r.taskId);
    const report = emptyReport();
    report.active = this.#held.size;
    report.due = records.length;
    await this.#poll(records, report, 'push');
    this.stats.hintFlushes++;
    this.stats.hintProxyCalls += report.proxyCalls;
    // A flush only moves the tasks it read later (or a moving interval away): a pending timer is
    // still right, and only a missing one needs the walk over every task held.
    if (!this.#stopped && !this.#timer) this.#arm(this.#nextDelay());
  }

  /** Fetches `records`' tasks and applies them; schedules each task's next poll. */
  async #poll(records: TaskRecord[], report: TickReport, source: 'poll' | 'push'): Promise<void> {
    const byId = new Map(records.map((r) => [r.taskId, r]));
    const seen = new Set<string>();
    const sink: FetchSink = async (found, missing) => {
      const now = this.o.now();
      // Before the updates: they must not show an outage that just ended.
      if (found.length || missing.length) this.#readsWork(now);
      const updates: [TaskRecord, Task][] = [];
      for (const task of found) {
        const r = byId.get(task.id);
        if (!r || seen.has(task.id)) continue;
        seen.add(task.id);
        updates.push([r, task]);
      }
      const changedOnes: [TaskRecord, Task][] = [];
      for (const [r, task] of updates) {
        if (this.o.tracker.isUnchanged(r, task)) {
          // The common case at scale: a queued task still queued. Nothing to do but reschedule.
          this.o.tracker.stats.unchanged++;
          this.#schedule(r.taskId, now + this.#intervalFor(task, false));
        } else {
          changedOnes.push([r, task]);
        }
      }
      report.updated += updates.length;
      await mapLimit(changedOnes, this.o.applyConcurrency ?? 16, async ([r, task]) => {
        const changed = !sameTaskState(task, r.task);
        await this.#safely(report, () => this.o.tracker.applyUpdate(r, task));
        if (source === 'poll' && changed) this.#pushed.delete(r.taskId); // push missed it, if on
        this.#schedule(r.taskId, now + this.#intervalFor(task, changed));
      });
      for (const id of missing) {
        const r = byId.get(id);
        if (!r || seen.has(id)) continue;
        seen.add(id);
        await this.#safely(report, () => this.o.tracker.miss(r));
        this.#schedule(id, now + this.o.intervals.moving);
      }
    };
    let lastError: unknown;
    await this.#fetch([...byId.keys()], report, sink, (err) => {
      lastError = err;
    });
    const now = this.o.now();
    for (const id of byId.keys()) {
      this.#polledAt.set(id, now);
      if (seen.has(id)) this.#failures.delete(id);
    }
    if (!seen.size && lastError !== undefined) this.#readsFail(now, lastError);
    // Ids the proxy could not be asked about (errors) are put off: each by its own backoff, all
    // together to the backend's when the key was refused (so they are read in one batch again).
    for (const id of byId.keys()) {
      if (seen.has(id)) continue;
      const n = (this.#failures.get(id) ?? 0) + 1;
      this.#failures.set(id, n);
      this.#schedule(id, this.#reads.until > now ? this.#reads.until : now + this.#backoff(n));
    }
  }

  /** Wait before the n-th retry: the moving interval doubled each time, ±20 %, at most the cap. */
  #backoff(n: number): number {
    const base = this.o.intervals.moving * 2 ** Math.min(n - 1, 30);
    const jitter = 0.8 + 0.4 * (this.o.random ?? Math.random)();
    return Math.min(this.o.backoffMaxMs, base * jitter);
  }

  /** A pass in which no read got an answer. */
  #readsFail(now: number, err: unknown): void {
    const s = this.#reads;
    s.failures++;
    const code = err instanceof ProxyError ? err.code : 'ERROR';
    if (BACKEND_CODES.has(code)) s.until = now + this.#backoff(s.failures);
    const cause = err instanceof ProxyError ? `${err.code}:${err.context.status ?? ''}:${err.context.proxyCode ?? ''}` : String(err);
    if (s.cause !== cause) {
      if (s.cause === null) s.since = now;
      s.cause = cause;
      const fields = { host: this.o.proxy.host, err, retry: 'with backoff' };
      if (code === 'UNAUTHORIZED') {
        this.o.logger.warn(`the proxy refuses the key on reads; check MJ_API_KEY and MJ_AUTH_STYLE (now ${this.o.proxy.authStyle})`, fields);
      } else {
        this.o.logger.warn('proxy reads fail; retrying with backoff', fields);
      }
    }
    if (s.failures >= OUTAGE_AFTER && !s.outage) {
      s.outage = true;
      this.o.logger.info('telling users the service cannot be reached', { host: this.o.proxy.host });
      this.o.tracker.setOutage(true);
    }
  }

  /** A pass in which some read got an answer. */
  #readsWork(now: number): void {
    const s = this.#reads;
    if (s.failures === 0 && s.cause === null) return;
    if (s.cause !== null) this.o.logger.info('proxy reads work again', { host: this.o.proxy.host, failedPasses: s.failures, forMs: now - s.since });
    const outage = s.outage;
    Object.assign(s, { failures: 0, cause: null, until: -Infinity, outage: false });
    if (outage) this.o.tracker.setOutage(false);
  }

  #intervalFor(task: Task, changed: boolean): number {
    const { moving, queued, push } = this.o.intervals;
    // With push on, the proxy calls back when a queued task starts: its place in the queue is all
    // a poll adds, and that can wait for the safety net's pace.
    if (task.status === 'NOT_START' && !changed) return this.o.push ? Math.max(queued, push) : queued;
    if (this.o.push && this.#pushed.has(task.id)) return Math.max(push, moving);
    return moving;
  }

  #schedule(id: string, at: number): void {
    if (this.#held.has(id)) this.#nextPoll.set(id, at);
  }

  /**
   * Delay to the next timer pass: the earliest due task (none before the backend's backoff ends),
   * but at least every third of a lease.
   */
  #nextDelay(): number {
    const now = this.o.now();
    const relistAt = this.#listedAt + Math.min(this.o.leaseTtlMs / 3, this.o.intervals.queued);
    const notBefore = this.#reads.until;
    let next = Math.min(relistAt, Math.max(this.#headWakeAt, notBefore));
    for (const id of this.#held) {
      const scheduled = this.#nextPoll.get(id);
      if (scheduled === undefined && this.o.tracker.finishing(id)) continue;
      const at = Math.max(scheduled ?? now, notBefore);
      if (at < next) next = at;
    }
    return Math.max(0, Math.max(now, next) - now);
  }

  #arm(delayMs: number): void {
    if (this.#stopped) return;
    const at = Date.now() + delayMs;
    if (this.#timer && this.#timerAt <= at) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#timerAt = Infinity;
      if (this.#stopped) return;
      this.#pass(false).catch((err: unknown) => {
        this.o.logger.error('tick failed', { err });
        this.#arm(this.o.intervals.moving);
      });
    }, Math.max(0, delayMs));
    this.#timer.unref?.();
  }

  async #safely(report: TickReport, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      report.errors++;
      this.o.logger.error('task update failed', { err });
    }
  }

  // --- fetching ---------------------------------------------------------------------------

  /** Tasks by id; ids the proxy does not know are absent. null when the proxy could not be asked. */
  async fetchTasks(ids: string[], report: TickReport = emptyReport()): Promise<{ found: Map<string, Task>; failed: Set<string> } | null> {
    const found = new Map<string, Task>();
    const unknown = new Set<string>();
    const asked = await this.#fetch(
      ids,
      report,
      async (tasks, missing) => {
        for (const t of tasks) found.set(t.id, t);
        for (const id of missing) unknown.add(id);
      },
      (err) => this.o.logger.warn('task read failed', { host: this.o.proxy.host, err }),
    );
    if (!asked) return null;
    const failed = new Set(ids.filter((id) => !found.has(id) && !unknown.has(id)));
    return { found, failed };
  }

  /**
   * Feeds `sink` batch by batch: tasks found, and ids the proxy confirmed it does not know. Ids that
   * could not be asked about (errors) appear in neither. Answers false when no request got through.
   */
  async #fetch(ids: string[], report: TickReport, sink: FetchSink, onError: ReadErrorSink): Promise<boolean> {
    if (ids.length === 0) return true;
    let answered = false;
    let rest: string[] = [];
    if (await this.#listIsSupported()) {
      const batches: string[][] = [];
      const size = this.#batchSize();
      for (let i = 0; i < ids.length; i += size) batches.push(ids.slice(i, i + size));
      const outcomes = await mapLimit(batches, Math.max(1, this.o.concurrency), async (batch) => {
        const got = await this.#list(batch, report, onError);
        if (got === 'per-task') return batch;
        if (got === null) return [];
        answered = true;
        const asked = new Set(batch);
        const found = new Set(got.map((t) => t.id));
        await sink(got.filter((t) => asked.has(t.id)), []);
        // Ids a list omitted are confirmed one by one (a relay may lag, or drop some).
        return batch.filter((id) => !found.has(id));
      });
      rest = outcomes.flat();
    } else {
      rest = ids;
    }
    if (rest.length === 0) return answered;
    let failures = 0;
    await mapLimit(rest, this.o.concurrency, async (id) => {
      report.proxyCalls++;
      try {
        const task = await this.o.proxy.fetchTask(id);
        answered = true;
        // Keep our id: a relay may echo it as a number that lost precision.
        await sink(task ? [{ ...task, id }] : [], task ? [] : [id]);
      } catch (err) {
        failures++;
        report.errors++;
        onError(err);
      }
    });
    return answered || failures < rest.length;
  }

  /** One list-by-condition call; splits the batch when the backend refuses its size. Failures go to `onError`, not the log (the caller logs changes of state). */
  async #list(batch: string[], report: TickReport, onError: ReadErrorSink): Promise<Task[] | null | 'per-task'> {
    report.proxyCalls++;
    try {
      return await this.o.proxy.listTasks(batch);
    } catch (err) {
      if (err instanceof ProxyError && err.code === 'UNSUPPORTED') {
        if (this.#listSupported !== false) {
          this.o.logger.info('backend has no list-by-condition; polling tasks one by one');
          this.#listSupported = false;
          await this.o.settings.set(LIST_SUPPORT_KEY, false, 24 * 3600_000);
        }
        return 'per-task';
      }
      if (err instanceof ProxyError && err.code === 'VALIDATION' && err.context.status === 400 && batch.length > 1) {
        // "ids数量不能超过N": remember a smaller batch and ask again in halves.
        const half = Math.ceil(batch.length / 2);
        if ((this.#listMax ?? Infinity) > half) {
          this.#listMax = half;
          this.o.logger.info('list-by-condition refused the batch size; using smaller batches', { size: half });
          await this.o.settings.set(LIST_MAX_KEY, half, 24 * 3600_000);
        }
        const a = await this.#list(batch.slice(0, half), report, onError);
        const b = await this.#list(batch.slice(half), report, onError);
        if (a === 'per-task' || b === 'per-task') return 'per-task';
        if (a === null && b === null) return null;
        return [...(a ?? []), ...(b ?? [])];
      }
      onError(err);
      report.errors++;
      // A body we could not read: ask task by task instead. Anything else: the proxy is unwell.
      return err instanceof ProxyError && err.code === 'MALFORMED' ? 'per-task' : null;
    }
  }

  #batchSize(): number {
    return Math.max(1, Math.min(this.o.batchSize, this.#listMax ?? Infinity));
  }

  async #listIsSupported(): Promise<boolean> {
    if (this.#listSupported === undefined) {
      const v = await this.o.settings.get(LIST_SUPPORT_KEY);
      this.#listSupported = v !== false;
      const max = await this.o.settings.get(LIST_MAX_KEY);
      if (typeof max === 'number' && max > 0) this.#listMax = max;
    }
    return this.#listSupported;
  }
}
