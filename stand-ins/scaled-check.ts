// The stand-ins for scripts/scaled-check.sh, and what it proves of compose.yaml's `scaled` profile: the fake
// Discord and the simulated proxy on an address the containers reach (--host: the Docker bridge's, on the
// host), the variables that point the bots at them written to --write-env, and once the script touches --go
// (both bots healthy), the run itself, as users and Discord would see it:
//   - which container opened each shard's gateway session, and that every REST request reached the fake
//     Discord from the REST proxy's container, none from a bot's;
//   - an /imagine in a guild of each shard, submitted by that shard's process;
//   - the process that submitted the first job stopped (docker stop) while both jobs run: the other one
//     polls that job too (one Redis: its lease and the job's record) and shows both grids;
//   - the stopped process started again, a U1 click on the first grid handled by it (its shard), the upscale shown;
//   - per process, /metrics (jobs started and finished, Discord requests, 429s), and 429s at the fake Discord.
// Prints "scaled: done" or "scaled: FAILED: …" and keeps serving until SIGTERM.
//
//   npx tsx stand-ins/scaled-check.ts --host 172.17.0.1 --write-env /tmp/x/bot.env --go /tmp/x/go --project mjbot-scaled-check-1
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startFakeDiscord } from './fake-discord.ts';
import { startFakeProxy } from './fake-proxy.ts';
import type { Interaction } from './fake-discord.ts';

const GO_TIMEOUT_MS = 600_000; // the script builds nothing after starting us, but compose up and health take a while on a busy machine
const STEP_TIMEOUT_MS = 90_000;
const LEASE_TTL_MS = 5_000; // a stopped process releases its leases; a killed one's would expire after this
const POLL_INTERVAL_MS = 1_000;

const { values: args } = parseArgs({
  options: { host: { type: 'string', default: '127.0.0.1' }, 'write-env': { type: 'string' }, go: { type: 'string' }, project: { type: 'string' } },
});
if (!args['write-env'] || !args.go || !args.project) throw new Error('usage: scaled-check.ts --host ADDR --write-env FILE --go FILE --project NAME');
const say = (line: string) => process.stdout.write(`[scaled] ${line}\n`);
const started = Date.now();
const since = (t: number) => `${((Date.now() - t) / 1000).toFixed(1)} s`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const discord = await startFakeDiscord({ botUsername: 'mjbot', host: args.host });
const apiKey = randomBytes(18).toString('base64url');
// 'manual': the jobs move only when this run says, so the first process can be stopped while they run.
const proxy = await startFakeProxy({ apiKey, advance: 'manual', placeholders: true, host: args.host });

const env: Record<string, string> = {
  DISCORD_TOKEN: discord.token,
  DISCORD_APP_ID: discord.appId,
  // The bots' own DISCORD_API_URL is compose.yaml's (the REST proxy); this one is the REST proxy's upstream.
  DISCORD_API_URL: discord.apiBase,
  MJ_BASE_URL: proxy.baseUrl,
  MJ_API_KEY: apiKey,
  MJ_AUTH_STYLE: 'bearer',
  POLL_INTERVAL_MS: String(POLL_INTERVAL_MS),
  EDIT_MIN_INTERVAL_MS: '500',
  LEASE_TTL_MS: String(LEASE_TTL_MS),
  LOG_LEVEL: process.env.BOT_LOG_LEVEL ?? 'info', // debug: each step of a stop, among much else
};
writeFileSync(args['write-env'], Object.entries(env).map(([k, v]) => `${k}=${v}`).join('\n') + '\n', { mode: 0o600 });
say(`discord ${discord.apiBase} (gateway ${discord.gatewayUrl}), proxy ${proxy.baseUrl}`);

let closing = false;
const close = async (code: number) => {
  if (closing) return;
  closing = true;
  await Promise.allSettled([discord.close(), proxy.close()]);
  process.exit(code);
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void close(0));

async function waitFor<T>(what: string, timeoutMs: number, probe: () => T | undefined | Promise<T | undefined>, everyMs = 200): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > until) throw new Error(`${what}: nothing after ${timeoutMs / 1000} s`);
    await sleep(everyMs);
  }
}

// ---- the compose project's containers, from Docker's own labels (compose v1 and v2 name them differently)
// Never execFileSync: the fakes live in this process, and a bot stopping while our event loop waits for
// `docker stop` could not close its gateway session (it waits for the fake's close frame) and gets killed.
const docker = async (...a: string[]) => (await promisify(execFile)('docker', a, { encoding: 'utf8' })).stdout.trim();
interface Service { name: string; container: string; ips: string[] }
async function services(): Promise<Service[]> {
  const rows = await docker('ps', '-a', '--filter', `label=com.docker.compose.project=${args.project}`, '--format', '{{.Names}}\t{{.Label "com.docker.compose.service"}}');
  return Promise.all(rows.split('\n').filter(Boolean).map(async (row) => {
    const [container = '', name = ''] = row.split('\t');
    const ips = (await docker('inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}', container)).split(/\s+/).filter(Boolean);
    return { name, container, ips };
  }));
}
let known: Service[] = [];
/** The compose service an address belongs to (IPv4-mapped IPv6 as the sockets report it, too). */
const who = (addr: string | undefined) => {
  const ip = (addr ?? '?').replace(/^::ffff:/, '');
  return known.find((s) => s.ips.includes(ip))?.name ?? `not a container of the project (${ip})`;
};
const serviceNamed = (name: string) => {
  const s = known.find((x) => x.name === name);
  if (!s) throw new Error(`no container of service ${name} in project ${args.project}`);
  return s;
};
const countBy = <T>(items: T[], key: (t: T) => string) => {
  const out = new Map<string, number>();
  for (const i of items) out.set(key(i), (out.get(key(i)) ?? 0) + 1);
  return [...out].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k} ${n}`).join(', ');
};

/** A bot process's /metrics (the health server listens on loopback in its container), summed over labels. */
async function metrics(service: string): Promise<Record<string, number>> {
  const text = await docker('exec', serviceNamed(service).container, 'node', '-e',
    "fetch('http://127.0.0.1:8788/metrics').then((r) => r.text()).then((t) => process.stdout.write(t))");
  const sums: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^(mjbot_[a-z_]+)(\{[^}]*\})? ([0-9.e+-]+)$/.exec(line);
    if (m?.[1]) sums[m[1]] = (sums[m[1]] ?? 0) + Number(m[3]);
  }
  return sums;
}
const show = (service: string, m: Record<string, number>) =>
  `${service}: jobs started ${m.mjbot_jobs_started_total ?? 0}, finished ${m.mjbot_jobs_finished_total ?? 0}, failed ${m.mjbot_jobs_failed_total ?? 0}; ` +
  `proxy requests ${m.mjbot_proxy_requests_total ?? 0}; Discord requests ${m.mjbot_discord_requests_total ?? 0}, 429s ${m.mjbot_discord_rate_limited_total ?? 0}; leases held ${m.mjbot_leases_held ?? 0}`;

/** Docker's health of a service's container: healthy, starting, unhealthy, or the state when it has no check. */
const health = (service: string) => docker('inspect', '-f', '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}', serviceNamed(service).container);

const gridOf = (i: Interaction) => {
  const m = discord.originalOf(i);
  return m && m.components?.length === 3 && m.attachments?.length > 0 ? m : undefined;
};
const submitsOf = (prompt: string) => proxy.requests.filter((r) => r.route === '/mj/submit/imagine' && r.status === 200 && String(r.body?.prompt ?? '').includes(prompt));
const taskOf = (prompt: string) => [...proxy.tasks.values()].find((t) => String(t.json.prompt ?? '').includes(prompt));
/** The processes that read a task from the proxy after `from` (a fetch of it, or a list naming it). */
const readersOf = (taskId: string, from: number) => new Set(proxy.requests.slice(from)
  .filter((r) => r.route === `/mj/task/${taskId}/fetch` || (/^\/mj\/task\/list-by-(condition|ids)$/.test(r.route ?? '') && (r.body?.ids ?? []).includes(taskId)))
  .map((r) => who(r.from)));

async function run(): Promise<void> {
  await waitFor('the script saying the bots are up (--go)', GO_TIMEOUT_MS, () => (existsSync(args.go!) ? true : undefined), 500);
  const t0 = Date.now();
  known = await services();
  say(`containers: ${known.map((s) => `${s.name} ${s.ips.join(',')}`).join('; ')}`);

  // ---- 1. Each shard's gateway session, and from which container.
  await waitFor('both shards identified', STEP_TIMEOUT_MS, () => (discord.sessionShards().length === 2 ? true : undefined));
  const identifies = discord.gatewayLog.filter((p) => p.op === 2) as { d: { shard: [number, number] }; from?: string }[];
  for (const p of identifies) say(`gateway: IDENTIFY shard ${p.d.shard.join('/')} from ${who(p.from)}`);
  const shardProcess = new Map(identifies.map((p) => [p.d.shard[0], who(p.from)]));
  if (shardProcess.get(0) !== 'bot-0' || shardProcess.get(1) !== 'bot-1') throw new Error(`shards not as compose.yaml says (0 on bot-0, 1 on bot-1): ${[...shardProcess].join(' ')}`);

  // ---- 2. An /imagine in a guild of each shard: the fake's own guild, and one it adds on the other shard.
  const first = { guildId: discord.guildId, channelId: discord.channelId };
  const firstShard = discord.shardOf(first.guildId, 2);
  const second = discord.addGuild('Second', [1 - firstShard, 2]);
  const [p1, p2] = [`first guild fox ${process.pid}`, `second guild owl ${process.pid}`];
  const a = discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: p1 }], { channelId: first.channelId });
  const b = discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: p2 }], { channelId: second.channelId });
  const subA = await waitFor(`the submit of "${p1}"`, STEP_TIMEOUT_MS, () => submitsOf(p1)[0]);
  const subB = await waitFor(`the submit of "${p2}"`, STEP_TIMEOUT_MS, () => submitsOf(p2)[0]);
  const byA = who(subA.from);
  const byB = who(subB.from);
  say(`/imagine in guild ${first.guildId} (shard ${firstShard}): submitted by ${byA}; in guild ${second.guildId} (shard ${1 - firstShard}): submitted by ${byB}`);
  if (byA !== shardProcess.get(firstShard) || byB !== shardProcess.get(1 - firstShard)) throw new Error('an /imagine was not handled by its shard\'s process');
  const [taskA, taskB] = [taskOf(p1)!, taskOf(p2)!];

  // ---- 3. Both jobs under way (progress shown), then the process that took the first one stops.
  proxy.advance(undefined, 2);
  await waitFor('progress on both replies', STEP_TIMEOUT_MS, () =>
    [a, b].every((i) => /[1-9]\d*%/.test(String(discord.originalOf(i)?.content ?? ''))) ? true : undefined);
  say(`both replies show progress: "${String(discord.originalOf(a)?.content).split('\n')[0]?.slice(0, 90)}"`);
  say(`before the stop: ${show('bot-0', await metrics('bot-0'))}`);
  say(`before the stop: ${show('bot-1', await metrics('bot-1'))}`);
  const other = byA === 'bot-0' ? 'bot-1' : 'bot-0';
  const s0 = Date.now();
  await docker('stop', '-t', '30', serviceNamed(byA).container);
  const exit = await docker('inspect', '-f', '{{.State.ExitCode}}', serviceNamed(byA).container);
  say(`docker stop ${byA} (the first job's process): stopped in ${since(s0)}, exit code ${exit}`);
  if (exit !== '0') throw new Error(`${byA} exited with ${exit} on SIGTERM`);
  const afterStop = proxy.requests.length;

  // ---- 4. The jobs finish: the other process shows both grids, the first job's included.
  proxy.finish(taskA.id);
  proxy.finish(taskB.id);
  const f0 = Date.now();
  const [gridA, gridB] = await Promise.all([a, b].map((i, n) => waitFor(`the grid of job ${n + 1}`, STEP_TIMEOUT_MS, () => gridOf(i))));
  const readA = readersOf(taskA.id, afterStop);
  say(`both grids shown ${since(f0)} after the jobs finished; the first job read after the stop by: ${[...readA].join(', ')}`);
  if (readA.size !== 1 || !readA.has(other)) throw new Error(`the first job was not polled by ${other} alone after ${byA} stopped`);
  const gridEdits = discord.calls.filter((c) => c.method === 'PATCH' && c.status === 200 && c.json?.components?.length === 3 && [a.token, b.token].some((t) => c.path.includes(t)));
  say(`grid edits at the fake Discord: ${gridEdits.length}, from ${countBy(gridEdits, (c) => who(c.from))}`);
  const mOther = await metrics(other);
  say(`after the jobs: ${show(other, mOther)}`);
  for (const g of [gridA, gridB]) say(`grid: "${g.content.split('\n')[0]}", ${g.components.flatMap((r: { components: unknown[] }) => r.components).length} buttons, ${g.attachments[0].filename}`);

  // ---- 5. The stopped process starts again; a click on the first grid arrives on its shard and is answered there.
  const r0 = Date.now();
  const sessionsBefore = identifies.length;
  await docker('start', serviceNamed(byA).container);
  // A started container may get another address: both stay its own (earlier requests came from the old one).
  known = (await services()).map((s) => ({ ...s, ips: [...new Set([...(known.find((k) => k.name === s.name)?.ips ?? []), ...s.ips])] }));
  await waitFor(`${byA} healthy again`, STEP_TIMEOUT_MS, async () => ((await health(byA)) === 'healthy' ? true : undefined), 1000);
  await waitFor(`${byA} back on its shard`, STEP_TIMEOUT_MS, () => (discord.gatewayLog.filter((p) => p.op === 2).length > sessionsBefore && discord.sessionShards().length === 2 ? true : undefined));
  say(`docker start ${byA}: healthy and back on shard ${firstShard} after ${since(r0)}`);
  const upscales = proxy.requests.length;
  const click = discord.clickButton(gridA.id, gridA.components[0].components[0].custom_id);
  const sub = await waitFor('the upscale\'s submit', STEP_TIMEOUT_MS, () => proxy.requests.slice(upscales).find((r) => r.route === '/mj/submit/action' && r.status === 200));
  say(`U1 on the first grid: submitted by ${who(sub.from)}`);
  if (who(sub.from) !== byA) throw new Error(`the click on shard ${firstShard} was not answered by ${byA}`);
  const up = [...proxy.tasks.values()].find((t) => t.json.action === 'UPSCALE');
  if (!up) throw new Error('no upscale task at the proxy');
  proxy.finish(up.id);
  const upMsg = await waitFor('the upscale\'s result', STEP_TIMEOUT_MS, () => {
    const m = discord.originalOf(click);
    return m && m.attachments?.length > 0 && /Image #1/.test(m.content) && !/[1-9]\d*%/.test(m.content) ? m : undefined;
  });
  say(`upscale shown: "${upMsg.content.split('\n')[0].slice(0, 100)}", ${upMsg.attachments[0].filename}; read by ${[...readersOf(up.id, upscales)].join(', ')}`);

  // ---- 6. What reached the fake Discord, and from where; each process's own count.
  const rest = discord.calls.filter((c) => !c.path.startsWith('/cdn/') && !c.path.startsWith('/media/'));
  const notProxy = rest.filter((c) => who(c.from) !== 'rest-proxy');
  say(`fake Discord: ${rest.length} REST requests, from ${countBy(rest, (c) => who(c.from))}; 429s sent ${rest.filter((c) => c.status === 429).length}`);
  say(`fake Discord: gateway connections from ${countBy(discord.gatewayLog.filter((p) => 'connect' in p) as { from?: string }[], (p) => who(p.from))}`);
  say(`fake proxy: ${proxy.requests.length} requests (API and images), from ${countBy(proxy.requests, (r) => who(r.from))}`);
  for (const s of ['bot-0', 'bot-1']) say(`at the end: ${show(s, await metrics(s))}`);
  if (notProxy.length) throw new Error(`${notProxy.length} REST requests reached the fake Discord around the REST proxy: ${notProxy.slice(0, 3).map((c) => `${c.method} ${c.path} from ${who(c.from)}`).join('; ')}`);
  if (rest.some((c) => c.status === 429)) throw new Error('the fake Discord answered 429');
  say(`scenario took ${since(t0)} (${since(started)} since the stand-ins started)`);
}

try {
  await run();
  say('scaled: done');
} catch (err) {
  say(`scaled: FAILED: ${err instanceof Error ? err.message : String(err)}`);
}
