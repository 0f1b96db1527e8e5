// What moderation checks before a job is sent, and what it counts after: a server's blocklist (every
// command and component except /help; never a member with Manage Server, so admins cannot lock
// themselves out of /settings), its banned words (on every prompt about to be sent, the user's
// settings suffix included), and the escalating cooldown of a user whose prompts the backend keeps
// refusing as banned (code 24 on submit, or a FAILURE whose failReason says so). The refusals are
// counted per user, across servers (one backend account answers them all), in the counters store:
// atomic on Redis, so every process sees the same count. The server's settings are read on every
// check, never cached, so a change applies at once everywhere.
import type { JobsContext } from '../context.ts';
import type { TaskEvent } from '../events.ts';
import { ProxyError, UserInputError } from '../proxy/errors.ts';
import { isGuildAdmin } from './ownership.ts';
import { isBannedFailReason } from '../render/reasons.ts';
import { cooldownFor, STRIKE_WINDOW_MS, wordMatcher } from './moderation.ts';
import type { PermissionsBitField } from 'discord.js';

type Who = { user: { id: string }; guildId: string | null };
type Member = Who & { memberPermissions: Readonly<PermissionsBitField> | null };


const strikesKey = (userId: string) => `mod:strikes:${userId}`;
/** When the cooldown started by a user's `n`th refusal ends (written once, by whoever counted `n`). */
const untilKey = (userId: string, n: number) => `mod:until:${userId}:${n}`;

/** How long the user must still wait before starting a job (0: not at all). */
export async function cooldownLeft(ctx: JobsContext, userId: string): Promise<number> {
  const n = await ctx.stores.counters.get(strikesKey(userId));
  if (!cooldownFor(n)) return 0;
  const until = await ctx.stores.counters.get(untilKey(userId, n));
  return Math.max(0, until - ctx.now());
}

/** The backend refused one of the user's prompts as banned: counted, and a cooldown started from the 2nd on. */
export async function noteRefusal(ctx: JobsContext, userId: string): Promise<void> {
  const counters = ctx.stores.counters;
  const n = await counters.add(strikesKey(userId), 1, STRIKE_WINDOW_MS, true);
  const step = cooldownFor(n);
  if (step) await counters.add(untilKey(userId, n), ctx.now() + step, STRIKE_WINDOW_MS);
  ctx.logger.info('prompt refused as banned by the backend', { userId, refusals: n, cooldownMs: step });
}

/** An error that is the backend refusing a prompt as banned (code 24, its lock for banned words). */
export function isBannedRefusal(err: unknown): boolean {
  return err instanceof ProxyError && err.code === 'BANNED_PROMPT';
}

/** A job this process followed ended: a FAILURE the backend explains as a banned prompt counts as a refusal. */
export async function noteFinished(ctx: JobsContext, e: TaskEvent): Promise<void> {
  if (e.status !== 'FAILURE') return;
  const record = ctx.tracker.unsaved(e.taskId) ?? (await ctx.stores.tasks.get(e.taskId));
  // A job shown by /task was not necessarily the caller's to begin with: it counts against nobody.
  if (record?.kind === 'show') return;
  if (record?.task && isBannedFailReason(record.task.failReason)) await noteRefusal(ctx, e.ownerId);
}

/**
 * Before a job is sent: the user's cooldown, then the server's banned words in each prompt (as it
 * will be sent). The refusal names no word.
 */
export async function screenJob(ctx: JobsContext, i: Who, prompts: readonly string[]): Promise<void> {
  const left = await cooldownLeft(ctx, i.user.id);
  if (left > 0) throw new UserInputError('MOD_COOLDOWN', { minutes: Math.ceil(left / 60_000) });
  if (!i.guildId || !prompts.some(Boolean)) return;
  const words = (await ctx.stores.prefs.server(i.guildId)).moderation?.words;
  if (!words?.length) return;
  const matcher = wordMatcher(words);
  if (prompts.some((p) => matcher.test(p))) throw new UserInputError('MOD_BANNED_WORD');
}

/** Every interaction in a server but /help: a member the server's admins blocked is refused (admins never are). */
export async function checkBlocked(ctx: JobsContext, i: Member): Promise<void> {
  if (!i.guildId || isGuildAdmin(i)) return;
  const blocked = (await ctx.stores.prefs.server(i.guildId)).moderation?.blocked;
  if (blocked?.includes(i.user.id)) throw new UserInputError('MOD_BLOCKED');
}
