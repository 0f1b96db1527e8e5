// Who may start jobs, where, and how many: per-guild allow-lists of channels and roles, and
// per-user limits (jobs running at once, jobs per UTC day) counted in the store, so they hold
// across restarts and processes. Refusals are UserInputErrors: private, localized messages.
import type { Interaction } from 'discord.js';
import type { AppContext } from '../context.ts';
import { ProxyError, UserInputError } from '../proxy/errors.ts';
import { listRecent } from './recent.ts';

const DAY_MS = 24 * 3600_000;

function memberRoles(i: Interaction): string[] {
  const roles = (i.member as { roles?: unknown } | null)?.roles;
  if (Array.isArray(roles)) return roles.map(String);
  const cache = (roles as { cache?: Map<string, unknown> } | undefined)?.cache;
  return cache ? [...cache.keys()] : [];
}

/** Channel and role allow-lists; applies to every interaction with the bot. */
export function checkAllowed(i: Interaction, ctx: AppContext): void {
  if (!i.guildId) return;
  const channels = ctx.config.ALLOWED_CHANNELS[i.guildId];
  if (channels && !channels.includes(i.channelId ?? '')) throw new UserInputError('NOT_ALLOWED_CHANNEL');
  const roles = ctx.config.ALLOWED_ROLES[i.guildId];
  if (roles && !memberRoles(i).some((r) => roles.includes(r))) throw new UserInputError('NOT_ALLOWED_ROLE');
}

const dailyKey = (userId: string, now: number) => `daily:${userId}:${new Date(now).toISOString().slice(0, 10)}`;

/** Throws when starting `count` more jobs would break the user's limits, or the backend is down. */
export async function checkQuota(userId: string, ctx: AppContext, count = 1): Promise<void> {
  // A backend that keeps failing: say so at once rather than let the user wait for timeouts.
  if (!ctx.proxy.health.available) throw new ProxyError('UNAVAILABLE', { route: 'health' });
  const { USER_MAX_CONCURRENT: maxRunning, USER_MAX_DAILY: maxDaily } = ctx.config;
  if (maxRunning > 0) {
    const recent = await listRecent(ctx, userId);
    const records = await ctx.stores.tasks.getMany(recent.map((j) => j.taskId));
    const running = records.filter((r) => r?.active).length;
    if (running + count > maxRunning) throw new UserInputError('QUOTA_RUNNING', { limit: maxRunning });
  }
  if (maxDaily > 0) {
    const used = Number((await ctx.stores.settings.get(dailyKey(userId, ctx.now()))) ?? 0);
    if (used + count > maxDaily) throw new UserInputError('QUOTA_DAILY', { limit: maxDaily });
  }
}

/** Counts jobs the proxy accepted against the user's daily limit. */
export async function countJobs(userId: string, ctx: AppContext, count: number): Promise<void> {
  if (ctx.config.USER_MAX_DAILY <= 0 || count <= 0) return;
  const key = dailyKey(userId, ctx.now());
  const used = Number((await ctx.stores.settings.get(key)) ?? 0);
  await ctx.stores.settings.set(key, used + count, 2 * DAY_MS);
}
