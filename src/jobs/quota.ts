// How many jobs a user may start: jobs running at once and jobs per UTC day, counted in the store
// (the per-owner index and day counters), so the limits hold across restarts and processes.
// Refusals are UserInputErrors: private, localized messages.
import type { JobsContext } from '../context.ts';
import { ProxyError, UserInputError, type UserInputErrorCode } from '../proxy/errors.ts';
import { effectiveLimits } from './limits.ts';

const DAY_MS = 24 * 3600_000;
/** A reservation whose job never got saved (its process died mid-submit) stops counting after this long. */
const RESERVATION_TTL_MS = 10 * 60_000;

const utcDay = (now: number) => new Date(now).toISOString().slice(0, 10);
export const dailyKey = (userId: string, now: number) => `daily:${userId}:${utcDay(now)}`;
/** A member's jobs of the day in one server (its per-member daily limit). */
export const memberDailyKey = (guildId: string, userId: string, now: number) => `gdaily:${guildId}:${userId}:${utcDay(now)}`;
/** The whole server's jobs of the day (its daily budget). */
export const serverDailyKey = (guildId: string, now: number) => `sdaily:${guildId}:${utcDay(now)}`;

export interface QuotaOptions {
  /** Jobs wanted. Default 1. */
  count?: number;
  /** Fewer is fine down to this many ("Imagine all" starts what the limits allow). Default `count`. */
  min?: number;
  /**
   * A task that already counts and runs again (the remix editor, "Check again"): not counted
   * twice, and not a new job of the day.
   */
  replacing?: string;
  /** The server the job is started in: its limits (panel `l`) apply within the operator's. */
  guildId?: string | null;
}

/** A day's counter the job counts against, and the refusal that names it. */
interface DailyCounter {
  key: string;
  limit: number;
  code: UserInputErrorCode;
}

/**
 * The jobs a user may start now, reserved in the store before anything is sent: the reservation
 * counts against the running-jobs limit until the jobs' records are saved (or the submit fails),
 * so nobody else's check slips in between.
 */
export interface QuotaTicket {
  /** Jobs granted (≤ the count asked for). */
  readonly granted: number;
  /** Which limit cut the grant short, if one did. */
  readonly cutBy: 'running' | 'daily' | null;
  /** The limit that cut it (the operator's or the server's, whichever applied), when one did. */
  readonly cutLimit: number | null;
  /**
   * The backend took these jobs: each takes over a slot of the reservation before its record is
   * saved, so it is counted once throughout. Never throws (the record's save counts it anyway).
   */
  claim(taskIds: readonly string[]): Promise<void>;
  /** The jobs' records are saved, or nothing more will be sent: `started` jobs were taken by the backend. */
  done(started: number): Promise<void>;
}

/**
 * Throws when the user may start none of the jobs asked for, the backend is down, or the store
 * cannot take the reservation (a store that cannot write must refuse before anything is paid).
 * The reservation is written even without limits: it is the marker of the job about to be sent.
 * Running jobs are counted by the store's per-owner index (active tasks, tasks waiting for remix
 * input, reservations), atomically with the reservation; a process that dies mid-submit leaves a
 * reservation that expires after RESERVATION_TTL_MS.
 */
export async function checkQuota(userId: string, ctx: JobsContext, opts: QuotaOptions = {}): Promise<QuotaTicket> {
  // A backend that keeps failing: say so at once rather than let the user wait for timeouts.
  if (!ctx.proxy.health.available) throw new ProxyError('UNAVAILABLE', { route: 'health' });
  // The server's limits are read on every job (never cached): a change applies at once everywhere.
  const server = opts.guildId ? await ctx.stores.prefs.server(opts.guildId) : null;
  const limits = effectiveLimits(ctx.config, server?.limits);
  const maxRunning = limits.running.limit;
  const count = opts.count ?? 1;
  const min = Math.min(count, opts.min ?? count);
  const owners = ctx.stores.owners;
  const reservation = await owners.reserve(userId, { count, min, limit: maxRunning, ttlMs: RESERVATION_TTL_MS, replacing: opts.replacing });
  if (reservation.granted === 0) throw new UserInputError(limits.running.server ? 'QUOTA_SERVER_RUNNING' : 'QUOTA_RUNNING', { limit: maxRunning });
  let granted = reservation.granted;
  let cutBy: QuotaTicket['cutBy'] = granted < count ? 'running' : null;
  let cutLimit: number | null = cutBy ? maxRunning : null;
  const counters = ctx.stores.counters;
  const now = ctx.now();
  // Each day's counter is taken atomically on its own, then checked; beyond any limit, given back.
  const daily: DailyCounter[] = [];
  if (!opts.replacing) {
    if (ctx.config.USER_MAX_DAILY > 0) daily.push({ key: dailyKey(userId, now), limit: ctx.config.USER_MAX_DAILY, code: 'QUOTA_DAILY' });
    if (opts.guildId && limits.daily.server) daily.push({ key: memberDailyKey(opts.guildId, userId, now), limit: limits.daily.limit, code: 'QUOTA_SERVER_MEMBER_DAILY' });
    if (opts.guildId && limits.serverDaily.limit > 0) daily.push({ key: serverDailyKey(opts.guildId, now), limit: limits.serverDaily.limit, code: 'QUOTA_SERVER_DAILY' });
  }
  const giveBack = (taken: readonly DailyCounter[], n: number) => Promise.all(taken.map((c) => counters.add(c.key, -n, 2 * DAY_MS).catch(() => undefined)));
  const taken: DailyCounter[] = [];
  let keep = granted;
  let tightest: DailyCounter | null = null;
  for (const c of daily) {
    let total: number;
    try {
      total = await counters.add(c.key, granted, 2 * DAY_MS);
    } catch (err) {
      await giveBack(taken, granted);
      await owners.release(reservation).catch(() => undefined);
      throw err;
    }
    taken.push(c);
    // Jobs beyond this day's allowance are given back; the tightest counter decides.
    const left = granted - Math.min(granted, Math.max(0, total - c.limit));
    if (left < keep) {
      keep = left;
      tightest = c;
    }
  }
  if (tightest && keep < min) {
    // Fewer than `min` left: none start.
    await giveBack(taken, granted);
    await owners.release(reservation).catch(() => undefined);
    throw new UserInputError(tightest.code, { limit: tightest.limit });
  }
  if (keep < granted) {
    await giveBack(taken, granted - keep);
    granted = keep;
    cutBy = 'daily';
    cutLimit = tightest?.limit ?? null;
  }
  let open = true;
  let claimed = 0;
  return {
    granted,
    cutBy,
    cutLimit,
    async claim(taskIds) {
      // In the order the backend took them, each the next slot; none beyond the reservation's.
      const ids = taskIds.slice(0, Math.max(0, reservation.granted - claimed));
      const from = claimed;
      claimed += ids.length;
      if (ids.length) await owners.claim(reservation, ids, from).catch((err: unknown) => ctx.logger.warn('reservation not handed to its job; it is released when the job is saved', { err }));
    },
    async done(started) {
      if (!open) return;
      open = false;
      // Jobs of the day not taken by the backend are given back; the reservation goes (if the
      // store fails here, it expires on its own).
      if (started < granted) await giveBack(taken, granted - started);
      await owners.release(reservation).catch((err: unknown) => ctx.logger.warn('reservation not released; it expires on its own', { err }));
    },
  };
}

/**
 * Runs a job on a quota ticket: `job` submits, reports what the backend took through `started`,
 * and follows the jobs (their records saved); the reservation is given back only then, or when
 * `job` throws.
 */
export async function withTicket<T>(ticket: QuotaTicket, job: (started: (taskIds: readonly string[]) => Promise<void>) => Promise<T>): Promise<T> {
  let started = 0;
  try {
    return await job(async (taskIds) => {
      started += taskIds.length;
      await ticket.claim(taskIds);
    });
  } finally {
    await ticket.done(started);
  }
}
