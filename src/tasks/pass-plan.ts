// What a poll pass reports, how it plans its requests, and how often it yields (poller.ts).
import type { TaskReader } from '../proxy/task-reader.ts';
import type { TaskRecord } from '../store/tasks.ts';

export interface TickReport {
  /** Active tasks this process holds (follows). */
  active: number;
  /** Tasks fetched in this pass. */
  due: number;
  /** Tasks handed to the tracker. */
  updated: number;
  proxyCalls: number;
  errors: number;
  /** How long the pass took. */
  durationMs: number;
}

/** Totals since start, for the benchmark and for tests. */
export interface PollerStats {
  passes: number;
  /** Passes that asked the proxy anything. */
  busyPasses: number;
  proxyCalls: number;
  hints: number;
  hintFlushes: number;
  hintProxyCalls: number;
  /** Hints passed on to other processes. */
  hintsRelayed: number;
}

export const emptyReport = (): TickReport => ({ active: 0, due: 0, updated: 0, proxyCalls: 0, errors: 0, durationMs: 0 });

/**
 * A request reads a whole batch for the price of part of one: a pass whose last request to a
 * backend would go out part empty takes along the tasks of that backend due soonest after
 * (`soon`: queued tasks due within the next moving interval, and with phases the running tasks of
 * the next phases, none read in the last half of one). They are
 * read a little early, and the passes after this one have that many fewer to read. Without it
 * every pass wasted half a batch on average; with several processes, each running its own
 * passes, that was 4–5 % more requests than one process needs for the same reads.
 */
export function fillLastRequests(due: TaskRecord[], soon: [number, TaskRecord][], size: number, reader: Pick<TaskReader, 'byBackend' | 'backendOf'>): void {
  if (!due.length || !soon.length) return;
  const room = new Map<string, number>();
  for (const [backend, ids] of reader.byBackend(due)) room.set(backend, (size - (ids.length % size)) % size);
  soon.sort((a, b) => a[0] - b[0]);
  for (const [, r] of soon) {
    const backend = reader.backendOf(r), left = room.get(backend) ?? 0;
    if (left === 0) continue;
    due.push(r);
    room.set(backend, left - 1);
  }
}

/** Records (or held ids) walked between two yields to the event loop in a pass. */
export const YIELD_EVERY = 1_000;
export const yieldToIo = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));
