// The burst of issue 16 at the level of the channel queue: N jobs whose interaction tokens expired finish
// within a few seconds, each final result an edit through the bot's channel access. P "processes" (each a
// ChannelQueue and a discord.js REST of its own) take from one RedisBudget on the machine's Redis, at the
// default budget (DISCORD_CHANNEL_BUDGET 47, 2 saved up), and send to the fake Discord, which enforces the
// global limit (50 a second) and Discord's per-channel edit bucket (5 per 5 s). Before the finals, some
// progress edits of other jobs are queued: none may go while a final waits. Optionally through the REST proxy.
//
//   npx tsx test/scale/budget-burst.ts [jobs=2000] [processes=2] [--proxy] [--arrive-ms=10000] [--budget=47] [--channels=200]
//
// Prints the time from the first to the last final shown (the goal: ≤ 1.1 × jobs / 50 s), the most requests
// bound by the global limit in any sliding second at the fake (the goal: never above 50), and its 429s.
import { REST } from 'discord.js';
import { ChannelQueue } from '../../src/discord/channel-queue.ts';
import { LANE_PACE, budgetRate } from '../../src/discord/budget.ts';
import { createStores, type Stores } from '../../src/store/create-store.ts';
import { startRestProxy, type RestProxy } from '../../src/rest-proxy.ts';
import { startFakeDiscord } from '../../stand-ins/fake-discord.ts';
import { TEST_REDIS_URL, removeKeys } from '../helpers/redis.ts';

const args = process.argv.slice(2);
const flag = (name: string, dflt: number) => Number(args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? dflt);
const [jobs = 2000, processes = 2] = args.filter((a) => !a.startsWith('--')).map(Number);
const behindProxy = args.includes('--proxy');
const arriveMs = flag('arrive-ms', 10_000);
const budget = flag('budget', 47);
const CHANNELS = flag('channels', 200);
const PROGRESS = 300;

/** The most of `times` (sorted) in any span of a second. */
function maxPerSecond(times: number[]): number {
  let max = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i]! - times[j]! >= 1000) j++;
    max = Math.max(max, i - j + 1);
  }
  return max;
}

const discord = await startFakeDiscord();
const prefix = `mjbot-burst-${process.pid}-${Date.now()}`;
let proxy: RestProxy | undefined;
if (behindProxy) proxy = await startRestProxy({ api: discord.apiBase, host: '127.0.0.1', port: 0 });
const stores: Stores[] = [];
const queues: ChannelQueue[] = [];
const rests: REST[] = [];
for (let p = 0; p < processes; p++) {
  const s = createStores(TEST_REDIS_URL, { prefix });
  await s.open();
  stores.push(s);
  queues.push(new ChannelQueue({ budget: s.discordBudget(budgetRate(budget), LANE_PACE)!, onError: (err) => console.error('queue', err) }));
  rests.push(new REST({ api: proxy?.url ?? discord.apiBase, retries: 2 }).setToken(discord.token));
}

// One message per job, written into the fake directly (as if answered long ago): no request counted.
const channels = Array.from({ length: CHANNELS }, (_, i) => discord.addChannel(`room-${i}`));
const bot = { id: discord.botUser.id, username: discord.botUser.username };
const messageOf = (i: number, channelId: string) => discord.postUserMessage(`job ${i} (50%)`, { channelId, user: bot }).id;
const targets = Array.from({ length: jobs + PROGRESS }, (_, i) => {
  const channelId = channels[i % CHANNELS]!;
  return { i, channelId, messageId: messageOf(i, channelId) };
});

const edit = (p: number, t: (typeof targets)[number], content: string) => () =>
  rests[p]!.patch(`/channels/${t.channelId}/messages/${t.messageId}`, { body: { content } });

const from = discord.calls.length;
const started = Date.now();
const pending: Promise<unknown>[] = [];
// Progress of other jobs, waiting in line when the finals come.
for (const t of targets.slice(jobs)) {
  const p = t.i % processes;
  pending.push(queues[p]!.run('progress', `job-${t.i}`, t.channelId, edit(p, t, `job ${t.i} (60%)`)));
}
// The finals arrive spread over `arriveMs`.
const finalAt = new Map<string, number>();
for (let k = 0; k < jobs; k++) {
  const t = targets[k]!;
  const p = t.i % processes;
  const due = started + (k * arriveMs) / jobs;
  const wait = due - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  finalAt.set(t.messageId, Date.now());
  pending.push(queues[p]!.run('final', `job-${t.i}`, t.channelId, edit(p, t, `job ${t.i} (Done)`)));
}
await Promise.allSettled(pending);

const calls = discord.calls.slice(from);
const bound = calls.filter((c) => !/^\/(interactions|webhooks)\//.test(c.path)).map((c) => c.at).sort((a, b) => a - b);
const finals = calls.filter((c) => c.method === 'PATCH' && c.status === 200 && /\(Done\)/.test(String(c.json?.content)));
const shown = finals.map((c) => c.at).sort((a, b) => a - b);
const waits = finals.map((c) => c.at - finalAt.get(c.path.split('/').at(-1)!)!).sort((a, b) => a - b);
const pct = (q: number) => waits[Math.min(waits.length - 1, Math.floor(q * waits.length))]!;
const span = (shown.at(-1)! - shown[0]!) / 1000;
const stats = queues.map((q) => q.stats);
console.log(JSON.stringify({
  jobs, processes, behindProxy, budget, ...budgetRate(budget), arriveMs,
  finalsShown: new Set(finals.map((c) => c.path)).size,
  firstToLastFinalS: Number(span.toFixed(2)), firstFinalAfterMs: shown[0]! - started, goalS: (1.1 * jobs) / 50,
  finalWaitMs: { p50: pct(0.5), p99: pct(0.99), max: waits.at(-1) },
  maxSlidingSecond: maxPerSecond(bound), requests: bound.length,
  requestsPerSecond: Number((bound.length / ((bound.at(-1)! - bound[0]!) / 1000)).toFixed(1)),
  perSecond: bound.reduce<number[]>((acc, t) => { const k = Math.floor((t - bound[0]!) / 1000); acc[k] = (acc[k] ?? 0) + 1; return acc; }, []).join(' '),
  status429: calls.filter((c) => c.status === 429).length, global429: discord.globalRateLimitHits,
  progressSent: stats.reduce((n, s) => n + s.sent.progress, 0),
  progressDuringFinals: calls.filter((c) => c.method === 'PATCH' && /\(60%\)/.test(String(c.json?.content)) && c.at > shown[0]! && c.at < shown.at(-1)!).length,
  progressBeforeFinal: stats.reduce((n, s) => n + s.progressBeforeFinal, 0),
  budgetWaits: stats.reduce((n, s) => n + s.budgetWaits, 0), tokensUnused: stats.reduce((n, s) => n + s.tokensUnused, 0),
}, null, 1));

for (const q of queues) q.close();
await proxy?.close();
for (const s of stores) await s.close();
await removeKeys(prefix);
await discord.close();
process.exit(0);
