// Facts about a job that its message shows, read from the task and what the bot knows: the speed it
// ran at and how many jobs are ahead of it.
import { queueAheadIn } from '../proxy/parse.ts';
import type { Task } from '../proxy/types.ts';

/** What the bot knows of the job beyond the task (task-view's ViewContext). */
interface Known {
  mode?: string | null;
  queuePosition?: number | null;
}

const SPEED_WORDS: Record<string, string> = { FAST: 'fast', RELAX: 'relaxed', TURBO: 'turbo' };

/**
 * The speed a finished job ran at, as Midjourney's line ends (`(fast)`, `(relaxed)`, `(turbo)`): what
 * Midjourney's own message said, else the backend's `mode`, else the mode the bot sent it under (the
 * operator's name for it: shown through safeText).
 */
export function modeOf(task: Task | null, ctx: Known): string | null {
  const mc = String(task?.properties.messageContent ?? '');
  const m = /\((fast|relaxed|relax|turbo)\)/i.exec(mc);
  if (m) return m[1]!.toLowerCase();
  if (task?.mode && SPEED_WORDS[task.mode]) return SPEED_WORDS[task.mode]!;
  return ctx.mode || null;
}

/** How many jobs are ahead: our own count, else the proxy's numberOfQueues or its queue description. */
export function queuePosition(task: Task | null, ctx: Known): number | null {
  if (ctx.queuePosition && ctx.queuePosition > 0) return ctx.queuePosition;
  const n = task?.properties.numberOfQueues;
  if (typeof n === 'number' && n > 0) return n;
  return queueAheadIn(task?.description ?? '') || null;
}

