// How many jobs a user may start: jobs running at once and jobs per UTC day, counted in the store
// (the per-owner index and day counters), so the limits hold across restarts and processes.
// Refusals are UserInputErrors: private, localized messages.
import type { JobsContext } from '../context.ts';
import { ProxyError, UserInputError } from '../proxy/errors.ts';

const DAY_MS = 24 * 3600_000;
/** A reservation whose job never got saved (its process died mid-submit) stops counting after this long. */
const RESERVATION_TTL_MS = 10 * 60_000;

export const dailyKey = (userId: string, now: number) => `daily:${userId}:${new Date(now).toISOString().slice(0, 10)}`;

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
  const { USER_MAX_CONCURRENT: maxRunning, USER_MAX_DAILY: maxDaily } = ctx.config;
  const count = opts.count ?? 1;
  const min = Math.min(count, opts.min ?? count);
  const owners = ctx.stores.owners;
  const reservation = await owners.reserve(userId, { count, min, limit: maxRunning, ttlMs: RESERVATION_TTL_MS, replacing: opts.replacing });
  if (reservation.granted === 0) throw new UserInputError('QUOTA_RUNNING', { limit: maxRunning });
  let granted = reservation.granted;
  let cutBy: QuotaTicket['cutBy'] = granted < count ? 'running' : null;
  const counters = ctx.stores.counters;
  const day = dailyKey(userId, ctx.now());
  const countsDaily = maxDaily > 0 && !opts.replacing;
  if (countsDaily) {
    let total: number;
    try {
      total = await counters.add(day, granted, 2 * DAY_MS);
    } catch (err) {
      await owners.release(reservation).catch(() => undefined);
      throw err;
    }
    // Jobs beyond today's allowance are given back at once; fewer than `min` left: none start.
    const keep = granted - Math.min(granted, Math.max(0, total - maxDaily));
    if (keep < min) {
      await counters.add(day, -granted, 2 * DAY_MS).catch(() => undefined);
      await owners.release(reservation).catch(() => undefined);
      throw new UserInputError('QUOTA_DAILY', { limit: maxDaily });
    }
    if (keep < granted) {
      await counters.add(day, keep - granted, 2 * DAY_MS).catch(() => undefined);
      granted = keep;
      cutBy = 'daily';
    }
  }
  let open = true;
  let claimed = 0;
  return {
    granted,
    cutBy,
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
      if (countsDaily && started < granted) await counters.add(day, started - granted, 2 * DAY_MS).catch(() => undefined);
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
