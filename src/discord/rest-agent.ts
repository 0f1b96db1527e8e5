// discord.js sends its REST requests with its own undici (6); the bot's proxy client and downloads
// use undici 7. Whichever of the two loads first installs the process-wide default dispatcher the
// other falls back on, and discord.js's multipart uploads fail through undici 7's ("action is not a
// function"): the bot's results would depend on the order of its imports. Given an Agent of its own
// undici, discord.js's REST no longer falls back on the process-wide one.
import { createRequire } from 'node:module';
import { REST, type RESTOptions } from 'discord.js';

export type RestAgent = NonNullable<RESTOptions['agent']>;

/** An Agent of the undici that discord.js's REST client (@discordjs/rest) itself imports. */
export function createRestAgent(): RestAgent {
  // Resolved the way discord.js resolves it: ours → discord.js → @discordjs/rest → undici.
  const fromDiscordJs = createRequire(createRequire(import.meta.url).resolve('discord.js'));
  const fromRest = createRequire(fromDiscordJs.resolve('@discordjs/rest'));
  const { Agent } = fromRest('undici') as { Agent: new () => RestAgent };
  return new Agent();
}

/**
 * A REST client for the interaction-token routes alone (a job's reply edited through its token).
 * Discord does not count those against the global limit (50 requests a second per bot token), but
 * discord.js's REST counts every request it sends against one process-wide 50 a second: a burst of
 * token edits (10,000 queued jobs each gaining their ❌ Cancel) then held every other job's edit for
 * seconds. Here that count is lifted; the per-route buckets (one per token) still hold, and the
 * requests bound by the global limit keep going through client.rest behind the channel queue.
 */
export function createInteractionRest(options: Partial<RESTOptions>): REST {
  return new REST({ ...options, globalRequestsPerSecond: 1_000_000 });
}
