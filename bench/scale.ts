// npm run bench -- --scale [--procs 1,2,4] [--n 10000] [--budget 40] [--burst 2000] [--takeover-n 2000]
//                          [--lease-ttl 6000] [--resume 10000] [--window 8000] [--settle 5000] [--node-flags "…"]
// The multi-process benchmark (issue 16): the scaled deployment — P bot processes (bench/scale-bot.ts)
// on the real Redis (a fresh key prefix per run, removed afterwards), all reaching the fake Discord
// through ONE @discordjs/proxy (src/rest-proxy.ts, its own process) — in one invocation:
//   1. N jobs in flight (bench/run.ts's workload) on 1, 2 and 4 processes, side by side: proxy reads
//      per poll interval against the single-process minimum, tasks polled twice, duplicate edits,
//      Discord requests per second at the fake over all processes, 429s, peak RSS per process;
//   2. burst: 2 processes on the shared Discord budget, jobs whose interaction tokens expired, all
//      finishing within 10 s: first → last final result shown against jobs / 50 s, progress edits
//      that reached Discord while a final waited, 429s;
//   3. takeover: 2 processes, one killed (SIGKILL): until the other polled every task it held,
//      against LEASE_TTL_MS + POLL_INTERVAL_MS (the lease TTL set short here: --lease-ttl);
//   4. resume: bench/resume.ts's figure for --resume active tasks on Redis.
// --budget sets DISCORD_CHANNEL_BUDGET for every bot (default: the config's). On two cores, read the
// four-process column for rates and duplicates, not for latency: four bots, the REST proxy and the
// harness (the fake proxy at N = 10,000) and the fake Discord share the machine; the harness's own event-loop lag is printed.
import { DEFAULTS } from '../src/config.ts';
import { measureResume, printResume } from './resume.ts';
import { BATCH, POLL_MS, burst, steady, takeover, type BurstResult, type SteadyResult, type TakeoverResult } from './scale-runs.ts';
import type { WorkloadOptions } from './workload.ts';

/** Discord's global limit, as the fake Discord enforces it. */
const GLOBAL_LIMIT = 50;

const f = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
const int = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : 'n/a');
const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');

function table(rows: string[][]): string {
  const width = (column: number) => Math.max(...rows.map((r) => r[column]?.length ?? 0));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(width(i)) : c.padStart(width(i)))).join('   ')).join('\n');
}

export async function runScale(args: string[]): Promise<void> {
  const arg = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const procs = (arg('procs') ?? '1,2,4').split(',').map(Number).filter((p) => p >= 1);
  const n = Number(arg('n') ?? 10_000);
  const budget = arg('budget');
  const burstJobs = Number(arg('burst') ?? 2_000);
  const takeoverN = Number(arg('takeover-n') ?? 2_000);
  const leaseTtl = Number(arg('lease-ttl') ?? 6_000);
  const resumeN = Number(arg('resume') ?? 10_000);
  const settleMs = Number(arg('settle') ?? (n >= 5_000 ? 5_000 : 2_000));
  const nodeFlags = (arg('node-flags') ?? '--max-semi-space-size=2 --optimize-for-size').split(' ').filter(Boolean);
  const workload: WorkloadOptions = { slots: 40, stepMs: 2_500, jitter: 0.3, startForMs: Number(arg('window') ?? 8_000) };
  const env: Record<string, string> = budget ? { DISCORD_CHANNEL_BUDGET: budget } : {};
  const budgetShown = budget ?? `${DEFAULTS.DISCORD_CHANNEL_BUDGET} (config default)`;

  const t0 = Date.now();
  console.log(`mjbot scale benchmark: node ${process.version}, ${process.platform}/${process.arch}; bots: node ${nodeFlags.join(' ')} --import tsx, Redis store, one @discordjs/proxy (src/rest-proxy.ts) in front of the fake Discord`);
  console.log(`POLL_INTERVAL_MS ${POLL_MS}, POLL_QUEUED_INTERVAL_MS ${DEFAULTS.POLL_QUEUED_INTERVAL_MS}, LIST_BATCH_SIZE ${BATCH}, DISCORD_CHANNEL_BUDGET ${budgetShown}; the fake Discord's global limit ${GLOBAL_LIMIT}/s (fixed windows; interaction-token routes exempt)`);

  // Each part on its own: one that fails is reported, the others still print.
  const attempt = async <T>(what: string, fn: () => Promise<T>): Promise<T | null> => {
    process.stderr.write(`  scale: ${what}…\n`);
    try {
      return await fn();
    } catch (err) {
      console.log(`\n── ${what}: FAILED (${err instanceof Error ? err.message : String(err)})`);
      return null;
    }
  };
  const runs: SteadyResult[] = [];
  for (const p of procs) {
    const r = await attempt(`N=${n} on ${p} process(es)`, () => steady(p, n, workload, nodeFlags, env, settleMs));
    if (r) runs.push(r);
  }
  if (runs.length) printSteady(runs, workload);
  const b = burstJobs > 0 ? await attempt(`burst of ${burstJobs} on 2 processes`, () => burst(burstJobs, nodeFlags, env)) : null;
  if (b) printBurst(b);
  for (const [what, refused] of [...runs.map((r) => [`${r.processes} proc`, r.rate.refused] as const), ...(b ? [['burst', b.rate.refused] as const] : [])]) {
    const list = Object.entries(refused);
    if (list.length) console.log(`  ${what}: the fake Discord refused (not 429): ${list.map(([k, v]) => `${v} × ${k}`).join('; ')}`);
  }
  const t = takeoverN > 0 ? await attempt(`takeover, ${takeoverN} tasks on 2 processes`, () => takeover(takeoverN, leaseTtl, nodeFlags, env)) : null;
  if (t) printTakeover(t);
  const resumed = resumeN > 0 ? await attempt(`resume N=${resumeN} on Redis`, () => measureResume('redis', resumeN, nodeFlags)) : null;
  if (resumed) printResume([resumed]);

  console.log('\n── goals (issue 16)');
  const lines: string[] = [];
  for (const r of runs) {
    const ratio = singleRatio(r);
    // No pass that read anything ended while measured: the reads seen were a pass's in flight since before.
    if (r.busyPasses === 0) lines.push(`MISS  ${r.processes} proc: proxy reads per poll interval: not measurable, no poll pass that read anything ended within the ${f(r.durationMs / 1000)} s measured (${int(r.proxyReads)} reads came from a pass under way since before)`);
    else lines.push(`${verdict(ratio <= 1.05)}  ${r.processes} proc: proxy reads per poll interval ≤ 1.05 × the single-process minimum: ${f(ratio, 3)} ×`);
    lines.push(`${verdict(r.crossPairs === 0 && r.closeRereads === 0)}  ${r.processes} proc: no task polled twice: ${r.crossPairs} reads by two processes within ${POLL_MS} ms, ${r.closeRereads} re-reads within ${POLL_MS / 2} ms`);
    lines.push(`${verdict(r.sameViewEdits + r.finalTwice === 0)}  ${r.processes} proc: duplicate edits 0: ${r.sameViewEdits} same view, ${r.finalTwice} results shown twice`);
    lines.push(`${verdict(r.rate.maxWindow <= GLOBAL_LIMIT && r.rate.maxSliding <= GLOBAL_LIMIT)}  ${r.processes} proc: global-bound Discord requests never above ${GLOBAL_LIMIT}/s: max ${r.rate.maxWindow} per window, ${r.rate.maxSliding} per sliding second`);
    lines.push(`${verdict(r.rate.fake429 + r.rate.bot429 === 0)}  ${r.processes} proc: 429s 0: ${r.rate.fake429} at the fake, ${r.rate.bot429} seen by a bot`);
  }
  if (b) {
    const ratio = burstRatio(b);
    lines.push(`${verdict(b.shown === b.jobs && ratio <= 1.1)}  burst: first → last of ${int(b.jobs)} results ≤ 1.1 × ${int(b.jobs)}/${GLOBAL_LIMIT} s: ${f(b.spanMs / 1000)} s = ${f(ratio, 2)} × (${int(b.shown)} shown)`);
    lines.push(`${verdict(b.progressWhileFinal === 0)}  burst: progress edits while a final result waited 0: ${b.progressWhileFinal} at the fake (${b.progressBeforeFinalInQueue} within one process's queue)`);
    lines.push(`${verdict(b.rate.fake429 + b.rate.bot429 === 0)}  burst: 429s 0: ${b.rate.fake429} at the fake, ${b.rate.bot429} seen by a bot`);
    lines.push(`${verdict(b.rate.maxWindow <= GLOBAL_LIMIT && b.rate.maxSliding <= GLOBAL_LIMIT)}  burst: never above ${GLOBAL_LIMIT}/s: max ${b.rate.maxWindow} per window, ${b.rate.maxSliding} per sliding second`);
  }
  if (t) lines.push(`${verdict(t.held > 0 && t.polled === t.held && t.takeoverMs <= t.leaseTtlMs + POLL_MS)}  takeover ≤ LEASE_TTL_MS + POLL_INTERVAL_MS (${int(t.leaseTtlMs)} + ${int(POLL_MS)} ms, TTL shortened for the bench): ${int(t.takeoverMs)} ms, ${int(t.polled)} of ${int(t.held)} tasks`);
  if (resumed) lines.push(`${verdict(resumed.totalMs < 3_000)}  resume < 3 s, Redis, ${int(resumed.n)} active tasks: ${int(resumed.totalMs)} ms`);
  for (const l of lines) console.log(l);
  console.log(`\ntotal ${f((Date.now() - t0) / 1000, 0)} s`);
}

/** Reads per poll interval, all processes together. */
const perInterval = (r: SteadyResult, x: number) => (x * POLL_MS) / r.durationMs;
/** Read requests against the single-process minimum for the same reads (scale-figures.ts readMinimum). */
const singleRatio = (r: SteadyResult) => r.proxyReads / Math.max(1, r.readMin);
const burstRatio = (b: BurstResult) => b.spanMs / ((b.jobs / GLOBAL_LIMIT) * 1000);

function printSteady(runs: SteadyResult[], w: WorkloadOptions): void {
  const col = (fn: (r: SteadyResult) => string) => runs.map(fn);
  const sum = (r: SteadyResult, fn: (m: SteadyResult['bots'][number]) => number) => r.bots.reduce((s, m) => s + fn(m), 0);
  const rss = (r: SteadyResult) => r.bots.map((m) => f(m.rssPeakMb, 0)).join(' / ');
  console.log(
    `\n── N = ${int(runs[0]!.n)} jobs in flight; ${w.slots} run at once at the proxy, a state every ${f(w.stepMs / 1000)} s ±${w.jitter * 100}%, new starts for ${w.startForMs / 1000} s; ` +
      `measured ${runs.map((r) => f(r.durationMs / 1000)).join(' / ')} s; seeded in ${runs.map((r) => f(r.seedMs / 1000)).join(' / ')} s`,
  );
  console.log(
    table([
      ['', ...runs.map((r) => `${r.processes} process${r.processes > 1 ? 'es' : ''}`), 'goal'],
      ['proxy read requests per poll interval (all processes)', ...col((r) => f(perInterval(r, r.proxyReads))), ''],
      [`  ÷ single-process minimum (per ${POLL_MS} ms: ceil(distinct ids read / ${BATCH}))`, ...col((r) => f(singleRatio(r), 3)), '≤ 1.05'],
      ['  the passes\' own: proxy calls ÷ Σ ceil(due/batch) (as npm run bench)', ...col((r) => f(r.passCalls / Math.max(1, r.passMin), 3)), ''],
      ['  task ids read per poll interval', ...col((r) => f(perInterval(r, r.idReads), 0)), ''],
      ['  poll passes that read anything and ended while measured (all processes)', ...col((r) => int(r.busyPasses)), ''],
      ['  task ids: due in the passes / handed to the readers / read at the fake (whole run)', ...col((r) => `${int(r.dueSum)} / ${int(r.botIdReads)} / ${int(r.idReads)}`), ''],
      [`tasks read by two processes within ${POLL_MS} ms (pairs / tasks)`, ...col((r) => `${r.crossPairs} / ${r.crossTasks}`), '0'],
      [`  re-reads of a task within ${POLL_MS / 2} ms at the fake proxy`, ...col((r) => int(r.closeRereads)), '0'],
      ['duplicate edits: same view again / result shown twice', ...col((r) => `${r.sameViewEdits} / ${r.finalTwice}`), '0 / 0'],
      ['results published (all processes)', ...col((r) => int(sum(r, (m) => m.published))), ''],
      [`Discord, global-bound: max per window / per sliding second`, ...col((r) => `${r.rate.maxWindow} / ${r.rate.maxSliding}`), `≤ ${GLOBAL_LIMIT}`],
      ['  global-bound requests in all', ...col((r) => int(r.rate.globalBound)), ''],
      ['Discord, every route (token edits too): max per sliding second', ...col((r) => int(r.rate.allMaxSliding)), ''],
      ['429s at the fake Discord / seen by a bot', ...col((r) => `${r.rate.fake429} / ${r.rate.bot429}`), '0 / 0'],
      ['peak RSS per process while measured (MB)', ...col(rss), ''],
      ['  peak since start, highest process (MB)', ...col((r) => f(Math.max(...r.bots.map((m) => m.rssPeakEverMb)), 0)), ''],
      ['bot event-loop delay p99 / max, worst process (ms)', ...col((r) => `${f(Math.max(...r.bots.map((m) => m.lagP99Ms)))} / ${f(Math.max(...r.bots.map((m) => m.lagMaxMs)))}`), ''],
      ['the harness (fakes, driver): event-loop p99 / max (ms)', ...col((r) => `${f(r.harness.p99Ms)} / ${f(r.harness.maxMs)}`), ''],
    ]),
  );
}

function printBurst(b: BurstResult): void {
  const limitS = b.jobs / GLOBAL_LIMIT;
  console.log(`\n── burst: ${int(b.jobs)} jobs whose interaction tokens expired, finishing within 10 s, on 2 processes sharing the Discord budget (each result: a channel edit and a ping)`);
  console.log(
    table([
      ['', 'measured', 'goal'],
      ['results shown', `${int(b.shown)} of ${int(b.jobs)}`, 'all'],
      [`first → last result shown (s) vs ${int(b.jobs)} / ${GLOBAL_LIMIT} s = ${f(limitS)} s`, `${f(b.spanMs / 1000)} (${f(burstRatio(b), 2)} ×)`, '≤ 1.1 ×'],
      ['progress edits at Discord while a final waited (any process)', int(b.progressWhileFinal), '0'],
      ['  of which sent while a final waited in the same process\'s queue', int(b.progressBeforeFinalInQueue), ''],
      ['duplicate edits: same view again / result shown twice', `${b.sameViewEdits} / ${b.finalTwice}`, '0 / 0'],
      ['global-bound: max per window / per sliding second', `${b.rate.maxWindow} / ${b.rate.maxSliding}`, `≤ ${GLOBAL_LIMIT}`],
      ['  of which progress edits / result edits / new messages (pings) / other', `${b.rate.kinds.progress} / ${b.rate.kinds.final} / ${b.rate.kinds.post} / ${b.rate.kinds.other}`, ''],
      ['429s at the fake Discord / seen by a bot', `${b.rate.fake429} / ${b.rate.bot429}`, '0 / 0'],
      ['queue: finals / others / notices (pings) / progress sent, progress shed', b.bots.map((m) => `${m.queue.sent.final}/${m.queue.sent.other}/${m.queue.sent.notice}/${m.queue.sent.progress}, ${m.queue.shed}`).join('  |  '), ''],
      ['peak RSS per process (MB)', b.bots.map((m) => f(m.rssPeakMb, 0)).join(' / '), ''],
      ['bot event-loop delay p99 / max, per process (ms)', b.bots.map((m) => `${f(m.lagP99Ms)} / ${f(m.lagMaxMs)}`).join('  |  '), ''],
      ['the harness: event-loop p99 / max (ms)', `${f(b.harness.p99Ms)} / ${f(b.harness.maxMs)}`, ''],
    ]),
  );
}

function printTakeover(t: TakeoverResult): void {
  console.log(
    `\n── takeover: ${int(t.n)} queued tasks on 2 processes, LEASE_TTL_MS ${int(t.leaseTtlMs)} (shortened for the bench; default ${int(DEFAULTS.LEASE_TTL_MS)}); they held ${t.heldBefore.map(int).join(' / ')}; the one holding more killed with SIGKILL (${int(t.held)}): ` +
      `all polled by the other ${int(t.takeoverMs)} ms after the kill (${int(t.polled)} of ${int(t.held)}); goal ≤ ${int(t.leaseTtlMs + POLL_MS)} ms; ` +
      `its leases had ${int(t.leaseLeftMs[0])}–${int(t.leaseLeftMs[1])} ms left at the kill`,
  );
}
