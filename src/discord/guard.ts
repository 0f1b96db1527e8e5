// Who may use the bot, and where: the install and place of an interaction (DMs, user installs) and
// per-guild allow-lists of channels and roles, the operator's (env) and the server's own (panel `l`,
// read from the store on every interaction, so a change applies at once in every process). Refusals
// are UserInputErrors: private, localized messages. How many jobs a user may start is the jobs
// facade's (src/jobs/quota.ts).
import { InteractionContextType, type Interaction } from 'discord.js';
import type { AppContext } from '../context.ts';
import { parseCustomId } from '../custom-id.ts';
import { accessRefusal } from '../jobs/limits.ts';
import { isGuildAdmin } from '../jobs/ownership.ts';
import { UserInputError } from '../proxy/errors.ts';
import type { ServerPrefs } from '../store/preferences.ts';

function memberRoles(i: Interaction): string[] {
  const roles = (i.member as { roles?: unknown } | null)?.roles;
  if (Array.isArray(roles)) return roles.map(String);
  const cache = (roles as { cache?: Map<string, unknown> } | undefined)?.cache;
  return cache ? [...cache.keys()] : [];
}

/**
 * Where the interaction happens and through which install (Discord's `context` and
 * `authorizing_integration_owners`): a DM, or a server that did not add the bot (the user's own
 * install), only when the operator turned it on, since a server's allow-lists cannot follow a user
 * there. Checked here as well as in the registration (commandScope): registration can lag, and an
 * interaction can be forged.
 */
function checkPlace(i: Interaction, ctx: AppContext, server: ServerPrefs | null): void {
  const owners = i.authorizingIntegrationOwners;
  // Discord has sent the bot-DM guild owner as the number 0 (discord/discord-api-docs#6730).
  const guildInstall = owners?.guildId != null ? String(owners.guildId) : null;
  const dm = !i.guildId || (i.context !== null && i.context !== InteractionContextType.Guild);
  if (dm) {
    if (!ctx.config.ALLOW_DMS) throw new UserInputError('NOT_ALLOWED_DM');
    // "0": the bot's own DM through the server install; anything else came through a user install.
    if (guildInstall !== '0' && !ctx.config.ALLOW_USER_INSTALL) throw new UserInputError('NOT_ALLOWED_USER_INSTALL');
    return;
  }
  if (guildInstall === i.guildId) return;
  if (!ctx.config.ALLOW_USER_INSTALL) throw new UserInputError('NOT_ALLOWED_USER_INSTALL');
  // The operator accepts personal installs; this server's admins may refuse them in its channels.
  if (server?.access?.userInstall === false) throw new UserInputError('NOT_ALLOWED_USER_INSTALL_SERVER');
}

/** /settings or one of its panels' controls, used by a member with Manage Server. */
function isAdminAtSettings(i: Interaction): boolean {
  if (!isGuildAdmin(i)) return false;
  if (i.isChatInputCommand()) return i.commandName === 'settings';
  return (i.isMessageComponent() || i.isModalSubmit()) && parseCustomId(i.customId)?.kind === 'settings';
}

/**
 * A member asking about their own data (/privacy without `member`, and its Forget me buttons): a
 * right no channel list, role list or blocklist takes away, so it is exempt from all of them.
 */
export function isOwnDataRequest(i: Interaction): boolean {
  if (i.isChatInputCommand()) return i.commandName === 'privacy' && !i.options.get('member');
  if (!i.isButton()) return false;
  const id = parseCustomId(i.customId);
  return id?.kind === 'privacy' && id.action !== 'del';
}

/**
 * Where the bot may be used, then the channel and role allow-lists, the operator's and then the
 * server's; applies to every interaction with the bot. The server's lists never hold its admins
 * out of /settings, so a list that locks everyone out can be undone.
 */
export async function checkAllowed(i: Interaction, ctx: AppContext): Promise<void> {
  // A store that cannot be read leaves the operator's lists alone in force: whatever starts a job
  // reads the store again (quota.ts) and is refused there, and /help still answers.
  const server = i.guildId ? await ctx.stores.prefs.server(i.guildId).catch((err: unknown) => {
    ctx.logger.warn('server settings could not be read; only the operator’s allow-lists apply', { err });
    return null;
  }) : null;
  checkPlace(i, ctx, server);
  if (!i.guildId || isOwnDataRequest(i)) return;
  const channels = ctx.config.ALLOWED_CHANNELS[i.guildId];
  if (channels && !channels.includes(i.channelId ?? '')) throw new UserInputError('NOT_ALLOWED_CHANNEL');
  const roles = ctx.config.ALLOWED_ROLES[i.guildId];
  const mine = memberRoles(i);
  if (roles && !mine.some((r) => roles.includes(r))) throw new UserInputError('NOT_ALLOWED_ROLE');
  const refusal = accessRefusal(server?.access, i.channelId, mine);
  if (refusal && !isAdminAtSettings(i)) throw new UserInputError(refusal);
}
