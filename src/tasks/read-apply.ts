// One read of some held tasks, applied: the poller's passes and its push hints both come here.
// The tasks are read through the task reader (one read per backend, batch by batch), each batch's
// changed tasks handed to the tracker as its answer arrives, and each task's next poll scheduled
// from what was found (poll-schedule.ts), or put off when it could not be read (read-health.ts).
import type { Logger } from '../logger.ts';
import type { ReadPace, TaskReader } from '../proxy/task-reader.ts';
import type { Task } from '../proxy/types.ts';
import { hasEnded, type TaskRecord } from '../store/tasks.ts';
import { mapLimit } from '../util/map-limit.ts';
import { sameTaskState } from './lifecycle.ts';
import type { PollSchedule } from './poll-schedule.ts';
import type { BackendsReadHealth } from './read-health.ts';
import type { Tracker } from './tracker.ts';

/** What a read counts (the poller's TickReport has these). */
export interface ReadReport {
  updated: number;
  proxyCalls: number;
  errors: number;
}

export interface ReadApplyOptions {
  reader: TaskReader;
  tracker: Tracker;
  schedule: PollSchedule;
  health: BackendsReadHealth;
  logger: Logger;
  now: () => number;
  moving: number;
  /** Parallel tracker updates per batch. Default 16. */
  applyConcurrency?: number;
  /**
   * Whether final results wait for the Discord budget now (the channel queue's): a timer pass then
   * waits for none of its updates. Their edits would only queue behind those finals, and the wait held
   * the pass's next reads, the ones that find more finals (the scale bench's burst: a second late each).
   */
  finalsWaiting?: () => boolean;
}

/**
 * Resolves when `p` settles, after `ms`, or once `stop` says so, whichever is first (`p` goes on either way). A pass waits
 * this long at most for one task's update to reach Discord: an edit through the bot's channel access
 * may wait seconds behind final results (its own process's or, on the shared budget, another's), and a
 * pass held by its progress edits would not read on and find its own finals.
 */
function within(p: Promise<void>, ms: number, stop?: () => boolean): Promise<void> {
  const until = performance.now() + ms;
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<void>((resolve) => {
    // `stop` is looked at every STOP_CHECK_MS: the wait ends as soon as it says so.
    const look = () => {
      const left = until - performance.now();
      if (left <= 0 || stop?.()) return resolve();
      timer = setTimeout(look, stop ? Math.min(STOP_CHECK_MS, left) : left);
    };
    look();
  });
  return Promise.race([p, waited]).finally(() => clearTimeout(timer));
}
const STOP_CHECK_MS = 50;

/** Runs `fn`; a failure is counted in the report and logged, not thrown. */
export async function safely(report: { errors: number }, logger: Logger, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    report.errors++;
    logger.error('task update failed', { err });
  }
}

/**
 * Fetches `records`' tasks and applies them; schedules each task's next poll. `source` 'poll': a
 * change found here is one the push did not bring (the task goes back to the fast interval).
 * `pace`: how the read's batches go out (a timer pass lets push hints go first).
 */
export async function readAndApply(o: ReadApplyOptions, records: TaskRecord[], report: ReadReport, source: 'poll' | 'push', pace?: ReadPace, waitAtMostMs?: number): Promise<void> {
  const byId = new Map(records.map((r) => [r.taskId, r]));
  // A timer pass waits for its updates this long in all (real time), not a third of a moving interval
  // each: with thousands of progress edits waiting behind final results for the Discord budget, waiting
  // for each (16 at a time) held a pass over 1,000 changed tasks for tens of seconds, and the finals it
  // had not read yet were found that much later (the scale bench's burst: a quarter of them 8 s late).
  const waitUntil = waitAtMostMs === undefined ? undefined : performance.now() + waitAtMostMs;
  const seen = new Set<string>();
  const sink = (backend: string) => async (found: Task[], missing: string[]) => {
    const now = o.now();
    // Before the updates: they must not show an outage that just ended.
    if (found.length || missing.length) o.health.worked(backend, now);
    const updates: [TaskRecord, Task][] = [];
    for (const task of found) {
      const r = byId.get(task.id);
      if (!r || seen.has(task.id)) continue;
      seen.add(task.id);
      updates.push([r, task]);
    }
    const changedOnes: [TaskRecord, Task][] = [];
    for (const [r, task] of updates) {
      if (o.tracker.isUnchanged(r, task)) {
        // The common case at scale: a queued task still queued. Nothing to do but reschedule.
        o.tracker.stats.unchanged++;
        o.schedule.at(r.taskId, o.schedule.nextFrom(task, now, o.schedule.intervalFor(task, false)));
      } else {
        changedOnes.push([r, task]);
      }
    }
    report.updated += updates.length;
    // Those that ended first: their results go out before the batch's progress.
    changedOnes.sort(([, a], [, b]) => Number(hasEnded(b.status)) - Number(hasEnded(a.status)));
    await mapLimit(changedOnes, o.applyConcurrency ?? 16, async ([r, task]) => {
      const changed = !sameTaskState(task, r.task);
      const applied = safely(report, o.logger, () => o.tracker.applyUpdate(r, task));
      const waitMs = waitUntil === undefined ? o.moving / 3 : Math.min(o.moving / 3, waitUntil - performance.now());
      // Past the pass's time for them, or (a timer pass) once final results wait, an update goes on in
      // its task's lane without the pass.
      const stop = waitUntil === undefined ? undefined : o.finalsWaiting;
      if (waitMs > 0 && !stop?.()) await within(applied, waitMs, stop);
      if (source === 'poll' && changed) o.schedule.pushMissed(r.taskId);
      o.schedule.at(r.taskId, o.schedule.nextFrom(task, now, o.schedule.intervalFor(task, changed)));
    });
    for (const id of missing) {
      const r = byId.get(id);
      if (!r || seen.has(id)) continue;
      seen.add(id);
      await safely(report, o.logger, () => o.tracker.miss(r));
      o.schedule.at(id, now + o.moving);
    }
  };
  const failures = new Map<string, unknown>();
  // One read per backend the tasks run on.
  await Promise.all([...o.reader.byBackend(records)].map(([backend, ids]) => o.reader.stream(backend, ids, report, sink(backend), (err) => failures.set(backend, err), pace)));
  const now = o.now();
  for (const id of byId.keys()) {
    o.schedule.asked(id, now);
    if (seen.has(id)) o.schedule.readWorked(id);
  }
  const answered = new Set([...seen].map((id) => o.reader.backendOf(byId.get(id)!)));
  for (const [backend, err] of failures) if (!answered.has(backend)) o.health.failed(backend, now, err);
  // Ids the proxy could not be asked about (errors) are put off: each by its own backoff, all
  // together to the backend's when the key was refused (so they are read in one batch again).
  for (const [id, r] of byId) {
    if (seen.has(id)) continue;
    const n = o.schedule.readFailed(id), until = o.health.until(o.reader.backendOf(r));
    o.schedule.at(id, until > now ? until : now + o.health.backoff(n));
  }
}
