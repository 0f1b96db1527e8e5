// The poller: a timer around an idempotent tick(). One pass loads the active records, fetches
// their tasks (batched through list-by-condition, or per-task fetch with bounded concurrency when
// the backend has no such endpoint), and hands each to the tracker. Tests call tick() directly.
import type { Logger } from '../logger.ts';
import { ProxyError } from '../proxy/errors.ts';
import type { ProxyClient } from '../proxy/client.ts';
import type { Task } from '../proxy/types.ts';
import type { KeyValueRepository } from '../store/key-value.ts';
import type { TaskRecord, TaskRepository } from '../store/tasks.ts';
import type { Tracker } from './tracker.ts';

export interface PollerOptions {
  proxy: ProxyClient;
  tasks: TaskRepository;
  settings: KeyValueRepository<unknown>;
  tracker: Tracker;
  logger: Logger;
  now: () => number;
  batchSize: number;
  concurrency: number;
}

const LIST_SUPPORT_KEY = 'capability:list-by-condition';

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export interface TickReport {
  active: number;
  updated: number;
  proxyCalls: number;
  errors: number;
}

export class Poller {
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<TickReport> | null = null;
  #listSupported: boolean | undefined;
  #stopped = true;

  constructor(private readonly o: PollerOptions) {}

  start(intervalMs: number): void {
    this.#stopped = false;
    const loop = async () => {
      if (this.#stopped) return;
      try {
        await this.tick();
      } catch (err) {
        this.o.logger.error('tick failed', { err });
      }
      if (!this.#stopped) this.#timer = setTimeout(loop, intervalMs);
    };
    this.#timer = setTimeout(loop, intervalMs);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#running?.catch(() => undefined);
  }

  /** One pass; concurrent calls share the pass in flight. */
  tick(): Promise<TickReport> {
    if (!this.#running) {
      this.#running = this.#tick().finally(() => {
        this.#running = null;
      });
    }
    return this.#running;
  }

  async #tick(): Promise<TickReport> {
    const report: TickReport = { active: 0, updated: 0, proxyCalls: 0, errors: 0 };
    const ids = await this.o.tasks.activeIds();
    if (ids.length === 0) return report;
    const records = (await this.o.tasks.getMany(ids)).filter((r): r is TaskRecord => !!r && r.active);
    report.active = records.length;
    const now = this.o.now();
    const due: TaskRecord[] = [];
    for (const r of records) {
      if (now >= r.deadlineAt) await this.#safely(report, () => this.o.tracker.expire(r));
      else due.push(r);
    }
    if (due.length === 0) return report;
    const fetched = await this.fetchTasks(due.map((r) => r.taskId), report);
    if (!fetched) return report;
    for (const r of due) {
      if (fetched.failed.has(r.taskId)) continue;
      const task = fetched.found.get(r.taskId);
      if (task) {
        report.updated++;
        await this.#safely(report, () => this.o.tracker.applyUpdate(r, task));
      } else {
        await this.#safely(report, () => this.o.tracker.miss(r));
      }
    }
    return report;
  }

  async #safely(report: TickReport, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      report.errors++;
      this.o.logger.error('task update failed', { err });
    }
  }

  /** Tasks by id; ids the proxy does not know are absent. null when the proxy could not be asked. */
  async fetchTasks(ids: string[], report: TickReport = { active: 0, updated: 0, proxyCalls: 0, errors: 0 }): Promise<{ found: Map<string, Task>; failed: Set<string> } | null> {
    const out = new Map<string, Task>();
    const failed = new Set<string>();
    let rest = ids;
    if (await this.#listIsSupported()) {
      try {
        for (let i = 0; i < ids.length; i += this.o.batchSize) {
          const batch = ids.slice(i, i + this.o.batchSize);
          report.proxyCalls++;
          for (const task of await this.o.proxy.listTasks(batch)) out.set(task.id, task);
        }
        // Ids a list omitted are confirmed one by one (a relay may lag, or drop some).
        rest = ids.filter((id) => !out.has(id));
      } catch (err) {
        if (err instanceof ProxyError && err.code === 'UNSUPPORTED') {
          this.o.logger.info('backend has no list-by-condition; polling tasks one by one');
          this.#listSupported = false;
          await this.o.settings.set(LIST_SUPPORT_KEY, false, 24 * 3600_000);
        } else {
          this.o.logger.warn('list-by-condition failed', { err });
          report.errors++;
          if (!(err instanceof ProxyError) || err.code !== 'MALFORMED') return null;
        }
        rest = ids.filter((id) => !out.has(id));
      }
    }
    await mapLimit(rest, this.o.concurrency, async (id) => {
      report.proxyCalls++;
      try {
        const task = await this.o.proxy.fetchTask(id);
        // Keep our id: a relay may echo it as a number that lost precision.
        if (task) out.set(id, { ...task, id });
      } catch (err) {
        failed.add(id);
        report.errors++;
        this.o.logger.warn('fetch failed', { err });
      }
    });
    // When every fetch failed, the proxy is down: that is not "the task is unknown".
    if (rest.length > 0 && failed.size === rest.length && out.size === 0) return null;
    return { found: out, failed };
  }

  async #listIsSupported(): Promise<boolean> {
    if (this.#listSupported === undefined) {
      const v = await this.o.settings.get(LIST_SUPPORT_KEY);
      this.#listSupported = v !== false;
    }
    return this.#listSupported;
  }
}
