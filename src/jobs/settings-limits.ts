// /settings panel `l` ("Limits & access"): what it shows for a server, and what a click on it
// stores (the caller checked Manage Server). Every value is checked against the operator's
// ceiling and allow-lists before it is stored (src/jobs/limits.ts).
import type { Config } from '../config.ts';
import type { SettingsId } from '../custom-id.ts';
import { UserInputError } from '../proxy/errors.ts';
import { limitsModal, renderLimits, type LimitsViewInput } from '../render/settings-limits.ts';
import type { SettingsView } from '../render/settings-view.ts';
import type { PreferenceRepository, ServerAccess } from '../store/preferences.ts';
import type { HandlerContext } from './handler-context.ts';
import { ceilingOf, effectiveLimits, operatorLimits, operatorList, parseLimits, type LimitField } from './limits.ts';

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
