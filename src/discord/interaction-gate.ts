// Whether new interactions are taken, and which are still being handled. A stopping bot closes the
// gate: each new interaction is refused at once with a private "the bot is restarting" (nothing is
// started), while the ones in flight are waited for, for a bounded time, so a job the backend took
// is saved and shown before the store closes.

/** The refusal of an interaction that came while the bot stops (reply-error.ts says it in the user's language). */
export class Restarting extends Error {
  override readonly name = 'Restarting';
  readonly code = 'RESTARTING';
  constructor() {
    super('the bot is stopping');
  }
}

export class InteractionGate {
  #open = true;
  readonly #running = new Set<Promise<void>>();

  get open(): boolean {
    return this.#open;
  }

  /** Interactions being handled now (refusals included: their answer is on its way too). */
  get running(): number {
    return this.#running.size;
  }

  /** Counts `handling` until it settles. */
  track(handling: Promise<void>): Promise<void> {
    this.#running.add(handling);
    const done = () => {
      this.#running.delete(handling);
    };
    handling.then(done, done);
    return handling;
  }

  /** From now on every new interaction is refused. */
  close(): void {
    this.#open = false;
  }

  /**
   * Resolves true once nothing is being handled (interactions that arrive meanwhile included), or
   * false when `ms` passed first or `cut` resolved.
   */
  async settled(ms: number, cut?: Promise<void>): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const out = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
      void cut?.then(() => resolve(false));
    });
    try {
      while (this.#running.size > 0) {
        const all = Promise.allSettled([...this.#running]).then(() => true as const);
        if (!(await Promise.race([all, out]))) return false;
      }
      return true;
    } finally {
      clearTimeout(timer);
    }
  }
}
