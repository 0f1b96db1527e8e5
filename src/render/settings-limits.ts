// Panel `l` of /settings, "Limits & access": the server's limits beside the operator's ceiling, the
// channels and roles the bot may be used by (a channel select and a role select, none chosen: all),
// personal installs in this server, and the modal that edits the three limits. Pure.
import {
  ButtonStyle, ChannelType, ComponentType, SelectMenuDefaultValueType, TextInputStyle,
  type APIButtonComponentWithCustomId, type APIModalInteractionResponseCallbackData,
} from 'discord.js';
import { customIds, type SettingsControl, type SettingsPanel } from '../custom-id.ts';
import { t, type MessageKey } from '../i18n/index.ts';
import { cutText } from '../util/text.ts';
import type { SettingsRow, SettingsView } from './settings-view.ts';

type Field = 'running' | 'daily' | 'serverDaily';
const FIELDS: readonly Field[] = ['running', 'daily', 'serverDaily'];
const LABEL: Record<Field, MessageKey> = { running: 'settings.label.running', daily: 'settings.label.daily', serverDaily: 'settings.label.serverDaily' };
const MODAL_LABEL: Record<Field, MessageKey> = { running: 'settings.limits.modal.running', daily: 'settings.limits.modal.daily', serverDaily: 'settings.limits.modal.serverDaily' };

/** The custom_ids of the limits modal's boxes. */
export const LIMIT_INPUTS: Record<Field, string> = { running: 'running', daily: 'daily', serverDaily: 'serverDaily' };

export interface LimitsViewInput {
  locale: string;
  /** The server's own limits (unset: the operator's applies). */
  limits: Partial<Record<Field, number>>;
  /** The operator's limits (0: none). */
  operator: Record<Field, number>;
  /** The most a server may set for each. */
  ceilings: Record<Field, number>;
  /** The server's jobs today (its daily budget's counter); null: no budget, nothing counted. */
  usedToday: number | null;
  /** The server's allowed channels and roles (none: all). */
  channels: readonly string[];
  roles: readonly string[];
  /** The operator has an allow-list of channels / roles for this server. */
  operatorChannels: boolean;
  operatorRoles: boolean;
  /** Personal installs accepted in this server; null: the operator accepts none anywhere (no toggle). */
  userInstall: boolean | null;
}

const row = (...components: SettingsRow['components']): SettingsRow => ({ type: ComponentType.ActionRow, components });

function button(panel: SettingsPanel, control: SettingsControl, label: string, style: APIButtonComponentWithCustomId['style']): APIButtonComponentWithCustomId {
  return { type: ComponentType.Button, custom_id: customIds.settings(panel, control), label: cutText(label, 80), style };
}

/** "Running jobs per member: **2** (set here; operator’s limit: 3)". */
function limitLine(i: LimitsViewInput, f: Field): string {
  const loc = i.locale;
  const own = i.limits[f];
  const applied = own !== undefined && (i.operator[f] === 0 || own < i.operator[f]) ? own : i.operator[f];
  const value = applied > 0 ? String(applied) : t(loc, 'settings.value.noLimit');
  const notes = [t(loc, own !== undefined ? 'settings.from.set' : i.operator[f] > 0 ? 'settings.from.operator' : 'settings.from.default')];
  if (i.operator[f] > 0) notes.push(t(loc, 'settings.limit.ceiling', { limit: i.operator[f] }));
  if (f === 'serverDaily' && i.usedToday !== null) notes.push(t(loc, 'settings.limit.usedToday', { used: i.usedToday }));
  return `${t(loc, LABEL[f])}: **${value}** (${notes.join('; ')})`;
}

/** A list of channel or role mentions (shown, never pinging: the panel allows no mentions). */
function listLine(loc: string, key: MessageKey, ids: readonly string[], mention: (id: string) => string, none: MessageKey, operator: boolean): string {
  const shown = ids.length ? ids.map(mention).join(', ') : `**${t(loc, none)}**`;
  return `${t(loc, key)}: ${shown}${operator ? ` (${t(loc, 'settings.limit.operatorList')})` : ''}`;
}

export function renderLimits(i: LimitsViewInput): SettingsView {
  const loc = i.locale;
  const lines = [
    `**${t(loc, 'settings.title.limits')}**`,
    t(loc, 'settings.intro.limits'),
    '',
    ...FIELDS.map((f) => limitLine(i, f)),
    listLine(loc, 'settings.label.channels', i.channels, (id) => `<#${id}>`, 'settings.value.all', i.operatorChannels),
    listLine(loc, 'settings.label.roles', i.roles, (id) => `<@&${id}>`, 'settings.value.everyone', i.operatorRoles),
    ...(i.userInstall === null ? [] : [`${t(loc, 'settings.label.userInstall')}: **${t(loc, i.userInstall ? 'settings.value.accepted' : 'settings.value.refused')}**`]),
  ];
  const rows: SettingsRow[] = [
    row({
      type: ComponentType.ChannelSelect,
      custom_id: customIds.settings('l', 'chan'),
      placeholder: cutText(t(loc, 'settings.placeholder.channels'), 150),
      channel_types: [ChannelType.GuildText, ChannelType.GuildAnnouncement],
      min_values: 0,
      max_values: 25,
      ...(i.channels.length ? { default_values: i.channels.slice(0, 25).map((id) => ({ id, type: SelectMenuDefaultValueType.Channel })) } : {}),
    }),
    row({
      type: ComponentType.RoleSelect,
      custom_id: customIds.settings('l', 'roles'),
      placeholder: cutText(t(loc, 'settings.placeholder.roles'), 150),
      min_values: 0,
      max_values: 25,
      ...(i.roles.length ? { default_values: i.roles.slice(0, 25).map((id) => ({ id, type: SelectMenuDefaultValueType.Role })) } : {}),
    }),
    row(
      button('l', 'lim', t(loc, 'settings.button.editLimits'), ButtonStyle.Secondary),
      ...(i.userInstall === null ? [] : [button('l', 'ui', t(loc, i.userInstall ? 'settings.button.userInstallOn' : 'settings.button.userInstallOff'), i.userInstall ? ButtonStyle.Success : ButtonStyle.Secondary)]),
      button('o', 'open', t(loc, 'settings.button.offers'), ButtonStyle.Primary),
      button('u', 'open', t(loc, 'settings.button.mine'), ButtonStyle.Primary),
    ),
  ];
  return { content: cutText(lines.join('\n'), 2000), components: rows, allowedMentions: { parse: [] } };
}

/** The modal of the three limits, each box pre-filled with the server's value, its range beneath. */
export function limitsModal(i: LimitsViewInput): APIModalInteractionResponseCallbackData {
  const loc = i.locale;
  return {
    custom_id: customIds.settings('l', 'limm'),
    title: cutText(t(loc, 'settings.limits.modal.title'), 45),
    components: FIELDS.map((f) => {
      const own = i.limits[f];
      const range = i.operator[f] > 0
        ? t(loc, 'settings.limits.modal.range', { max: i.ceilings[f], default: i.operator[f] })
        : t(loc, 'settings.limits.modal.rangeNone', { max: i.ceilings[f] });
      return {
        type: ComponentType.Label,
        label: cutText(t(loc, MODAL_LABEL[f]), 45),
        description: cutText(range, 100),
        component: {
          type: ComponentType.TextInput, custom_id: LIMIT_INPUTS[f], style: TextInputStyle.Short, required: false, max_length: 7,
          ...(own !== undefined ? { value: String(own) } : {}),
        },
      };
    }),
  };
}
