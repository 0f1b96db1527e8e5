// The budget the channel queue (channel-queue.ts) takes its tokens from: DISCORD_CHANNEL_BUDGET
// requests a second, for this process alone (LocalBudget) or every process together (a Redis bucket,
// store/discord-budget.ts, the same token bucket in a script).

/**
 * What a request is paced by besides the budget: a channel's message edits, or its new messages
 * (channel-queue.ts editLane/postLane); null for a request bound to no channel's bucket.
 */
export type Lane = string | null;

/**
 * How often one lane may be used: Discord keeps a bucket per channel for message edits and another for
 * new messages, 5 in 5 s each (X-RateLimit-Limit 5, reset after 5 s). Without this the budget's token
 * went to a request Discord's bucket then held (discord.js or the REST proxy waits it out), and the held
 * requests of many channels, whose buckets reset about together, went out in the same second: the
 * global limit broken although the budget was kept (the scale bench's burst: 53-55 in a second, 429s).
 * Counted as at most `count` in any `perMs`: a sliding window of 5 s and a quarter of a second for what
 * lies between the token and Discord (the proxy's hop, the wire), so a lane's sixth request never reaches
 * a bucket Discord has not reset yet.
 */
export const LANE_PACE = { count: 5, perMs: 5_250, keepForFinals: 2 } as const;
/**
 * `keepForFinals`: of a lane's `count`, the sends progress edits and notices (what yields to finals) leave
 * to the rest (final results first in each channel's bucket too): a burst of progress edits used up the
 * lanes, and the finals that came next waited seconds for their channels while the budget's tokens went
 * unused (the scale bench's burst). (4 was tried: in six burst runs no better than 2, the spread being
 * the runs'.)
 */
export type LanePace = { readonly count: number; readonly perMs: number; readonly keepForFinals?: number };

export interface Taken {
  /** Tokens given. */
  got: number;
  /** When the tokens ran out before every lane asked got one: ms until the next token (or the next look, when held back). */
  waitMs: number;
  /** Asked with lanes: for each, whether it got a token (in the order asked; tokens go first come, first served). */
  granted?: boolean[];
  /** Asked with lanes: for each, ms until its pace lets it go again (0: not held by its pace). */
  pacedMs?: number[];
}

/** Where the tokens come from: this process's bucket, or a bucket shared by every process. */
export interface BudgetSource {
  /**
   * Takes tokens now: `want` of them, or one for each lane in `want` whose pace (LANE_PACE) lets it go,
   * in the order given (a paced lane takes none and is told when it may go). Answers how many it got and,
   * when the tokens ran out, how long until the next one (ms).
   * `finalsWaiting`: the final results this queue has that could go now (their lanes free); `finalsQueued`:
   * all it has. A bucket shared by several processes gives nothing to a take without finals while another
   * process has some that could go, and nothing to what yields (`yields`, per lane: progress edits,
   * notices) while another has any queued (finals first across them).
   */
  take(want: number | readonly Lane[], finalsWaiting?: number, yields?: readonly boolean[], finalsQueued?: number): Promise<Taken>;
}

/** Each lane's last sends (ms), at most pace.count of them: this process's own pacing. */
export class LaneLog {
  readonly #sent = new Map<string, number[]>();
  #sweptAt = 0;
  constructor(private readonly pace: LanePace = LANE_PACE) {}

  /** ms until `lane` may go (0: now); when 0, the send is counted. `yields`: it leaves keepForFinals sends to the rest. */
  use(lane: string, now: number, yields = false): number {
    this.#sweep(now);
    const kept = (this.#sent.get(lane) ?? []).filter((t) => t > now - this.pace.perMs);
    const cap = yields ? this.pace.count - (this.pace.keepForFinals ?? 0) : this.pace.count;
    if (kept.length >= cap) {
      this.#sent.set(lane, kept);
      return Math.max(1, kept[kept.length - Math.max(1, cap)]! + this.pace.perMs - now);
    }
    kept.push(now);
    this.#sent.set(lane, kept);
    return 0;
  }

  /** Lanes not used for a window are forgotten (once a window: a bot posts in many channels over a day). */
  #sweep(now: number): void {
    if (now - this.#sweptAt < this.pace.perMs) return;
    this.#sweptAt = now;
    for (const [lane, sent] of this.#sent) if (sent.at(-1)! <= now - this.pace.perMs) this.#sent.delete(lane);
  }
}

/**
 * The spare under Discord's 50: 40 ms' worth of the rate, at least one (2 at the default 47). No
 * sliding second (at the budget's clock) holds more than the rate plus this: 49 at 47.
 */
export const burstOf = (perSecond: number) => Math.max(1, Math.ceil(perSecond / 25));

/**
 * The budget's shape: a token bucket of `perSecond` tokens a second that saves up to `saved` of them,
 * whose grants are besides never more than `capCount` in any `capMs` (the log of its last `capCount`
 * grants says when one may go again).
 *
 * The bucket saves up a tenth of a second's worth (5 at 47, a take's worth): a taker that comes late (a
 * bot whose event loop is busy, whose timers fire 100-200 ms late in a burst of results; the two bots'
 * takes then came 100 ms apart) gets what it missed instead of losing it. (Saving up 2, as before, lost
 * a burst's seconds at 36-41 requests while hundreds of results waited; 10 made bunches the REST proxy
 * then held a backlog of, 160 ms for every request.) What was saved up goes on top of the rate, so the
 * cap bounds it: at most the rate plus the spare (burstOf: 49 at 47) in a window of that many tokens'
 * time at the rate (1,042 ms at 47): the steady rate untouched, and any second at Discord holds 49 at
 * most even when requests reach it up to 42 ms later than others granted before them; a plain bucket
 * saving up 2 kept one request of room for that: 21 ms. Later still (a bot's event loop busy for
 * 100-200 ms between a grant and its send) is for the REST proxy to spread (rest-proxy.ts).
 */
export interface BudgetRate {
  readonly perSecond: number;
  readonly saved: number;
  readonly capCount: number;
  readonly capMs: number;
}

/** The budget at `perSecond` (DISCORD_CHANNEL_BUDGET): see BudgetRate. */
export function budgetRate(perSecond: number, saved = Math.max(burstOf(perSecond), Math.ceil(perSecond / 10))): BudgetRate {
  const capCount = perSecond + burstOf(perSecond);
  return { perSecond, saved, capCount, capMs: Math.floor((1000 * capCount) / perSecond) };
}

/** The times of a budget's last `capCount` grants (a ring): how many more its cap lets go now, and when the next may. */
export class GrantLog {
  readonly #at: Float64Array;
  #next = 0;
  constructor(private readonly rate: Pick<BudgetRate, 'capCount' | 'capMs'>) {
    this.#at = new Float64Array(rate.capCount).fill(-Infinity);
  }
  /** How many of `want` the cap lets go at `now` (the oldest grants must be out of the window, one for each). */
  room(want: number, now: number): number {
    let n = 0;
    while (n < want && n < this.rate.capCount && this.#at[(this.#next + n) % this.rate.capCount]! <= now - this.rate.capMs) n++;
    return n;
  }
  add(n: number, now: number): void {
    for (let i = 0; i < n; i++) {
      this.#at[this.#next] = now;
      this.#next = (this.#next + 1) % this.rate.capCount;
    }
  }
  /** ms until the cap lets one more go (0: now). */
  waitMs(now: number): number {
    return Math.max(0, Math.ceil(this.#at[this.#next]! + this.rate.capMs - now));
  }
}

/** A token bucket of this process alone, capped (BudgetRate): `perSecond` tokens a second, or a BudgetRate. */
export class LocalBudget implements BudgetSource {
  readonly #rate: BudgetRate;
  #tokens: number;
  #at: number;
  readonly #lanes: LaneLog;
  readonly #log: GrantLog;
  constructor(
    rate: number | BudgetRate,
    private readonly now: () => number = Date.now,
    pace: LanePace = LANE_PACE,
  ) {
    this.#rate = typeof rate === 'number' ? budgetRate(rate) : rate;
    this.#tokens = this.#rate.saved;
    this.#at = now();
    this.#lanes = new LaneLog(pace);
    this.#log = new GrantLog(this.#rate);
  }
  async take(want: number | readonly Lane[], _finalsWaiting?: number, yields?: readonly boolean[]): Promise<Taken> {
    const now = this.now();
    const { perSecond, saved } = this.#rate;
    this.#tokens = Math.min(saved, this.#tokens + ((now - this.#at) * perSecond) / 1000);
    this.#at = now;
    const asked = typeof want === 'number' ? want : want.length;
    const room = this.#log.room(asked, now);
    // When the next token is due: the bucket's next, or the cap's, whichever is later.
    const waitMs = () => {
      const bucket = this.#tokens >= 1 ? 0 : Math.ceil(((1 - (this.#tokens - Math.floor(this.#tokens))) * 1000) / perSecond);
      return Math.max(1, bucket, this.#log.waitMs(now));
    };
    if (typeof want === 'number') {
      const got = Math.max(0, Math.min(want, Math.floor(this.#tokens), room));
      this.#tokens -= got;
      this.#log.add(got, now);
      return { got, waitMs: got < want ? waitMs() : 0 };
    }
    const granted: boolean[] = [];
    const pacedMs: number[] = [];
    let got = 0;
    let short = false;
    for (const [i, lane] of want.entries()) {
      const out = this.#tokens < 1 || got >= room;
      const paced = out ? 0 : lane === null ? 0 : this.#lanes.use(lane, now, yields?.[i] ?? false);
      const ok = !out && paced === 0;
      if (out) short = true;
      if (ok) {
        this.#tokens--;
        got++;
      }
      granted.push(ok);
      pacedMs.push(paced);
    }
    this.#log.add(got, now);
    return { got, waitMs: short ? waitMs() : 0, granted, pacedMs };
  }
}

/**
 * A shared budget, with this process's own bucket (at the same rate) while the shared one cannot be
 * reached: a store outage slows nothing down, and the error is reported once per outage. After a
 * failure the shared one is tried again only `coolOffMs` later: a Redis that hangs rather than refuses
 * would otherwise make every take wait out the store's command timeout first.
 */
export function withFallback(shared: BudgetSource, local: BudgetSource, onError: (err: unknown) => void, o: { coolOffMs?: number; now?: () => number } = {}): BudgetSource {
  const coolOffMs = o.coolOffMs ?? 1_000;
  const now = o.now ?? Date.now;
  let failing = false;
  let failedAt = 0;
  return {
    async take(want, finalsWaiting, yields, finalsQueued) {
      if (failing && now() - failedAt < coolOffMs) return local.take(want, finalsWaiting, yields, finalsQueued);
      try {
        const r = await shared.take(want, finalsWaiting, yields, finalsQueued);
        failing = false;
        return r;
      } catch (err) {
        if (!failing) onError(err);
        failing = true;
        failedAt = now();
        return local.take(want, finalsWaiting, yields, finalsQueued);
      }
    },
  };
}
