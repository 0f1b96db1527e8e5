// Final results first: the requests the bot makes through its own channel access (edits after an
// interaction token expired, new posts, pings, DMs) count against Discord's global limit (50 a
// second per bot token, every process together); interaction-token routes do not, and never pass
// here. This queue sits in front of those requests, with a budget per second (DISCORD_CHANNEL_BUDGET)
// taken from a BudgetSource (budget.ts): this process's own bucket, or a Redis bucket every process of the bot
// takes from (store/discord-budget.ts). What the budget serves, in order:
//   1. final results (a job's last view, its post anew, its DM), lane by lane, a lane's backlog
//      bringing its turn forward (finals-line.ts);
//   2. the rest that a user asked for (Share's post, a pressed button turning green);
//   3. notices (the ping under a result shown after its token expired, audit lines), then 4. progress
//      edits (per job only the newest, in the oldest one's place; shed when the job's final or any newer
//      view is queued): neither while a final result waits, is on the wire, or is being made (expect()).
// A shed request is never sent: its caller gets SHED and the job's newer view shows instead.
// At most one request per lane (a channel's edits, or its new messages: Discord keeps a bucket for
// each) is handed to discord.js at a time, so Discord's per-channel buckets queue in this order too,
// not in discord.js's first-in, first-out one; and a lane goes no faster than its bucket lets it
// (budget.ts LANE_PACE, counted by the budget, shared on Redis): a token is only spent on a request
// Discord takes at once, never on one that discord.js or the REST proxy would hold until the bucket
// resets and then send with the held requests of other channels, all in one second.

import type { Lane } from './budget.ts';
import { SHED, paceKey, yieldsToFinals, type ByPriority, type ChannelQueueOptions, type ChannelQueueStats, type Priority, type Shed } from './channel-queue-types.ts';
import { ExpectedFinals } from './expected-finals.ts';
import { FinalsLine } from './finals-line.ts';
import { FinalsRoom } from './finals-room.ts';

export { SHED, editLane, postLane, type ChannelQueueOptions, type ChannelQueueStats, type Priority, type Shed } from './channel-queue-types.ts';

/** How long an expected final (ChannelQueue.expect) holds back what yields to finals at most, if it does not come. */
export const EXPECT_MS = 5_000;
/** Finals a queue holds before the next ones are made (ChannelQueue.room): two seconds of the default budget (twice that for lanes holding none). */
export const FINALS_AHEAD = 100;

interface Entry {
  priority: Priority;
  /** The job (task id) a progress edit or final result belongs to; null for the rest. */
  job: string | null;
  /** Per lane one at a time, at the lane's pace (null: not bound to a channel's bucket). */
  channel: Lane;
  /** null: shed, waiting for the job's newer progress to take its place in line. */
  call: (() => Promise<unknown>) | null;
  /** When it was queued (a progress edit replaced by a newer one keeps the first one's time, as its place). */
  at: number;
  turn: number; // a final's turn in line (finals-line.ts)
  resolve: (v: unknown) => void;
  reject: (err: unknown) => void;
}

export class ChannelQueue {
  readonly stats: ChannelQueueStats = {
    queued: { final: 0, other: 0, notice: 0, progress: 0 },
    sent: { final: 0, other: 0, notice: 0, progress: 0 },
    shed: 0,
    progressBeforeFinal: 0,
    budgetWaits: 0,
    budgetWaitMs: 0,
    tokensUnused: 0,
  };
  /** Per lane, served by turn (finals-line.ts). */
  readonly #finals = new FinalsLine<Entry>();
  readonly #others: Entry[] = [];
  readonly #notices: Entry[] = [];
  /** Progress in line, one per job (a Map keeps the order in which each job first queued). */
  readonly #progress = new Map<string, Entry>();
  /** Lanes with a request handed to discord.js and not answered yet. */
  readonly #busy = new Set<string>();
  /** Lanes their pace holds back, until when (ms, this queue's clock): told by the budget. */
  readonly #pacedUntil = new Map<string, number>();
  #pumping = false;
  /** Waiting for the budget's next token: nothing is taken meanwhile. */
  #timer: NodeJS.Timeout | null = null;
  /** Waiting for a paced lane to open while nothing else can go (a newcomer on another lane goes at once). */
  #paceTimer: NodeJS.Timeout | null = null;
  #paceTimerAt = 0;
  /** The finals queued that the budget last heard of (after what that take sent). */
  #finalsTold = 0;
  /** Finals handed to discord.js and not answered yet: until Discord has them, they hold back what yields too. */
  #finalsInFlight = 0;
  /** Jobs whose final result is on its way here (expect()): they hold back what yields to finals too. */
  readonly #expected: ExpectedFinals;
  /** Finals being made that wait for room (room()). */
  readonly #room: FinalsRoom;
  #closed = false;

  readonly #now: () => number;

  constructor(private readonly o: ChannelQueueOptions) {
    this.#now = o.now ?? Date.now;
    this.#expected = new ExpectedFinals(EXPECT_MS, this.#now, () => this.#pump());
    this.#room = new FinalsRoom(FINALS_AHEAD, EXPECT_MS, this.#now, () => this.#finals.length, (lane) => this.#finals.countIn(lane));
  }

  /** Requests waiting, all priorities. */
  get waiting(): number {
    const w = this.waitingBy();
    return w.final + w.other + w.notice + w.progress;
  }

  /** Whether a progress edit queued now would wait: final results are queued or on their way. */
  get holdsProgress(): boolean {
    return this.#finalsKnown() > 0;
  }

  /** Final results waiting (cheap: a poll pass asks for each update). */
  get finalsWaiting(): number {
    return this.#finals.length;
  }

  /** Requests waiting, by priority. */
  waitingBy(): ByPriority {
    let progress = 0;
    for (const e of this.#progress.values()) if (e.call) progress++;
    return { final: this.#finals.length, other: this.#others.length, notice: this.#notices.length, progress };
  }

  /**
   * `job`'s final result comes here in a moment (its view, its image are being made): it counts as a final
   * queued from now (until it comes, EXPECT_MS at most), here and, told to the budget, in the other
   * processes. Otherwise a progress edit granted meanwhile reached Discord after the final was queued.
   */
  expect(job: string): void {
    if (!this.#closed && this.#expected.add(job)) this.#pump();
  }

  /**
   * Resolves when fewer than FINALS_AHEAD finals are queued, or none of `lane` (finals-room.ts): what a
   * final's result waits for before its files are fetched. A burst of results made all at once kept each
   * bot at a full core for seconds (its timers, the budget's takes among them, 100-300 ms late) while the
   * queue already held more than it could send in that time; made as room comes, they cost the same,
   * spread over the burst, and a burst's images are not all held in memory at once.
   */
  room(lane: Lane = null): Promise<void> {
    return this.#room.wait(lane);
  }

  /** Finals queued, in flight, and expected (still in their time). */
  #finalsKnown(): number {
    return this.#finals.length + this.#expected.count() + this.#finalsInFlight;
  }

  /** Runs `call` when the budget allows, finals first; a progress edit may answer SHED instead. */
  run<T>(priority: Priority, job: string | null, channel: Lane, call: () => Promise<T>): Promise<T | Shed> {
    // Closed (the bot stops): nothing more is sent; the caller keeps the job to show at the next start.
    if (this.#closed) return Promise.resolve(SHED);
    return new Promise<T | Shed>((resolve, reject) => {
      const entry: Entry = { priority, job, channel, call, at: this.#now(), turn: 0, resolve: resolve as (v: unknown) => void, reject };
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
        if (priority === 'final' && job !== null) this.#expected.delete(job);
        if (priority === 'final') {
          this.#room.came(channel);
          this.#finals.push(entry);
        } else this.#line(priority).push(entry);
      }
      // What yields cannot go while finals are known: their answers (or the expected ones' timer) pump.
      if (!yieldsToFinals(priority) || this.#finalsKnown() === 0) this.#pump();
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
    if (this.#paceTimer) clearTimeout(this.#paceTimer);
    this.#timer = this.#paceTimer = null;
    this.#expected.close();
    this.#room.close();
    for (const e of [...this.#finals.drain(), ...this.#others.splice(0), ...this.#notices.splice(0), ...this.#progress.values()]) if (e.call) this.#shed(e);
    this.#progress.clear();
  }

  #shed(e: Entry): void {
    e.call = null;
    this.stats.shed++;
    e.resolve(SHED);
  }

  /**
   * The requests that could go now, in the order they are served, one per lane (a lane takes one
   * request at a time): finals, then the rest, then notices and progress, neither while a final
   * waits (even one whose lane is busy or paced). At most `cap` of them; `finalsOnly`: the finals alone.
   */
  #ready(cap: number, finalsOnly = false): Entry[] {
    const out: Entry[] = [];
    const lanes = new Set<string>();
    const add = (e: Entry) => {
      if (!this.#free(e)) return false;
      if (e.channel !== null) {
        if (lanes.has(e.channel)) return false;
        lanes.add(e.channel);
      }
      out.push(e);
      return out.length >= cap;
    };
    for (const e of this.#finals.heads((lane) => this.#room.waitingIn(lane))) if (add(e)) return out;
    if (finalsOnly) return out;
    for (const e of this.#others) if (add(e)) return out;
    if (this.#finalsKnown()) return out;
    for (const e of this.#notices) if (add(e)) return out;
    for (const e of this.#progress.values()) {
      if (!e.call) {
        // A place kept for a newer progress that has not come: given up.
        this.#progress.delete(e.job!);
        continue;
      }
      if (add(e)) return out;
    }
    return out;
  }

  #free(e: Entry): boolean {
    if (e.call === null) return false;
    if (e.channel === null) return true;
    if (this.#busy.has(e.channel)) return false;
    return this.#open(e.channel) && (!yieldsToFinals(e.priority) || this.#open(paceKey(e)));
  }

  /** Whether the pace `key` (a lane, or a lane's share for progress) lets a request go now. */
  #open(key: string): boolean {
    const until = this.#pacedUntil.get(key);
    if (until === undefined) return true;
    if (until > this.#now()) return false;
    this.#pacedUntil.delete(key);
    return true;
  }

  /** Takes `e` out of its line to be sent; false when it went meanwhile (shed, or no longer free). */
  #takeOut(e: Entry): boolean {
    if (!this.#free(e)) return false;
    if (e.priority === 'progress' && e.job !== null) {
      if (this.#progress.get(e.job) !== e) return false;
      this.#progress.delete(e.job);
      return true;
    }
    if (e.priority === 'final') {
      if (!this.#finals.remove(e)) return false;
      this.#room.give();
      return true;
    }
    const line = this.#line(e.priority), i = line.indexOf(e);
    return i >= 0 && line.splice(i, 1).length > 0;
  }

  #pump(): void {
    // Waiting for the budget's next token: the timer pumps.
    if (this.#pumping || this.#closed || this.#timer) return;
    this.#pumping = true;
    void this.#drain()
      .catch((err: unknown) => this.o.onError?.(err))
      .finally(() => {
        this.#pumping = false;
        // Something queued while the last pass was finishing; or, after a failed pass, requests that
        // wait only for their lane's pace need the timer the pass did not get to set.
        if (this.#timer) return;
        if (this.#ready(1).length > 0) this.#pump();
        else this.#wakeWhenPaced();
      });
  }

  async #drain(): Promise<void> {
    const atMost = this.o.takeAtMost ?? 5;
    for (;;) {
      if (this.#closed || this.#timer) return;
      const batch = this.#ready(atMost);
      if (batch.length === 0) {
        // Finals queued since the last take, all behind busy or paced lanes: the budget is told (no
        // token asked), so that the other processes' progress and notices yield to them too.
        if (this.#finalsKnown() > this.#finalsTold) {
          this.#finalsTold = this.#finalsKnown();
          await this.o.budget.take([], 0, [], this.#finalsTold);
          continue;
        }
        this.#wakeWhenPaced();
        return;
      }
      // The finals that could go now (not those behind a busy or paced lane): while another process has
      // some, the shared budget gives it the tokens, and a count that cannot be used would hold its
      // other requests back. All of them hold back what yields (progress, notices) in every process.
      const yields = batch.map((e) => yieldsToFinals(e.priority));
      // The finals of this batch stay known once granted (in flight): told as such, no second take to say so.
      const queued = this.#finalsKnown() + batch.filter((e) => e.priority === 'final').length;
      const r = await this.o.budget.take(batch.map((e) => e.channel), this.#ready(Infinity, true).length, yields, queued);
      this.#finalsTold = Math.max(0, queued - r.got);
      const now = this.#now();
      let paced = 0;
      batch.forEach((e, i) => {
        const ms = r.pacedMs?.[i] ?? 0;
        if (ms > 0 && e.channel !== null) {
          // A progress edit or notice held by the sends its lane keeps for the rest holds back only those.
          this.#pacedUntil.set(paceKey(e), now + ms);
          paced++;
        }
      });
      batch.forEach((e, i) => {
        if (!(r.granted ? r.granted[i] : i < r.got)) return;
        // What the token was taken for went meanwhile (shed), or it yields to finals and a final came
        // while the token was being taken (it stays in line; the final goes on the next take). Kept for
        // later, the token would go on top of the budget's own in some later second, and handed to that
        // final it would skip the final's lane pace: dropped, the budget stays what it says.
        if (this.#closed || (yieldsToFinals(e.priority) && this.#finalsKnown() > 0) || !this.#takeOut(e)) this.stats.tokensUnused++;
        else this.#send(e);
      });
      if (r.got + paced < batch.length) {
        // The tokens ran out (or another process's finals come first): back when the budget's next
        // token is due, no sooner (a take that early gets nothing).
        const since = this.#now();
        this.stats.budgetWaits++;
        this.#timer = setTimeout(() => {
          this.#timer = null;
          this.stats.budgetWaitMs += this.#now() - since;
          this.#pump();
        }, Math.max(1, r.waitMs));
        this.#timer.unref?.();
        return;
      }
    }
  }

  /** Nothing can go now: when some request waits only for its lane's pace, a look again as the first lane opens. */
  #wakeWhenPaced(): void {
    if (this.#closed) return;
    // Paces past are forgotten here too (a lane whose waiting request left another way is not looked at again).
    const now = this.#now();
    for (const [lane, until] of this.#pacedUntil) if (until <= now) this.#pacedUntil.delete(lane);
    let first = Infinity;
    const look = (e: Entry) => {
      if (e.call === null || e.channel === null || this.#busy.has(e.channel)) return;
      const until = Math.max(this.#pacedUntil.get(e.channel) ?? 0, yieldsToFinals(e.priority) ? (this.#pacedUntil.get(paceKey(e)) ?? 0) : 0);
      if (until > 0) first = Math.min(first, until);
    };
    for (const e of this.#finals.heads()) look(e);
    for (const e of this.#others) look(e);
    if (!this.#finalsKnown()) {
      for (const e of this.#notices) look(e);
      for (const e of this.#progress.values()) look(e);
    }
    if (first === Infinity) return;
    if (this.#paceTimer) {
      if (this.#paceTimerAt <= first) return;
      clearTimeout(this.#paceTimer);
    }
    this.#paceTimerAt = first;
    this.#paceTimer = setTimeout(() => {
      this.#paceTimer = null;
      this.#pump();
    }, Math.max(1, first - this.#now()));
    this.#paceTimer.unref?.();
  }

  /** The line of an entry not kept per job nor per lane (progress of no job waits with the rest). */
  #line(priority: Exclude<Priority, 'final'>): Entry[] {
    return priority === 'notice' ? this.#notices : this.#others;
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
    const { resolve, reject, channel, priority } = e;
    if (priority === 'final') this.#finalsInFlight++;
    call()
      .then(resolve, reject)
      .finally(() => {
        if (channel !== null) this.#busy.delete(channel);
        if (priority === 'final') this.#finalsInFlight--;
        this.#pump();
      });
  }
}
