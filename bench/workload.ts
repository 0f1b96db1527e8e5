// The workload: N jobs wait in the proxy's queue; a fixed number of "running slots" (the
// upstream's capacity: accounts × concurrent jobs) takes them in order, and each running job moves
// through Midjourney's visible states at a jittered pace: SUBMITTED, 15%, 46%, 78% with a preview,
// SUCCESS with the grid and its buttons. The driver moves the fake proxy's tasks itself (in the
// fakes' process, bench/fakes-client.ts) and notes when each state appeared there, so the Discord
// edits the fake records can be matched to it.
import type { Advancer, EditCall } from './fakes-client.ts';

/** Visible states after the first reply ("Waiting to start"): 1 SUBMITTED … 5 SUCCESS. */
export const VISIBLE_STATES = 5;

export interface WorkloadOptions {
  /** Jobs running at once at the proxy. */
  slots: number;
  /** Mean time between two states of a running job (ms), jittered by ±jitter. */
  stepMs: number;
  jitter: number;
  /** New jobs start during this long (ms); then the running ones finish. */
  startForMs: number;
}

export class Driver {
  /** Time each visible state appeared at the proxy: changes.get(id)[k] for state k (1..5). */
  readonly changes = new Map<string, number[]>();
  readonly finished: string[] = [];
  #running = 0;
  #startUntil = 0;
  #done: (() => void) | null = null;
  #failed: ((err: unknown) => void) | null = null;
  readonly #timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly proxy: Advancer,
    private readonly queue: string[],
    private readonly o: WorkloadOptions,
  ) {}

  /** Runs the workload; resolves when no job is running any more and no new one may start. */
  run(): Promise<void> {
    this.#startUntil = Date.now() + this.o.startForMs;
    return new Promise((resolve, reject) => {
      this.#done = resolve;
      this.#failed = reject;
      // The slots fill over one step, not all in the same millisecond.
      for (let i = 0; i < this.o.slots; i++) this.#later(Math.floor((i / this.o.slots) * this.o.stepMs), () => this.#startNext());
    });
  }

  stop(): void {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }

  #later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.#timers.delete(t);
      fn();
    }, ms);
    this.#timers.add(t);
  }

  #pace(): number {
    return Math.round(this.o.stepMs * (1 - this.o.jitter + 2 * this.o.jitter * Math.random()));
  }

  #startNext(): void {
    const id = Date.now() < this.#startUntil ? this.queue.shift() : undefined;
    if (!id) {
      if (this.#running === 0) this.#done?.();
      return;
    }
    this.#running++;
    // NOT_START (queued) → SUBMITTED
    this.proxy.advance(id, 2).then(
      (at) => {
        this.changes.set(id, [0, at]);
        this.#later(this.#pace(), () => this.#step(id, 2));
      },
      (err: unknown) => this.#failed?.(err),
    );
  }

  #step(id: string, k: number): void {
    this.proxy.advance(id).then(
      (at) => this.#stepped(id, k, at),
      (err: unknown) => this.#failed?.(err),
    );
  }

  #stepped(id: string, k: number, at: number): void {
    this.changes.get(id)![k] = at;
    if (k < VISIBLE_STATES) {
      this.#later(this.#pace(), () => this.#step(id, k + 1));
      return;
    }
    this.finished.push(id);
    this.#running--;
    this.#startNext();
  }
}

/** Which visible state an edit shows: 0 waiting, 1 submitted, 2–4 progress, 5 the result. */
export function stateShown(call: Pick<EditCall, 'json' | 'files'>): number | null {
  const body = call.json as { content?: string; components?: unknown[] } | undefined;
  // A job under way shows one row (❌ Cancel); the result shows the grid's two.
  if (call.files.length || (body?.components?.length ?? 0) > 1) return VISIBLE_STATES;
  const content = body?.content ?? '';
  if (/\(Submitted\)/.test(content)) return 1;
  const p = /\((\d+)%\)/.exec(content)?.[1];
  if (p === '15') return 2;
  if (p === '46') return 3;
  if (p === '78') return 4;
  if (/Waiting to start|Queued/.test(content)) return 0;
  return null;
}

export interface DiscordFigures {
  /** Jobs that finished at the proxy during the run. */
  jobs: number;
  /** REST calls the bot made for those jobs' messages (every attempt, 429s included). */
  callsPerJob: number;
  maxCallsPerJob: number;
  /** Of the states those jobs went through, how many were shown. */
  statesShownPerJob: number;
  /**
   * For every state of those jobs: ms from its appearance at the proxy until Discord showed it or
   * a later one (what the user waits for); Infinity when nothing showed it by the end of the run.
   */
  latencies: number[];
  /** The same, split: progress states, and the final state (its edit carries the downloaded result). */
  progressLatencies: number[];
  finalLatencies: number[];
  /** Results (final states) not shown by the end of the run. */
  missingFinals: number;
}

/** Matches the edits the fake Discord recorded to the states the driver produced. */
export function discordFigures(calls: EditCall[], appId: string, tokenOf: Map<string, string>, driver: Driver): DiscordFigures {
  const byToken = new Map<string, EditCall[]>();
  for (const c of calls) {
    const [, app, token] = /^\/webhooks\/(\d+)\/([^/]+)/.exec(c.path) ?? [];
    if (app !== appId || token === undefined) continue;
    let list = byToken.get(token);
    if (!list) byToken.set(token, (list = []));
    list.push(c);
  }
  const out: DiscordFigures = { jobs: 0, callsPerJob: 0, maxCallsPerJob: 0, statesShownPerJob: 0, latencies: [], progressLatencies: [], finalLatencies: [], missingFinals: 0 };
  let calls_ = 0;
  let shown = 0;
  for (const id of driver.finished) {
    const changes = driver.changes.get(id)!;
    const list = byToken.get(tokenOf.get(id)!) ?? [];
    out.jobs++;
    calls_ += list.length;
    out.maxCallsPerJob = Math.max(out.maxCallsPerJob, list.length);
    const edits = list
      .filter((c) => c.method === 'PATCH' && c.status < 300)
      .map((c) => ({ at: c.at, k: stateShown(c) ?? -1 }))
      .sort((a, b) => a.at - b.at);
    const seen = new Set(edits.map((e) => e.k).filter((k) => k >= 1));
    shown += seen.size;
    if (!seen.has(VISIBLE_STATES)) out.missingFinals++;
    for (let k = 1; k <= VISIBLE_STATES; k++) {
      const at = changes[k];
      if (at === undefined) throw new Error(`bench: job ${id} finished without the time of its state ${k}`);
      const first = edits.find((e) => e.k >= k && e.at >= at);
      const latency = first ? first.at - at : Infinity;
      out.latencies.push(latency);
      (k === VISIBLE_STATES ? out.finalLatencies : out.progressLatencies).push(latency);
    }
  }
  out.callsPerJob = out.jobs ? calls_ / out.jobs : 0;
  out.statesShownPerJob = out.jobs ? shown / out.jobs : 0;
  return out;
}

export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  // nearest rank, clamped to 0 … length - 1: in range, the list is not empty
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
