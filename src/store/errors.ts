// The store's one error: an operation that did not happen. Adapter errors (a full disk, Redis away,
// a timeout) become a StoreError, so callers can tell "the store failed" from a bug and the router
// can tell the user, privately, that nothing was started.
export class StoreError extends Error {
  readonly code = 'UNAVAILABLE';

  constructor(
    /** What was asked of the store (`tasks.put`, `owners.reserve` …), for logs. */
    readonly op: string,
    options?: { cause?: unknown },
  ) {
    super(`store ${op} failed`, options);
    this.name = 'StoreError';
  }
}
