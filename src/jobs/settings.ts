// /settings: what a panel shows and what a click on it changes. A click changes the clicking
// member's own settings (panel `u`), or, for a member with Manage Server (checked on every click
// from the permissions Discord computed, never from the custom_id), the settings of the server the
// click is made in (`d`: its defaults, `o`: what it offers, `m`: moderation, settings-moderation.ts).
// Every value a click brings (a select's values, a suffix, a channel) is checked against what the
// panel offers before it is stored.
import type { PermissionsBitField } from 'discord.js';
import type { SettingsId, SettingsPanel } from '../custom-id.ts';
import { UserInputError } from '../proxy/errors.ts';
import { renderSettings, type SettingsView } from '../render/settings-view.ts';
import { resolveLocale } from '../i18n/index.ts';
import { resolvePrefs, SUFFIX_MAX, type ServerPrefs, type UserPrefs } from '../store/preferences.ts';
import type { HandlerContext } from './handler-context.ts';
import { isGuildAdmin } from './ownership.ts';
import { applyLimits, limitsView, type LimitsInput } from './settings-limits.ts';
import { applyModeration, moderationView } from './settings-moderation.ts';

/** Who is asking, as Discord describes them on the interaction. */
export interface Member {
  user: { id: string };
  guildId: string | null;
  locale: string;
  /** The server's language (Discord's guild_locale): the audit channel's lines are written in it. */
  guildLocale?: string | null;
  memberPermissions: Readonly<PermissionsBitField> | null;
}

/** What a click brings besides its custom_id (panel `l`'s inputs: src/jobs/limits.ts). */
export interface SettingsInput extends LimitsInput {
  /** A select menu's chosen values. */
  values?: readonly string[];
  /** The suffix modal's text. */
  suffix?: string;
  /** A channel select's channel, as Discord resolved it. */
  channel?: { id: string; text: boolean };
  /** The banned-words modal's text (panel `m`). */
  words?: string;
}

/** The server of a member with Manage Server; a private refusal for anyone else (or outside a server). */
export function requireAdmin(i: Pick<Member, 'guildId' | 'memberPermissions'>): string {
  if (!i.guildId) throw new UserInputError('SETTINGS_SERVER_ONLY');
  if (!isGuildAdmin(i)) throw new UserInputError('SETTINGS_ADMIN_ONLY');
  return i.guildId;
}

/** The configured names the server offers (none chosen: all), in the configured order. */
function offered(all: readonly string[], chosen: readonly string[] | undefined): string[] {
  return chosen?.length ? all.filter((n) => chosen.includes(n)) : [...all];
}

interface Loaded {
  user: UserPrefs;
  server: ServerPrefs;
  versions: string[];
  modes: string[];
}

async function load(ctx: HandlerContext, i: Member): Promise<Loaded> {
  const [user, server] = await Promise.all([ctx.jobs.prefs.user(i.user.id), i.guildId ? ctx.jobs.prefs.server(i.guildId) : ({} as ServerPrefs)]);
  return {
    user,
    server,
    versions: offered(ctx.config.MJ_VERSIONS, server.versions),
    modes: offered(Object.keys(ctx.config.MJ_MODES), server.modes),
  };
}

/** The panel as it is now, for this member; the server's panels only for its admins. */
export async function settingsView(ctx: HandlerContext, i: Member, panel: SettingsPanel): Promise<SettingsView> {
  if (panel !== 'u') requireAdmin(i);
  if (panel === 'l') return limitsView(ctx, i.guildId!, i.locale);
  if (panel === 'm') return moderationView(ctx, i.guildId!, i.locale);
  const s = await load(ctx, i);
  const defaults = s.server.defaults ?? {};
  return renderSettings({
    locale: i.locale,
    panel,
    // What the member chose that the server offers (resolvePrefs leaves the rest out), and what the server gives otherwise.
    own: panel === 'd' ? defaults : resolvePrefs(s.user, { ...s.server, defaults: {} }),
    fallback: panel === 'd' ? {} : resolvePrefs({}, s.server),
    versions: s.versions,
    modes: s.modes,
    allVersions: ctx.config.MJ_VERSIONS,
    allModes: Object.keys(ctx.config.MJ_MODES),
    server: s.server,
    admin: isGuildAdmin(i),
  });
}

/** The one value a select brings, which must be one the panel offered ("default": back to the default). */
function picked(values: readonly string[] | undefined, allowed: readonly string[]): string | undefined {
  const v = values?.length === 1 ? values[0]! : null;
  if (v === 'default') return undefined;
  if (v === null || !allowed.includes(v)) throw new UserInputError('EXPIRED');
  return v;
}

/** What a click on panel `u` or `d` changes in `own`, the choices it edits (`fallback`: what applies without them). */
function choicePatch(id: SettingsId, input: SettingsInput, own: UserPrefs, fallback: UserPrefs, s: Loaded): Partial<UserPrefs> | 'reset' | null {
  const eff = { ...fallback, ...own };
  const again = <T>(current: T | undefined, v: T) => (current === v ? undefined : v);
  switch (id.control) {
    case 'ver':
      return { version: picked(input.values, s.versions) };
    case 'mode':
      return { mode: picked(input.values, s.modes) };
    case 's':
      return { stylize: again(own.stylize, Number(id.value)) };
    case 'raw':
      return { raw: !eff.raw };
    case 'remix':
      return { remix: !eff.remix };
    case 'var':
      return { variation: again(own.variation, id.value as 'subtle' | 'strong') };
    case 'vis':
      return { visibility: again(own.visibility, id.value as 'public' | 'private') };
    case 'sfxclear':
      return { suffix: undefined };
    case 'sfxm': {
      const suffix = (input.suffix ?? '').trim();
      if (suffix.length > SUFFIX_MAX) throw new UserInputError('SUFFIX_TOO_LONG', { length: suffix.length, limit: SUFFIX_MAX });
      return { suffix: suffix || undefined };
    }
    case 'reset':
      return 'reset';
    default:
      return null;
  }
}

/** The names chosen in a multi-select, each one the panel offered. */
function names(values: readonly string[] | undefined, all: readonly string[]): string[] | undefined {
  const list = [...(values ?? [])];
  if (list.some((v) => !all.includes(v))) throw new UserInputError('EXPIRED');
  return list.length ? all.filter((n) => list.includes(n)) : undefined;
}

/** Stores what the click changes; answers the panel to show next. */
export async function applySetting(ctx: HandlerContext, i: Member, id: SettingsId, input: SettingsInput = {}): Promise<SettingsPanel> {
  const prefs = ctx.jobs.prefs;
  if (id.control === 'open') return id.panel;
  if (id.panel === 'u') {
    const s = await load(ctx, i);
    const patch = choicePatch(id, input, s.user, resolvePrefs({}, s.server), s);
    if (patch === 'reset') await prefs.forgetUser(i.user.id);
    else if (patch) await prefs.setUser(i.user.id, patch);
    return 'u';
  }
  const guildId = requireAdmin(i);
  if (id.panel === 'l' || id.panel === 'm') {
    // Limits, access and moderation write through their own modules; the audit line compares before and after.
    const before = await prefs.server(guildId);
    if (id.panel === 'l') await applyLimits(ctx.jobs.prefs, ctx.config, guildId, id, input);
    else await applyModeration(ctx, guildId, id, input);
    await ctx.jobs.audit.serverChanged(guildId, i.user.id, before, await prefs.server(guildId));
    return id.panel;
  }
  const s = await load(ctx, i);
  // Every change of the server's settings is stored, then reported to its audit channel (who, what, from what to what).
  const setServer = async (patch: Partial<ServerPrefs>) => ctx.jobs.audit.serverChanged(guildId, i.user.id, s.server, await prefs.setServer(guildId, patch));
  if (id.panel === 'd') {
    const defaults = s.server.defaults ?? {};
    const patch = choicePatch(id, input, defaults, {}, s);
    if (patch === 'reset') await setServer({ defaults: undefined });
    else if (patch) await setServer({ defaults: withPatch(defaults, patch) });
    return 'd';
  }
  const all = { versions: ctx.config.MJ_VERSIONS, modes: Object.keys(ctx.config.MJ_MODES) };
  switch (id.control) {
    case 'vers':
      await setServer({ versions: names(input.values, all.versions) });
      break;
    case 'modes':
      await setServer({ modes: names(input.values, all.modes) });
      break;
    case 'gal':
      if (!input.channel?.text) throw new UserInputError('SETTINGS_GALLERY_TYPE');
      await setServer({ galleryChannelId: input.channel.id });
      break;
    case 'galclear':
      await setServer({ galleryChannelId: undefined });
      break;
    case 'aud':
      if (!input.channel?.text) throw new UserInputError('SETTINGS_AUDIT_TYPE');
      await setServer({ auditChannelId: input.channel.id, auditLocale: resolveLocale(i.guildLocale ?? i.locale) });
      // The same channel again (its permissions fixed, say): posting is tried again at once.
      ctx.jobs.audit.channelChosen(input.channel.id);
      break;
    case 'audclear':
      await setServer({ auditChannelId: undefined });
      break;
  }
  return 'o';
}

function withPatch(base: UserPrefs, patch: Partial<UserPrefs>): UserPrefs {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out as UserPrefs;
}
