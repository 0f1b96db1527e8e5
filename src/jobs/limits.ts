// A server's own limits and who may use the bot there, set by its admins on /settings panel `l`
// (src/jobs/settings-limits.ts) within the operator's: the env values are the defaults and the
// ceiling, a server can only tighten. What applies is computed here, on every use, from what is
// stored: src/jobs/quota.ts for the limits, src/discord/guard.ts for channels, roles and installs.
import type { Config } from '../config.ts';
import { UserInputError } from '../proxy/errors.ts';
import { plainText } from '../render/plain-text.ts';
import type { ServerAccess, ServerLimits } from '../store/preferences.ts';
import { cutText } from '../util/text.ts';

export const LIMIT_FIELDS = ['running', 'daily', 'serverDaily'] as const;
export type LimitField = (typeof LIMIT_FIELDS)[number];

/** The largest value a box takes where the operator set no limit (the store's own bounds). */
const HARD_MAX: Record<LimitField, number> = { running: 1000, daily: 1_000_000, serverDaily: 1_000_000 };

/** A limit that applies, and whether the server's (rather than the operator's) is the tighter one. 0: none. */
export interface Applied {
  limit: number;
  server: boolean;
}

/** The operator's limit for each field (0: none; there is no operator-wide server budget). */
export function operatorLimits(config: Config): Record<LimitField, number> {
  return { running: config.USER_MAX_CONCURRENT, daily: config.USER_MAX_DAILY, serverDaily: 0 };
}

/** The most a server may set: the operator's limit where there is one. */
export function ceilingOf(config: Config, field: LimitField): number {
  return operatorLimits(config)[field] || HARD_MAX[field];
}

/**
 * What applies in a server: the tighter of the operator's limit and the server's. A stored value
 * above the operator's (the operator lowered theirs later, or the store was edited) never raises it.
 */
export function effectiveLimits(config: Config, limits: ServerLimits | undefined): Record<LimitField, Applied> {
  const env = operatorLimits(config);
  const one = (field: LimitField): Applied => {
    const own = limits?.[field];
    if (own === undefined || own < 1) return { limit: env[field], server: false };
    return env[field] > 0 && env[field] <= own ? { limit: env[field], server: false } : { limit: own, server: true };
  };
  return { running: one('running'), daily: one('daily'), serverDaily: one('serverDaily') };
}

/** One box of the limits modal: empty → the operator's default; otherwise a whole number from 1 to the ceiling. */
function parseLimit(config: Config, field: LimitField, raw: string | undefined): number | undefined {
  const text = (raw ?? '').trim();
  if (text === '') return undefined;
  const max = ceilingOf(config, field);
  if (!/^\d{1,7}$/.test(text) || Number(text) < 1) throw new UserInputError('LIMIT_INVALID', { value: plainText(cutText(text, 20)), max });
  const n = Number(text);
  if (n > max) throw new UserInputError(operatorLimits(config)[field] ? 'LIMIT_ABOVE_CEILING' : 'LIMIT_INVALID', { value: n, max, limit: max });
  return n;
}

/** The limits modal's three boxes, checked as a whole before anything is stored. */
export function parseLimits(config: Config, raw: Partial<Record<LimitField, string>>): ServerLimits | undefined {
  const out: ServerLimits = {};
  for (const f of LIMIT_FIELDS) {
    const v = parseLimit(config, f, raw[f]);
    if (v !== undefined) out[f] = v;
  }
  return Object.keys(out).length ? out : undefined;
}

/** The operator's allow-list for this server, if the env sets one. */
export function operatorList(lists: Readonly<Record<string, readonly string[]>>, guildId: string): readonly string[] | undefined {
  return Object.hasOwn(lists, guildId) ? lists[guildId] : undefined;
}

/**
 * The server's refusal for a member here, if any: a channel not on its list, or none of its roles.
 * The operator's lists (guard.ts) apply as well; a server's list only narrows them.
 */
export function accessRefusal(access: ServerAccess | undefined, channelId: string | null, roles: readonly string[]): 'NOT_ALLOWED_CHANNEL' | 'NOT_ALLOWED_ROLE' | null {
  if (access?.channels?.length && !access.channels.includes(channelId ?? '')) return 'NOT_ALLOWED_CHANNEL';
  if (access?.roles?.length && !roles.some((r) => access.roles!.includes(r))) return 'NOT_ALLOWED_ROLE';
  return null;
}
