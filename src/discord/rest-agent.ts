// discord.js sends its REST requests with its own undici (6); the bot's proxy client and downloads
// use undici 7. Whichever of the two loads first installs the process-wide default dispatcher the
// other falls back on, and discord.js's multipart uploads fail through undici 7's ("action is not a
// function"): the bot's results would depend on the order of its imports. Given an Agent of its own
// undici, discord.js's REST no longer falls back on the process-wide one.
import { createRequire } from 'node:module';
import type { RESTOptions } from 'discord.js';

export type RestAgent = NonNullable<RESTOptions['agent']>;

/** An Agent of the undici that discord.js's REST client (@discordjs/rest) itself imports. */
export function createRestAgent(): RestAgent {
  // Resolved the way discord.js resolves it: ours → discord.js → @discordjs/rest → undici.
  const fromDiscordJs = createRequire(createRequire(import.meta.url).resolve('discord.js'));
  const fromRest = createRequire(fromDiscordJs.resolve('@discordjs/rest'));
  const { Agent } = fromRest('undici') as { Agent: new () => RestAgent };
  return new Agent();
}
