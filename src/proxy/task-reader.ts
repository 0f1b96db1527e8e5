// The one way the bot reads task states: list-by-condition in batches; a batch the backend refuses
// as too big is asked again in halves, and the smaller size remembered; a backend without that
// endpoint (404) is read task by task, with bounded concurrency, and that remembered too; ids a
// list omitted are confirmed one by one, so an id the proxy does not know is reported as unknown,
// never confused with one that could not be asked about.
//
// What a backend can do is kept per lane (lanes.ts: a backend, or a speed of it with a base of its
// own), in memory and in a small key-value memory that outlives the process.
import type { Logger } from '../logger.ts';
import { mapLimit } from '../util/map-limit.ts';
import { ProxyError } from './errors.ts';
import { DEFAULT_BACKEND, laneOf } from './lanes.ts';
import type { CallOptions } from './transport.ts';
import type { Task } from './types.ts';

export { DEFAULT_BACKEND };

/**
 * The lane of a job of the default backend (lanes.ts): its record's mode when that mode is
 * configured, the default backend otherwise (no mode, or a mode since removed from MJ_MODES).
 */
export function backendOf(mode: string | undefined | null, modes: readonly string[]): string {
  return laneOf(DEFAULT_BACKEND, mode, modes);
}

/** What names a job's lane: its backend (none: a record written before several backends) and its speed. */
export interface JobPlace {
  mode?: string | null;
  backend?: string | null;
}
/** How long a learnt capability is trusted (a relay may be upgraded). */
const CAPABILITY_TTL_MS = 24 * 3600_000;

/** Where one backend's capabilities are remembered across restarts and processes (the store's, per backend). */
export interface CapabilityMemory {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown, ttlMs: number): Promise<unknown>;
}

/** The proxy calls the reader makes (the backend pool has them). */
export interface TaskSource {
  /** The lane a job's calls go to (lanes.ts). */
  laneOf(job: JobPlace): string;
  /** How to call a lane: its backend and speed. */
  callOf(lane: string): CallOptions;
  listTasks(ids: string[], o?: CallOptions): Promise<Task[]>;
  fetchTask(id: string, o?: CallOptions): Promise<Task | null>;
}

/** Counters a caller may pass to see what a read cost. */
export interface ReadCounts {
  proxyCalls: number;
  errors: number;
}

/**
 * How a read's requests go out: at most `concurrency` in flight (default: the reader's), each
 * after `before` resolves (the poller's timer passes let push hints go first there).
 */
export interface ReadPace {
  concurrency?: number;
  before?: () => Promise<void>;
}

/** Batch by batch: tasks found, and ids the proxy confirmed it does not know. */
export type ReadSink = (found: Task[], unknown: string[]) => Promise<void>;

export interface TaskRead {
  found: Map<string, Task>;
  /** Ids the proxy said it does not know. */
  unknown: Set<string>;
  /** Ids that could not be asked about (errors). */
  failed: Set<string>;
  /** Whether any request got an answer. */
  answered: boolean;
  /** The last error, when there was one. */
  error?: unknown;
}

export interface TaskReaderOptions {
  proxy: TaskSource;
  /** Each backend's own memory (the store's capabilities of that backend). */
  capabilities: (backend: string) => CapabilityMemory;
  logger: Logger;
  /** Ids per list-by-condition call (LIST_BATCH_SIZE). */
  batchSize: number;
  /** Calls in flight (FETCH_CONCURRENCY). */
  concurrency: number;
}

interface Capabilities {
  list: boolean;
  /** The largest batch the backend took, once it refused a bigger one. */
  listMax?: number;
}

/** The settings keys of the default backend predate several backends: stores written then keep working. */
const keyOf = (key: string) => `capability:${key}`;

export class TaskReader {
  readonly #backends = new Map<string, Promise<Capabilities>>();

  constructor(private readonly o: TaskReaderOptions) {}

  /** The lane a job runs on, from its record's backend and mode (lanes.ts). */
  backendOf(job: JobPlace): string {
    return this.o.proxy.laneOf(job);
  }

  /** Ids by the lane their jobs run on (the record's backend, none: the default one; and its mode). */
  byBackend(jobs: Iterable<{ taskId: string } & JobPlace>): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const job of jobs) {
      const backend = this.backendOf(job);
      const ids = out.get(backend);
      if (ids) ids.push(job.taskId);
      else out.set(backend, [job.taskId]);
    }
    return out;
  }

  /** Tasks by id, with the ids the proxy does not know and those it could not be asked about. */
  async readTasks(backend: string, ids: string[], counts: ReadCounts = { proxyCalls: 0, errors: 0 }): Promise<TaskRead> {
    const read: TaskRead = { found: new Map(), unknown: new Set(), failed: new Set(), answered: false };
    read.answered = await this.stream(
      backend,
      ids,
      counts,
      async (tasks, unknown) => {
        for (const t of tasks) read.found.set(t.id, t);
        for (const id of unknown) read.unknown.add(id);
      },
      (err) => {
        read.error = err;
        if (!(err instanceof ProxyError && err.code === 'INTERRUPTED')) this.o.logger.warn('task read failed', { backend, err });
      },
    );
    for (const id of ids) if (!read.found.has(id) && !read.unknown.has(id)) read.failed.add(id);
    return read;
  }

  /**
   * Feeds `sink` batch by batch as answers arrive (the poller applies them at once). Ids that could
   * not be asked about appear in neither list; their errors go to `onError`, not the log (a caller
   * that polls logs changes of state only). Answers false when no request got through.
   */
  async stream(backend: string, ids: string[], counts: ReadCounts, sink: ReadSink, onError: (err: unknown) => void, pace: ReadPace = {}): Promise<boolean> {
    if (ids.length === 0) return true;
    let answered = false;
    let rest: string[] = ids;
    // A pace lowers the reader's concurrency (FETCH_CONCURRENCY), never raises it.
    const concurrency = Math.max(1, Math.min(pace.concurrency ?? Infinity, this.o.concurrency));
    const caps = await this.#capabilities(backend);
    if (caps.list) {
      const size = Math.max(1, Math.min(this.o.batchSize, caps.listMax ?? Infinity));
      const batches: string[][] = [];
      for (let i = 0; i < ids.length; i += size) batches.push(ids.slice(i, i + size));
      const outcomes = await mapLimit(batches, concurrency, async (batch) => {
        await pace.before?.();
        const got = await this.#list(backend, caps, batch, counts, onError);
        if (got === 'per-task') return batch;
        if (got === null) return [];
        answered = true;
        const asked = new Set(batch);
        const found = new Set(got.map((t) => t.id));
        await sink(got.filter((t) => asked.has(t.id)), []);
        // Ids a list omitted are confirmed one by one (a relay may lag, or drop some).
        return batch.filter((id) => !found.has(id));
      });
      rest = outcomes.flat();
    }
    if (rest.length === 0) return answered;
    let failures = 0;
    await mapLimit(rest, concurrency, async (id) => {
      await pace.before?.();
      counts.proxyCalls++;
      try {
        const task = await this.o.proxy.fetchTask(id, this.#call(backend));
        answered = true;
        // Keep our id: a relay may echo it as a number that lost precision.
        await sink(task ? [{ ...task, id }] : [], task ? [] : [id]);
      } catch (err) {
        failures++;
        counts.errors++;
        onError(err);
      }
    });
    return answered || failures < rest.length;
  }

  /** One list-by-condition call; splits the batch when the backend refuses its size. */
  async #list(backend: string, caps: Capabilities, batch: string[], counts: ReadCounts, onError: (err: unknown) => void): Promise<Task[] | null | 'per-task'> {
    counts.proxyCalls++;
    try {
      return await this.o.proxy.listTasks(batch, this.#call(backend));
    } catch (err) {
      if (err instanceof ProxyError && err.code === 'UNSUPPORTED') {
        if (caps.list) {
          caps.list = false;
          this.o.logger.info('backend has no list-by-condition; polling tasks one by one', { backend });
          await this.o.capabilities(backend).set(keyOf('list-by-condition'), false, CAPABILITY_TTL_MS);
        }
        return 'per-task';
      }
      if (err instanceof ProxyError && err.code === 'VALIDATION' && err.context.status === 400 && batch.length > 1) {
        // "ids数量不能超过N": remember a smaller batch and ask again in halves.
        const half = Math.ceil(batch.length / 2);
        if ((caps.listMax ?? Infinity) > half) {
          caps.listMax = half;
          this.o.logger.info('list-by-condition refused the batch size; using smaller batches', { backend, size: half });
          await this.o.capabilities(backend).set(keyOf('list-by-condition-max'), half, CAPABILITY_TTL_MS);
        }
        const a = await this.#list(backend, caps, batch.slice(0, half), counts, onError);
        const b = await this.#list(backend, caps, batch.slice(half), counts, onError);
        if (a === 'per-task' || b === 'per-task') return 'per-task';
        if (a === null && b === null) return null;
        return [...(a ?? []), ...(b ?? [])];
      }
      onError(err);
      counts.errors++;
      // A body we could not read: ask task by task instead. Anything else: the proxy is unwell.
      return err instanceof ProxyError && err.code === 'MALFORMED' ? 'per-task' : null;
    }
  }

  #call(backend: string): CallOptions {
    return this.o.proxy.callOf(backend);
  }

  /** What the backend can do: read once from the memory, then kept here (shared by every caller). */
  #capabilities(backend: string): Promise<Capabilities> {
    let caps = this.#backends.get(backend);
    if (!caps) {
      caps = (async () => {
        const list = await this.o.capabilities(backend).get(keyOf('list-by-condition'));
        const max = await this.o.capabilities(backend).get(keyOf('list-by-condition-max'));
        return { list: list !== false, ...(typeof max === 'number' && max > 0 ? { listMax: max } : {}) };
      })();
      // A memory that did not answer is asked again next time.
      caps.catch(() => this.#backends.delete(backend));
      this.#backends.set(backend, caps);
    }
    return caps;
  }
}
