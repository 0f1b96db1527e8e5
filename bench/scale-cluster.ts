// The scaled deployment the scale benchmark runs (bench/scale.ts): the fake proxy in the harness
// process (the driver moves its tasks); the fake Discord in a process of its own (bench/fakes-process.ts:
// it stamps each request as it arrives, on an event loop the harness's work does not delay: in the
// harness, requests that came during its lags were stamped together, and a sliding second counted 51);
// ONE @discordjs/proxy (our `npm run rest-proxy`, src/rest-proxy.ts) in a process of its own in front
// of the fake Discord; and P bot processes (bench/scale-bot.ts) on the real Redis under a fresh key
// prefix (removed at close), all reaching Discord through that proxy.
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { startFakeProxy, type FakeProxy } from '../stand-ins/fake-proxy.ts';
import { messageBody } from '../src/render/task-view.ts';
import { FakesProcess } from './fakes-client.ts';
import { waitingView, type SeedJob } from './protocol.ts';
import type { FromScaleBot, ToScaleBot } from './scale-protocol.ts';

export const API_KEY = 'sk-bench-0123456789';
export const PROMPT = 'a benchmark fox --ar 3:2';
export const REDIS_URL = process.env.BENCH_REDIS_URL?.trim() || 'redis://127.0.0.1:6379';
const BOT = fileURLToPath(new URL('./scale-bot.ts', import.meta.url));
const REST_PROXY = fileURLToPath(new URL('../src/rest-proxy.ts', import.meta.url));
const WAVE = 500;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A free TCP port on 127.0.0.1 (the notifyHook receiver's, known before the bot starts). */
export async function freePort(): Promise<number> {
  const s = createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** One bot process and a request/answer helper over IPC (a message nobody waits for yet is kept for the next). */
export class ScaleBot {
  readonly #waiters: { resolve: (m: FromScaleBot) => void; reject: (err: Error) => void }[] = [];
  readonly #unclaimed: FromScaleBot[] = [];
  #exited: Error | null = null;
  pid = 0;
  constructor(readonly child: ChildProcess) {
    child.on('message', (m: FromScaleBot) => {
      const waiter = this.#waiters.shift();
      if (waiter) waiter.resolve(m);
      else this.#unclaimed.push(m);
    });
    // A bot that died answers nothing: whoever waits fails instead of waiting forever.
    child.once('exit', (code, signal) => {
      this.#exited = new Error(`a bot process exited (${signal ?? code})`);
      for (const w of this.#waiters.splice(0)) w.reject(this.#exited);
    });
  }
  ask(msg: ToScaleBot): Promise<FromScaleBot> {
    const answer = this.next();
    if (!this.#exited) this.child.send(msg);
    return answer;
  }
  next(): Promise<FromScaleBot> {
    const kept = this.#unclaimed.shift();
    if (kept) return Promise.resolve(kept);
    if (this.#exited) return Promise.reject(this.#exited);
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }
}

export interface ClusterOptions {
  processes: number;
  nodeFlags: string[];
  /** Extra environment of every bot (DISCORD_CHANNEL_BUDGET, LEASE_TTL_MS …). */
  env?: Record<string, string>;
}

export interface Cluster {
  /** The fake Discord's process: its calls are read with `discord.calls(from)`. */
  discord: FakesProcess;
  proxy: FakeProxy;
  bots: ScaleBot[];
  prefix: string;
  /** Answers `n` slash commands (the reply already shows "Waiting to start") and hands each job to a bot, round robin. */
  seed(taskIds: string[], opts?: { channels?: string[]; interactionAt?: () => number; messagePath?: Map<string, string> }): Promise<Map<string, string>>;
  close(): Promise<void>;
}

export async function startCluster(o: ClusterOptions): Promise<Cluster> {
  // Seeding answers thousands of interactions on a busy machine: the 3 s deadline of an initial
  // response is not what is measured here.
  const discord = await FakesProcess.start({ discord: { callbackDeadlineMs: 120_000 } });
  const proxy = await startFakeProxy({ apiKey: API_KEY, advance: 'manual' });
  const fake = discord.discord;
  const prefix = `mjbot-bench-scale-${process.pid}-${Date.now()}`;
  const restPort = await freePort();
  const restProxy = fork(REST_PROXY, [], {
    env: { PATH: process.env.PATH ?? '', DISCORD_API_URL: fake.apiBase, REST_PROXY_HOST: '127.0.0.1', REST_PROXY_PORT: String(restPort) },
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const bots: ScaleBot[] = [];
  const close = async () => {
    await Promise.all(
      bots.map(async (b) => {
        if (b.child.exitCode !== null || b.child.signalCode !== null) return;
        b.child.send({ type: 'exit' } satisfies ToScaleBot);
        await Promise.race([once(b.child, 'exit'), sleep(10_000)]);
        if (b.child.exitCode === null && b.child.signalCode === null) b.child.kill('SIGKILL');
      }),
    );
    restProxy.kill('SIGTERM');
    await Promise.race([once(restProxy, 'exit'), sleep(3_000)]);
    if (restProxy.exitCode === null && restProxy.signalCode === null) restProxy.kill('SIGKILL');
    await discord.close();
    await proxy.close();
    await removeKeys(prefix);
  };
  try {
    const restUrl = `http://127.0.0.1:${restPort}`;
    for (let i = 0; ; i++) {
      const ok = await fetch(`${restUrl}/healthz`).then((r) => r.ok, () => false);
      if (ok) break;
      if (i > 300) throw new Error('the REST proxy did not start');
      await sleep(50);
    }
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      DISCORD_TOKEN: fake.token,
      DISCORD_APP_ID: fake.appId,
      DISCORD_API_URL: `${restUrl}/api`,
      MJ_BASE_URL: proxy.baseUrl,
      MJ_API_KEY: API_KEY,
      STORE_URL: REDIS_URL,
      BENCH_STORE_PREFIX: prefix,
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL || 'error',
      USER_MAX_CONCURRENT: '0',
      USER_MAX_DAILY: '0',
      ...(process.env.BENCH_HEAP_SAMPLE ? { BENCH_HEAP_SAMPLE: process.env.BENCH_HEAP_SAMPLE } : {}),
      ...o.env,
    };
    for (let p = 0; p < o.processes; p++) {
      bots.push(new ScaleBot(fork(BOT, [], { env, execArgv: [...o.nodeFlags, '--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })));
    }
    for (const b of bots) {
      const ready = await b.next();
      if (ready.type !== 'ready') throw new Error('a bot did not start');
      b.pid = ready.pid;
    }
  } catch (err) {
    await close();
    throw err;
  }

  async function seed(taskIds: string[], so: { channels?: string[]; interactionAt?: () => number; messagePath?: Map<string, string> } = {}) {
    const tokenOf = new Map<string, string>();
    const owner = fake.aliceId;
    const reply = JSON.stringify({ type: 4, data: messageBody(waitingView(PROMPT, owner)) });
    let k = 0;
    for (let i = 0; i < taskIds.length; i += WAVE) {
      const wave = taskIds.slice(i, i + WAVE);
      const channelIds = so.channels ? wave.map(() => so.channels![k++ % so.channels!.length]!) : undefined;
      const answered = await discord.answerSlashCommands(wave.length, 'imagine', [{ name: 'prompt', type: 3, value: PROMPT }], reply, channelIds);
      const jobs = wave.map((taskId, j): SeedJob & { interactionAt?: number } => {
        const a = answered[j]!;
        tokenOf.set(taskId, a.token);
        so.messagePath?.set(taskId, `/channels/${a.channelId}/messages/${a.messageId}`);
        return { taskId, prompt: PROMPT, ownerId: owner, guildId: fake.guildId, channelId: a.channelId, token: a.token, messageId: a.messageId, at: a.at, ...(so.interactionAt ? { interactionAt: so.interactionAt() } : {}) };
      });
      // Round robin: each process tracks (and so first leases) its share.
      await Promise.all(bots.map((b, p) => b.ask({ type: 'seed', jobs: jobs.filter((_, j) => (i + j) % bots.length === p) })));
    }
    return tokenOf;
  }

  return { discord, proxy, bots, prefix, seed, close };
}

export async function removeKeys(prefix: string): Promise<void> {
  const { createClient } = await import('@keyv/redis');
  const redis = createClient({ url: REDIS_URL });
  await redis.connect();
  try {
    for await (const batch of redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
      const keys = ([] as string[]).concat(batch as string | string[]);
      if (keys.length) await redis.del(keys);
    }
  } finally {
    await redis.close();
  }
}
