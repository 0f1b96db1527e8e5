// The poller: a timer around an idempotent tick(). A pass takes the tasks this process holds
// (holdings.ts: the active index is re-read, and the leases taken or renewed, every third of a
// lease), reads those that are due through the one task reader (proxy/task-reader.ts, per backend)
// and hands each changed one to the tracker.
//
// Each task has its own next poll time, so the timer wakes only when something is due:
// - a task that moves (SUBMITTED, IN_PROGRESS, or changed at its last poll) is due every
//   POLL_INTERVAL_MS;
// - a task that sits in the queue unchanged (NOT_START), every POLL_QUEUED_INTERVAL_MS, except the
//   head of the queue (its oldest batch; with several processes each polls its part of it),
//   which is where the next start shows up (a head that all started: the next, larger, at once; queue-head.ts);
// - with push on, a task whose notifyHook callbacks arrive is polled only every
//   POLL_PUSH_INTERVAL_MS, as a safety net; a poll that finds a change the push did not bring
//   puts the task back on the fast interval;
// - with nothing active, no proxy call at all.
// Tasks due within half a fast interval of each other share a tick, so batches stay full; a
// pass's last request, part empty otherwise, takes along the queued tasks due next (pass-plan.ts).
// With PHASES batches of running tasks or more, a process reads them in PHASES phases of the interval
// instead (poll-schedule.ts phased): its reads, and the results they find, spread over it.
//
// When each task is due is kept in poll-schedule.ts. A read that fails puts the task off
// (read-health.ts says how long, and when replies say the service cannot be reached).
//
// Push hints (hints.ts) are gathered for a few milliseconds and read through the same path as a
// poll (read-apply.ts). They go first: a pass's requests wait while hints are read, and while
// callbacks arrive a pass keeps only a few in flight (#passPace). Tests call tick(), which polls every active
// task at once.
import type { Logger } from '../logger.ts';
import type { ReadPace, TaskReader } from '../proxy/task-reader.ts';
import type { HintBus } from '../store/create-store.ts';
import type { LeaseRepository } from '../store/leases.ts';
import type { TaskRecord, TaskRepository } from '../store/tasks.ts';
import { Holdings } from './holdings.ts';
import { PHASES, PollSchedule, type PollIntervals } from './poll-schedule.ts';
import { QueueHead } from './queue-head.ts';
import type { Tracker } from './tracker.ts';
import { PushHints } from './hints.ts';
import { BackendsReadHealth } from './read-health.ts';
import { readAndApply, safely, type ReadApplyOptions } from './read-apply.ts';
import { YIELD_EVERY, emptyReport, fillLastRequests, yieldToIo, type PollerStats, type TickReport } from './pass-plan.ts';

export type { PollerStats, TickReport } from './pass-plan.ts';

export interface PollerOptions {
  reader: TaskReader;
  /** Named in the log lines about failing reads (`about`: one backend's own). */
  proxy: { host: string; authStyle: string; about?(backend: string): { host: string; authStyle: string } };
  tasks: TaskRepository;
  tracker: Tracker;
  leases: LeaseRepository;
  logger: Logger;
  now: () => number;
  /** Ids per read (the head of the queue is one batch). */
  batchSize: number;
  intervals: PollIntervals;
  /** Whether submits carry a notifyHook (push on). */
  push: boolean;
  /** Lease lifetime; renewed at least every third of it. */
  leaseTtlMs: number;
  /** Several processes: hints for tasks another process holds go to it through this. */
  hintBus?: HintBus | null;
  /** How long push hints are gathered into one read. Default 5 ms. */
  hintDelayMs?: number;
  /** Parallel tracker updates per batch. Default 16. */
  applyConcurrency?: number;
  /** Final results wait for the Discord budget now: a timer pass waits for none of its updates (read-apply.ts). */
  finalsWaiting?: () => boolean;
  /** While callbacks arrive, requests a timer pass keeps in flight (the reader's own concurrency otherwise). Default 2. */
  passConcurrency?: number;
  /** Longest wait between two reads of a task (or the backend) whose reads fail. */
  backoffMaxMs: number;
  /** Jitter source, [0, 1). Default Math.random. */
  random?: () => number;
  /** Several backends: a job's backend no longer configured ('removed'), or past the deadline (`late`) not answering ('unreachable'). */
  backendGone?: (record: TaskRecord, late: boolean) => 'removed' | 'unreachable' | null;
}

export class Poller {
  readonly stats: PollerStats = { passes: 0, busyPasses: 0, proxyCalls: 0, hints: 0, hintFlushes: 0, hintProxyCalls: 0, hintsRelayed: 0 };
  #timer: NodeJS.Timeout | null = null;
  #timerAt = Infinity;
  #running: Promise<TickReport> | null = null;
  #stopped = true;
  /** When the active index was last read and the leases renewed. */
  #listedAt = -Infinity;
  /** The tasks this process holds the lease of. */
  readonly #held: Holdings;
  readonly #schedule: PollSchedule;
  readonly #health: BackendsReadHealth;
  readonly #hints: PushHints;
  /** What a read and its application need (read-apply.ts). */
  readonly #reads: ReadApplyOptions;
  #lastHintAt = -Infinity;
  /** The head of the queue (queue-head.ts). */
  readonly #head: QueueHead;
  readonly #listeners = new Set<(r: TickReport) => void>();

  constructor(private readonly o: PollerOptions) {
    this.#head = new QueueHead(o.batchSize);
    this.#schedule = new PollSchedule({ intervals: o.intervals, push: o.push, holds: (id) => this.#held.has(id), phasedFrom: PHASES * o.batchSize });
    this.#held = new Holdings({ tasks: o.tasks, leases: o.leases, tracker: o.tracker, logger: o.logger, leaseTtlMs: o.leaseTtlMs, onDrop: (id) => this.#schedule.forget(id) });
    this.#health = new BackendsReadHealth({
      logger: o.logger,
      proxy: o.proxy,
      baseMs: o.intervals.moving,
      maxMs: o.backoffMaxMs,
      random: o.random,
      onOutage: (backend, down) => o.tracker.setOutage(backend, down),
    });
    this.#reads = { ...o, schedule: this.#schedule, health: this.#health, moving: o.intervals.moving };
    this.#hints = new PushHints({
      target: { held: (id) => (this.#held.has(id) ? o.tracker.live(id) : undefined), read: (records) => this.#readHinted(records) },
      bus: o.hintBus,
      logger: o.logger,
      delayMs: o.hintDelayMs,
      stats: this.stats,
    });
  }

  /** Called after every timer pass and tick (the benchmark counts proxy calls per tick). */
  onPass(fn: (report: TickReport) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** Starts the timer. */
  start(): void {
    this.#stopped = false;
    this.#hints.open();
    this.#arm(0);
  }

  /**
   * Stops the timer and waits for the pass in flight. `release: false` leaves the leases to expire
   * (what a crash does); by default they are given up so another process takes over at once.
   */
  async stop(opts: { release?: boolean } = {}): Promise<void> {
    this.#stopped = true;
    this.#hints.close();
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#running?.catch(() => undefined);
    await this.#hints.drain();
    await this.#held.close(opts.release !== false);
  }

  /** Ids of the tasks this process holds the lease of. */
  heldIds(): string[] {
    return [...this.#held.ids()];
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
    void this.#held
      .claim(record.taskId)
      .then((held) => {
        if (!held) {
          this.o.tracker.forget(record.taskId);
          return;
        }
        // The submit's answer counts as the first look: the head-of-queue rule waits a moving interval too.
        this.#schedule.asked(record.taskId, this.o.now());
        this.#schedule.at(record.taskId, this.o.now() + this.o.intervals.moving);
        // Its first poll is a moving interval away: the timer must fire by then. Not #nextDelay(),
        // which walks every task held: at thousands of submits a second that was the hottest loop.
        this.#arm(this.o.intervals.moving);
      })
      .catch((err: unknown) => this.o.logger.warn('lease claim failed', { err }));
  }

  /** A notifyHook callback named this task (`relayed`: another process passed it on); see hints.ts. */
  hint(taskId: string, relayed = false): void {
    this.#hints.hint(taskId, relayed);
  }

  /** Resolves when the hints received so far have been applied (tests). */
  settleHints(): Promise<void> {
    return this.#hints.settle();
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
    // A long pass keeps its leases (holdings.ts renew).
    const renewal = setInterval(() => void this.#held.renew().catch((err: unknown) => this.o.logger.warn('lease renewal failed', { err })), this.o.leaseTtlMs / 3);
    renewal.unref?.();
    try {
      return await this.#passBody(all);
    } finally {
      clearInterval(renewal);
    }
  }

  async #passBody(all: boolean): Promise<TickReport> {
    const report = emptyReport();
    const started = performance.now();
    const now = this.o.now();
    // Records the store refused, written again in their lanes: a timer pass does not wait (a lane may hold a result for seconds).
    const retry = this.o.tracker.retryUnsaved().catch((err: unknown) => this.o.logger.warn('rewriting records failed', { err }));
    if (all) await retry;
    // The active index is read and the leases renewed on a tick, and every third of a lease (or
    // queued interval); in between, the tasks held are known.
    const relist = all || now - this.#listedAt >= Math.min(this.o.leaseTtlMs / 3, this.o.intervals.queued);
    const records = relist ? await this.#held.claimAndLoad() : this.#held.heldRecords();
    if (relist) this.#listedAt = now;
    report.active = records.length;
    const due: TaskRecord[] = [];
    const phased = this.#schedule.phased;
    const half = this.o.intervals.moving / 2;
    // A pass reads the tasks due within half an interval, with phases within half a phase (the next
    // phase has its own pass); tasks due soon fill its last requests (pass-plan.ts fillLastRequests).
    const slack = phased ? this.o.intervals.moving / (2 * PHASES) : half;
    const soon: [number, TaskRecord][] = [];
    // The head of the queue (the oldest waiting tasks, one batch of them) is polled at the fast
    // interval: queues are first in, first out, so that is where the next start shows up. Not
    // needed while push callbacks arrive (they announce the start). With several processes the
    // batch is shared: each takes its part of it, as its part of the active tasks (jobs are spread
    // over the processes as they come, so their oldest waiting ones together are about the
    // queue's oldest). Each taking a whole batch polled P batches fast where one is enough. A head that
    // all started is followed at once by a larger one (queue-head.ts).
    const headSize = this.o.push && now - this.#lastHintAt < this.o.intervals.push ? 0 : this.#head.size(this.#held.part);
    let head = headSize, headRead = 0;
    const headIds: string[] = [];
    // A backend that refused the key is not read by the timer before its backoff is over (each backend its own).
    const paused = (r: TaskRecord) => !all && now < this.#health.until(this.o.reader.backendOf(r));
    for (let i = 0; i < records.length; i++) {
      // Thousands of records: hints (their callbacks, reads and edits) get the event loop between slices.
      if (i > 0 && i % YIELD_EVERY === 0) await yieldToIo();
      // Oldest first: the active index and the held set are in age order.
      const r = records[i]!;
      const next = this.#schedule.nextAt(r.taskId) ?? 0;
      const atHead = r.status === 'NOT_START' && !this.#schedule.moving(r.taskId) && !paused(r) && head-- > 0;
      if (atHead) headIds.push(r.taskId);
      const gone = this.o.backendGone?.(r, now >= r.deadlineAt) ?? null;
      if (gone || now >= r.deadlineAt) await safely(report, this.o.logger, () => this.o.tracker.expire(r, gone));
      else if (paused(r)) continue;
      else if (all || next <= now + slack || (atHead && this.#schedule.headDueAt(r.taskId) <= now + slack)) {
        due.push(r);
        if (atHead) headRead++;
      }
      // Queued tasks up to a moving interval early: a tenth more of their slow reads. A running task's
      // would come twice as often (the one-process bench: 24 % more requests a second): only with
      // phases, from the next phases (within half an interval), each phase's last request full.
      else if ((r.status === 'NOT_START' ? next <= now + this.o.intervals.moving : phased && next <= now + half) && this.#schedule.mayReadEarly(r.taskId, now - half)) soon.push([next, r]);
    }
    if (!all) fillLastRequests(due, soon, this.o.batchSize, this.o.reader);
    report.due = due.length;
    // A timer pass waits a third of a moving interval in all for its updates to reach Discord; a tick for each.
    if (due.length) await this.#poll(due, report, 'poll', this.#passPace(), all ? undefined : this.o.intervals.moving / 3);
    // When the head is next worth a look (its tasks' next poll is the slow one); now, if it all started.
    // What the reads found, not the records (above too): a pass that does not wait for its updates
    // (finals waiting) ends before they are applied, and the head looked still waiting.
    this.#head.passed(headIds, headSize, headRead, (id) => !this.#schedule.moving(id), (id) => this.#schedule.headDueAt(id), this.o.now());
    await this.#settle(records);
    report.durationMs = performance.now() - started;
    this.stats.passes++;
    if (report.proxyCalls) this.stats.busyPasses++;
    this.stats.proxyCalls += report.proxyCalls;
    for (const fn of this.#listeners) fn(report);
    return report;
  }

  /** After a pass: tasks that settled leave the schedule and give up their lease. */
  async #settle(records: TaskRecord[]): Promise<void> {
    // A task whose result is still on the way to Discord keeps its lease (no other process may
    // show it again), and is polled no more.
    for (const r of records) if (this.o.tracker.finishing(r.taskId)) this.#schedule.unschedule(r.taskId);
    this.#held.settle(records);
    if (this.#stopped) return;
    // The walk over every task held, in slices (hints go between them).
    const now = this.o.now(), ids = [...this.#held.ids()];
    let next = this.#earliestBase();
    for (let i = 0; i < ids.length; i += YIELD_EVERY) {
      if (i > 0) await yieldToIo();
      next = this.#earliest(ids.slice(i, i + YIELD_EVERY), now, next);
    }
    this.#arm(Math.max(0, Math.max(now, next) - now));
  }

  /**
   * How a pass's reads go out: each request waits while push hints are gathered or read (up to a
   * third of a moving interval per pass), and with push on only a few are in flight, so a hint's
   * read-back and its edit never queue behind a whole pass at the proxy or on the event loop. Only
   * while callbacks arrive: without them (push configured, none coming) and on a first pass over every
   * adopted task, the reader's own concurrency keeps a pass well within its leases.
   */
  #passPace(): ReadPace {
    const until = performance.now() + this.o.intervals.moving / 3;
    const hintsFlow = this.o.push && this.o.now() - this.#lastHintAt < this.o.intervals.push;
    return {
      concurrency: hintsFlow ? (this.o.passConcurrency ?? 2) : undefined,
      before: () => (this.#hints.busy ? this.#hints.idle(until - performance.now()) : Promise.resolve()),
    };
  }

  #poll(records: TaskRecord[], report: TickReport, source: 'poll' | 'push', pace?: ReadPace, waitAtMostMs?: number): Promise<void> {
    return readAndApply(this.#reads, records, report, source, pace, waitAtMostMs);
  }

  /** Hinted tasks this process holds: read and applied like a poll. */
  async #readHinted(records: TaskRecord[]): Promise<void> {
    // The key was refused: a callback does not make it good; the tasks are read when the backoff ends.
    records = records.filter((r) => this.o.now() >= this.#health.until(this.o.reader.backendOf(r)));
    if (!records.length) return;
    this.#lastHintAt = this.o.now();
    for (const r of records) this.#schedule.pushed(r.taskId);
    const report = emptyReport();
    report.active = this.#held.size;
    report.due = records.length;
    await this.#poll(records, report, 'push');
    this.stats.hintFlushes++;
    this.stats.hintProxyCalls += report.proxyCalls;
    // A flush only moves the tasks it read later (or a moving interval away): a pending timer is
    // still right, and only a missing one needs the walk over every task held. During a pass there
    // is none, and the pass arms it for every task when it ends: here, only the tasks just read
    // count (a walk over all of them cost every hint ~10 ms at N = 10,000).
    if (this.#stopped || this.#timer) return;
    if (!this.#running) {
      this.#arm(this.#nextDelay());
      return;
    }
    const now = this.o.now(), next = this.#earliest(records.map((r) => r.taskId), now, Infinity);
    if (next < Infinity) this.#arm(Math.max(0, next - now));
  }

  /**
   * Delay to the next timer pass: the earliest due task (none before the backend's backoff ends),
   * but at least every third of a lease.
   */
  #nextDelay(): number {
    const now = this.o.now();
    return Math.max(0, Math.max(now, this.#earliest(this.#held.ids(), now, this.#earliestBase())) - now);
  }

  /** The next relist, or the head's next look. */
  #earliestBase(): number {
    return Math.min(this.#listedAt + Math.min(this.o.leaseTtlMs / 3, this.o.intervals.queued), this.#head.wakeAt);
  }

  /** The earliest of `next` and when each of `ids` is next due. */
  #earliest(ids: Iterable<string>, now: number, next: number): number {
    for (const id of ids) {
      const rec = this.o.tracker.live(id);
      // Ended (its result on its way or out) is read no more: its read's schedule made the timer fire at once, 700 passes a second.
      if (!rec?.active) continue;
      const at = Math.max(this.#schedule.nextAt(id) ?? now, this.#health.until(this.o.reader.backendOf(rec)));
      if (at < next) next = at;
    }
    return next;
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
}
