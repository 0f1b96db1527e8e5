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
 * How many tokens a budget may save up: 40 ms' worth, at least one (2 at the default 47). A token
 * bucket lets at most its rate plus what it saved up through in any sliding second, so 47 + 2 = 49
 * stays under Discord's global 50 with one to spare for requests bunching up on the wire; a tenth of
 * a second's worth (5) would let 52 through. Saved-up tokens are also what keeps the rate when a
 * taker is late (a busy event loop, a Redis round trip): 2 cover 40 ms of lateness, and a later one
 * loses what it missed. (Saving up more for that, with a cap of 49 on any sliding second, was tried:
 * a burst after a pause then opened with 5 requests on cold connections, and the fake Discord, which
 * counts from arrival, saw 51-52 in a second and refused a few.)
 */
export const burstOf = (perSecond: number) => Math.max(1, Math.ceil(perSecond / 25));

/** A token bucket of this process alone: `perSecond` tokens a second, at most burstOf(perSecond) saved up. */
export class LocalBudget implements BudgetSource {
  #tokens: number;
  #at: number;
  readonly #lanes: LaneLog;
  constructor(
    private readonly perSecond: number,
    private readonly now: () => number = Date.now,
    pace: LanePace = LANE_PACE,
  ) {
    this.#tokens = burstOf(perSecond);
    this.#at = now();
    this.#lanes = new LaneLog(pace);
  }
  async take(want: number | readonly Lane[], _finalsWaiting?: number, yields?: readonly boolean[]): Promise<Taken> {
    const now = this.now();
    this.#tokens = Math.min(burstOf(this.perSecond), this.#tokens + ((now - this.#at) * this.perSecond) / 1000);
    this.#at = now;
    const waitMs = () => Math.ceil(((1 - (this.#tokens - Math.floor(this.#tokens))) * 1000) / this.perSecond);
    if (typeof want === 'number') {
      const got = Math.max(0, Math.min(want, Math.floor(this.#tokens)));
      this.#tokens -= got;
      return { got, waitMs: got < want ? waitMs() : 0 };
    }
    const granted: boolean[] = [];
    const pacedMs: number[] = [];
    let got = 0;
    let short = false;
    for (const [i, lane] of want.entries()) {
      const paced = this.#tokens < 1 ? 0 : lane === null ? 0 : this.#lanes.use(lane, now, yields?.[i] ?? false);
      const ok = this.#tokens >= 1 && paced === 0;
      if (this.#tokens < 1) short = true;
      if (ok) {
        this.#tokens--;
        got++;
      }
      granted.push(ok);
      pacedMs.push(paced);
    }
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
