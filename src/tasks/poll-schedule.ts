// When each task this process holds is next due (the rules are in poller.ts's header): its next
// poll time, when it was last asked about (the head of the queue is due a moving interval later),
// its failed reads in a row (its backoff), and whether its push callbacks arrive.
import type { Task } from '../proxy/types.ts';

export interface PollIntervals {
  /** A task that moves. */
  moving: number;
  /** A task waiting in the proxy's queue, unchanged. */
  queued: number;
  /** A moving task whose push callbacks arrive (the safety net). */
  push: number;
}

export interface PollScheduleOptions {
  intervals: PollIntervals;
  /** Whether submits carry a notifyHook (push on). */
  push: boolean;
  /** Only tasks this process holds are scheduled (a read may finish after a task was let go). */
  holds: (taskId: string) => boolean;
  /** Running tasks from which their reads keep to PHASES phases (PollSchedule.phased); default never. */
  phasedFrom?: number;
}

/**
 * Phases of the moving interval a process's reads of its running tasks are spread over once it has
 * PHASES batches of them (PollSchedule.phased): 6, half a second apart at the default 3 s.
 */
export const PHASES = 6;

/** A task's phase, from its id (FNV-1a): the same in every process, and about as many tasks in each. */
export function phaseOf(taskId: string, phases: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < taskId.length; i++) h = Math.imul(h ^ taskId.charCodeAt(i), 0x01000193);
  return (h >>> 0) % phases;
}

export class PollSchedule {
  readonly #next = new Map<string, number>();
  /** Running tasks (not waiting in the backend's queue) last scheduled at the moving interval: what turns phases on. */
  readonly #moving = new Set<string>();
  readonly #pushed = new Set<string>();
  readonly #askedAt = new Map<string, number>();
  readonly #failures = new Map<string, number>();

  constructor(private readonly o: PollScheduleOptions) {}

  /** The task's next poll time; undefined when it has none (new, or polled no more). */
  nextAt(taskId: string): number | undefined {
    return this.#next.get(taskId);
  }

  at(taskId: string, time: number): void {
    if (this.o.holds(taskId)) this.#next.set(taskId, time);
  }

  /** Polled no more (its result is being published), still held. */
  unschedule(taskId: string): void {
    this.#next.delete(taskId);
    this.#moving.delete(taskId);
  }

  /** The task left this process. */
  forget(taskId: string): void {
    this.#next.delete(taskId);
    this.#pushed.delete(taskId);
    this.#askedAt.delete(taskId);
    this.#failures.delete(taskId);
    this.#moving.delete(taskId);
  }

  asked(taskId: string, now: number): void {
    this.#askedAt.set(taskId, now);
  }

  /** A push callback brought this task. */
  pushed(taskId: string): void {
    this.#pushed.add(taskId);
  }

  /** A poll found a change the push did not bring: back on the fast interval. */
  pushMissed(taskId: string): void {
    this.#pushed.delete(taskId);
  }

  /** A read of the task got an answer. */
  readWorked(taskId: string): void {
    this.#failures.delete(taskId);
  }

  /** A read of the task failed: answers how many times in a row. */
  readFailed(taskId: string): number {
    const n = (this.#failures.get(taskId) ?? 0) + 1;
    this.#failures.set(taskId, n);
    return n;
  }

  /** Whether the task's last read found it started (running, or ended and not unscheduled yet). */
  moving(taskId: string): boolean {
    return this.#moving.has(taskId);
  }

  /**
   * Whether a moving task's reads keep to its phase (phaseOf) of the moving interval. A pass reads
   * every task due within part of an interval together, so tasks read together once (a restart's
   * first pass over every task held, thousands of jobs started at once) were read together ever
   * after: every few seconds a lump of thousands of reads and of the results they found, the
   * Discord budget idle in between (the scale bench's burst: a second and a half of it lost while
   * the next lump came, then hundreds of results at once, and each process's event loop late by
   * hundreds of ms while it worked through them). With phases, a lump's next reads spread over the
   * interval, PHASES groups half a second apart; each task is still read once an interval. Off while a
   * process has few running tasks (`phasedFrom`): one request each interval reads them all, and the
   * waiting ones ride along in it; phased, six part-empty requests took waiting ones along early, and a
   * thousand jobs of which 40 ran cost the backend twice the requests a second.
   */
  get phased(): boolean {
    return this.#moving.size >= (this.o.phasedFrom ?? Infinity);
  }

  /**
   * When `task`, read at `now`, is next due, `interval` later; a running task at the moving interval
   * with phases on, at the point of its phase's grid (its phase, plus whole intervals) that lies from a
   * third of an interval before that to two thirds after it, so that once on its grid a read that came
   * late by up to a third of an interval stays on it, and no task is read again sooner than two thirds
   * of one. (A waiting task whose place in the queue changed is due at the moving interval too, and
   * rides along in some request: not phased, and not counted.)
   */
  nextFrom(task: Pick<Task, 'id' | 'status'>, now: number, interval: number): number {
    const target = now + interval;
    const running = interval === this.o.intervals.moving && task.status !== 'NOT_START';
    if (running) this.#moving.add(task.id);
    else this.#moving.delete(task.id);
    if (!running || !this.phased) return target;
    const offset = (phaseOf(task.id, PHASES) * interval) / PHASES;
    return offset + Math.ceil((target - interval / 3 - offset) / interval) * interval;
  }

  intervalFor(task: Task, changed: boolean): number {
    const { moving, queued, push } = this.o.intervals;
    // With push on, the proxy calls back when a queued task starts: its place in the queue is all
    // a poll adds, and that can wait for the safety net's pace.
    if (task.status === 'NOT_START' && !changed) return this.o.push ? Math.max(queued, push) : queued;
    if (this.o.push && this.#pushed.has(task.id)) return Math.max(push, moving);
    return moving;
  }

  /**
   * Whether a task not due yet may ride along in a pass's last request, which would otherwise go
   * out part empty: it is scheduled, its reads do not fail (its backoff decides those), and it was
   * last asked about at or before `askedBy` (never read twice within half an interval).
   */
  mayReadEarly(taskId: string, askedBy: number): boolean {
    return this.#next.has(taskId) && !this.#failures.has(taskId) && (this.#askedAt.get(taskId) ?? -Infinity) <= askedBy;
  }

  /**
   * When a task at the head of the queue is worth a look: a moving interval after it was last asked
   * about, unless its reads fail, when its backoff decides (it must never land in the past, or the
   * timer spins).
   */
  headDueAt(taskId: string): number {
    const next = this.#next.get(taskId) ?? -Infinity;
    if (this.#failures.has(taskId)) return next;
    return Math.min(next, (this.#askedAt.get(taskId) ?? -Infinity) + this.o.intervals.moving);
  }
}
