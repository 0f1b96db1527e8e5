// Progress edits put off by EDIT_MIN_INTERVAL_MS: one per task, due at a time of the injected
// clock. A timer runs each when it is due; runDue() runs those the clock says are due now, so a
// test that moves a fake clock shows them without waiting in real time.

export interface DeferredEditsOptions {
  now: () => number;
  /** Shows the task's newest state (the tracker's deferred edit). */
  run: (taskId: string) => void;
}

export class DeferredEdits {
  readonly #due = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  #stopped = false;

  constructor(private readonly o: DeferredEditsOptions) {}

  /** Puts the task's edit off until `at`; an edit already put off keeps its time. */
  defer(taskId: string, at: number): void {
    if (this.#due.has(taskId) || this.#stopped) return;
    const timer = setTimeout(() => this.#fire(taskId), Math.max(1, at - this.o.now()));
    timer.unref?.();
    this.#due.set(taskId, { at, timer });
  }

  cancel(taskId: string): void {
    const entry = this.#due.get(taskId);
    if (entry) clearTimeout(entry.timer);
    this.#due.delete(taskId);
  }

  /** Runs the edits that are due by the injected clock; answers how many. */
  runDue(): number {
    const now = this.o.now();
    const due = [...this.#due].filter(([, e]) => e.at <= now).map(([id]) => id);
    for (const id of due) this.#fire(id);
    return due.length;
  }

  /** No more deferred edits; those pending are dropped. */
  stop(): void {
    this.#stopped = true;
    for (const e of this.#due.values()) clearTimeout(e.timer);
    this.#due.clear();
  }

  #fire(taskId: string): void {
    this.cancel(taskId);
    this.o.run(taskId);
  }
}
