// The "resume" figure of npm run bench (issue 16, item 5): a process that starts with N active tasks
// already in the store (SQLite, then Redis) — how long from createApp() to the end of the first
// poll pass that covered all of them (every task adopted, its lease taken, read at the proxy).
//
// Seeding is not measured: a first bot (in this process) tracks the N jobs as /imagine would,
// polls them once (so each record holds the task's state and the view shown), and stops cleanly
// (leases released). Then a second bot starts in a child process of its own on the same store and
// reports its phases: createApp, start (store open, migration), and the first full pass.
//
// Alone: npx tsx bench/resume.ts [--n 10000] [--stores sqlite,redis] [--runs 1] [--node-flags "…"]
// (--runs k: k bots one after the other on the same seeded store; --node-flags "--cpu-prof" profiles them.)
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from '@keyv/redis';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { mapLimit } from '../src/util/map-limit.ts';
import { isMain } from '../src/util/is-main.ts';
import { startFakeDiscord } from '../stand-ins/fake-discord.ts';
import { startFakeProxy } from '../stand-ins/fake-proxy.ts';
import { messageBody } from '../src/render/task-view.ts';
import { waitingView } from './protocol.ts';

const API_KEY = 'sk-bench-0123456789';
const PROMPT = 'a benchmark fox --ar 3:2';
const REDIS_URL = process.env.BENCH_REDIS_URL?.trim() || 'redis://127.0.0.1:6379';
const SELF = fileURLToPath(import.meta.url);

export interface ResumeFigure {
  store: 'sqlite' | 'redis';
  n: number;
  /** createApp() → the end of the first pass that read every active task. */
  totalMs: number;
  createMs: number;
  startMs: number;
  /** start() returned → that pass ended. */
  firstPassMs: number;
  /** CPU time the bot used over totalMs (user + system, ms): steadier than totalMs on a shared machine. */
  cpuMs: number;
  /** Tasks the first full pass held and read. */
  active: number;
  due: number;
  proxyCalls: number;
  seedMs: number;
  /** --runs k (alone): the totals (and CPU times) of the k − 1 bots started after the first on the same store. */
  again?: { totalMs: number; cpuMs: number }[];
}

/** The child: a bot on a store already holding the tasks; answers its phases over IPC. */
async function child(): Promise<void> {
  const n = Number(process.env.RESUME_N);
  // The poller's timer does not keep a process alive (unref): this does, until the figure is sent.
  const alive = setInterval(() => undefined, 1_000);
  // RESUME_ALLOC_PROF=<file>: what the bot allocates from createApp to the end of the pass, garbage
  // included (a sampling heap profile; open it in Chrome's DevTools, Memory tab).
  const allocProf = process.env.RESUME_ALLOC_PROF ? await startAllocProfile() : null;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const config = loadConfig(process.env);
  const app = createApp(config, { gateway: false, storePrefix: process.env.RESUME_PREFIX, logger: createLogger({ level: 'error', secrets: [config.MJ_API_KEY, config.DISCORD_TOKEN], write: (l) => process.stderr.write(`${l}\n`) }) });
  const created = performance.now();
  let started = 0;
  const done = new Promise<{ active: number; due: number; proxyCalls: number }>((resolve) => {
    app.poller.onPass((r) => {
      if (r.due >= n) resolve(r);
    });
  });
  await app.start();
  started = performance.now();
  const r = await done;
  const end = performance.now();
  const cpu = process.cpuUsage(cpu0);
  if (allocProf) await allocProf(process.env.RESUME_ALLOC_PROF!);
  process.send?.({ cpuMs: (cpu.user + cpu.system) / 1000, totalMs: end - t0, createMs: created - t0, startMs: started - created, firstPassMs: end - started, ...r });
  clearInterval(alive);
  await app.stop();
  process.exit(0);
}

/** Starts sampling allocations (kept when collected); answers how to stop and write the profile. */
async function startAllocProfile(): Promise<(file: string) => Promise<void>> {
  const { Session } = await import('node:inspector/promises');
  const { writeFileSync } = await import('node:fs');
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.enable');
  await session.post('HeapProfiler.startSampling', { samplingInterval: 16_384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as never);
  return async (file) => {
    const { profile } = (await session.post('HeapProfiler.stopSampling')) as { profile: unknown };
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  };
}

export async function measureResume(store: 'sqlite' | 'redis', n: number, nodeFlags: string[] = [], runs = 1): Promise<ResumeFigure> {
  const discord = await startFakeDiscord();
  const proxy = await startFakeProxy({ apiKey: API_KEY, advance: 'manual' });
  const dir = mkdtempSync(join(tmpdir(), 'mjbot-resume-'));
  const prefix = `mjbot-resume-${process.pid}-${Date.now()}`;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    DISCORD_TOKEN: discord.token,
    DISCORD_APP_ID: discord.appId,
    DISCORD_API_URL: discord.apiBase,
    MJ_BASE_URL: proxy.baseUrl,
    MJ_API_KEY: API_KEY,
    STORE_URL: store === 'sqlite' ? `sqlite://${join(dir, 'resume.sqlite')}` : REDIS_URL,
    LOG_LEVEL: 'error',
    USER_MAX_CONCURRENT: '0',
    USER_MAX_DAILY: '0',
    EDIT_MIN_INTERVAL_MS: '0',
  };
  try {
    // Seed: N queued jobs at the proxy, followed by a first bot that polls them once and stops.
    const seedStart = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push(proxy.addTask({ prompt: PROMPT, timeline: 'queued' }));
    const config = loadConfig(env);
    const seeder = createApp(config, { gateway: false, autoPoll: false, storePrefix: prefix, logger: createLogger({ level: 'error', secrets: [API_KEY], write: () => undefined }) });
    await seeder.start();
    // Seeding only: the first poll's N edits are not what is measured; discord.js would pace them at 50 a second.
    (seeder.client.rest as unknown as { options: { globalRequestsPerSecond: number } }).options.globalRequestsPerSecond = 1_000_000;
    const owner = discord.users.alice.id;
    const shown = waitingView(PROMPT, owner);
    const reply = JSON.stringify({ type: 4, data: messageBody(shown) });
    const warn = console.warn;
    console.warn = () => undefined; // the fake notes that no gateway session sees the interactions: none should
    try {
      await mapLimit(ids, 32, async (taskId) => {
        // An answered slash command, as /imagine leaves it: the job's reply and its token.
        const it = discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: PROMPT }]);
        const res = await fetch(`${discord.apiBase}/v10/interactions/${it.id}/${it.token}/callback?with_response=true`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: reply });
        const body = (await res.json()) as { resource?: { message?: { id: string } } };
        if (!res.ok || !body.resource?.message) throw new Error(`seeding: callback answered ${res.status}`);
        await seeder.tracker.track({
          outcome: { kind: 'accepted', taskIds: [taskId] },
          kind: 'imagine',
          prompt: PROMPT,
          ownerId: owner,
          locale: 'en-US',
          guildId: discord.guildId,
          channelId: discord.channelId,
          interactionToken: it.token,
          interactionAt: Date.now(),
          messageId: body.resource.message.id,
          shown,
        });
      });
    } finally {
      console.warn = warn;
    }
    await seeder.poller.tick();
    await seeder.stop();
    const seedMs = Date.now() - seedStart;

    // Each bot reads the tasks unchanged and gives its leases up when it stops: the next one finds
    // the store as the first did (--runs, to compare without seeding again).
    const resume = async () => {
      const bot = fork(SELF, [], {
        env: { ...env, RESUME_CHILD: '1', RESUME_N: String(n), RESUME_PREFIX: prefix, ...(process.env.RESUME_ALLOC_PROF ? { RESUME_ALLOC_PROF: process.env.RESUME_ALLOC_PROF } : {}) },
        execArgv: [...nodeFlags, '--import', 'tsx'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      const figure = await new Promise<Omit<ResumeFigure, 'store' | 'n' | 'seedMs'>>((resolve, reject) => {
        bot.once('message', (m) => resolve(m as Omit<ResumeFigure, 'store' | 'n' | 'seedMs'>));
        bot.once('exit', (code) => reject(new Error(`resume bot exited with ${code}`)));
      });
      await new Promise((r) => bot.once('exit', r));
      return figure;
    };
    const figure = await resume();
    const again: { totalMs: number; cpuMs: number }[] = [];
    for (let i = 1; i < runs; i++) again.push(await resume());
    return { store, n, seedMs, ...figure, ...(again.length ? { again } : {}) };
  } finally {
    await discord.close();
    await proxy.close();
    rmSync(dir, { recursive: true, force: true });
    if (store === 'redis') {
      const redis = createClient({ url: REDIS_URL });
      await redis.connect();
      const keys: string[] = [];
      for await (const batch of redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) keys.push(...batch);
      for (let i = 0; i < keys.length; i += 1000) await redis.del(keys.slice(i, i + 1000));
      await redis.close();
    }
  }
}

export function printResume(figures: ResumeFigure[]): void {
  console.log('\nresume: a process starting with N active tasks in the store → its first poll pass over all of them (goal < 3,000 ms)');
  for (const f of figures) {
    const ok = f.totalMs < 3_000 ? 'ok' : 'MISSED';
    console.log(
      `  ${f.store.padEnd(6)} N = ${f.n.toLocaleString('en-US')}: ${Math.round(f.totalMs)} ms (CPU ${Math.round(f.cpuMs)} ms; createApp ${Math.round(f.createMs)}, start ${Math.round(f.startMs)}, first pass ${Math.round(f.firstPassMs)}: ${f.due} read in ${f.proxyCalls} requests) ${ok}; seeding ${(f.seedMs / 1000).toFixed(1)} s, not counted` +
        (f.again ? `; again on the same store: ${f.again.map((a) => `${Math.round(a.totalMs)} (CPU ${Math.round(a.cpuMs)})`).join(', ')} ms` : ''),
    );
  }
}

if (process.env.RESUME_CHILD) {
  void child();
} else if (isMain(import.meta.url)) {
  const args = process.argv.slice(2);
  const arg = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const n = Number(arg('n') ?? 10_000);
  const stores = (arg('stores') ?? 'sqlite,redis').split(',') as ('sqlite' | 'redis')[];
  const flags = (arg('node-flags') ?? '--max-semi-space-size=2 --optimize-for-size').split(' ').filter(Boolean);
  const runs = Number(arg('runs') ?? 1);
  const figures: ResumeFigure[] = [];
  for (const s of stores) figures.push(await measureResume(s, n, flags, runs));
  printResume(figures);
  process.exit(0);
}
