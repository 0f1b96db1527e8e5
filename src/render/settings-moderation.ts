// The server's moderation panel (`m`, for members with Manage Server): how many banned words and
// phrases there are and the first few, each behind a spoiler so the panel itself does not shout
// them; the blocked members (mentions that ping nobody); the cooldown the bot applies. Pure: the
// stored lists in, the message out.
import { ButtonStyle, ComponentType, type APIButtonComponentWithCustomId } from 'discord.js';
import { t } from '../i18n/index.ts';
import { customIds } from '../custom-id.ts';
import { cutText } from '../util/text.ts';
import { plainText } from './plain-text.ts';
import type { SettingsRow, SettingsView } from './settings-view.ts';

export interface ModerationViewInput {
  locale: string;
  words: readonly string[];
  blocked: readonly string[];
}

/** Entries shown on the panel (the rest are counted), each cut to this many characters. */
const SHOWN_WORDS = 5;
const SHOWN_WORD_CHARS = 30;
/** A user select takes at most 25 values: the blocklist is that long at most. */
export const BLOCKED_MAX = 25;

const row = (...components: SettingsRow['components']): SettingsRow => ({ type: ComponentType.ActionRow, components });

export function renderModeration(i: ModerationViewInput): SettingsView {
  const loc = i.locale;
  const none = `**${t(loc, 'settings.value.none')}**`;
  const shown = i.words.slice(0, SHOWN_WORDS).map((w) => `||${plainText(cutText(w, SHOWN_WORD_CHARS))}||`);
  const more = i.words.length > SHOWN_WORDS ? [t(loc, 'moderation.words.more', { count: i.words.length - SHOWN_WORDS })] : [];
  const blocked = i.blocked.slice(0, BLOCKED_MAX);
  const lines = [
    `**${t(loc, 'moderation.title')}**`,
    t(loc, 'moderation.intro'),
    '',
    `${t(loc, 'moderation.label.words')}: ${i.words.length ? `**${i.words.length}** — ${[...shown, ...more].join(', ')}` : none}`,
    `${t(loc, 'moderation.label.blocked')}: ${blocked.length ? blocked.map((id) => `<@${id}>`).join(', ') : none}`,
    `${t(loc, 'moderation.label.cooldown')}: ${t(loc, 'moderation.value.cooldown')}`,
  ];
  const button = (panel: 'm' | 'o' | 'u', control: 'words' | 'wclear' | 'open', label: string, style: ButtonStyle.Primary | ButtonStyle.Secondary | ButtonStyle.Danger, disabled = false): APIButtonComponentWithCustomId => ({
    type: ComponentType.Button, custom_id: customIds.settings(panel, control), label: cutText(label, 80), style, ...(disabled ? { disabled } : {}),
  });
  const rows: SettingsRow[] = [
    row(
      button('m', 'words', t(loc, 'moderation.button.words'), ButtonStyle.Secondary),
      button('m', 'wclear', t(loc, 'moderation.button.clearWords'), ButtonStyle.Danger, i.words.length === 0),
    ),
    row({
      type: ComponentType.UserSelect,
      custom_id: customIds.settings('m', 'block'),
      placeholder: cutText(t(loc, 'moderation.placeholder.blocked'), 150),
      min_values: 0,
      max_values: BLOCKED_MAX,
      ...(blocked.length ? { default_values: blocked.map((id) => ({ id, type: 'user' as never })) } : {}),
    }),
    row(
      button('o', 'open', t(loc, 'settings.button.server'), ButtonStyle.Primary),
      button('u', 'open', t(loc, 'settings.button.mine'), ButtonStyle.Primary),
    ),
  ];
  return { content: cutText(lines.join('\n'), 2000), components: rows, allowedMentions: { parse: [] } };
}
