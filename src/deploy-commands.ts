// npm run deploy-commands: registers the slash commands (in one guild when DISCORD_GUILD_ID is set,
// globally otherwise) from the same registry the router uses. Reads .env like every entry point and
// needs only the Discord variables (and the ones that shape the commands), not the proxy's.
import { DiscordAPIError, REST, Routes } from 'discord.js';
import { commandDefinitions, commands } from '../commands/index.ts';
import type { Config } from './config.ts';
import { loadEntryConfig } from './env-file.ts';
import { isMain } from './util/is-main.ts';

/** What registering reads: who we are, where, and what changes the commands' shape. */
export const DEPLOY_KEYS = ['DISCORD_TOKEN', 'DISCORD_APP_ID', 'DISCORD_GUILD_ID', 'DISCORD_API_URL', 'MJ_MODES', 'MJ_BACKENDS', 'ALLOW_DMS', 'ALLOW_USER_INSTALL'] as const;

async function main(): Promise<void> {
  const config = loadEntryConfig(DEPLOY_KEYS);
  console.log(await deployCommands(config));
}

/** Registers the registry's commands (in DISCORD_GUILD_ID when set, else globally); answers the line to print. */
export async function deployCommands(config: Pick<Config, (typeof DEPLOY_KEYS)[number]>): Promise<string> {
  const rest = new REST(config.DISCORD_API_URL ? { api: config.DISCORD_API_URL } : {}).setToken(config.DISCORD_TOKEN);
  const body = commandDefinitions(commands, config);
  const route = config.DISCORD_GUILD_ID
    ? Routes.applicationGuildCommands(config.DISCORD_APP_ID, config.DISCORD_GUILD_ID)
    : Routes.applicationCommands(config.DISCORD_APP_ID);
  const result = (await rest.put(route, { body })) as unknown[];
  return `registered ${result.length} commands ${config.DISCORD_GUILD_ID ? `in guild ${config.DISCORD_GUILD_ID}` : 'globally'}`;
}

/** What to do about the refusals an operator meets first (docs/discord-setup.md, Troubleshooting). */
export function deployHint(err: unknown, guildId: string | undefined): string | undefined {
  if (!(err instanceof DiscordAPIError)) return undefined;
  if (err.status === 401) return 'DISCORD_TOKEN is not a valid bot token (Developer Portal → Bot → Reset Token, then put the new one in .env)';
  if (err.code === 50001) {
    return guildId
      ? 'the application is not in the server DISCORD_GUILD_ID names, or DISCORD_APP_ID is not the token\'s application: add the bot with the link `npm run invite` prints'
      : 'DISCORD_APP_ID is not the application of DISCORD_TOKEN (both come from the same application in the Developer Portal)';
  }
  return undefined;
}

if (isMain(import.meta.url)) {
  main().catch((err) => {
    // By now .env is loaded and the config valid: the variable is the one the route used.
    const hint = deployHint(err, process.env.DISCORD_GUILD_ID?.trim() || undefined);
    console.error(`deploy failed: ${err instanceof Error ? err.message : String(err)}${hint ? ` — ${hint}` : ''}`);
    process.exit(1);
  });
}
