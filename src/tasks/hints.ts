// Push hints: a notifyHook callback names a task, and the hints that arrive within a few
// milliseconds are read together, through the same batched path as a poll. With several
// processes, a hint for a task another process holds is relayed to it (once: a relayed hint is
// not passed on again); an id nobody holds is noise. A hint is a hint only: nothing is shown that
// the read does not confirm. A timer pass over many tasks waits (idle()) between its reads while
// hints are gathered or read, so a hint's read-back is never queued behind a whole pass.
import type { Logger } from '../logger.ts';
import type { HintBus } from '../store/create-store.ts';
import type { TaskRecord } from '../store/tasks.ts';

/** The poller, as the hints see it. */
export interface HintTarget {
  /** The live record of a task this process holds, if it holds it. */
  held(taskId: string): TaskRecord | undefined;
  /** Reads the hinted tasks this process holds and applies them. */
  read(records: TaskRecord[]): Promise<void>;
}

export interface PushHintsOptions {
  target: HintTarget;
  /** Several processes: hints for tasks another process holds go to it through this. */
  bus?: HintBus | null;
  logger: Logger;
  /** How long hints are gathered into one read while another read of hints is under way. Default 5 ms. */
  delayMs?: number;
  /** Counted here: hints received, hints passed on. */
  stats: { hints: number; hintsRelayed: number };
}

export class PushHints {
  readonly #hints = new Set<string>();
  /** Hints that came from this process's receiver (the others were relayed by another process). */
  readonly #local = new Set<string>();
  readonly #flushes = new Set<Promise<void>>();
  /** Cancels the gathering under way (its read starts when it ends). */
  #timer: (() => void) | null = null;
  /** Called when a read of hints ends (or hints close): idle() looks again. */
  #wake: (() => void)[] = [];
  /** Hints are ignored while closed (before start, after stop). */
  #closed = false;

  constructor(private readonly o: PushHintsOptions) {}

  get #delayMs(): number {
    return this.o.delayMs ?? 5;
  }

  open(): void {
    this.#closed = false;
  }

  /** Ignores hints from now on and drops those gathered; reads under way finish (drain()). */
  close(): void {
    this.#closed = true;
    this.#timer?.();
    this.#timer = null;
    this.#hints.clear();
    this.#local.clear();
    this.#woken();
  }

  /** Whether hints are being gathered or read. */
  get busy(): boolean {
    return this.#timer !== null || this.#flushes.size > 0;
  }

  /**
   * Resolves once no hint is gathered or being read, or after `maxMs`: a timer pass waits here
   * before each of its requests, so the read-back of a hint goes out (and is answered) first.
   */
  async idle(maxMs: number): Promise<void> {
    const until = performance.now() + maxMs;
    while (this.busy) {
      const left = until - performance.now();
      if (left <= 0) return;
      let timeout: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.#wake.push(resolve);
        timeout = setTimeout(resolve, left);
      });
      clearTimeout(timeout);
    }
  }

  #woken(): void {
    const wake = this.#wake;
    this.#wake = [];
    for (const fn of wake) fn();
  }

  /** Waits for the reads under way. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.#flushes]);
  }

  /** A notifyHook callback named this task (`relayed`: another process passed it on). */
  hint(taskId: string, relayed = false): void {
    if (this.#closed) return;
    this.o.stats.hints++;
    if (!relayed) this.#local.add(taskId);
    this.#hints.add(taskId);
    if (this.#timer) return;
    const go = () => {
      this.#timer = null;
      const p = this.#flush()
        .catch((err: unknown) => this.o.logger.warn('push hints failed; the next poll picks the changes up', { err }))
        .finally(() => {
          this.#flushes.delete(p);
          this.#woken();
        });
      this.#flushes.add(p);
    };
    // With no read of hints under way, the callbacks already received in this turn of the event loop
    // are read together at once (a 5 ms wait was most of a push's p50); while one is, those that
    // arrive meanwhile are gathered for `delayMs`, so a burst of callbacks makes a few reads, not one each.
    if (this.#flushes.size === 0) {
      const immediate = setImmediate(go);
      this.#timer = () => clearImmediate(immediate);
    } else {
      const timeout = setTimeout(go, this.#delayMs);
      this.#timer = () => clearTimeout(timeout);
    }
  }

  /** Resolves when the hints received so far have been applied (tests). */
  async settle(): Promise<void> {
    while (this.#timer || this.#flushes.size) {
      if (this.#timer) await new Promise((r) => setTimeout(r, this.#delayMs + 1));
      await this.drain();
    }
  }

  async #flush(): Promise<void> {
    const ids = [...this.#hints];
    this.#hints.clear();
    const records: TaskRecord[] = [];
    const elsewhere: string[] = [];
    for (const id of ids) {
      const r = this.o.target.held(id);
      // Only tasks this process follows. Another process may hold the others: pass them on (its
      // own poll would pick the change up too, later).
      if (r) records.push(r);
      else if (this.#local.has(id)) elsewhere.push(id);
      this.#local.delete(id);
    }
    if (elsewhere.length && this.o.bus) {
      this.o.stats.hintsRelayed += elsewhere.length;
      await this.o.bus.publish(elsewhere).catch((err: unknown) => this.o.logger.warn('hint relay failed', { err }));
    }
    if (records.length) await this.o.target.read(records);
  }
}
