// Whether the store works, as the bot last saw it (like the proxy's ProxyHealth): not ready until it
// was first reached; unhealthy while reads or writes fail or while records wait in memory for a
// write that failed. Logs once on each change, not on every failed call.
import type { Logger } from '../logger.ts';
import { StoreError } from './errors.ts';

export class StoreHealth {
  #ready = false;
  #failingReads: unknown = null;
  #failingWrites: unknown = null;
  #pending = 0;
  #reported = true;
  /** Failed store calls since start, by `read`/`write` and operation (`tasks.put` …): the metrics. */
  readonly failures = new Map<string, { kind: 'read' | 'write'; op: string; count: number }>();
  /** Store calls since start, by operation (`tasks.getMany` …): how many round trips a path costs. */
  readonly calls = new Map<string, number>();

  constructor(private readonly logger?: Logger) {}

  /** The store was reached once: the bot may take work. */
  get ready(): boolean {
    return this.#ready;
  }

  /** Ready, the last reads and writes worked, and no record waits to be written. */
  get healthy(): boolean {
    return this.#ready && this.#failingReads === null && this.#failingWrites === null && this.#pending === 0;
  }

  /** Records kept in memory because their write failed. */
  get pendingWrites(): number {
    return this.#pending;
  }

  markReady(): void {
    this.#ready = true;
    this.#report();
  }

  setPending(n: number): void {
    this.#pending = n;
    this.#report();
  }

  /** Runs one store operation: a failure is noted and thrown as a StoreError. */
  async run<T>(op: string, kind: 'read' | 'write', fn: () => Promise<T>): Promise<T> {
    this.calls.set(op, (this.calls.get(op) ?? 0) + 1);
    try {
      const value = await fn();
      if (kind === 'read') this.#failingReads = null;
      else this.#failingWrites = null;
      this.#report();
      return value;
    } catch (err) {
      const cause = err instanceof StoreError ? err.cause : err;
      const failed = this.failures.get(`${kind} ${op}`) ?? { kind, op, count: 0 };
      failed.count++;
      this.failures.set(`${kind} ${op}`, failed);
      if (kind === 'read') this.#failingReads = cause ?? true;
      else this.#failingWrites = cause ?? true;
      this.#report();
      throw err instanceof StoreError ? err : new StoreError(op, { cause: err });
    }
  }

  #report(): void {
    if (!this.#ready) return;
    const healthy = this.healthy;
    if (healthy === this.#reported) return;
    this.#reported = healthy;
    if (healthy) this.logger?.info('store recovered');
    else this.logger?.error('store unavailable', { err: this.#failingWrites ?? this.#failingReads ?? undefined, pendingWrites: this.#pending });
  }
}
