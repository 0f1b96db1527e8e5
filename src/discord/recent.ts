// Each user's recent jobs (newest first, at most 25): autocomplete for /seed and /task, and /tasks.
import type { AppContext } from '../context.ts';
import { inLane, type Lanes } from '../util/lanes.ts';
import { cutText } from '../util/text.ts';

export interface RecentJob {
  taskId: string;
  prompt: string;
  at: number;
}

const MAX = 25;
const TTL_MS = 30 * 24 * 3600_000;
const key = (userId: string) => `recent:${userId}`;

const isRecentJob = (j: unknown): j is RecentJob => {
  const r = j as Partial<RecentJob> | null;
  return typeof r === 'object' && r !== null && typeof r.taskId === 'string' && typeof r.prompt === 'string' && typeof r.at === 'number';
};

/** The list as stored; anything in it that is not a job (a garbage value, an old format) is left out. */
export async function listRecent(ctx: AppContext, userId: string): Promise<RecentJob[]> {
  const list = await ctx.stores.settings.get(key(userId));
  return Array.isArray(list) ? list.filter(isRecentJob) : [];
}

/** Read-modify-write, one at a time per user: two jobs started at once must both be listed. */
const lanes: Lanes = new Map();

/** Never throws: the jobs run whether or not the list (a convenience) could be written. */
export function addRecent(ctx: AppContext, userId: string, jobs: RecentJob[]): Promise<void> {
  return inLane(lanes, userId, async () => {
    const ids = new Set(jobs.map((j) => j.taskId));
    const list = [...jobs, ...(await listRecent(ctx, userId)).filter((j) => !ids.has(j.taskId))].slice(0, MAX);
    await ctx.stores.settings.set(key(userId), list, TTL_MS);
  }).catch((err: unknown) => ctx.logger.warn('recent jobs not updated', { err }));
}

/** Autocomplete choices over the user's recent jobs, filtered by what they typed. */
export async function recentChoices(ctx: AppContext, userId: string, typed: string): Promise<{ name: string; value: string }[]> {
  const q = typed.trim().toLowerCase();
  return (await listRecent(ctx, userId))
    .filter((j) => !q || j.taskId.includes(q) || j.prompt.toLowerCase().includes(q))
    .slice(0, 25)
    .map((j) => {
      const prompt = j.prompt.replace(/\s+/g, ' ').trim();
      return { name: cutText(`${cutText(prompt, 70)} · ${j.taskId}`, 100), value: j.taskId };
    });
}
