// npm run bench [-- --sizes 100,1000,10000] [--kinds poll,push,naive] [--window 8000] [--settle 5000] [--node-flags "--max-semi-space-size=2 --optimize-for-size"]
//                [--resume 10000] [--resume-stores sqlite,redis]   (--sizes none: the resume figure alone)
// npm run bench -- --scale [--procs 1,2,4] [--n 10000] [--budget 40] …   the multi-process benchmark on Redis (bench/scale.ts)
//   --kinds       which runs per N (the side-by-side table needs all three; `--kinds push`: the push span alone)
//   --window      how long new jobs start (ms); each run lasts that plus one job's life plus 4 s
//   --settle      extra wait after seeding N ≥ 5,000 jobs in seconds, before measuring (ms)
//   --node-flags  V8 flags of the bot process (default: those `npm start` uses)
//   --resume      N of the resume figure (bench/resume.ts: a store already holding N active tasks →
//                 the first poll pass over all of them), on each of --resume-stores; 0 skips it
//   BENCH_HEAP_SAMPLE=<dir>  the bot's allocations while measured, per run (bench/heap-sample.ts)
//
// For each N: N jobs in flight, through the fake proxy and the fake Discord (per-route rate limits
// on; each in a process of its own, bench/fakes-client.ts), against the real bot in a child process
// (bench/bot.ts); this process runs the driver (bench/workload.ts) and prints. Three runs per N on
// the same workload: ours polling, ours with push (notifyHook), and the naive baseline (bench/naive.ts).
// The N jobs are seeded as answered slash commands (the benchmark answers the interactions, the
// bot's tracker takes the jobs over) rather than through N gateway interactions.
// Prints proxy requests per tick against the minimum ceil(N / batch), Discord REST calls per job
// against the states it went through, 429s, state→edit latency, peak RSS and event-loop delay,
// and our/naive ratios; then checks the targets.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { DEFAULTS } from '../src/config.ts';
import { notifyHookUrl } from '../src/tasks/notify-hook.ts';
import { messageBody } from '../src/render/task-view.ts';
import { FakesProcess } from './fakes-client.ts';
import { printSpans, spanFigures, tally, type SpanFigures } from './span-report.ts';
import { waitingView, type BotMeasure, type FromBot, type SeedJob, type ToBot } from './protocol.ts';
import { measureResume, printResume, type ResumeFigure } from './resume.ts';
import { freePort } from './scale-cluster.ts';
import { Driver, VISIBLE_STATES, discordFigures, percentile, type DiscordFigures, type WorkloadOptions } from './workload.ts';

type Kind = 'poll' | 'push' | 'naive';

const args = process.argv.slice(2);
if (args.includes('--scale')) {
  await (await import('./scale.ts')).runScale(args);
  process.exit(0);
}
const arg = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
/** Which runs per N (default all three; e.g. `--kinds push` for the push span alone). */
const KINDS = (arg('kinds') ?? 'poll,push,naive').split(',') as Kind[];
const SIZES = arg('sizes') === 'none' ? [] : (arg('sizes') ?? '100,1000,10000').split(',').map(Number);
const RESUME_N = Number(arg('resume') ?? 10_000);
const RESUME_STORES = (arg('resume-stores') ?? 'sqlite,redis').split(',') as ('sqlite' | 'redis')[];
const WORKLOAD: WorkloadOptions = { slots: 40, stepMs: 2_500, jitter: 0.3, startForMs: Number(arg('window') ?? 8_000) };
/** After the last job finished at the proxy: time for the last polls and edits. */
const SETTLE_MS = 4_000;
const BATCH = DEFAULTS.LIST_BATCH_SIZE;
const POLL_MS = DEFAULTS.POLL_INTERVAL_MS;
const API_KEY = 'sk-bench-0123456789';
const PROMPT = 'a benchmark fox --ar 3:2';
const WAVE = 500;
const SETTLE_AFTER_BIG_SEED_MS = Number(arg('settle') ?? 5_000);
/** V8 flags of the bot process: the ones `npm start` uses (package.json), so RSS is what production sees. */
const NODE_FLAGS = (arg('node-flags') ?? '--max-semi-space-size=2 --optimize-for-size').split(' ').filter(Boolean);
const SECRET = 'bench-hook-secret-0123456789';
const BOT = fileURLToPath(new URL('./bot.ts', import.meta.url));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The bot process and a request/answer helper over IPC. */
class Bot {
  readonly #waiters: ((m: FromBot) => void)[] = [];
  constructor(readonly child: ChildProcess) {
    child.on('message', (m: FromBot) => this.#waiters.shift()?.(m));
  }
  ask(msg: ToBot): Promise<FromBot> {
    return new Promise((resolve) => {
      this.#waiters.push(resolve);
      this.child.send(msg);
    });
  }
  next(): Promise<FromBot> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
}

interface Result {
  kind: Kind;
  n: number;
  durationMs: number;
  seedMs: number;
  proxyReads: number;
  /** Timer passes that asked the proxy anything. */
  busyPasses: number;
  callsPerPass: number;
  /** Calls made ÷ ceil(due / batch) summed over passes. */
  batchEfficiency: number;
  hintCalls: number;
  discord: DiscordFigures;
  rateLimited: number;
  bot: BotMeasure;
  idleRssMb: number;
  /** This process (the driver): its stalls delay what is measured too. */
  harnessLagP99Ms: number;
  harnessLagMaxMs: number;
  /** The fakes' processes (bench/fakes-process.ts): event-loop delay p99 and max (ms). */
  fakesLag: { proxy: [number, number]; discord: [number, number] };
  /** Push: the bot's own span, split (bench/span.ts), and the callbacks' delivery. */
  span: SpanFigures | null;
  /** Edits at the fake Discord while measured, by what they showed (0 waiting/queued … 5 result). */
  editsByState: Record<string, number>;
}

/** The three runs of one N, on the same workload. */
type Runs = Record<Kind, Result>;

let idleRss = 0;

async function scenario(n: number, kind: Kind): Promise<Result> {
  // The fakes each in a process of their own (bench/fakes-client.ts): this one runs the driver alone.
  const [proxy, discord] = await Promise.all([FakesProcess.start({ proxy: { apiKey: API_KEY } }), FakesProcess.start({ discord: true })]);
  const dir = mkdtempSync(join(tmpdir(), 'mjbot-bench-'));
  const hookPort = kind === 'push' ? await freePort() : null;
  const hookBase = hookPort ? `http://127.0.0.1:${hookPort}/mj-hook` : null;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    BENCH_MODE: kind === 'naive' ? 'naive' : 'ours',
    DISCORD_TOKEN: discord.discord.token,
    DISCORD_APP_ID: discord.discord.appId,
    DISCORD_API_URL: discord.discord.apiBase,
    MJ_BASE_URL: proxy.proxy.baseUrl,
    MJ_API_KEY: API_KEY,
    STORE_URL: `sqlite://${join(dir, 'bench.sqlite')}`,
    LOG_LEVEL: 'error',
    USER_MAX_CONCURRENT: '0',
    USER_MAX_DAILY: '0',
    ...(hookBase ? { NOTIFY_HOOK_URL: hookBase, NOTIFY_HOOK_SECRET: SECRET, NOTIFY_HOOK_HOST: '127.0.0.1', NOTIFY_HOOK_PORT: String(hookPort) } : {}),
    ...(process.env.BENCH_HEAP_SAMPLE ? { BENCH_HEAP_SAMPLE: process.env.BENCH_HEAP_SAMPLE } : {}),
  };
  const child = fork(BOT, [], { env, execArgv: [...NODE_FLAGS, '--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const bot = new Bot(child);
  try {
    const ready = await bot.next();
    if (ready.type !== 'ready') throw new Error('bot did not start');
    idleRss = ready.rssMb;

    // Seed: N queued jobs at the proxy, each with an answered slash command the bot then follows.
    const seedStart = Date.now();
    const ids = await proxy.addTasks({ n, prompt: PROMPT, timeline: 'queued', ...(hookBase ? { notifyHook: notifyHookUrl(hookBase, SECRET) } : {}) });
    const tokenOf = new Map<string, string>();
    const { guildId, channelId, aliceId: owner } = discord.discord;
    const reply = JSON.stringify({ type: 4, data: messageBody(waitingView(PROMPT, owner)) });
    for (let i = 0; i < n; i += WAVE) {
      const wave = ids.slice(i, i + WAVE);
      const answered = await discord.answerSlashCommands(wave.length, 'imagine', [{ name: 'prompt', type: 3, value: PROMPT }], reply);
      const jobs = wave.map((taskId, k): SeedJob => {
        const { token, messageId, at } = answered[k]!;
        tokenOf.set(taskId, token);
        return { taskId, prompt: PROMPT, ownerId: owner, guildId, channelId, token, messageId, at };
      });
      await bot.ask({ type: 'seed', jobs });
    }
    const seedMs = Date.now() - seedStart;
    if (kind === 'naive') await bot.ask({ type: 'naive-start', intervalMs: POLL_MS });
    // Let the first polls of the new jobs (or the naive timers) get going, and the seeding's garbage
    // be collected, before measuring: N jobs arrived in seconds, a real server takes far longer.
    // The first read of each seeded job adds its ❌ Cancel (one edit): a state shown within
    // EDIT_MIN_INTERVAL_MS of that edit would wait for it, which the measured run should not count.
    await sleep(POLL_MS + (n >= 5_000 ? SETTLE_AFTER_BIG_SEED_MS : DEFAULTS.EDIT_MIN_INTERVAL_MS + 1_000));

    const [proxyMark, discordMark] = await Promise.all([proxy.mark(), discord.mark()]);
    await bot.ask({ type: 'measure-start' });
    const harnessLag = monitorEventLoopDelay({ resolution: 5 });
    harnessLag.enable();
    const driver = new Driver(proxy, [...ids], WORKLOAD);
    await driver.run();
    await sleep(SETTLE_MS);
    if (kind === 'naive') await bot.ask({ type: 'naive-stop' });
    const measured = await bot.ask({ type: 'measure-stop' });
    harnessLag.disable();
    if (measured.type !== 'measured') throw new Error('no measurement');
    const m = measured.m;
    driver.stop();
    const [atProxy, atDiscord] = await Promise.all([proxy.collect(proxyMark), discord.collect(discordMark)]);

    const busy = m.passes.filter((p) => p.proxyCalls > 0);
    const minCalls = busy.reduce((s, p) => s + Math.ceil(p.due / BATCH), 0);
    const passCalls = busy.reduce((s, p) => s + p.proxyCalls, 0);
    return {
      kind,
      n,
      durationMs: m.durationMs,
      seedMs,
      proxyReads: atProxy.proxyReads,
      busyPasses: busy.length,
      callsPerPass: busy.length ? passCalls / busy.length : 0,
      batchEfficiency: minCalls ? passCalls / minCalls : 1,
      hintCalls: m.poller.hintProxyCalls,
      discord: discordFigures(atDiscord.calls, discord.discord.appId, tokenOf, driver),
      rateLimited: atDiscord.rateLimitHits,
      bot: m,
      idleRssMb: idleRss,
      harnessLagP99Ms: harnessLag.percentile(99) / 1e6,
      harnessLagMaxMs: harnessLag.max / 1e6,
      fakesLag: { proxy: [atProxy.lagP99Ms, atProxy.lagMaxMs], discord: [atDiscord.lagP99Ms, atDiscord.lagMaxMs] },
      span: kind === 'push' ? spanFigures(m, driver) : null,
      editsByState: tally(atDiscord.calls),
    };
  } finally {
    child.send({ type: 'exit' } satisfies ToBot);
    await Promise.race([once(child, 'exit'), sleep(10_000)]);
    if (child.exitCode === null) child.kill('SIGKILL');
    await Promise.all([discord.close(), proxy.close()]);
    rmSync(dir, { recursive: true, force: true });
  }
}

// ───────────────────────── printing ─────────────────────────

const f = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
const int = (x: number) => Math.round(x).toLocaleString('en-US');

function table(rows: string[][]): string {
  const width = (column: number) => Math.max(...rows.map((r) => r[column]?.length ?? 0));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(width(i)) : c.padStart(width(i)))).join('   ')).join('\n');
}

/** Proxy reads per tick: ours, per timer pass that asked anything; naive, per poll interval. */
function perTick(r: Result): number {
  return r.kind === 'naive' ? (r.proxyReads * POLL_MS) / r.durationMs : r.callsPerPass;
}
const perSecond = (r: Result) => (r.proxyReads * 1000) / r.durationMs;
const editsAsked = (r: Result) => (r.kind === 'naive' ? (r.bot.naive?.editsRequested ?? 0) : r.bot.tracker.published) / r.n;

function latency(r: Result, p: number): string {
  const v = percentile(r.discord.latencies, p);
  return v === Infinity ? `> ${f(r.durationMs / 1000, 0)} s` : f(v, 0);
}

function printSize(n: number, { poll, push, naive }: Runs) {
  const min = Math.ceil(n / BATCH);
  const ratio = (a: number, b: number, d = 3) => (b === Infinity ? `< ${f(a / (naive.durationMs), d)}` : f(a / b, d));
  const shown = (r: Result) => `${f((100 * r.discord.latencies.filter(Number.isFinite).length) / Math.max(1, r.discord.latencies.length), 0)}%`;
  const p99 = (values: number[]) => {
    const v = percentile(values, 99);
    return v === Infinity ? '—' : f(v, 0);
  };
  const split = (r: Result) => `${p99(r.discord.progressLatencies)} / ${p99(r.discord.finalLatencies)}`;
  const harness = (r: Result) => `${f(r.harnessLagP99Ms)} / ${f(r.harnessLagMaxMs)}`;
  const fakes = (r: Result) => `${f(r.fakesLag.proxy[0])} / ${f(r.fakesLag.proxy[1])}; ${f(r.fakesLag.discord[0])} / ${f(r.fakesLag.discord[1])}`;
  const lag = (r: Result) => `${f(r.bot.lagP50Ms)} / ${f(r.bot.lagP99Ms)} / ${f(r.bot.lagMaxMs)}`;
  const tracker = (r: Result) => `${int(r.bot.tracker.renders)} / ${int(r.bot.tracker.unchanged)} / ${int(r.bot.tracker.coalesced)} / ${int(r.bot.tracker.deferred)}`;
  console.log(
    `\n── N = ${int(n)} jobs tracked; ${WORKLOAD.slots} run at once at the proxy (the rest wait in its queue), a state every ` +
      `${f(WORKLOAD.stepMs / 1000)} s ±${WORKLOAD.jitter * 100}%, new starts for ${WORKLOAD.startForMs / 1000} s; seeded in ${f(poll.seedMs / 1000)} s; measured ${f(poll.durationMs / 1000)} s`,
  );
  console.log(
    table([
      ['', 'ours, polling', 'ours, push', 'naive', 'ours (polling) / naive'],
      [`proxy requests per tick (ceil(N/${BATCH}) = ${min})`, f(perTick(poll)), f(perTick(push)), f(perTick(naive)), `${ratio(perTick(poll), perTick(naive))} (${f(perTick(naive) / perTick(poll), 0)}× fewer)`],
      ['  ÷ ceil(N/batch)', f(perTick(poll) / min, 2), f(perTick(push) / min, 2), f(perTick(naive) / min, 2), ''],
      ['  ÷ ceil(due/batch), the tick\'s own minimum', f(poll.batchEfficiency, 2), f(push.batchEfficiency, 2), '—', ''],
      ['proxy requests per second', f(perSecond(poll)), f(perSecond(push)), f(perSecond(naive)), `${ratio(perSecond(poll), perSecond(naive))} (${f(perSecond(naive) / perSecond(poll), 0)}× fewer)`],
      ['  of which push re-fetches', '0', int(push.hintCalls), '—', ''],
      ['jobs that ran through all their states', int(poll.discord.jobs), int(push.discord.jobs), int(naive.discord.jobs), ''],
      [`Discord REST calls per such job (${VISIBLE_STATES} states after the reply)`, f(poll.discord.callsPerJob, 2), f(push.discord.callsPerJob, 2), f(naive.discord.callsPerJob, 2), ''],
      ['  ÷ distinct visible states', f(poll.discord.callsPerJob / VISIBLE_STATES, 2), f(push.discord.callsPerJob / VISIBLE_STATES, 2), f(naive.discord.callsPerJob / VISIBLE_STATES, 2), ''],
      ['  max per job', int(poll.discord.maxCallsPerJob), int(push.discord.maxCallsPerJob), int(naive.discord.maxCallsPerJob), ''],
      ['  states shown per job', f(poll.discord.statesShownPerJob, 2), f(push.discord.statesShownPerJob, 2), f(naive.discord.statesShownPerJob, 2), ''],
      ['edits the design asked Discord for, per tracked job', f(editsAsked(poll), 2), f(editsAsked(push), 2), f(editsAsked(naive), 2), ratio(editsAsked(poll), editsAsked(naive))],
      ['429s from Discord', int(poll.rateLimited), int(push.rateLimited), int(naive.rateLimited), ''],
      ['state at the proxy → shown on Discord, p50 (ms)', latency(poll, 50), latency(push, 50), latency(naive, 50), ratio(percentile(poll.discord.latencies, 50), percentile(naive.discord.latencies, 50), 2)],
      ['state at the proxy → shown on Discord, p99 (ms)', latency(poll, 99), latency(push, 99), latency(naive, 99), ratio(percentile(poll.discord.latencies, 99), percentile(naive.discord.latencies, 99), 2)],
      ['  p99 of progress states / of the final state (its result is downloaded and attached)', split(poll), split(push), split(naive), ''],
      ['  states shown (or passed) before the end', shown(poll), shown(push), shown(naive), ''],
      ['peak RSS while measured (MB)', f(poll.bot.rssPeakMb, 0), f(push.bot.rssPeakMb, 0), f(naive.bot.rssPeakMb, 0), f(poll.bot.rssPeakMb / naive.bot.rssPeakMb, 2)],
      ['  RSS idle before seeding / peak since start (MB)', `${f(poll.idleRssMb, 0)} / ${f(poll.bot.rssPeakEverMb, 0)}`, `${f(push.idleRssMb, 0)} / ${f(push.bot.rssPeakEverMb, 0)}`, `${f(naive.idleRssMb, 0)} / ${f(naive.bot.rssPeakEverMb, 0)}`, ''],
      ['  peak V8 heap used (MB)', f(poll.bot.heapPeakMb, 0), f(push.bot.heapPeakMb, 0), f(naive.bot.heapPeakMb, 0), ''],
      ['event-loop delay p50 / p99 / max (ms)', lag(poll), lag(push), lag(naive), ''],
      ['  the harness process (the driver): p99 / max (ms)', harness(poll), harness(push), harness(naive), ''],
      ['  the fakes\' processes (proxy; Discord): p99 / max (ms)', fakes(poll), fakes(push), fakes(naive), ''],
      ['tracker: renders / unchanged / coalesced / deferred', tracker(poll), tracker(push), '—', ''],
    ]),
  );
}

interface Check {
  what: string;
  ok: boolean;
  got: string;
}

function checks(all: Map<number, Runs>): Check[] {
  const out: Check[] = [];
  const k = all.get(1000);
  if (k) {
    const { poll, naive } = k;
    const min = Math.ceil(1000 / BATCH);
    out.push({ what: 'N=1,000: proxy requests per tick ≤ 1.05 × ceil(N/batch)', ok: perTick(poll) <= 1.05 * min, got: `${f(perTick(poll) / min, 2)} ×` });
    out.push({ what: 'N=1,000: ≥ 20× fewer proxy requests than naive, per tick', ok: perTick(naive) / perTick(poll) >= 20, got: `${f(perTick(naive) / perTick(poll), 0)}×` });
    out.push({ what: 'N=1,000: ≥ 20× fewer proxy requests than naive, per second', ok: perSecond(naive) / perSecond(poll) >= 20, got: `${f(perSecond(naive) / perSecond(poll), 0)}×` });
  }
  for (const [n, { poll, push }] of all) {
    for (const r of [poll, push]) {
      out.push({ what: `N=${int(n)} ${r.kind}: Discord calls ≤ distinct states + 1 per job`, ok: r.discord.maxCallsPerJob <= VISIBLE_STATES + 1, got: `max ${r.discord.maxCallsPerJob}, mean ${f(r.discord.callsPerJob, 2)} for ${VISIBLE_STATES} states` });
      out.push({ what: `N=${int(n)} ${r.kind}: zero 429s`, ok: r.rateLimited === 0, got: String(r.rateLimited) });
    }
    out.push({ what: `N=${int(n)}: push p99 < 50 ms`, ok: percentile(push.discord.latencies, 99) < 50, got: `${latency(push, 99)} ms` });
  }
  const big = all.get(10_000);
  if (big) {
    for (const r of [big.poll, big.push]) {
      out.push({ what: `N=10,000 ${r.kind}: RSS < 200 MB`, ok: r.bot.rssPeakMb < 200, got: `peak ${f(r.bot.rssPeakMb, 0)} MB while measured, ${f(r.bot.rssPeakEverMb, 0)} MB since start` });
      out.push({ what: `N=10,000 ${r.kind}: event-loop delay p99 < 20 ms`, ok: r.bot.lagP99Ms < 20, got: `${f(r.bot.lagP99Ms)} ms` });
    }
  }
  return out;
}

const t0 = Date.now();
console.log(`mjbot benchmark: node ${process.version}, ${process.platform}/${process.arch}; the bot runs in its own process (node ${NODE_FLAGS.join(' ')} --import tsx), SQLite store`);
console.log(
  `defaults: POLL_INTERVAL_MS ${POLL_MS}, POLL_QUEUED_INTERVAL_MS ${DEFAULTS.POLL_QUEUED_INTERVAL_MS}, POLL_PUSH_INTERVAL_MS ${DEFAULTS.POLL_PUSH_INTERVAL_MS}, ` +
    `LIST_BATCH_SIZE ${BATCH}, EDIT_MIN_INTERVAL_MS ${DEFAULTS.EDIT_MIN_INTERVAL_MS}; the fake Discord allows 5 edits per 5 s per message; discord.js sends at most 50 requests/s through the bot's channel access (interaction-token edits: not counted, as on Discord)`,
);
const all = new Map<number, Runs>();
for (const n of SIZES) {
  const run = (kind: Kind) => {
    process.stderr.write(`  N=${n} ${kind}…\n`);
    return scenario(n, kind);
  };
  // one after the other, never side by side: each measures the machine alone
  const got: Partial<Runs> = {};
  for (const kind of KINDS) got[kind] = await run(kind);
  if (got.poll && got.push && got.naive) {
    all.set(n, got as Runs);
    printSize(n, got as Runs);
  } else {
    for (const r of Object.values(got)) {
      console.log(
        `\n── N = ${int(n)}, ${r.kind}: state → shown p50 / p99 ${latency(r, 50)} / ${latency(r, 99)} ms, 429s ${r.rateLimited}, peak RSS ${f(r.bot.rssPeakMb, 0)} MB, event-loop p99 ${f(r.bot.lagP99Ms)} ms; ` +
          `event-loop p99 / max of the harness (driver) ${f(r.harnessLagP99Ms)} / ${f(r.harnessLagMaxMs)} ms, the fake proxy ${f(r.fakesLag.proxy[0])} / ${f(r.fakesLag.proxy[1])} ms, the fake Discord ${f(r.fakesLag.discord[0])} / ${f(r.fakesLag.discord[1])} ms`,
      );
    }
  }
  if (got.push) printSpans(n, got.push);
}
const resumed: ResumeFigure[] = [];
if (RESUME_N > 0) {
  for (const store of RESUME_STORES) {
    process.stderr.write(`  resume N=${RESUME_N} ${store}…\n`);
    resumed.push(await measureResume(store, RESUME_N, NODE_FLAGS));
  }
  printResume(resumed);
}
console.log('\n── targets (issues 5 and 16)');
for (const c of checks(all)) console.log(`${c.ok ? 'MEETS ' : 'MISSES'}  ${c.what}: ${c.got}`);
for (const r of resumed) console.log(`${r.totalMs < 3_000 ? 'MEETS ' : 'MISSES'}  resume, ${r.store}: ${int(r.n)} active tasks polled within 3 s of start: ${f(r.totalMs, 0)} ms`);
console.log(`\ntotal ${f((Date.now() - t0) / 1000, 0)} s`);
