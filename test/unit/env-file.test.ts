// The .env loader (src/env-file.ts): precedence and parsing, and that it is the only one: every npm
// script that reads configuration goes through it, and nothing else reads .env files.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { loadEnvFile } from '../../src/env-file.ts';

const ROOT = resolve(import.meta.dirname, '../..');
let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function envFile(text: string): string {
  dir = mkdtempSync(join(tmpdir(), 'mjbot-env-'));
  writeFileSync(join(dir, '.env'), text);
  return join(dir, '.env');
}

describe('loadEnvFile', () => {
  it('sets what the environment lacks; the real environment wins, even when empty', () => {
    const path = envFile('DISCORD_TOKEN=from-file\nDISCORD_APP_ID=111111111111111111\nDISCORD_GUILD_ID=222222222222222222\n');
    const env: Record<string, string | undefined> = { DISCORD_TOKEN: 'from-env', DISCORD_GUILD_ID: '' };
    expect(loadEnvFile(path, env)).toEqual(['DISCORD_APP_ID']);
    expect(env).toEqual({ DISCORD_TOKEN: 'from-env', DISCORD_APP_ID: '111111111111111111', DISCORD_GUILD_ID: '' });
  });

  it('reads .env.example-style files: comments, quotes, export, empty values', () => {
    const path = envFile('# a comment\nexport MJ_BASE_URL=https://relay.example/mj  # trailing comment\nMJ_API_KEY="sk-#not-a-comment"\nDISCORD_GUILD_ID=\n');
    const env: Record<string, string | undefined> = {};
    loadEnvFile(path, env);
    expect(env).toEqual({ MJ_BASE_URL: 'https://relay.example/mj', MJ_API_KEY: 'sk-#not-a-comment', DISCORD_GUILD_ID: '' });
    // An empty value is unset for the config, as in the example file.
    expect(loadConfig(env, ['DISCORD_GUILD_ID']).DISCORD_GUILD_ID).toBeUndefined();
  });

  it('does nothing without the file', () => {
    const env = {};
    expect(loadEnvFile(join(tmpdir(), 'no-such-dir-mjbot', '.env'), env)).toEqual([]);
    expect(env).toEqual({});
  });
});

describe('loadConfig for one entry point', () => {
  it('validates only the keys asked for, with the same schema', () => {
    expect(loadConfig({ DISCORD_APP_ID: ' 123456789012345678 ' }, ['DISCORD_APP_ID'])).toEqual({ DISCORD_APP_ID: '123456789012345678' });
    expect(() => loadConfig({ DISCORD_APP_ID: 'my-bot' }, ['DISCORD_APP_ID'])).toThrow('DISCORD_APP_ID: expected a Discord id (digits)');
    const err = (() => {
      try {
        loadConfig({ NOTIFY_HOOK_URL: 'https://bot.example/hook' }, ['DISCORD_TOKEN', 'NOTIFY_HOOK_URL']);
      } catch (e) {
        return e as ConfigError;
      }
    })();
    // Only what was asked for: the push pair's rule needs both keys in the set.
    expect(err?.problems).toEqual(['DISCORD_TOKEN: missing']);
  });
});

/** npm scripts that read configuration, and so .env; every other script says why it does not. */
const READS_ENV: Record<string, string> = {
  start: 'src/main.ts',
  playground: 'stand-ins/playground/main.ts',
  'deploy-commands': 'src/deploy-commands.ts',
  invite: 'src/invite.ts',
  'rest-proxy': 'src/rest-proxy.ts',
};
const NO_ENV: Record<string, string> = {
  preview: 'reads no variable: a task in, a message out',
  bench: 'its bots get a fixed environment from bench/run.ts: a stray .env must not change the measurement',
  screenshots: 'runs the playground with built-in stand-ins only',
  typecheck: 'not an entry point',
  test: 'not an entry point (tests set their own environment)',
};

describe('one .env loader', () => {
  const scripts = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts as Record<string, string>;

  it('every npm script is either an entry point that reads .env through src/env-file.ts, or says why not', () => {
    expect(Object.keys(scripts).sort()).toEqual([...Object.keys(READS_ENV), ...Object.keys(NO_ENV)].sort());
    for (const [name, file] of Object.entries(READS_ENV)) {
      expect(scripts[name], name).toMatch(new RegExp(`tsx .*${file.replace(/[.]/g, '\\.')}$`));
      const text = readFileSync(join(ROOT, file), 'utf8');
      expect(text, file).toMatch(/from '[./]+(src\/)?env-file\.ts'/);
      expect(text, file).toMatch(/^\s*(loadEnvFile\(\)|const \w+ = loadEntryConfig\()/m);
    }
  });

  it('nothing else reads a .env file itself', () => {
    const files = (d: string): string[] =>
      readdirSync(join(ROOT, d)).flatMap((n) => (statSync(join(ROOT, d, n)).isDirectory() ? files(join(d, n)) : /\.ts$/.test(n) ? [join(d, n)] : []));
    const readers = ['src', 'commands', 'stand-ins', 'bench']
      .flatMap(files)
      .filter((f) => f !== join('src', 'env-file.ts') && /process\.loadEnvFile|parseEnv|from 'dotenv'|--env-file/.test(readFileSync(join(ROOT, f), 'utf8')));
    expect(readers).toEqual([]);
  });
});
