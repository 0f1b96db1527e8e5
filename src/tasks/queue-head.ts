// The head of the backend's queue: its oldest waiting tasks, one batch of them (with several processes
// each its part of the batch), read at the fast interval by the poller (poller.ts), since queues are first
// in, first out and that is where the next start shows up.
// A queue can move faster than a batch an interval: a backend that starts many jobs at once (an account
// freed, a pool grown, a burst of short jobs). When a read of the whole head finds every one of its tasks
// started, the next ones are read at once, twice as many each time (up to MAX_BOOST batches), until a read
// finds one still waiting. Without it the starts behind the head were seen at the slow interval, all of
// them at the same read: a burst of jobs that finished soon after came to Discord in lumps, the first
// seconds of it with the budget idle (the scale bench's burst).

/** The most the head grows to while the whole of it keeps starting: this many batches. */
export const MAX_BOOST = 16;

export class QueueHead {
  #boost = 1;
  #wakeAt = Infinity;

  constructor(private readonly batchSize: number) {}

  /** How many of the oldest waiting tasks are the head for this pass: the part of a batch (`part` of the active tasks), grown while the queue moves. */
  size(part: number): number {
    return Math.max(1, Math.ceil(this.batchSize * part)) * this.#boost;
  }

  /** When the head is next worth a look. */
  get wakeAt(): number {
    return this.#wakeAt;
  }

  /**
   * After a pass: `ids`, its head (`size` of them when the head was full), `read` how many of them it
   * read, and which are `waiting` still. The whole head read and started: the next is due now, larger;
   * otherwise the head's next look is the earliest `dueAt` of its tasks.
   */
  passed(ids: readonly string[], size: number, read: number, waiting: (id: string) => boolean, dueAt: (id: string) => number, now: number): void {
    if (ids.length > 0 && ids.length === size && read === size && !ids.some(waiting)) {
      this.#boost = Math.min(MAX_BOOST, this.#boost * 2);
      this.#wakeAt = now;
      return;
    }
    this.#boost = 1;
    this.#wakeAt = Infinity;
    for (const id of ids) this.#wakeAt = Math.min(this.#wakeAt, dueAt(id));
  }
}
