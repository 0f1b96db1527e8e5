// /privacy's private panel: what the bot keeps about a user (counts and kinds, and for how long),
// with "Forget me" and its confirmation; and, for a server admin, a member's data kept for their
// server with a button that deletes it. Pure: numbers in, a message body out (no pings).
import { ButtonStyle, ComponentType, type APIButtonComponentWithCustomId } from 'discord.js';
import { customIds } from '../custom-id.ts';
import { t } from '../i18n/index.ts';
import { cutText } from '../util/text.ts';
import type { SettingsRow, SettingsView } from './settings-view.ts';

/** What the bot keeps about one user (or, for `member`, about one member in one server). */
export interface PrivacyFacts {
  /** Job records (and how many of them still run). */
  records: number;
  running: number;
  /** Entries in their recent list. */
  recent: number;
  /** Whether /settings choices are stored. */
  settings: boolean;
  /** Jobs counted today against the daily limit (null: no daily limit, nothing counted). */
  today: number | null;
  retentionDays: number;
}

export type PrivacyView = SettingsView;

const button = (id: string, label: string, style: ButtonStyle.Danger | ButtonStyle.Secondary): APIButtonComponentWithCustomId => ({ type: ComponentType.Button, custom_id: id, label: cutText(label, 80), style });
const row = (...components: APIButtonComponentWithCustomId[]): SettingsRow => ({ type: ComponentType.ActionRow, components });
const view = (content: string, components: SettingsRow[] = []): PrivacyView => ({ content: cutText(content, 2000), components, allowedMentions: { parse: [] } });

/** The panel a user opens with /privacy. */
export function renderPrivacy(f: PrivacyFacts, locale: string): PrivacyView {
  const days = f.retentionDays;
  const lines = [
    t(locale, 'privacy.title'),
    t(locale, 'privacy.records', { records: f.records, running: f.running, days }),
    t(locale, 'privacy.recent', { recent: f.recent, days }),
    t(locale, f.settings ? 'privacy.settingsSome' : 'privacy.settingsNone', { days }),
    ...(f.today === null ? [] : [t(locale, 'privacy.today', { today: f.today })]),
    '',
    t(locale, 'privacy.explain'),
  ];
  return view(lines.join('\n'), [row(button(customIds.privacy('ask'), t(locale, 'privacy.button.forget'), ButtonStyle.Danger))]);
}

/** "Forget me" pressed: the confirmation step. */
export function renderForgetConfirm(records: number, locale: string): PrivacyView {
  return view(t(locale, 'privacy.confirm', { records }), [
    row(button(customIds.privacy('yes'), t(locale, 'privacy.button.confirm'), ButtonStyle.Danger), button(customIds.privacy('no'), t(locale, 'privacy.button.keep'), ButtonStyle.Secondary)),
  ]);
}

export function renderForgotten(records: number, locale: string): PrivacyView {
  return view(t(locale, 'privacy.done', { records }));
}

export function renderKept(locale: string): PrivacyView {
  return view(t(locale, 'privacy.kept'));
}

/** A server admin's view of one member's data kept for their server. */
export function renderMemberData(userId: string, f: Pick<PrivacyFacts, 'records' | 'running'>, locale: string): PrivacyView {
  const lines = [t(locale, 'privacy.member.title', { user: userId }), t(locale, 'privacy.member.records', { records: f.records, running: f.running }), '', t(locale, 'privacy.member.explain')];
  return view(lines.join('\n'), [row(button(customIds.privacy('del', userId), t(locale, 'privacy.member.button'), ButtonStyle.Danger))]);
}

export function renderMemberDeleted(userId: string, records: number, locale: string): PrivacyView {
  return view(t(locale, 'privacy.member.done', { user: userId, records }));
}
