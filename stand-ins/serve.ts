// The stand-ins alone, on this machine's loopback, for a bot that runs elsewhere: in its own process
// (`npm start`) or in a container on the host's network (scripts/container-check.sh). Starts the
// fake Discord and the simulated proxy, writes the variables that point a bot at them to --write-env
// (KEY=VALUE lines, the format of `.env` files and of docker run's env files), and keeps serving until SIGTERM.
// With --imagine it then waits for the bot to log in, runs one /imagine through it and prints
// "imagine: done …" when the grid with its buttons and image arrived, or "imagine: FAILED …".
//
//   npx tsx stand-ins/serve.ts --write-env /tmp/stand-ins.env [--imagine]
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startFakeDiscord } from './fake-discord.ts';
import { startFakeProxy } from './fake-proxy.ts';

const LOGIN_TIMEOUT_MS = 180_000; // a container's first start may be slow on a busy machine
const SETTLE_MS = 1_000; // after IDENTIFY, time for the client's READY before the first interaction
const JOB_TIMEOUT_MS = 60_000; // four proxy steps of STEP_MS, polls and edits, with room to spare
const STEP_MS = 1_000;
const PROMPT = 'a red fox in snow --ar 3:2';

const { values: args } = parseArgs({ options: { 'write-env': { type: 'string' }, imagine: { type: 'boolean', default: false } } });
const say = (line: string) => process.stdout.write(`[stand-ins] ${line}\n`);
const started = Date.now();
const seconds = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;

const discord = await startFakeDiscord({ botUsername: 'mjbot' });
const apiKey = randomBytes(18).toString('base64url');
const proxy = await startFakeProxy({ apiKey, advance: { everyMs: STEP_MS }, placeholders: true });

const env: Record<string, string> = {
  DISCORD_TOKEN: discord.token,
  DISCORD_APP_ID: discord.appId,
  DISCORD_API_URL: discord.apiBase,
  MJ_BASE_URL: proxy.baseUrl,
  MJ_API_KEY: apiKey,
  MJ_AUTH_STYLE: 'bearer',
  POLL_INTERVAL_MS: '1000',
  EDIT_MIN_INTERVAL_MS: '500',
};
const envText = Object.entries(env).map(([k, v]) => `${k}=${v}`).join('\n') + '\n';
if (args['write-env']) writeFileSync(args['write-env'], envText, { mode: 0o600 });
else process.stdout.write(envText);
say(`discord ${discord.apiBase} (gateway ${discord.gatewayUrl}), proxy ${proxy.baseUrl}`);

let closing = false;
const close = async (code: number) => {
  if (closing) return;
  closing = true;
  await Promise.allSettled([discord.close(), proxy.close()]);
  process.exit(code);
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void close(0));

async function waitFor<T>(what: string, timeoutMs: number, probe: () => T | undefined): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = probe();
    if (found !== undefined) return found;
    if (Date.now() > until) throw new Error(`${what}: nothing after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** One /imagine, as a user in the channel would: the reply must end as the grid with U1–V4 and the image. */
async function imagine(): Promise<string> {
  await waitFor('the bot logging in (gateway IDENTIFY)', LOGIN_TIMEOUT_MS, () => discord.gatewayLog.find((p) => p.op === 2));
  say(`bot logged in after ${seconds()}`);
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const sent = Date.now();
  const interaction = discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: PROMPT }]);
  const reply = await waitFor('the finished grid', JOB_TIMEOUT_MS, () => {
    const m = discord.originalOf(interaction);
    return m && m.components?.length === 3 && m.attachments?.length > 0 ? m : undefined;
  });
  const buttons = reply.components.flatMap((row: { components: { label?: string; emoji?: { name?: string } }[] }) =>
    row.components.map((b) => b.label ?? b.emoji?.name ?? '?'),
  );
  return `grid in ${((Date.now() - sent) / 1000).toFixed(1)} s: "${reply.content.split('\n')[0]}", buttons ${buttons.join(' ')}, attachment ${reply.attachments[0].filename}`;
}

if (args.imagine) {
  try {
    say(`imagine: done: ${await imagine()}`);
  } catch (err) {
    say(`imagine: FAILED: ${err instanceof Error ? err.message : String(err)}`);
    const last = [...discord.messages.values()].at(-1);
    if (last) say(`last message the bot left: ${JSON.stringify(last.content)}`);
  }
}
