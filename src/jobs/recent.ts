// Each user's recent jobs (newest first): autocomplete for /seed and /task, and /tasks. Stored by
// the store's recent repository, which keeps concurrent additions (even from two processes).
import type { JobsContext } from '../context.ts';
import type { RecentJob } from '../store/recent.ts';
import { cutText } from '../util/text.ts';

export type { RecentJob } from '../store/recent.ts';

/** The list as stored; anything in it that is not a job (a garbage value, an old format) is left out. */
export async function listRecent(ctx: Pick<JobsContext, 'stores'>, userId: string): Promise<RecentJob[]> {
  return ctx.stores.recent.list(userId);
}

/** Never throws: the jobs run whether or not the list (a convenience) could be written. */
export function addRecent(ctx: JobsContext, userId: string, jobs: RecentJob[]): Promise<void> {
  return ctx.stores.recent.add(userId, jobs).catch((err: unknown) => ctx.logger.warn('recent jobs not updated', { err }));
}

/** Autocomplete choices over the user's recent jobs, filtered by what they typed. */
export async function recentChoices(ctx: JobsContext, userId: string, typed: string): Promise<{ name: string; value: string }[]> {
  const q = typed.trim().toLowerCase();
  return (await listRecent(ctx, userId))
    .filter((j) => !q || j.taskId.includes(q) || j.prompt.toLowerCase().includes(q))
    .slice(0, 25)
    .map((j) => {
      const prompt = j.prompt.replace(/\s+/g, ' ').trim();
      return { name: cutText(`${cutText(prompt, 70)} · ${j.taskId}`, 100), value: j.taskId };
    });
}
