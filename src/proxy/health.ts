// A circuit breaker for the backend: after `threshold` failures in a row (no answer, timeouts, 5xx,
// refused key) it opens, and new jobs are refused at once with a plain message instead of making
// users wait for timeouts; after `coolDownMs` one attempt is let through (the poller keeps probing).
// One breaker per configured backend (its MJ_MODES bases share it); with several processes, one
// that opens tells the others through the store (`onChange`, pool.ts), so they skip it too.

/** closed: requests flow; open: new jobs are refused; half-open: the cool-down is over, the next request decides. */
export type CircuitState = 'closed' | 'open' | 'half-open';

export class ProxyHealth {
  #failures = 0;
  #openedAt: number | null = null;

  constructor(
    private readonly threshold = 5,
    private readonly coolDownMs = 30_000,
    private readonly now: () => number = Date.now,
    /** Told when the breaker opens (true) and when a request works again after it had (false). */
    private readonly onChange?: (open: boolean) => void,
  ) {}

  ok(): void {
    const was = this.#openedAt !== null;
    this.#failures = 0;
    this.#openedAt = null;
    if (was) this.onChange?.(false);
  }

  fail(): void {
    this.#failures++;
    if (this.#failures >= this.threshold) {
      const opening = this.#openedAt === null || this.now() - this.#openedAt >= this.coolDownMs;
      this.#openedAt = this.now();
      if (opening) this.onChange?.(true);
    }
  }

  /** False while the breaker is open. */
  get available(): boolean {
    return this.#openedAt === null || this.now() - this.#openedAt >= this.coolDownMs;
  }

  get state(): CircuitState {
    if (this.#failures < this.threshold || this.#openedAt === null) return 'closed';
    return this.available ? 'half-open' : 'open';
  }

  /** When the breaker last opened (null: closed since its last success). */
  get openedAt(): number | null {
    return this.#openedAt;
  }

  get consecutiveFailures(): number {
    return this.#failures;
  }
}
