// Panel `l` ("Limits & access"): a server's own limits and who may use the bot there, set by its
// admins within the operator's (the env values are the defaults and the ceiling: a server can only
// tighten). What applies is computed here, on every use, from what is stored: src/jobs/quota.ts
// for the limits, src/discord/guard.ts for channels, roles and personal installs.
import type { Config } from '../config.ts';
import type { SettingsId } from '../custom-id.ts';
import { UserInputError } from '../proxy/errors.ts';
import { plainText } from '../render/plain-text.ts';
import { limitsModal, renderLimits, type LimitsViewInput } from '../render/settings-limits.ts';
import type { SettingsView } from '../render/settings-view.ts';
import type { PreferenceRepository, ServerAccess, ServerLimits } from '../store/preferences.ts';
import { cutText } from '../util/text.ts';
import type { HandlerContext } from './handler-context.ts';

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

/** What a click on panel `l` brings besides its custom_id. */
export interface LimitsInput {
  /** The channel select's channels, as Discord resolved them (`text`: a text or announcement channel). */
  channels?: readonly { id: string; text: boolean }[];
  /** The role select's roles. */
  roles?: readonly string[];
  /** The limits modal's boxes, as typed. */
  limits?: Partial<Record<LimitField, string>>;
}

/** Stores what a click on panel `l` changes in the server's settings (the caller checked Manage Server). */
export async function applyLimits(prefs: PreferenceRepository, config: Config, guildId: string, id: SettingsId, input: LimitsInput): Promise<void> {
  const access = (await prefs.server(guildId)).access ?? {};
  const setAccess = (patch: Partial<ServerAccess>) => {
    const next: ServerAccess = { ...access, ...patch };
    for (const k of Object.keys(next) as (keyof ServerAccess)[]) if (next[k] === undefined) delete next[k];
    return prefs.setServer(guildId, { access: Object.keys(next).length ? next : undefined });
  };
  switch (id.control) {
    case 'limm':
      await prefs.setServer(guildId, { limits: parseLimits(config, input.limits ?? {}) });
      return;
    case 'chan': {
      const chosen = input.channels ?? [];
      if (chosen.some((c) => !c.text)) throw new UserInputError('ACCESS_CHANNEL_TYPE');
      const env = operatorList(config.ALLOWED_CHANNELS, guildId);
      if (env && chosen.some((c) => !env.includes(c.id))) throw new UserInputError('ACCESS_CHANNEL_OPERATOR');
      await setAccess({ channels: chosen.length ? chosen.map((c) => c.id) : undefined });
      return;
    }
    case 'roles': {
      const chosen = [...(input.roles ?? [])];
      const env = operatorList(config.ALLOWED_ROLES, guildId);
      if (env && chosen.some((r) => !env.includes(r))) throw new UserInputError('ACCESS_ROLE_OPERATOR');
      await setAccess({ roles: chosen.length ? chosen : undefined });
      return;
    }
    case 'ui':
      // Only where the operator accepts personal installs at all; the server may refuse them here.
      if (!config.ALLOW_USER_INSTALL) throw new UserInputError('EXPIRED');
      await setAccess({ userInstall: access.userInstall === false ? undefined : false });
      return;
  }
}

/** What panel `l` and its modal show for a server, read now. */
async function limitsInput(ctx: HandlerContext, guildId: string, locale: string): Promise<LimitsViewInput> {
  const server = await ctx.jobs.prefs.server(guildId);
  const config = ctx.config;
  const budget = effectiveLimits(config, server.limits).serverDaily.limit;
  return {
    locale,
    limits: server.limits ?? {},
    operator: operatorLimits(config),
    ceilings: { running: ceilingOf(config, 'running'), daily: ceilingOf(config, 'daily'), serverDaily: ceilingOf(config, 'serverDaily') },
    // The server's counter moves only under a budget (quota.ts).
    usedToday: budget > 0 ? await ctx.jobs.serverJobsToday(guildId) : null,
    channels: server.access?.channels ?? [],
    roles: server.access?.roles ?? [],
    operatorChannels: operatorList(config.ALLOWED_CHANNELS, guildId) !== undefined,
    operatorRoles: operatorList(config.ALLOWED_ROLES, guildId) !== undefined,
    userInstall: config.ALLOW_USER_INSTALL ? server.access?.userInstall !== false : null,
  };
}

export async function limitsView(ctx: HandlerContext, guildId: string, locale: string): Promise<SettingsView> {
  return renderLimits(await limitsInput(ctx, guildId, locale));
}

export async function limitsEditor(ctx: HandlerContext, guildId: string, locale: string) {
  return limitsModal(await limitsInput(ctx, guildId, locale));
}
