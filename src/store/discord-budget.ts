// One per-second budget of Discord channel-route requests for every process of the bot: a token
// bucket in Redis (`<prefix>-discord-budget`), filled at the configured rate by Redis's own clock
// (TIME, so the processes' clocks do not matter) and taken from a few tokens at a time by each
// process's queue (discord/channel-queue.ts), which serves its final results first. With SQLite
// (one process) the queue keeps a bucket of its own instead.
import type { RedisClientType } from '@keyv/redis';

/** What a queue takes its tokens from (the same shape as discord/channel-queue.ts BudgetSource). */
export interface SharedBudget {
  take(want: number): Promise<{ got: number; waitMs: number }>;
}

// ARGV: rate a second, burst (most saved up), tokens wanted. Returns { got, ms until the next token }.
const TAKE = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local want = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local v = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(v[1]) or burst
local at = tonumber(v[2]) or now
if now > at then tokens = math.min(burst, tokens + (now - at) * rate / 1000) end
local got = math.min(want, math.floor(tokens))
tokens = tokens - got
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(math.max(now, at)))
redis.call('PEXPIRE', KEYS[1], 60000)
local wait = 0
if got < want then wait = math.ceil((1 - (tokens - math.floor(tokens))) * 1000 / rate) end
return { got, wait }`;

export class RedisBudget implements SharedBudget {
  constructor(
    private readonly client: () => Promise<RedisClientType>,
    private readonly key: string,
    private readonly perSecond: number,
    /** Most tokens saved up (discord/channel-queue.ts burstOf: the bucket lets through at most perSecond + burst in any second). */
    private readonly burst: number,
  ) {}

  async take(want: number): Promise<{ got: number; waitMs: number }> {
    const redis = await this.client();
    const [got, waitMs] = (await redis.eval(TAKE, { keys: [this.key], arguments: [String(this.perSecond), String(this.burst), String(want)] })) as [number, number];
    return { got, waitMs };
  }
}
