// One per-second budget of Discord channel-route requests for every process of the bot: a token
// bucket in Redis (`<prefix>-discord-budget`), filled at the configured rate by Redis's own clock
// (TIME, so the processes' clocks do not matter) and taken from a few tokens at a time by each
// process's queue (discord/channel-queue.ts), which serves its final results first. With SQLite
// (one process) the queue keeps a bucket of its own instead.
//
// Final results first across processes too: each take says how many finals the process has waiting,
// and the bucket keeps that (per process, in the same hash). While another process has finals waiting,
// a take for anything else (progress, pings) gets nothing: otherwise a process done with its own
// finals would send progress while another's finals still wait for tokens.
import { randomUUID } from 'node:crypto';
import type { RedisClientType } from '@keyv/redis';

/** What a queue takes its tokens from (the same shape as discord/budget.ts BudgetSource). */
export interface SharedBudget {
  take(want: number, finalsWaiting?: number): Promise<{ got: number; waitMs: number }>;
}

/** How long a process's count of finals waiting holds when it does not take again (it stopped, or its channels are busy). */
export const FINALS_FRESH_MS = 500;

// KEYS[1]: the bucket (a hash: tokens, at, and `f:<process>` = "<finals waiting>:<ms>" for each process).
// ARGV: rate a second, burst (most saved up), tokens wanted, this process's id, its finals waiting, how
// long a count holds (ms). Returns { got, ms until the next token (or the next look, when held back) }.
const TAKE = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local want = tonumber(ARGV[3])
local me = 'f:' .. ARGV[4]
local finals = tonumber(ARGV[5])
local fresh = tonumber(ARGV[6])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local v = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(v[1]) or burst
local at = tonumber(v[2]) or now
if now > at then tokens = math.min(burst, tokens + (now - at) * rate / 1000) end
local held = false
if finals == 0 then
  local all = redis.call('HGETALL', KEYS[1])
  for i = 1, #all, 2 do
    local n, when = string.match(all[i + 1], '^(%d+):(%d+)$')
    if n and all[i] ~= me then
      if tonumber(when) + fresh >= now then
        if tonumber(n) > 0 then held = true end
      elseif tonumber(when) + 10000 < now then
        redis.call('HDEL', KEYS[1], all[i])
      end
    end
  end
end
local got = 0
if not held then got = math.min(want, math.floor(tokens)) end
tokens = tokens - got
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(math.max(now, at)), me, tostring(math.max(0, finals - got)) .. ':' .. tostring(now))
redis.call('PEXPIRE', KEYS[1], 60000)
local wait = 0
if held then wait = math.max(20, math.ceil(1000 / rate))
elseif got < want then wait = math.ceil((1 - (tokens - math.floor(tokens))) * 1000 / rate) end
return { got, wait }`;

export class RedisBudget implements SharedBudget {
  /** This process, in the bucket's count of finals waiting. */
  readonly #id = randomUUID().slice(0, 8);

  constructor(
    private readonly client: () => Promise<RedisClientType>,
    private readonly key: string,
    private readonly perSecond: number,
    /** Most tokens saved up (discord/budget.ts burstOf: the bucket lets through at most perSecond + burst in any second). */
    private readonly burst: number,
  ) {}

  async take(want: number, finalsWaiting = 0): Promise<{ got: number; waitMs: number }> {
    const redis = await this.client();
    const args = [this.perSecond, this.burst, want, this.#id, finalsWaiting, FINALS_FRESH_MS].map(String);
    const [got, waitMs] = (await redis.eval(TAKE, { keys: [this.key], arguments: args })) as [number, number];
    return { got, waitMs };
  }
}
