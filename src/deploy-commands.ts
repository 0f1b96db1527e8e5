// npm run deploy-commands: registers the slash commands (in one guild when DISCORD_GUILD_ID is set,
// globally otherwise) from the same registry the router uses.
import { REST, Routes } from 'discord.js';
import { commandDefinitions, commands } from '../commands/index.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const line of err.problems) console.error(`config error: ${line}`);
      process.exit(1);
    }
    throw err;
  }
  console.log(await deployCommands(config));
}

/** Registers the registry's commands (in DISCORD_GUILD_ID when set, else globally); answers the line to print. */
export async function deployCommands(config: Config): Promise<string> {
  const rest = new REST(config.DISCORD_API_URL ? { api: config.DISCORD_API_URL } : {}).setToken(config.DISCORD_TOKEN);
  const body = commandDefinitions(commands, config);
  const route = config.DISCORD_GUILD_ID
    ? Routes.applicationGuildCommands(config.DISCORD_APP_ID, config.DISCORD_GUILD_ID)
    : Routes.applicationCommands(config.DISCORD_APP_ID);
  const result = (await rest.put(route, { body })) as unknown[];
  return `registered ${result.length} commands ${config.DISCORD_GUILD_ID ? `in guild ${config.DISCORD_GUILD_ID}` : 'globally'}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err) => {
    console.error(`deploy failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
