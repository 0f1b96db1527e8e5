// Sharding, discord.js's own: each process runs the shards SHARD_IDS names out of SHARD_COUNT, and Discord
// sends it the events and interactions of the guilds on them ((guild_id >> 22) % SHARD_COUNT). Every process
// shares the store, so whichever one holds a job's lease polls and edits it, whichever one receives a click
// answers it. No ShardingManager: compose or systemd already runs and restarts the processes, and a manager
// process would only relay what the shared store already carries.
import type { ClientOptions } from 'discord.js';
import type { Config } from '../config.ts';

/** The Client's `shards` / `shardCount` for the config; nothing when unsharded (one shard, as without the variables). */
export function shardOptions(config: Pick<Config, 'SHARD_COUNT' | 'SHARD_IDS'>): Pick<ClientOptions, 'shards' | 'shardCount'> {
  const count = config.SHARD_COUNT;
  if (count === undefined) return {};
  // 'auto': the count Discord recommends (GET /gateway/bot), all in this process. discord.js reads the
  // environment's SHARD_COUNT itself when shardCount is left at its default (1), and "auto" is no number:
  // any other valid count keeps it from doing so; with shards 'auto' it is replaced by Discord's count at login.
  if (count === 'auto') return { shards: 'auto', shardCount: 2 };
  return { shards: config.SHARD_IDS ?? Array.from({ length: count }, (_, i) => i), shardCount: count };
}
