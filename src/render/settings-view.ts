// The /settings panels, as Midjourney's /settings has them: select menus and buttons, the chosen
// ones green, each line saying what applies and why (yours, the server's default, or the default).
// Pure: what is stored and offered in, the message out. The panels share one message:
// `u` a member's own settings, `d` their server's defaults and `o` what the server offers
// (both for members with Manage Server; `l`, its limits and access: settings-limits.ts).
import {
  ButtonStyle, ChannelType, ComponentType,
  type APIActionRowComponent, type APIButtonComponentWithCustomId, type APIComponentInMessageActionRow, type APISelectMenuOption,
} from 'discord.js';
import { t, type MessageKey } from '../i18n/index.ts';
import { customIds, type SettingsPanel } from '../custom-id.ts';
import { cutText } from '../util/text.ts';
import { plainText } from './plain-text.ts';

/** The choices a panel shows (the store's Choices, by shape: rendering does not reach the store). */
export interface Choices {
  version?: string;
  stylize?: number;
  raw?: boolean;
  mode?: string;
  remix?: boolean;
  variation?: 'subtle' | 'strong';
  visibility?: 'public' | 'private';
  suffix?: string;
}

/** What a server offers (the store's Offers, by shape). */
export interface Offers {
  versions?: string[];
  modes?: string[];
  galleryChannelId?: string;
  auditChannelId?: string;
}

export type SettingsRow = APIActionRowComponent<APIComponentInMessageActionRow>;

export interface SettingsView {
  content: string;
  components: SettingsRow[];
  allowedMentions: { parse: [] };
}

export interface SettingsViewInput {
  locale: string;
  panel: SettingsPanel;
  /** What the panel changes: the member's own choices (`u`) or the server's defaults (`d`). */
  own: Choices;
  /** What applies where `own` says nothing: the server's defaults (`u`); nothing for `d`. */
  fallback: Choices;
  /** The versions and speeds to choose from: what the server offers (`u`, `d`). */
  versions: readonly string[];
  modes: readonly string[];
  /** Every configured version and speed (`o`). */
  allVersions: readonly string[];
  allModes: readonly string[];
  /** The server's settings (`o`). */
  server: Offers;
  /** The member may open the server's panels (Manage Server, in a server). */
  admin: boolean;
}

export const STYLIZE = [
  { value: 50, key: 'settings.stylize.low' },
  { value: 100, key: 'settings.stylize.med' },
  { value: 250, key: 'settings.stylize.high' },
  { value: 750, key: 'settings.stylize.veryHigh' },
] as const satisfies readonly { value: number; key: MessageKey }[];

/** "7" → "Midjourney V7", "niji 6" → "Niji 6". */
export function versionLabel(version: string): string {
  const niji = /^niji (.+)$/.exec(version);
  return niji ? `Niji ${niji[1]}` : `Midjourney V${version}`;
}

const DEFAULT_VALUE = 'default';
const row = (...components: APIComponentInMessageActionRow[]): SettingsRow => ({ type: ComponentType.ActionRow, components });

function button(panel: SettingsPanel, control: Parameters<typeof customIds.settings>[1], label: string, on: boolean, value?: string, extra: Partial<APIButtonComponentWithCustomId> = {}): APIButtonComponentWithCustomId {
  return { type: ComponentType.Button, custom_id: customIds.settings(panel, control, value), label: cutText(label, 80), style: on ? ButtonStyle.Success : ButtonStyle.Secondary, ...extra };
}

function option(label: string, value: string, chosen: boolean): APISelectMenuOption {
  return { label: cutText(label, 100), value, default: chosen };
}

/** A value and where it comes from: "250 (yours)", "V7 (server default)", "off (default)". */
function line(locale: string, key: MessageKey, own: unknown, fallback: unknown, show: (v: never) => string, panel: SettingsPanel, byDefault?: unknown): string {
  const from = own !== undefined ? (panel === 'u' ? 'settings.from.yours' : 'settings.from.set') : fallback !== undefined ? 'settings.from.server' : 'settings.from.default';
  // Where nothing is chosen, what that means: off, public … (the model and stylize are the backend's own).
  const v = own ?? fallback ?? byDefault;
  const value = v === undefined ? t(locale, 'settings.value.default') : show(v as never);
  return `${t(locale, key)}: **${value}** (${t(locale, from)})`;
}

function onOff(locale: string) {
  return (v: boolean) => t(locale, v ? 'settings.value.on' : 'settings.value.off');
}

/** The member's own panel (`u`) or the server's defaults (`d`): the same controls. */
function choicesView(i: SettingsViewInput): SettingsView {
  const { locale: loc, panel, own, fallback } = i;
  const eff: Choices = { ...fallback, ...own };
  const suffix = own.suffix ?? fallback.suffix;
  const lines = [
    `**${t(loc, panel === 'u' ? 'settings.title.user' : 'settings.title.defaults')}**`,
    t(loc, panel === 'u' ? 'settings.intro.user' : 'settings.intro.defaults'),
    '',
    line(loc, 'settings.label.version', own.version, fallback.version, versionLabel, panel),
    ...(i.modes.length ? [line(loc, 'settings.label.mode', own.mode, fallback.mode, (v: string) => plainText(v), panel)] : []),
    line(loc, 'settings.label.stylize', own.stylize, fallback.stylize, (v: number) => String(v), panel),
    line(loc, 'settings.label.raw', own.raw, fallback.raw, onOff(loc), panel, false),
    line(loc, 'settings.label.remix', own.remix, fallback.remix, onOff(loc), panel, false),
    line(loc, 'settings.label.variation', own.variation, fallback.variation, (v: string) => t(loc, v === 'strong' ? 'settings.value.strong' : 'settings.value.subtle'), panel),
    line(loc, 'settings.label.visibility', own.visibility, fallback.visibility, (v: string) => t(loc, v === 'private' ? 'settings.value.private' : 'settings.value.public'), panel, 'public'),
    `${t(loc, 'settings.label.suffix')}: ${suffix ? `“${plainText(cutText(suffix, 200))}”` : `**${t(loc, 'settings.value.none')}**`}${suffix ? ` (${t(loc, own.suffix !== undefined ? (panel === 'u' ? 'settings.from.yours' : 'settings.from.set') : 'settings.from.server')})` : ''}`,
  ];
  const defaultLabel = t(loc, panel === 'u' ? 'settings.option.serverDefault' : 'settings.option.default');
  const rows: SettingsRow[] = [];
  if (i.versions.length) {
    rows.push(row({
      type: ComponentType.StringSelect,
      custom_id: customIds.settings(panel, 'ver'),
      placeholder: t(loc, 'settings.label.version'),
      options: [option(defaultLabel, DEFAULT_VALUE, own.version === undefined), ...i.versions.slice(0, 24).map((v) => option(versionLabel(v), v, own.version === v))],
    }));
  }
  if (i.modes.length) {
    rows.push(row({
      type: ComponentType.StringSelect,
      custom_id: customIds.settings(panel, 'mode'),
      placeholder: t(loc, 'settings.label.mode'),
      options: [option(defaultLabel, DEFAULT_VALUE, own.mode === undefined), ...i.modes.slice(0, 24).map((m) => option(m, m, own.mode === m))],
    }));
  }
  rows.push(row(
    ...STYLIZE.map((s) => button(panel, 's', t(loc, s.key), eff.stylize === s.value, String(s.value))),
    button(panel, 'raw', t(loc, 'settings.button.raw'), eff.raw === true),
  ));
  rows.push(row(
    button(panel, 'remix', t(loc, 'settings.button.remix'), eff.remix === true),
    button(panel, 'var', t(loc, 'settings.button.strong'), eff.variation === 'strong', 'strong'),
    button(panel, 'var', t(loc, 'settings.button.subtle'), eff.variation === 'subtle', 'subtle'),
    button(panel, 'vis', t(loc, 'settings.button.public'), eff.visibility !== 'private', 'public'),
    button(panel, 'vis', t(loc, 'settings.button.private'), eff.visibility === 'private', 'private'),
  ));
  const nav = panel === 'u'
    ? (i.admin ? [button('o', 'open', t(loc, 'settings.button.server'), false, undefined, { style: ButtonStyle.Primary })] : [])
    : [button('o', 'open', t(loc, 'settings.button.offers'), false, undefined, { style: ButtonStyle.Primary }), button('u', 'open', t(loc, 'settings.button.mine'), false, undefined, { style: ButtonStyle.Primary })];
  rows.push(row(
    button(panel, 'sfx', t(loc, 'settings.button.suffix'), false),
    button(panel, 'sfxclear', t(loc, 'settings.button.clearSuffix'), false, undefined, { disabled: own.suffix === undefined }),
    button(panel, 'reset', t(loc, 'settings.button.reset'), false, undefined, { style: ButtonStyle.Danger }),
    ...nav,
  ));
  return { content: cutText(lines.join('\n'), 2000), components: rows, allowedMentions: { parse: [] } };
}

/** What the server offers (`o`): its versions and speeds (none chosen: all), its gallery and audit channels. */
function offersView(i: SettingsViewInput): SettingsView {
  const { locale: loc, server } = i;
  const list = (chosen: readonly string[] | undefined, show: (v: string) => string) => (chosen?.length ? chosen.map(show).join(', ') : t(loc, 'settings.value.all'));
  const lines = [
    `**${t(loc, 'settings.title.offers')}**`,
    t(loc, 'settings.intro.offers'),
    '',
    `${t(loc, 'settings.label.versions')}: **${list(server.versions, versionLabel)}**`,
    ...(i.allModes.length ? [`${t(loc, 'settings.label.modes')}: **${list(server.modes, (m) => plainText(m))}**`] : []),
    `${t(loc, 'settings.label.gallery')}: ${server.galleryChannelId ? `<#${server.galleryChannelId}>` : `**${t(loc, 'settings.value.none')}**`}`,
    `${t(loc, 'settings.label.audit')}: ${server.auditChannelId ? `<#${server.auditChannelId}>` : `**${t(loc, 'settings.value.none')}**`}`,
  ];
  const rows: SettingsRow[] = [];
  const multi = (control: 'vers' | 'modes', all: readonly string[], chosen: readonly string[] | undefined, show: (v: string) => string, key: MessageKey) => row({
    type: ComponentType.StringSelect,
    custom_id: customIds.settings('o', control),
    placeholder: cutText(t(loc, key), 150),
    min_values: 0,
    max_values: Math.min(all.length, 25),
    options: all.slice(0, 25).map((v) => option(show(v), v, !!chosen?.includes(v))),
  });
  if (i.allVersions.length) rows.push(multi('vers', i.allVersions, server.versions, versionLabel, 'settings.placeholder.versions'));
  if (i.allModes.length) rows.push(multi('modes', i.allModes, server.modes, (m) => m, 'settings.placeholder.modes'));
  rows.push(row({
    type: ComponentType.ChannelSelect,
    custom_id: customIds.settings('o', 'gal'),
    placeholder: t(loc, 'settings.placeholder.gallery'),
    channel_types: [ChannelType.GuildText],
    min_values: 1,
    max_values: 1,
    ...(server.galleryChannelId ? { default_values: [{ id: server.galleryChannelId, type: 'channel' as never }] } : {}),
  }));
  rows.push(row({
    type: ComponentType.ChannelSelect,
    custom_id: customIds.settings('o', 'aud'),
    placeholder: cutText(t(loc, 'settings.placeholder.audit'), 150),
    channel_types: [ChannelType.GuildText],
    min_values: 1,
    max_values: 1,
    ...(server.auditChannelId ? { default_values: [{ id: server.auditChannelId, type: 'channel' as never }] } : {}),
  }));
  rows.push(row(
    button('d', 'open', t(loc, 'settings.button.defaults'), false, undefined, { style: ButtonStyle.Primary }),
    button('o', 'galclear', t(loc, 'settings.button.clearGallery'), false, undefined, { disabled: !server.galleryChannelId }),
    button('o', 'audclear', t(loc, 'settings.button.clearAudit'), false, undefined, { disabled: !server.auditChannelId }),
    // Five at most in a row: "My settings" is one click away, on the defaults panel.
    button('l', 'open', t(loc, 'settings.button.limits'), false, undefined, { style: ButtonStyle.Primary }),
    button('m', 'open', t(loc, 'moderation.button.open'), false, undefined, { style: ButtonStyle.Primary }),
  ));
  return { content: cutText(lines.join('\n'), 2000), components: rows, allowedMentions: { parse: [] } };
}

export function renderSettings(i: SettingsViewInput): SettingsView {
  return i.panel === 'o' ? offersView(i) : choicesView(i);
}
