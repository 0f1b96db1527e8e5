// The one .env loader of every entry point that reads configuration (npm start, deploy-commands,
// invite, the playground). Variables already in the environment win over the file, as with dotenv
// and Node's --env-file: a deployment's real environment (a container, systemd, CI) is never
// overridden by a stray .env, and `DISCORD_GUILD_ID=… npm run deploy-commands` works for one run.
// Node's own parser (util.parseEnv: quotes, `#` comments, `export`, multi-line values), no dependency.
import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { ConfigError, loadConfig, type Config, type ConfigKey } from './config.ts';

/** Read from the working directory, as `cp .env.example .env` in the README leaves it. */
export const ENV_FILE = '.env';

/**
 * Copies the variables of `path` (when the file exists) into `env` where `env` does not already
 * have them; returns the names it set.
 */
export function loadEnvFile(path: string = ENV_FILE, env: Record<string, string | undefined> = process.env): string[] {
  if (!existsSync(path)) return [];
  const set: string[] = [];
  for (const [key, value] of Object.entries(parseEnv(readFileSync(path, 'utf8')))) {
    if (env[key] !== undefined || value === undefined) continue;
    env[key] = value;
    set.push(key);
  }
  return set;
}

/**
 * An entry point's start (the bot: every key; a tool: the keys it uses): .env, then those keys. A missing or malformed
 * variable stops it with one `config error: NAME: why` line per variable on stderr, exit code 1.
 */
export function loadEntryConfig<K extends ConfigKey>(keys: readonly K[]): Readonly<Pick<Config, K>> {
  loadEnvFile();
  try {
    return loadConfig(process.env, keys);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const line of err.problems) console.error(`config error: ${line}`);
    process.exit(1);
  }
}
