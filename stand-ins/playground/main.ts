// npm run playground: the whole bot on this machine, used from a browser. No Discord application,
// no .env and no API key needed. With MJ_BASE_URL and MJ_API_KEY set (in the environment or .env)
// the bot talks to that real backend instead of the simulated proxy; `--simulated` forces the
// simulation anyway. `--two-backends` (simulated only) runs two simulated proxies as the bot's
// backends, `default` and `relay-b`, and the page's Backend menu can take either down. PLAYGROUND_PORT picks the page's port (default 5190, another if taken);
// PLAYGROUND_HOST the address it listens on (default 127.0.0.1; the container image's compose
// service sets 0.0.0.0 and publishes the port on the host's 127.0.0.1 only).
import { rmSync } from 'node:fs';
import { ConfigError } from '../../src/config.ts';
import { loadEnvFile } from '../../src/env-file.ts';
import { startPlayground, withoutCredentials, type Playground } from './playground.ts';

const DEFAULT_PORT = 5190;
const STORE = 'data/playground.sqlite';

loadEnvFile(); // .env like every entry point; the real environment wins (src/env-file.ts)
const env = process.env;
const forceSimulated = process.argv.includes('--simulated');
const real = !forceSimulated && env.MJ_BASE_URL?.trim() && env.MJ_API_KEY?.trim();
const twoBackends = process.argv.includes('--two-backends');
if (twoBackends && real) console.error('--two-backends simulates two backends; with MJ_BASE_URL set the playground talks to that one backend (add --simulated to simulate)');

// The fake Discord lives in memory, so a store left by an earlier run points at messages that are
// gone: every run starts with an empty store (the "restart bot" button keeps it, to show jobs resume).
for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(STORE + suffix, { force: true });

async function start(port: number): Promise<Playground> {
  return startPlayground({
    port,
    host: env.PLAYGROUND_HOST?.trim() || undefined,
    storePath: STORE,
    backend: real ? { baseUrl: env.MJ_BASE_URL!.trim(), apiKey: env.MJ_API_KEY!.trim() } : undefined,
    simulatedBackends: twoBackends && !real ? 2 : 1,
    env,
  });
}

let pg: Playground;
try {
  const wanted = env.PLAYGROUND_PORT ? Number(env.PLAYGROUND_PORT) : DEFAULT_PORT;
  try {
    pg = await start(wanted);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || env.PLAYGROUND_PORT) throw err;
    pg = await start(0); // the default port is taken: any free one will do
  }
} catch (err) {
  if (err instanceof ConfigError) for (const line of err.problems) console.error(`config error: ${line}`);
  else console.error(`playground failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}

const backend = real
  ? `REAL backend ${withoutCredentials(pg.config.MJ_BASE_URL ?? '')} (MJ_BASE_URL; jobs cost what they cost there)`
  : pg.backends
    ? `two simulated midjourney-proxies: ${pg.backends.map((b) => b.name).join(' and ')} (Backend ▾ takes one down)`
    : 'simulated midjourney-proxy';
process.stdout.write(
  [
    '',
    `  mjbot playground: ${pg.url}`,
    '',
    `  bot      real app (createApp, real discord.js) logged into a built-in Discord stand-in`,
    `  proxy    ${backend}`,
    `  store    ${STORE}`,
    `  api      ${pg.url}api/state  (docs/playground.md)`,
    ...(pg.app.healthServer ? [`  health   ${pg.app.healthServer.url}/metrics  (also /healthz, /readyz; HEALTH_PORT)`] : []),
    '',
    '  Ctrl+C stops it.',
    '',
  ].join('\n') + '\n',
);

process.on('unhandledRejection', (err) => console.error('unhandled rejection', err));
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void pg.close().finally(() => process.exit(0));
  });
}
