// The three runs of the scale benchmark (bench/scale.ts), each on a fresh cluster (bench/scale-cluster.ts):
//   steady:   N jobs in flight on P processes, the workload of bench/run.ts (fresh interaction tokens);
//   burst:    2 processes, jobs whose interaction tokens expired, all finishing within 10 s: every
//             final result is a channel edit (and a ping) under the shared per-second budget;
//   takeover: 2 processes, one killed with SIGKILL: how long until the other polled all its tasks.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { DEFAULTS } from '../src/config.ts';
import { TOKEN_LIFETIME_MS } from '../src/discord/token.ts';
import { PROMPT, REDIS_URL, sleep, startCluster } from './scale-cluster.ts';
import { closeRereads, crossProcessReads, duplicateEdits, globalBound, maxSliding, perWindow, progressWhileFinalWaited, readMinimum, type ProxyRead } from './scale-figures.ts';
import type { ScaleMeasure } from './scale-protocol.ts';
import type { EditCall } from './fakes-client.ts';
import { Driver, VISIBLE_STATES, percentile, stateShown, type WorkloadOptions } from './workload.ts';

export const POLL_MS = DEFAULTS.POLL_INTERVAL_MS;
export const BATCH = DEFAULTS.LIST_BATCH_SIZE;

export interface RateFigures {
  /** Requests bound by the global limit: most in a window of the fake's, most in any sliding second, total. */
  maxWindow: number;
  maxSliding: number;
  globalBound: number;
  /** Every request at the fake Discord (interaction-token routes too): most in any sliding second. */
  allMaxSliding: number;
  /** 429s the fake answered; 429s a bot's discord.js saw (the REST proxy gave up waiting). */
  fake429: number;
  bot429: number;
  /** Global-bound requests by what they were: progress edits, result edits, new messages (pings), the rest. */
  kinds: { progress: number; final: number; post: number; other: number };
  /** Answers of the fake other than 2xx and 429 (e.g. a body it could not parse), by status and Discord code. */
  refused: Record<string, number>;
}

export interface HarnessLag {
  p99Ms: number;
  maxMs: number;
}

export interface SteadyResult {
  processes: number;
  n: number;
  durationMs: number;
  seedMs: number;
  /** Read requests at the fake proxy while measured, and the task ids they asked about. */
  proxyReads: number;
  idReads: number;
  /** Σ over every process's passes of ceil(due / batch): each pass's own minimum. */
  passMin: number;
  /** Poll passes that read anything and ended while measured (all processes). */
  busyPasses: number;
  /** Σ proxy calls the processes' passes reported (bench/run.ts's batch efficiency: ÷ passMin). */
  passCalls: number;
  /** The single-process minimum for the same reads (scale-figures.ts readMinimum). */
  readMin: number;
  /** Σ due over every process's passes, and task ids the bots handed to their readers (both while measured). */
  dueSum: number;
  botIdReads: number;
  /** Reads of one task less than half a poll interval apart (at the fake), and pairs of reads by two processes within one interval. */
  closeRereads: number;
  crossPairs: number;
  crossTasks: number;
  sameViewEdits: number;
  finalTwice: number;
  rate: RateFigures;
  bots: ScaleMeasure[];
  harness: HarnessLag;
}

function rateFigures(calls: EditCall[], fake429: number, bots: ScaleMeasure[]): RateFigures {
  const boundCalls = calls.filter(globalBound);
  const bound = boundCalls.map((c) => c.at).sort((a, b) => a - b);
  const kinds = { progress: 0, final: 0, post: 0, other: 0 };
  for (const c of boundCalls) {
    const k = c.method === 'PATCH' ? stateShown(c) : null;
    if (k === VISIBLE_STATES) kinds.final++;
    else if (k !== null && k >= 0) kinds.progress++;
    else if (c.method === 'POST') kinds.post++;
    else kinds.other++;
  }
  const refused: Record<string, number> = {};
  for (const c of calls) {
    if (c.status < 300 || c.status === 429) continue;
    const key = `${c.status}${c.code !== undefined ? `/${c.code}` : ''} ${c.method} ${c.path.replace(/\d{5,}/g, ':id').replace(/\/webhooks\/:id\/[^/]+/, '/webhooks/:id/:token')}`;
    refused[key] = (refused[key] ?? 0) + 1;
  }
  const all = calls.map((c) => c.at).sort((a, b) => a - b);
  return {
    maxWindow: Math.max(0, ...perWindow(bound)),
    maxSliding: maxSliding(bound),
    globalBound: bound.length,
    allMaxSliding: maxSliding(all),
    fake429,
    bot429: bots.reduce((s, b) => s + b.rest429, 0),
    kinds,
    refused,
  };
}

function recordReads(proxy: { onRequest(fn: (r: { route: string | null; body: any }) => void): () => void }, into: ProxyRead[]): () => void {
  return proxy.onRequest((r) => {
    if (r.route === '/mj/task/list-by-condition' || r.route === '/mj/task/list-by-ids') into.push({ at: Date.now(), ids: Array.isArray(r.body?.ids) ? r.body.ids.map(String) : [] });
    else {
      const id = /^\/mj\/task\/([^/]+)\/fetch$/.exec(r.route ?? '')?.[1];
      if (id) into.push({ at: Date.now(), ids: [decodeURIComponent(id)] });
    }
  });
}

export async function steady(processes: number, n: number, workload: WorkloadOptions, nodeFlags: string[], env: Record<string, string>, settleMs: number): Promise<SteadyResult> {
  const c = await startCluster({ processes, nodeFlags, env });
  try {
    const { proxy, discord, bots } = c;
    const seedStart = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push(proxy.addTask({ prompt: PROMPT, timeline: 'queued' }));
    await c.seed(ids);
    const seedMs = Date.now() - seedStart;
    // The first reads (each seeded job's ❌ Cancel) and the seeding's garbage, before measuring.
    await sleep(POLL_MS + settleMs);

    const reads: ProxyRead[] = [];
    const stopReads = recordReads(proxy, reads);
    const { next: callsFrom, rateLimitHits: limitedFrom } = await discord.calls(Infinity);
    await Promise.all(bots.map((b) => b.ask({ type: 'measure-start' })));
    const lag = monitorEventLoopDelay({ resolution: 5 });
    lag.enable();
    const started = Date.now();
    // The fake proxy runs in this process here: a change happens as advance() returns.
    const driver = new Driver({ advance: async (id, steps) => (proxy.advance(id, steps), Date.now()) }, [...ids], workload);
    await driver.run();
    await sleep(4_000);
    const durationMs = Date.now() - started;
    const measured = await Promise.all(bots.map((b) => b.ask({ type: 'measure-stop' })));
    lag.disable();
    stopReads();
    driver.stop();
    const ms = measured.map((m) => {
      if (m.type !== 'measured') throw new Error('no measurement');
      return m.m;
    });
    // BENCH_SCALE_DUMP=<dir>: the reads at the fake proxy and each process's passes and reads, for a closer look.
    if (process.env.BENCH_SCALE_DUMP) {
      const { writeFileSync } = await import('node:fs');
      writeFileSync(`${process.env.BENCH_SCALE_DUMP}/steady-${processes}.json`, JSON.stringify({ reads, bots: ms.map((m) => ({ passes: m.passes, reads: m.reads })) }));
    }
    const { calls, rateLimitHits } = await discord.calls(callsFrom);
    const dup = duplicateEdits(calls);
    const cross = crossProcessReads(ms.map((m) => m.reads), POLL_MS);
    return {
      processes,
      n,
      durationMs,
      seedMs,
      proxyReads: reads.length,
      idReads: reads.reduce((s, r) => s + r.ids.length, 0),
      dueSum: ms.reduce((s, m) => s + m.passes.reduce((t, p) => t + p.due, 0), 0),
      botIdReads: ms.reduce((s, m) => s + Object.values(m.reads).reduce((t, l) => t + l.length, 0), 0),
      readMin: readMinimum(reads, POLL_MS, BATCH),
      passCalls: ms.reduce((s, m) => s + m.passes.reduce((t, p) => t + p.proxyCalls, 0), 0),
      busyPasses: ms.reduce((s, m) => s + m.passes.filter((p) => p.due > 0).length, 0),
      passMin: ms.reduce((s, m) => s + m.passes.reduce((t, p) => t + Math.ceil(p.due / BATCH), 0), 0),
      closeRereads: closeRereads(reads, POLL_MS / 2),
      crossPairs: cross.pairs,
      crossTasks: cross.tasks,
      sameViewEdits: dup.sameView,
      finalTwice: dup.finalTwice,
      rate: rateFigures(calls, rateLimitHits - limitedFrom, ms),
      bots: ms,
      harness: { p99Ms: lag.percentile(99) / 1e6, maxMs: lag.max / 1e6 },
    };
  } finally {
    await c.close();
  }
}

export interface BurstResult {
  jobs: number;
  shown: number;
  /** First → last final result shown at the fake Discord (ms). */
  spanMs: number;
  /** Progress edits that reached Discord while some final waited in a queue (any process), and the queues' own count. */
  progressWhileFinal: number;
  progressBeforeFinalInQueue: number;
  sameViewEdits: number;
  finalTwice: number;
  rate: RateFigures;
  bots: ScaleMeasure[];
  harness: HarnessLag;
}

/** Time after seeding during which the jobs' tokens still work (their first reads go out on them). */
const TOKEN_GRACE_MS = 15_000;
/** Channels the burst's jobs are spread over (BENCH_BURST_CHANNELS): Discord edits one channel's messages about 5 in 5 s. */
const BURST_CHANNELS = Number(process.env.BENCH_BURST_CHANNELS ?? 60);
const BURST_FINISH_MS = 10_000;

export async function burst(jobs: number, nodeFlags: string[], env: Record<string, string>): Promise<BurstResult> {
  const c = await startCluster({ processes: 2, nodeFlags, env });
  try {
    const { proxy, discord, bots } = c;
    const channels = await discord.addChannels(Array.from({ length: BURST_CHANNELS }, (_, i) => `burst-${i}`));
    const ids: string[] = [];
    for (let i = 0; i < jobs; i++) ids.push(proxy.addTask({ prompt: PROMPT, timeline: 'queued' }));
    // The tokens expire TOKEN_GRACE_MS from now: the seeded jobs' first reads still edit through
    // them, the burst comes after, when every edit is a channel edit bound by the global limit.
    const expireAt = Date.now() + TOKEN_GRACE_MS;
    const messagePath = new Map<string, string>();
    process.stderr.write(`burst: seeding\n`);
    await c.seed(ids, { channels, interactionAt: () => expireAt - TOKEN_LIFETIME_MS, messagePath });
    await sleep(Math.max(POLL_MS + 2_000, expireAt + 2_000 - Date.now()));

    // The fake Discord's calls from here on, read from its process as they come.
    const mark = await discord.calls(Infinity);
    const log: EditCall[] = [];
    let seen = mark.next, limited = mark.rateLimitHits;
    const pull = async (): Promise<EditCall[]> => {
      const got = await discord.calls(seen);
      seen = got.next;
      limited = got.rateLimitHits;
      for (const call of got.calls) log.push(call);
      return got.calls;
    };
    await Promise.all(bots.map((b) => b.ask({ type: 'measure-start' })));
    const lag = monitorEventLoopDelay({ resolution: 5 });
    lag.enable();
    // Every job starts (SUBMITTED), moves on every 3 s while it runs, and finishes at a moment of the
    // next 10 s (the first 3 s in): the finals queue up while progress edits of the others wait too.
    const t0 = Date.now();
    const finished = new Set<string>();
    const timers: NodeJS.Timeout[] = [];
    ids.forEach((id, i) => timers.push(setTimeout(() => proxy.advance(id, 2), Math.floor((i / jobs) * 1_000))));
    for (const at of [3_000, 6_000, 9_000]) timers.push(setTimeout(() => { for (const id of ids) if (!finished.has(id)) proxy.advance(id); }, at));
    const finishAt = new Map<string, number>();
    ids.forEach((id, i) => timers.push(setTimeout(() => { finished.add(id); finishAt.set(id, Date.now()); proxy.finish(id); }, 3_000 + Math.floor((i / jobs) * BURST_FINISH_MS))));

    const paths = new Set(messagePath.values());
    const shownAt = new Map<string, number>();
    const byPath = new Map([...messagePath].map(([id, p]) => [p, id]));
    process.stderr.write(`burst: measuring\n`);
    const deadline = t0 + 3_000 + BURST_FINISH_MS + Math.ceil((jobs / 50) * 1000) * 3 + 30_000;
    while (shownAt.size < jobs && Date.now() < deadline) {
      await sleep(100);
      for (const call of await pull()) {
        if (call.method === 'PATCH' && call.status < 300 && paths.has(call.path) && stateShown(call) === VISIBLE_STATES) {
          const id = byPath.get(call.path)!;
          if (!shownAt.has(id)) shownAt.set(id, call.at);
        }
      }
    }
    const end = Date.now();
    process.stderr.write(`burst: ${shownAt.size} shown\n`);
    await sleep(1_000);
    const measured = await Promise.all(bots.map((b) => b.ask({ type: 'measure-stop' })));
    lag.disable();
    await pull();
    for (const t of timers) clearTimeout(t);
    const ms = measured.map((m) => {
      if (m.type !== 'measured') throw new Error('no measurement');
      return m.m;
    });
    const calls = log.filter((call) => call.at <= end);
    // Per job, the earliest time any process noted.
    const merged = (pick: (m: ScaleMeasure) => Record<string, number>) => {
      const out = new Map<string, number>();
      for (const m of ms) for (const [job, at] of Object.entries(pick(m))) out.set(job, Math.min(at, out.get(job) ?? Infinity));
      return out;
    };
    const queuedAt = merged((m) => m.finalsQueued), answeredAt = merged((m) => m.answered);
    const sentAt = merged((m) => m.finalsSent), doneAt = merged((m) => m.finalsDone);
    const times = [...shownAt.values()].sort((a, b) => a - b);
    {
      // When the finals reached the channel queues, and when they were shown (stderr).
      const q = [...queuedAt.values()].sort((a, b) => a - b);
      const at = (xs: number[], f: number) => ((xs[Math.min(xs.length - 1, Math.floor(f * xs.length))]! - t0) / 1000).toFixed(1);
      process.stderr.write(`burst trace: finals queued (s after t0) p0/p25/p50/p75/p100 ${[0, 0.25, 0.5, 0.75, 1].map((f) => at(q, f)).join('/')}; shown ${[0, 0.25, 0.5, 0.75, 1].map((f) => at(times, f)).join('/')}\n`);
      // Each job's stages (ms): finished at the fake → the first pass that read it after (the pass's
      // start: its batches go out over the pass) → its final queued → shown.
      const firstRead = new Map<string, number>();
      for (const m of ms) for (const [job, ats] of Object.entries(m.reads)) {
        const fin = finishAt.get(job);
        const after = fin === undefined ? undefined : ats.find((a) => a >= fin);
        if (after !== undefined) firstRead.set(job, Math.min(after, firstRead.get(job) ?? Infinity));
      }
      const stage = (f: (id: string) => number | undefined) => {
        const xs = ids.map(f).filter((x): x is number => x !== undefined && Number.isFinite(x));
        return [0, 25, 50, 75, 99, 100].map((p) => Math.round(percentile(xs, p))).join('/');
      };
      const diff = (a: Map<string, number>, b: Map<string, number>) => (id: string) => (a.has(id) && b.has(id) ? a.get(id)! - b.get(id)! : undefined);
      // Second by second until the last was shown: where the finals were (a second's shown below 47 with finals queued is lost budget).
      const seconds = Math.ceil((end - t0) / 1000);
      const perSecond = (times: Map<string, number> | number[]) => {
        const h = new Array<number>(seconds).fill(0);
        for (const v of times.values()) {
          const k = Math.floor((v - t0) / 1000);
          if (k >= 0 && k < h.length) h[k]!++;
        }
        return h.join(' ');
      };
      // Every request bound by the global limit, and what they were (a second below 47 while finals were
      // queued is budget nobody used).
      const bound: number[] = [], progress: number[] = [], posts: number[] = [], started: number[] = [];
      for (const call of log) {
        if (!globalBound(call)) continue;
        bound.push(call.at);
        const k = call.method === 'PATCH' ? stateShown(call) : null;
        if (k !== null && k >= 1 && k < VISIBLE_STATES) progress.push(call.at);
        if (k === 0) started.push(call.at);
        if (call.method === 'POST') posts.push(call.at);
      }
      process.stderr.write(`burst per second after t0:\n  finished ${perSecond(finishAt)}\n  read     ${perSecond(firstRead)}\n  answered ${perSecond(answeredAt)}\n  queued   ${perSecond(queuedAt)}\n  sent     ${perSecond(sentAt)}\n  shown    ${perSecond(shownAt)}\n  progress ${perSecond(progress)}\n  started  ${perSecond(started)}\n  posts    ${perSecond(posts)}\n  all      ${perSecond(bound)}\n`);
      // The busiest sliding second: when, and what it held (by arrival at the fake; each request with how
      // long its process's queue had handed it to discord.js before, when the trace knows: finals only).
      {
        const sorted = [...bound].sort((a, b) => a - b);
        let best = 0, from = 0;
        for (let i = 0, j = 0; i < sorted.length; i++) {
          while (sorted[i]! - sorted[j]! >= 1000) j++;
          if (i - j + 1 > best) { best = i - j + 1; from = sorted[j]!; }
        }
        const inIt = log.filter((c) => globalBound(c) && c.at >= from && c.at < from + 1000);
        const kinds = new Map<string, number>();
        const lags: number[] = [];
        for (const c of inIt) {
          const k = c.method === 'POST' ? 'post' : stateShown(c) === VISIBLE_STATES ? 'final' : 'edit';
          kinds.set(k, (kinds.get(k) ?? 0) + 1);
          const id = byPath.get(c.path);
          const sent = id === undefined || k !== 'final' ? undefined : sentAt.get(id);
          if (sent !== undefined) lags.push(c.at - sent);
        }
        lags.sort((a, b) => a - b);
        const hundredths = (t: number) => Math.floor((t - from) / 100);
        const spread = new Array<number>(10).fill(0);
        for (const c of inIt) spread[hundredths(c.at)]!++;
        process.stderr.write(`  busiest sliding second: ${best} from ${((from - t0) / 1000).toFixed(2)} s (${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')}); per 100 ms ${spread.join(' ')}; finals' handed-over → arrival ms ${lags.length ? `${lags[0]}/${lags[Math.floor(lags.length / 2)]}/${lags.at(-1)}` : '-'}\n`);
      }
      // Progress edits that reached Discord once some final was queued: when, after the first final queued (ms).
      {
        const q0 = Math.min(...queuedAt.values());
        const late = progress.filter((at) => at > q0).map((at) => at - q0).sort((a, b) => a - b);
        process.stderr.write(`  progress edits arriving after the first final was queued (${((q0 - t0) / 1000).toFixed(2)} s): ${late.length}${late.length ? `, at +${late.slice(0, 8).join(', +')} ms` : ''}\n`);
      }
      // The last results: how many channels they were in (a channel's edits go 5 in 5 s: the tail of a
      // channel left with many is that slow).
      {
        const last = [...shownAt].sort((a, b) => a[1] - b[1]).slice(-50);
        const per = new Map<string, number>();
        for (const [id] of last) {
          const ch = messagePath.get(id)!.split('/')[2]!;
          per.set(ch, (per.get(ch) ?? 0) + 1);
        }
        process.stderr.write(`  last 50 results: ${per.size} channels, at most ${Math.max(...per.values())} in one; over the last ${((last.at(-1)![1] - last[0]![1]) / 1000).toFixed(1)} s\n`);
      }
      // Per process, the most its 10 ms timer came late in each of those seconds (ms).
      const t0s = Math.floor(t0 / 1000);
      const bySecond = (r: Record<string, number>) => Array.from({ length: seconds }, (_, k) => Math.round(r[String(t0s + k)] ?? 0)).join(' ');
      for (const [i, m] of ms.entries()) process.stderr.write(`  late ${i}   ${bySecond(m.lateBySecond)}\n  cpu ${i}    ${bySecond(m.cpuBySecond)}\n  gc ${i}     ${bySecond(m.gcBySecond)}\n`);
      for (const [i, m] of ms.entries()) {
        const sum = (r: Record<string, number>) => Math.round(Array.from({ length: 15 }, (_, k) => r[String(t0s + k)] ?? 0).reduce((a, b) => a + b, 0));
        process.stderr.write(`  bot ${i}: CPU in the first 15 s ${sum(m.cpuBySecond)} ms, of it GC pauses ${sum(m.gcBySecond)} ms\n`);
      }
      process.stderr.write(`burst stages (ms, p0/p25/p50/p75/p99/p100): finish → first read ${stage(diff(firstRead, finishAt))}; read → answered ${stage(diff(answeredAt, firstRead))}; answered → queued ${stage(diff(queuedAt, answeredAt))}; queued → sent ${stage(diff(sentAt, queuedAt))}; sent → answered by Discord ${stage(diff(doneAt, sentAt))}; queued → shown ${stage(diff(shownAt, queuedAt))}\n`);
    }
    const dup = duplicateEdits(calls);
    return {
      jobs,
      shown: shownAt.size,
      spanMs: times.length ? times.at(-1)! - times[0]! : NaN,
      progressWhileFinal: progressWhileFinalWaited(calls, queuedAt, shownAt, end),
      progressBeforeFinalInQueue: ms.reduce((s, m) => s + m.queue.progressBeforeFinal, 0),
      sameViewEdits: dup.sameView,
      finalTwice: dup.finalTwice,
      rate: rateFigures(calls, limited - mark.rateLimitHits, ms),
      bots: ms,
      harness: { p99Ms: lag.percentile(99) / 1e6, maxMs: lag.max / 1e6 },
    };
  } finally {
    await c.close();
  }
}

export interface TakeoverResult {
  n: number;
  leaseTtlMs: number;
  /** Tasks the killed process held, and how many of them the other polled afterwards; what each held before. */
  held: number;
  heldBefore: number[];
  polled: number;
  /** SIGKILL → the last of those tasks read at the proxy (ms); NaN when not all were. */
  takeoverMs: number;
  /** What the killed process's leases had left when it was killed (ms, read from Redis just before): least and most. */
  leaseLeftMs: [number, number];
}

/** Milliseconds each task's lease has left (Redis PTTL of `<prefix>-lease:<id>`; negative: none). */
async function leaseLeft(prefix: string, ids: string[]): Promise<number[]> {
  const { createClient } = await import('@keyv/redis');
  const redis = createClient({ url: REDIS_URL });
  await redis.connect();
  try {
    const out: number[] = [];
    for (let i = 0; i < ids.length; i += 500) {
      const multi = redis.multi();
      for (const id of ids.slice(i, i + 500)) multi.pTTL(`${prefix}-lease:${id}`);
      out.push(...((await multi.exec()) as unknown as number[]));
    }
    return out;
  } finally {
    await redis.close();
  }
}

export async function takeover(n: number, leaseTtlMs: number, nodeFlags: string[], env: Record<string, string>): Promise<TakeoverResult> {
  const c = await startCluster({ processes: 2, nodeFlags, env: { ...env, LEASE_TTL_MS: String(leaseTtlMs) } });
  try {
    const { proxy, bots } = c;
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push(proxy.addTask({ prompt: PROMPT, timeline: 'queued' }));
    process.stderr.write('takeover: seeding\n');
    await c.seed(ids);
    process.stderr.write('takeover: seeded\n');
    // Both hold their share and have shown it: the first reads' edits (each job's ❌ Cancel) are out,
    // Discord has been quiet for 2 s (at most a minute), and a poll interval more has passed. A pass
    // waits for its edits, and leases are renewed by passes: killing one before would measure that.
    const settleUntil = Date.now() + 60_000;
    let quietSince = Date.now();
    for (let count = (await c.discord.calls(Infinity)).next; Date.now() < settleUntil && Date.now() - quietSince < 2_000; ) {
      await sleep(200);
      const now = (await c.discord.calls(Infinity)).next;
      if (now !== count) {
        count = now;
        quietSince = Date.now();
      }
    }
    await sleep(POLL_MS);
    // The process holding more is killed (leases that lapsed may have moved tasks between the two).
    const answers = await Promise.all(bots.map((b) => b.ask({ type: 'held' })));
    const heldBy = answers.map((a) => (a.type === 'held' ? a.ids : []));
    const victim = heldBy[1]!.length >= heldBy[0]!.length ? 1 : 0;
    const pending = new Set(heldBy[victim]!);
    const held = pending.size;
    const left = await leaseLeft(c.prefix, heldBy[victim]!);
    let doneAt = NaN;
    let killedAt = Infinity;
    const stop = proxy.onRequest((r) => {
      if (Date.now() <= killedAt) return;
      const asked: string[] = r.route === '/mj/task/list-by-condition' && Array.isArray(r.body?.ids) ? r.body.ids.map(String) : [];
      for (const id of asked) pending.delete(id);
      if (pending.size === 0 && Number.isNaN(doneAt)) doneAt = Date.now();
    });
    killedAt = Date.now();
    bots[victim]!.child.kill('SIGKILL');
    process.stderr.write(`takeover: killed one holding ${held}\n`);
    const until = killedAt + leaseTtlMs + POLL_MS + 20_000;
    while (Number.isNaN(doneAt) && Date.now() < until) await sleep(50);
    stop();
    process.stderr.write(`takeover: ${held - pending.size} of ${held} polled\n`);
    return { n, leaseTtlMs, held, heldBefore: heldBy.map((l) => l.length), polled: held - pending.size, takeoverMs: doneAt - killedAt, leaseLeftMs: [Math.min(...left), Math.max(...left)] };
  } finally {
    await c.close();
  }
}
