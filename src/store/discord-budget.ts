// One per-second budget of Discord channel-route requests for every process of the bot: a token
// bucket in Redis (`<prefix>-discord-budget`), filled at the configured rate by Redis's own clock
// (TIME, so the processes' clocks do not matter), capped by a log of its last grants
// (`<prefix>-discord-budget-log`: never more than the cap in its window, discord/budget.ts BudgetRate)
// and taken from a few tokens at a time by each process's queue (discord/channel-queue.ts), which
// serves its final results first. With SQLite (one process) the queue keeps a bucket of its own instead.
//
// Final results first across processes too: each take says how many finals the process has that could
// go now and how many it has queued, and the bucket keeps both (per process, in the same hash). While
// another process has finals that could go, a take without any gets nothing: otherwise a process done
// with its own finals would send progress while another's finals still wait for tokens. While another
// has any queued (their lanes paced a moment), what yields to finals (progress, pings) gets nothing
// either: the tokens it took were those the finals' lanes would have used a few ms later.
import { randomUUID } from 'node:crypto';
import type { RedisClientType } from '@keyv/redis';

/** A request's lane (discord/budget.ts Lane): a channel's edits or its new messages; null for none. */
export type Lane = string | null;

/** What a queue takes its tokens from (the same shape as discord/budget.ts BudgetSource). */
export interface SharedBudget {
  take(want: number | readonly Lane[], finalsWaiting?: number, yields?: readonly boolean[], finalsQueued?: number): Promise<{ got: number; waitMs: number; granted?: boolean[]; pacedMs?: number[] }>;
}

/** The bucket and its cap (the same shape as discord/budget.ts BudgetRate). */
export interface BudgetShape {
  readonly perSecond: number;
  readonly saved: number;
  readonly capCount: number;
  readonly capMs: number;
}

/** How long a process's count of finals waiting holds when it does not take again (it stopped, or its channels are busy). */
export const FINALS_FRESH_MS = 500;

// KEYS[1]: the bucket (a hash: tokens, at, and `f:<process>` = "<finals ready>:<ms>:<finals queued>" for each process).
// KEYS[2]: each lane's last sends (a hash: lane → "<ms>,<ms>,…", at most pace-count of them within pace-ms),
// so that two processes editing in one channel keep its pace together (discord/budget.ts LANE_PACE).
// KEYS[3]: the bucket's last grants (a list of ms, newest first, at most cap-count long).
// ARGV: rate a second, most saved up, tokens wanted, this process's id, its finals ready, how
// long a count holds (ms), the pace (count, ms, sends what yields leaves to the rest), its finals queued,
// the cap (count, ms), then the lanes asked for ('' for none; tokens wanted is their number when there are any), then for
// each '1' when it yields to finals (a progress edit, a notice). Returns { got, ms until the next token
// (or the next look, when held back), for each lane 1/0 granted, for each lane ms until its pace lets it go }.
const TAKE = `
local rate = tonumber(ARGV[1])
local saved = tonumber(ARGV[2])
local want = tonumber(ARGV[3])
local me = 'f:' .. ARGV[4]
local finals = tonumber(ARGV[5])
local fresh = tonumber(ARGV[6])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local v = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(v[1]) or saved
local at = tonumber(v[2]) or now
if now > at then tokens = math.min(saved, tokens + (now - at) * rate / 1000) end
local queued = tonumber(ARGV[10])
local capCount = tonumber(ARGV[11])
local capMs = tonumber(ARGV[12])
-- How many more the cap lets go now: for each, one of the oldest grants must have left its window
-- (positions past the list's end are free). Only the last few are read, newest first.
local asked = math.min(capCount, want)
local room = 0
if asked > 0 then
  local oldest = redis.call('LRANGE', KEYS[3], capCount - asked, capCount - 1)
  room = asked - #oldest
  for i = #oldest, 1, -1 do
    if tonumber(oldest[i]) <= now - capMs then room = room + 1 else break end
  end
end
local held = false
local yieldHeld = false
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local n, when, q = string.match(all[i + 1], '^(%d+):(%d+):?(%d*)$')
  if n and all[i] ~= me then
    if tonumber(when) + fresh >= now then
      if tonumber(n) > 0 and finals == 0 then held = true end
      if tonumber(n) > 0 or (tonumber(q) or 0) > 0 then yieldHeld = true end
    elseif tonumber(when) + 10000 < now then
      redis.call('HDEL', KEYS[1], all[i])
    end
  end
end
local paceCount = tonumber(ARGV[7])
local paceMs = tonumber(ARGV[8])
local keepForFinals = tonumber(ARGV[9])
local nLanes = (#ARGV - 12) / 2
local got = 0
local short = false
local heldSome = false
local granted = {}
local paced = {}
if nLanes > 0 then
  for i = 13, 12 + nLanes do
    local lane = ARGV[i]
    local yields = ARGV[i + nLanes] == '1'
    local cap = paceCount
    if yields then cap = paceCount - keepForFinals end
    local ok = 0
    local wait = 0
    if held or (yields and yieldHeld) then
      heldSome = true
    elseif tokens - got < 1 or got >= room then
      short = true
    elseif lane == '' then
      ok = 1
    else
      local kept = {}
      for ms in string.gmatch(redis.call('HGET', KEYS[2], lane) or '', '%d+') do
        if tonumber(ms) > now - paceMs then kept[#kept + 1] = ms end
      end
      if #kept >= cap then
        wait = math.max(1, tonumber(kept[#kept - math.max(1, cap) + 1]) + paceMs - now)
      else
        ok = 1
        kept[#kept + 1] = tostring(now)
        redis.call('HSET', KEYS[2], lane, table.concat(kept, ','))
      end
    end
    if ok == 1 then got = got + 1 end
    granted[#granted + 1] = ok
    paced[#paced + 1] = wait
  end
  -- Lanes not used for a window are dropped, a few a take (a bot posts in many channels over a day).
  local sample = redis.call('HRANDFIELD', KEYS[2], 4, 'WITHVALUES')
  for i = 1, #sample, 2 do
    local last = string.match(sample[i + 1], '(%d+)$')
    if last == nil or tonumber(last) <= now - paceMs then redis.call('HDEL', KEYS[2], sample[i]) end
  end
  redis.call('PEXPIRE', KEYS[2], paceMs * 2)
elseif not held then
  got = math.min(want, math.floor(tokens), room)
  short = got < want
end
tokens = tokens - got
if got > 0 then
  local stamps = {}
  for i = 1, got do stamps[i] = tostring(now) end
  redis.call('LPUSH', KEYS[3], unpack(stamps))
  redis.call('LTRIM', KEYS[3], 0, capCount - 1)
  redis.call('PEXPIRE', KEYS[3], capMs * 2)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(math.max(now, at)), me, tostring(math.max(0, finals - got)) .. ':' .. tostring(now) .. ':' .. tostring(math.max(0, queued - got)))
redis.call('PEXPIRE', KEYS[1], 60000)
local wait = 0
if short then
  -- The next token: the bucket's next, or when the cap's oldest grant leaves its window, whichever is later.
  if tokens < 1 then wait = math.ceil((1 - (tokens - math.floor(tokens))) * 1000 / rate) end
  local last = redis.call('LINDEX', KEYS[3], capCount - 1)
  if last then wait = math.max(wait, math.ceil(tonumber(last) + capMs - now)) end
  wait = math.max(1, wait)
elseif held or heldSome then wait = math.max(20, math.ceil(1000 / rate)) end
return { got, wait, granted, paced }`;

export class RedisBudget implements SharedBudget {
  /** This process, in the bucket's count of finals waiting. */
  readonly #id = randomUUID().slice(0, 8);

  constructor(
    private readonly client: () => Promise<RedisClientType>,
    private readonly key: string,
    /** The bucket and its cap (discord/budget.ts BudgetRate). */
    private readonly rate: BudgetShape,
    /** How often one lane may go (discord/budget.ts LANE_PACE), counted here for every process. */
    private readonly pace: { readonly count: number; readonly perMs: number; readonly keepForFinals?: number },
  ) {}

  async take(want: number | readonly Lane[], finalsWaiting = 0, yields?: readonly boolean[], finalsQueued = finalsWaiting): Promise<{ got: number; waitMs: number; granted?: boolean[]; pacedMs?: number[] }> {
    const redis = await this.client();
    const lanes = typeof want === 'number' ? [] : want.map((l) => l ?? '');
    const flags = lanes.map((_, i) => (yields?.[i] ? '1' : '0'));
    const { perSecond, saved, capCount, capMs } = this.rate;
    const args = [perSecond, saved, typeof want === 'number' ? want : want.length, this.#id, finalsWaiting, FINALS_FRESH_MS, this.pace.count, this.pace.perMs, this.pace.keepForFinals ?? 0, finalsQueued, capCount, capMs, ...lanes, ...flags].map(String);
    const [got, waitMs, granted, pacedMs] = (await redis.eval(TAKE, { keys: [this.key, `${this.key}-lanes`, `${this.key}-log`], arguments: args })) as [number, number, number[], number[]];
    if (typeof want === 'number') return { got, waitMs };
    return { got, waitMs, granted: granted.map((g) => g === 1), pacedMs };
  }
}
