// The permissions the bot asks for in its invite link, each with the request that needs it. Answers
// to interactions (the first 15 minutes of a job, through the interaction token) need none of them;
// what follows needs the bot's own access to the channel (src/discord/poster.ts): a job that
// outlives its token is edited through the channel, a requester is pinged with a reply, a result
// whose message was deleted is posted anew. Requirements from Discord's docs (resources/message:
// Create Message; topics/permissions). A feature that adds a request adds its permission here: the
// invite URL (npm run invite) and test/e2e/permissions.test.ts follow. Share posts in the server's
// gallery channel with the same four (View Channel, Send Messages, Attach Files, Embed Links); 🗑
// deletes only the bot's own messages, through the click's token, so Manage Messages is not asked.
import { PermissionFlagsBits } from 'discord.js';

export interface BotPermission {
  name: keyof typeof PermissionFlagsBits;
  why: string;
}

export const BOT_PERMISSIONS: readonly BotPermission[] = [
  { name: 'ViewChannel', why: 'every request on a channel: edit a job after its 15-minute token, post a result anew, Share into the gallery channel (without it Discord answers "Missing Access")' },
  { name: 'SendMessages', why: 'post a result anew when its message was deleted, the short ping when a long job finishes, and Share\'s post in the gallery channel' },
  { name: 'SendMessagesInThreads', why: 'the same when the command was used in a thread (SendMessages does not cover threads)' },
  { name: 'EmbedLinks', why: 'results, failures and /describe show embeds, and links in a gallery post unfurl; without it Discord refuses or drops them' },
  { name: 'AttachFiles', why: 'results are uploaded as files (proxy links expire), in the job\'s channel and in the gallery channel' },
  { name: 'ReadMessageHistory', why: 'the ping is a reply to the job\'s message (Discord requires it for replies)' },
];

/** The permissions integer of the invite link: the bits above, OR-ed. */
export const botPermissions: bigint = BOT_PERMISSIONS.reduce((all, p) => all | PermissionFlagsBits[p.name], 0n);
