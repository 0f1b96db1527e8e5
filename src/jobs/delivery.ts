// Where a job's result can go once its interaction token (15 minutes) is over. The reply is edited
// through the token while it lives; after that the bot needs its own access to the channel, which
// it lacks for an ephemeral reply (a private job, /settings) and where it is not in the server (a
// user install in a server that did not add it, or a DM between other people). Those results go
// to the requester by DM (src/discord/poster.ts).
import { InteractionContextType, type Interaction } from 'discord.js';

/** Whether the bot can reach the interaction's channel with its own access (the bot's own DM: yes). */
export function reachesChannel(i: Pick<Interaction, 'guildId' | 'context' | 'authorizingIntegrationOwners'>): boolean {
  if (i.context === InteractionContextType.PrivateChannel) return false;
  const owners = i.authorizingIntegrationOwners;
  if (!i.guildId || !owners) return true;
  // Discord has sent the bot-DM guild owner as the number 0 (discord/discord-api-docs#6730).
  return owners.guildId != null && String(owners.guildId) === i.guildId;
}
