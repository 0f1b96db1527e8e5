// The budget the channel queue (channel-queue.ts) takes its tokens from: DISCORD_CHANNEL_BUDGET
// requests a second, for this process alone (LocalBudget) or every process together (a Redis bucket,
// store/discord-budget.ts, the same token bucket in a script).

/** Where the tokens come from: this process's bucket, or a bucket shared by every process. */
export interface BudgetSource {
  /**
   * Takes up to `want` tokens now; answers how many it got and, when fewer, how long until the next one (ms).
   * `finalsWaiting`: the final results this queue has waiting. A bucket shared by several processes gives
   * nothing to a take without finals while another process has some waiting (finals first across them).
   */
  take(want: number, finalsWaiting?: number): Promise<{ got: number; waitMs: number }>;
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
  constructor(
    private readonly perSecond: number,
    private readonly now: () => number = Date.now,
  ) {
    this.#tokens = burstOf(perSecond);
    this.#at = now();
  }
  async take(want: number): Promise<{ got: number; waitMs: number }> {
    const now = this.now();
    this.#tokens = Math.min(burstOf(this.perSecond), this.#tokens + ((now - this.#at) * this.perSecond) / 1000);
    this.#at = now;
    const got = Math.max(0, Math.min(want, Math.floor(this.#tokens)));
    this.#tokens -= got;
    const waitMs = got < want ? Math.ceil(((1 - (this.#tokens - Math.floor(this.#tokens))) * 1000) / this.perSecond) : 0;
    return { got, waitMs };
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
    async take(want, finalsWaiting) {
      if (failing && now() - failedAt < coolOffMs) return local.take(want);
      try {
        const r = await shared.take(want, finalsWaiting);
        failing = false;
        return r;
      } catch (err) {
        if (!failing) onError(err);
        failing = true;
        failedAt = now();
        return local.take(want);
      }
    },
  };
}
