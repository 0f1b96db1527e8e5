// Jobs whose final result is on its way to a channel queue (ChannelQueue.expect: its view, its image
// are being made): each counts as a final queued from then, until it comes or `ms` have passed.
// Counted for every update a poll pass applies (whether progress would wait), so the count looks only
// at the ones that ran out: jobs are kept in the order they were expected (a Map keeps insertion
// order, each stamped with the clock then), and those are at the start.

export class ExpectedFinals {
  readonly #since = new Map<string, number>();
  #timer: NodeJS.Timeout | null = null;
  #closed = false;

  /** `onExpire`: called when the first of them runs out (a count taken then is smaller). */
  constructor(
    private readonly ms: number,
    private readonly now: () => number,
    private readonly onExpire: () => void,
  ) {}

  /** Expects `job` from now on; false when it already was. */
  add(job: string): boolean {
    if (this.#closed || this.#since.has(job)) return false;
    this.#since.set(job, this.now());
    return true;
  }

  /** `job`'s final came (or will not). */
  delete(job: string): void {
    this.#since.delete(job);
  }

  /** Jobs expected and still in their time; a call of onExpire is set for when the first runs out. */
  count(): number {
    const now = this.now();
    for (const job of this.#since.keys()) {
      const at = this.#since.get(job)!;
      if (at + this.ms > now) {
        if (!this.#timer && !this.#closed) {
          this.#timer = setTimeout(() => ((this.#timer = null), this.onExpire()), at + this.ms - now + 1);
          this.#timer.unref?.();
        }
        break;
      }
      this.#since.delete(job);
    }
    return this.#since.size;
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#since.clear();
  }
}
