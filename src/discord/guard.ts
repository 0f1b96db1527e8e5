// Who may start jobs, where, and how many: per-guild allow-lists of channels and roles, and
// per-user limits (jobs running at once, jobs per UTC day) counted in the store, so they hold
// across restarts and processes. Refusals are UserInputErrors: private, localized messages.
import { InteractionContextType, type Interaction } from 'discord.js';
import type { AppContext } from '../context.ts';
import { ProxyError, UserInputError } from '../proxy/errors.ts';
import { listRecent } from './recent.ts';

const DAY_MS = 24 * 3600_000;
/** Jobs in flight are forgotten after this long without a submit starting or ending. */
const PENDING_TTL_MS = 10 * 60_000;

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
function checkPlace(i: Interaction, ctx: AppContext): void {
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
  if (guildInstall !== i.guildId && !ctx.config.ALLOW_USER_INSTALL) throw new UserInputError('NOT_ALLOWED_USER_INSTALL');
}

/** Where the bot may be used, then the channel and role allow-lists; applies to every interaction with the bot. */
export function checkAllowed(i: Interaction, ctx: AppContext): void {
  checkPlace(i, ctx);
  if (!i.guildId) return;
  const channels = ctx.config.ALLOWED_CHANNELS[i.guildId];
  if (channels && !channels.includes(i.channelId ?? '')) throw new UserInputError('NOT_ALLOWED_CHANNEL');
  const roles = ctx.config.ALLOWED_ROLES[i.guildId];
  if (roles && !memberRoles(i).some((r) => roles.includes(r))) throw new UserInputError('NOT_ALLOWED_ROLE');
}

const dailyKey = (userId: string, now: number) => `daily:${userId}:${new Date(now).toISOString().slice(0, 10)}`;

/**
 * Jobs counted before the submit: in flight (against the running limit until their records are
 * saved) and taken from the day's allowance. Settled or released once the submit is done.
 */
export interface QuotaTicket {
  /** The proxy took `accepted` jobs ("Imagine all" may take more or fewer than reserved). */
  settle(accepted: number): Promise<void>;
  /** Nothing was submitted: give the reservation back. */
  release(): Promise<void>;
}

export const NO_TICKET: QuotaTicket = { settle: async () => undefined, release: async () => undefined };

/**
 * Throws when starting `count` more jobs would break the user's limits, or the backend is down.
 * Both limits are taken at once, atomically in the store, before the submit: two commands racing
 * for the last slot cannot both pass. Running jobs are the user's active records plus the jobs in
 * flight (submitted but not yet saved), a counter whose expiry slides, so a process that died
 * mid-submit leaves no trace after PENDING_TTL_MS. Settle or release the ticket after the submit.
 */
export async function checkQuota(userId: string, ctx: AppContext, count = 1): Promise<QuotaTicket> {
  // A backend that keeps failing: say so at once rather than let the user wait for timeouts.
  if (!ctx.proxy.health.available) throw new ProxyError('UNAVAILABLE', { route: 'health' });
  const { USER_MAX_CONCURRENT: maxRunning, USER_MAX_DAILY: maxDaily } = ctx.config;
  if (maxRunning <= 0 && maxDaily <= 0) return NO_TICKET;
  const counters = ctx.stores.counters;
  const inFlight = `pending:${userId}`;
  const day = dailyKey(userId, ctx.now());
  const ungive = async (what: 'flight' | 'day' | 'both') => {
    if (maxRunning > 0 && what !== 'day') await counters.add(inFlight, -count, PENDING_TTL_MS, true);
    if (maxDaily > 0 && what !== 'flight') await counters.add(day, -count, 2 * DAY_MS);
  };
  if (maxRunning > 0) {
    const pending = Math.max(count, await counters.add(inFlight, count, PENDING_TTL_MS, true));
    const recent = await listRecent(ctx, userId);
    const records = await ctx.stores.tasks.getMany(recent.map((j) => j.taskId));
    const running = records.filter((r) => r?.active).length;
    if (running + pending > maxRunning) {
      await ungive('flight');
      throw new UserInputError('QUOTA_RUNNING', { limit: maxRunning });
    }
  }
  if (maxDaily > 0 && (await counters.add(day, count, 2 * DAY_MS)) > maxDaily) {
    await ungive('both');
    throw new UserInputError('QUOTA_DAILY', { limit: maxDaily });
  }
  let open = true;
  return {
    async settle(accepted) {
      if (!open) return;
      open = false;
      if (maxRunning > 0) await counters.add(inFlight, -count, PENDING_TTL_MS, true);
      if (maxDaily > 0 && accepted !== count) await counters.add(day, accepted - count, 2 * DAY_MS);
    },
    async release() {
      if (!open) return;
      open = false;
      await ungive('both');
    },
  };
}

/** Runs `submit` on a quota ticket: released when it throws, settled with what the proxy took. */
export async function withTicket<T>(ticket: QuotaTicket, submit: () => Promise<T>, accepted: (r: T) => number): Promise<T> {
  let result: T;
  try {
    result = await submit();
  } catch (err) {
    await ticket.release().catch(() => undefined);
    throw err;
  }
  // The proxy took the job: a store hiccup while counting it must not leave the job unfollowed.
  await ticket.settle(accepted(result)).catch(() => undefined);
  return result;
}
