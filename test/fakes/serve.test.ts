// stand-ins/serve.ts: the stand-ins alone, for a bot in another process or a container (what
// scripts/container-check.sh runs the image against). Here the real bot, src/main.ts in a process of
// its own started as the container starts it, gets only the variables the script wrote, finishes the
// /imagine the script sends, and exits 0 on SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const TSX = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
const children: ChildProcess[] = [];
const dirs: string[] = [];

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A node process running a TypeScript file under tsx, its output collected. */
function start(file: string, args: string[], opts: { cwd: string; env: Record<string, string>; preload?: string[] }) {
  const preload = (opts.preload ?? []).flatMap((p) => ['--import', p]);
  const child = spawn(process.execPath, [...preload, '--import', TSX, join(ROOT, file), ...args], { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, output: () => output, exited };
}

/** Polls what other processes write (a file, their output): real time, across process boundaries. */
async function until(what: string, timeoutMs: number, ok: () => boolean, detail: () => string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`${what} not seen within ${timeoutMs} ms:\n${detail()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('stand-ins/serve.ts', () => {
  it('points a bot in another process at the stand-ins, and an /imagine runs through it to the grid', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mjbot-serve-'));
    dirs.push(dir);
    const envFile = join(dir, 'bot.env');
    const base = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
    const serve = start('stand-ins/serve.ts', ['--write-env', envFile, '--imagine'], { cwd: ROOT, env: base });
    await until('the env file', 20_000, () => existsSync(envFile) && readFileSync(envFile, 'utf8').includes('MJ_API_KEY='), serve.output);

    const written = Object.fromEntries(
      readFileSync(envFile, 'utf8').trim().split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    expect(Object.keys(written)).toEqual(expect.arrayContaining(['DISCORD_TOKEN', 'DISCORD_APP_ID', 'DISCORD_API_URL', 'MJ_BASE_URL', 'MJ_API_KEY']));
    expect(written.DISCORD_API_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api$/);

    // The bot's own working directory holds no .env: it sees the written variables and nothing else.
    // Our undici (7) is loaded before anything else, so it, not discord.js's undici (6), installs the
    // process-wide dispatcher: the bot's uploads to Discord must not depend on which loaded first.
    const UNDICI = pathToFileURL(join(ROOT, 'node_modules/undici/index.js')).href;
    const bot = start('src/main.ts', [], { cwd: dir, env: { ...base, ...written, STORE_URL: `sqlite://${join(dir, 'bot.sqlite')}` }, preload: [UNDICI] });
    await until('"imagine: done"', 90_000, () => /imagine: (done|FAILED)/.test(serve.output()), () => `${serve.output()}\n--- bot ---\n${bot.output()}`);
    expect(serve.output()).toMatch(/imagine: done: grid in [\d.]+ s: "\*\*a red fox in snow --ar 3:2\*\* - <@\d+> \(Done\)", buttons U1 U2 U3 U4 🔄 V1 V2 V3 V4 🌱 Share 🗑️, attachment mj-\d+\.png/);
    expect(bot.output()).not.toContain(written.MJ_API_KEY);

    bot.child.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
  }, 120_000);
});
