// Final results first: the requests the bot makes through its own channel access (edits after an
// interaction token expired, new posts, pings, DMs) count against Discord's global limit (50 a
// second per bot token, every process together); interaction-token routes do not, and never pass
// here. This queue sits in front of those requests, with a budget per second (DISCORD_CHANNEL_BUDGET)
// taken from a BudgetSource (budget.ts): this process's own bucket, or a Redis bucket every process of the bot
// takes from (store/discord-budget.ts). What the budget serves, in order:
//   1. final results (a job's last view, its post anew, its DM);
//   2. the rest that is not progress (pings, Share's post, audit lines, a pressed button turning green);
//   3. progress edits: per job only the newest is kept (a newer one takes the older one's place in
//      line, the older one is shed), and a job's progress still waiting is shed when its final
//      result (or any newer view of it) is queued.
// A shed request is never sent: its caller gets SHED and the job's newer view shows instead.
// At most one request per channel is handed to discord.js at a time, so Discord's per-channel
// buckets queue in this order too, not in discord.js's first-in, first-out one.

import type { BudgetSource } from './budget.ts';

export type Priority = 'final' | 'other' | 'progress';

/** What a request that was dropped answers: a newer view of the same job replaced it. */
export const SHED: unique symbol = Symbol('shed');
export type Shed = typeof SHED;

interface Entry {
  priority: Priority;
  /** The job (task id) a progress edit or final result belongs to; null for the rest. */
  job: string | null;
  /** Per-channel one at a time (null: not bound to a channel's bucket). */
  channel: string | null;
  /** null: shed, waiting for the job's newer progress to take its place in line. */
  call: (() => Promise<unknown>) | null;
  /** When it was queued (a progress edit replaced by a newer one keeps the first one's time, as its place). */
  at: number;
  resolve: (v: unknown) => void;
  reject: (err: unknown) => void;
}

type ByPriority = Record<Priority, number>;

export interface ChannelQueueStats {
  /** Requests handed to the queue (a progress edit that took an older one's place counts again). */
  queued: ByPriority;
  sent: ByPriority;
  /** Progress edits dropped: a newer view of the same job (progress or final) replaced them. */
  shed: number;
  /** Progress edits sent while a final result waited in this queue (the goal is 0). */
  progressBeforeFinal: number;
  /** Times the queue had requests ready and no token, and waited for the budget to give one. */
  budgetWaits: number;
  /** Milliseconds spent in those waits. */
  budgetWaitMs: number;
  /** Tokens taken and then not used (what they were taken for was shed meanwhile): dropped, never saved for later. */
  tokensUnused: number;
}

export interface ChannelQueueOptions {
  budget: BudgetSource;
  /** Tokens asked for at once (a shared bucket is one round trip per take). Default 5. */
  takeAtMost?: number;
  onError?: (err: unknown) => void;
  /** Each request as it goes, with how long it waited in the queue (ms): for metrics. */
  onSent?: (priority: Priority, waitedMs: number) => void;
  /** The clock waits are measured by (real time: the budget is). */
  now?: () => number;
}

export class ChannelQueue {
  readonly stats: ChannelQueueStats = {
    queued: { final: 0, other: 0, progress: 0 },
    sent: { final: 0, other: 0, progress: 0 },
    shed: 0,
    progressBeforeFinal: 0,
    budgetWaits: 0,
    budgetWaitMs: 0,
    tokensUnused: 0,
  };
  readonly #finals: Entry[] = [];
  readonly #others: Entry[] = [];
  /** Progress in line, one per job (a Map keeps the order in which each job first queued). */
  readonly #progress = new Map<string, Entry>();
  /** Channels with a request handed to discord.js and not answered yet. */
  readonly #busy = new Set<string>();
  #tokens = 0;
  #pumping = false;
  #timer: NodeJS.Timeout | null = null;
  #closed = false;

  readonly #now: () => number;

  constructor(private readonly o: ChannelQueueOptions) {
    this.#now = o.now ?? Date.now;
  }

  /** Requests waiting, all priorities. */
  get waiting(): number {
    const w = this.waitingBy();
    return w.final + w.other + w.progress;
  }

  /** Requests waiting, by priority. */
  waitingBy(): ByPriority {
    let progress = 0;
    for (const e of this.#progress.values()) if (e.call) progress++;
    return { final: this.#finals.length, other: this.#others.length, progress };
  }

  /** Runs `call` when the budget allows, finals first; a progress edit may answer SHED instead. */
  run<T>(priority: Priority, job: string | null, channel: string | null, call: () => Promise<T>): Promise<T | Shed> {
    // Closed (the bot stops): nothing more is sent; the caller keeps the job to show at the next start.
    if (this.#closed) return Promise.resolve(SHED);
    return new Promise<T | Shed>((resolve, reject) => {
      const entry: Entry = { priority, job, channel, call, at: this.#now(), resolve: resolve as (v: unknown) => void, reject };
      this.stats.queued[priority]++;
      if (priority === 'progress' && job !== null) {
        const cur = this.#progress.get(job);
        if (cur) {
          // The newest progress of a job takes the older one's place in line.
          if (cur.call) this.#shed(cur);
          cur.call = call;
          cur.channel = channel;
          cur.resolve = entry.resolve;
          cur.reject = reject;
        } else this.#progress.set(job, entry);
      } else {
        if (job !== null) this.supersede(job, true);
        (priority === 'final' ? this.#finals : this.#others).push(entry);
      }
      this.#pump();
    });
  }

  /**
   * A newer view of `job` is on its way (the tracker has one waiting behind the edit in line): its
   * progress edit still waiting is shed, keeping its place in line for that newer progress (`gone`:
   * the place too, because what comes is a final result).
   */
  supersede(job: string, gone = false): void {
    const cur = this.#progress.get(job);
    if (!cur) return;
    if (cur.call) this.#shed(cur);
    if (gone) this.#progress.delete(job);
  }

  /** No more sending: whatever waits is shed. */
  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    for (const e of [...this.#finals.splice(0), ...this.#others.splice(0), ...this.#progress.values()]) if (e.call) this.#shed(e);
    this.#progress.clear();
  }

  #shed(e: Entry): void {
    e.call = null;
    this.stats.shed++;
    e.resolve(SHED);
  }

  /** The next request that may go now (its channel free), in priority order; removed from its line. */
  #next(): Entry | undefined {
    for (const line of [this.#finals, this.#others]) {
      const i = line.findIndex((e) => this.#free(e));
      if (i >= 0) return line.splice(i, 1)[0];
    }
    // No progress goes while a final result waits (its channel busy with another request).
    if (this.#finals.length) return undefined;
    for (const [job, e] of this.#progress) {
      if (!e.call) {
        // A place kept for a newer progress that has not come: given up.
        this.#progress.delete(job);
        continue;
      }
      if (!this.#free(e)) continue;
      this.#progress.delete(job);
      return e;
    }
    return undefined;
  }

  #free(e: Entry): boolean {
    return e.call !== null && (e.channel === null || !this.#busy.has(e.channel));
  }

  #pump(): void {
    if (this.#pumping || this.#closed) return;
    this.#pumping = true;
    void this.#drain()
      .catch((err: unknown) => this.o.onError?.(err))
      .finally(() => {
        this.#pumping = false;
        // Something queued while the last pass was finishing.
        if (!this.#timer && this.#readyCount() > 0) this.#pump();
      });
  }

  async #drain(): Promise<void> {
    for (;;) {
      if (this.#closed || this.#timer) return;
      const ready = this.#readyCount();
      if (ready === 0) return;
      if (this.#tokens === 0) {
        // The finals that could go now (not those behind a busy channel): while another process has
        // some, the shared budget gives it the tokens, and a count that cannot be used would hold it back.
        const { got, waitMs } = await this.o.budget.take(Math.min(ready, this.o.takeAtMost ?? 5), this.#readyCount(true));
        this.#tokens += got;
        if (got === 0) {
          // Back when the budget's next token is due (no sooner: a take that early gets nothing).
          const since = this.#now();
          this.stats.budgetWaits++;
          this.#timer = setTimeout(() => {
            this.#timer = null;
            this.stats.budgetWaitMs += this.#now() - since;
            this.#pump();
          }, Math.max(1, waitMs));
          this.#timer.unref?.();
          return;
        }
      }
      const e = this.#next();
      if (!e) {
        // What the tokens were taken for went meanwhile (shed). Kept for later, they would go on top
        // of the budget's own in some later second; dropped, the budget stays what it says.
        this.stats.tokensUnused += this.#tokens;
        this.#tokens = 0;
        return;
      }
      this.#tokens--;
      this.#send(e);
    }
  }

  /**
   * Requests that could go now (what #next would hand out), counted up to what one take asks for:
   * one per channel, since a channel takes one request at a time (more tokens would sit unused here
   * while other processes wait for them).
   */
  #readyCount(finalsOnly = false): number {
    const cap = finalsOnly ? Infinity : (this.o.takeAtMost ?? 5);
    const channels = new Set<string>();
    let n = 0;
    const counts = (e: Entry) => {
      if (!this.#free(e)) return false;
      if (e.channel !== null) {
        if (channels.has(e.channel)) return false;
        channels.add(e.channel);
      }
      return ++n >= cap;
    };
    for (const e of this.#finals) if (counts(e)) return n;
    if (finalsOnly) return n;
    for (const e of this.#others) if (counts(e)) return n;
    if (this.#finals.length) return n;
    for (const e of this.#progress.values()) if (counts(e)) return n;
    return n;
  }

  #send(e: Entry): void {
    const call = e.call!;
    this.stats.sent[e.priority]++;
    // A metrics callback that throws must not lose the request (it has left its line already).
    try {
      this.o.onSent?.(e.priority, this.#now() - e.at);
    } catch (err) {
      this.o.onError?.(err);
    }
    if (e.priority === 'progress' && this.#finals.length) this.stats.progressBeforeFinal++;
    if (e.channel !== null) this.#busy.add(e.channel);
    const { resolve, reject, channel } = e;
    call()
      .then(resolve, reject)
      .finally(() => {
        if (channel !== null) this.#busy.delete(channel);
        this.#pump();
      });
  }
}
