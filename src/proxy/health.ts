// A circuit breaker for the backend: after `threshold` failures in a row (no answer, timeouts, 5xx,
// refused key) it opens, and new jobs are refused at once with a plain message instead of making
// users wait for timeouts; after `coolDownMs` one attempt is let through (the poller keeps probing).
// One breaker serves every configured backend (MJ_BASE_URL and the MJ_MODES bases).

/** closed: requests flow; open: new jobs are refused; half-open: the cool-down is over, the next request decides. */
export type CircuitState = 'closed' | 'open' | 'half-open';

export class ProxyHealth {
  #failures = 0;
  #openedAt: number | null = null;

  constructor(
    private readonly threshold = 5,
    private readonly coolDownMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  ok(): void {
    this.#failures = 0;
    this.#openedAt = null;
  }

  fail(): void {
    this.#failures++;
    if (this.#failures >= this.threshold) this.#openedAt = this.now();
  }

  /** False while the breaker is open. */
  get available(): boolean {
    return this.#openedAt === null || this.now() - this.#openedAt >= this.coolDownMs;
  }

  get state(): CircuitState {
    if (this.#failures < this.threshold || this.#openedAt === null) return 'closed';
    return this.available ? 'half-open' : 'open';
  }

  get consecutiveFailures(): number {
    return this.#failures;
  }
}
