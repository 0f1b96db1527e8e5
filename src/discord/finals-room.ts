// Room in the channel queue for the next final results (ChannelQueue.room): a final waits here before
// its files are fetched while the queue holds `ahead` finals or more, counting those let through and not
// queued yet (for `givenMs` at most: one made another way, or failed, frees its place then).
// Lane by lane: a lane (a channel's edits) sends about one a second, so what the queue holds is only
// worth holding spread over lanes. A final whose lane (not null) has nothing queued or let through goes
// in beyond `ahead` (up to twice it), and when room frees, the waiting final whose lane holds the fewest
// goes first (first come, first served among those). First come alone filled a burst's last seconds with
// the finals of a few channels, each waiting for its lane, while the others' waited outside and the
// budget went unused.
import type { Lane } from './budget.ts';

interface Waiter {
  lane: Lane;
  resolve: () => void;
}

export class FinalsRoom {
  readonly #waiters: Waiter[] = [];
  /** Each final let through and not queued yet: when, and its lane, oldest first. */
  readonly #given: { at: number; lane: Lane }[] = [];
  readonly #givenIn = new Map<Lane, number>();
  readonly #waitingIn = new Map<Lane, number>();
  #timer: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(
    private readonly ahead: number,
    private readonly givenMs: number,
    private readonly now: () => number,
    /** The finals queued now: all of them, and those of one lane. */
    private readonly queued: () => number,
    private readonly queuedIn: (lane: Lane) => number = () => 0,
  ) {}

  /** Resolves when this final (of `lane`) may be made. */
  wait(lane: Lane = null): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.#waiters.push({ lane, resolve });
      bump(this.#waitingIn, lane, 1);
      this.give();
    });
  }

  /** A final of `lane` was queued: one let through came (or one that came another way takes its place). */
  came(lane: Lane = null): void {
    const i = this.#given.findIndex((g) => g.lane === lane);
    if (this.#given.length) this.#drop(i < 0 ? 0 : i);
  }

  /** Lets waiting finals through while there is room, those of the least held lanes first. */
  give(): void {
    if (!this.#waiters.length) return;
    const now = this.now();
    while (this.#given.length && this.#given[0]!.at + this.givenMs <= now) this.#drop(0);
    while (this.#waiters.length) {
      const held = this.queued() + this.#given.length;
      if (held >= 2 * this.ahead) break;
      // Below `ahead`: the least held lane's first; beyond it, only the first of a lane that holds none.
      let pick = -1, least = held < this.ahead ? Infinity : 1;
      for (let i = 0; i < this.#waiters.length && least > 0; i++) {
        const lane = this.#waiters[i]!.lane, load = this.#load(lane);
        if (load < least && (held < this.ahead || lane !== null)) (pick = i), (least = load);
      }
      if (pick < 0) break;
      const [w] = this.#waiters.splice(pick, 1);
      bump(this.#waitingIn, w!.lane, -1);
      this.#given.push({ at: now, lane: w!.lane });
      bump(this.#givenIn, w!.lane, 1);
      w!.resolve();
    }
    // Some let through never came: their places free up when they run out.
    if (this.#waiters.length && this.#given.length && !this.#timer && !this.#closed) {
      this.#timer = setTimeout(() => ((this.#timer = null), this.give()), this.#given[0]!.at + this.givenMs - now + 1);
      this.#timer.unref?.();
    }
  }

  /** The queue stopped: whatever waits goes on (nothing more is sent). */
  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#waitingIn.clear();
    for (const w of this.#waiters.splice(0)) w.resolve();
  }

  /** Finals of `lane` waiting here: part of what its lane has left to send (the queue serves the lanes with most first). */
  waitingIn(lane: Lane): number {
    return this.#waitingIn.get(lane) ?? 0;
  }

  /** Finals of `lane` queued or let through. */
  #load(lane: Lane): number {
    return this.queuedIn(lane) + (this.#givenIn.get(lane) ?? 0);
  }

  #drop(i: number): void {
    const [g] = this.#given.splice(i, 1);
    bump(this.#givenIn, g!.lane, -1);
  }
}

/** Adds `by` to a lane's count, forgetting a lane at 0. */
function bump(counts: Map<Lane, number>, lane: Lane, by: number): void {
  const n = (counts.get(lane) ?? 0) + by;
  if (n > 0) counts.set(lane, n);
  else counts.delete(lane);
}
