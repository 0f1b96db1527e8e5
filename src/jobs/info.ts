// /info and /help, answered privately. /info reads, and never takes: the user's jobs that still run
// (their recent list, each job's stored record: the poller keeps those current, so the panel shows
// even while the backend is down), the running-jobs count the limit is checked against, today's
// count, the settings that apply to their next job, and one line on the service (the backend's
// circuit and how many jobs the bot follows for everyone). Nothing here counts towards a limit.
import type { ChatInputCommandInteraction } from 'discord.js';
import type { JobsContext } from '../context.ts';
import { renderHelp } from '../render/help.ts';
import { renderInfo, INFO_MAX_JOBS, type InfoBackend, type InfoData, type InfoJob } from '../render/info.ts';
import { DEFAULT_BACKEND } from '../proxy/lanes.ts';
import type { UserPrefs } from '../store/preferences.ts';
import { countsUntil } from '../store/tasks.ts';
import type { Plan } from './plan.ts';
import { effectiveLimits } from './limits.ts';
import { dailyKey, memberDailyKey } from './quota.ts';
import { listRecent } from './recent.ts';
import { isGuildAdmin } from './ownership.ts';

type Asker = Pick<ChatInputCommandInteraction, 'user' | 'guildId'> & Partial<Pick<ChatInputCommandInteraction, 'memberPermissions'>>;

const startOfUtcDay = (now: number) => now - (now % (24 * 3600_000));

/** What /info shows, read from the store and the proxy client's health. */
export async function gatherInfo(ctx: JobsContext, i: Asker, settings: UserPrefs): Promise<InfoData> {
  const userId = i.user.id;
  const now = ctx.now();
  // In a server, what applies there: its own limits where tighter than the operator's (quota.ts).
  const limits = effectiveLimits(ctx.config, i.guildId ? (await ctx.stores.prefs.server(i.guildId)).limits : undefined);
  const maxRunning = limits.running.limit;
  const maxDaily = limits.daily.limit;
  const dayKey = limits.daily.server && i.guildId ? memberDailyKey(i.guildId, userId, now) : dailyKey(userId, now);
  const recent = await listRecent(ctx, userId);
  const [records, running, counted, active] = await Promise.all([
    ctx.stores.tasks.getMany(recent.map((j) => j.taskId)),
    ctx.stores.owners.running(userId),
    // The day's counter moves only under a daily limit (quota.ts); without one, the recent list tells.
    maxDaily > 0 ? ctx.stores.counters.get(dayKey) : null,
    ctx.stores.tasks.activeIds(),
  ]);
  const jobs: InfoJob[] = [];
  for (const r of records) {
    // Still running or waiting for input (what the running-jobs limit counts), and the asker's own.
    if (!r || r.ownerId !== userId || countsUntil(r) === null || jobs.length >= INFO_MAX_JOBS) continue;
    const message = r.messageId ? { guildId: r.guildId, channelId: r.channelId, messageId: r.messageId } : null;
    jobs.push({ id: r.taskId, prompt: r.prompt, label: r.label, status: r.status, task: r.task, queuePosition: r.queuePosition, message });
  }
  const dayStart = startOfUtcDay(now);
  const today = counted ?? recent.filter((j) => j.at >= dayStart).length;
  return {
    settings,
    running,
    maxRunning,
    today: Math.max(0, today),
    maxDaily,
    jobs,
    service: { circuit: ctx.proxy.health.state, activeJobs: active.length },
    // Members with Manage Server (or Administrator) in a server: the backends that serve it.
    ...(i.guildId && isGuildAdmin(i)
      ? { backends: await backendsOf(ctx, i.guildId, active) }
      : {}),
  };
}

/**
 * The backends that serve `guildId`, for its admins: each one's circuit and last error (this
 * process's pool), why its reads fail (this process's poller, told to the pool), and its jobs
 * running, counted from the store's active records (every process's jobs) read in one batch: an
 * admin's /info is rare, and the active index is what the poller lists every pass anyway.
 */
async function backendsOf(ctx: JobsContext, guildId: string, activeIds: readonly string[]): Promise<InfoBackend[]> {
  const running = new Map<string, number>();
  for (const r of await ctx.stores.tasks.getMany([...activeIds])) {
    if (!r || countsUntil(r) === null) continue;
    const name = r.backend ?? DEFAULT_BACKEND;
    running.set(name, (running.get(name) ?? 0) + 1);
  }
  return ctx.proxy
    .states()
    .filter((b) => !b.guilds || b.guilds.includes(guildId))
    .map((b) => ({
      name: b.name,
      weight: b.weight,
      circuit: b.circuit,
      openSince: b.openSince,
      reads: b.reads,
      lastError: b.lastError,
      running: running.get(b.name) ?? 0,
    }));
}

/** /info: a private "thinking…" at once, then the panel. */
export function infoPlan(ctx: JobsContext, interaction: ChatInputCommandInteraction, settings: () => Promise<UserPrefs>): Plan {
  return {
    answer: { kind: 'ephemeral' },
    run: async () => {
      const data = await gatherInfo(ctx, interaction, await settings());
      await interaction.editReply({ embeds: [renderInfo(data, interaction.locale)], allowedMentions: { parse: [] } });
    },
  };
}

/** /help: the page in the user's language; the gallery link when the server has one (a store that cannot be read leaves it out). */
export function helpPlan(ctx: JobsContext, interaction: ChatInputCommandInteraction): Plan {
  return {
    answer: { kind: 'ephemeral' },
    run: async () => {
      const server = interaction.guildId
        ? await ctx.stores.prefs.server(interaction.guildId).catch((err: unknown) => {
            ctx.logger.warn('server settings not read for /help; shown without the gallery', { err });
            return null;
          })
        : null;
      await interaction.editReply({ embeds: renderHelp({ galleryChannelId: server?.galleryChannelId }, interaction.locale), allowedMentions: { parse: [] } });
    },
  };
}
