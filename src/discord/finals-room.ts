// Room in the channel queue for the next final results (ChannelQueue.room): a final waits here before
// its files are fetched while the queue holds `ahead` finals or more, counting those let through and not
// queued yet (for `givenMs` at most: one made another way, or failed, frees its place then).

export class FinalsRoom {
  readonly #waiters: (() => void)[] = [];
  /** When each final let through and not queued yet was let through, oldest first. */
  readonly #given: number[] = [];
  #timer: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(
    private readonly ahead: number,
    private readonly givenMs: number,
    private readonly now: () => number,
    /** The finals queued now. */
    private readonly queued: () => number,
  ) {}

  /** Resolves when this final may be made (first come, first served). */
  wait(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.#waiters.push(resolve);
      this.give();
    });
  }

  /** A final was queued: one let through came (or one that came another way takes its place). */
  came(): void {
    this.#given.shift();
  }

  /** Lets waiting finals through while the queued ones and those let through are fewer than `ahead`. */
  give(): void {
    if (!this.#waiters.length) return;
    const now = this.now();
    while (this.#given.length && this.#given[0]! + this.givenMs <= now) this.#given.shift();
    while (this.#waiters.length && this.queued() + this.#given.length < this.ahead) {
      this.#given.push(now);
      this.#waiters.shift()!();
    }
    // Some let through never came: their places free up when they run out.
    if (this.#waiters.length && this.#given.length && !this.#timer && !this.#closed) {
      this.#timer = setTimeout(() => ((this.#timer = null), this.give()), this.#given[0]! + this.givenMs - now + 1);
      this.#timer.unref?.();
    }
  }

  /** The queue stopped: whatever waits goes on (nothing more is sent). */
  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    for (const resolve of this.#waiters.splice(0)) resolve();
  }
}
