// /settings' components: a button, a select menu or the suffix modal on a panel. Each reads what the
// interaction brings (select values, the channel Discord resolved, the modal's text), has it applied
// (src/jobs/settings.ts: to the clicking member, or to their server when they may manage it) and
// answers by updating the panel in place.
import {
  ChannelType, ComponentType, TextInputStyle,
  type APIModalInteractionResponseCallbackData, type ButtonInteraction, type ChannelSelectMenuInteraction, type Message, type ModalSubmitInteraction, type RoleSelectMenuInteraction, type StringSelectMenuInteraction, type UserSelectMenuInteraction,
} from 'discord.js';
import type { SettingsId } from '../custom-id.ts';
import { customIds } from '../custom-id.ts';
import { t } from '../i18n/index.ts';
import type { HandlerContext } from '../jobs/handler-context.ts';
import type { Plan } from '../jobs/plan.ts';
import { applySetting, requireAdmin, settingsView, type SettingsInput } from '../jobs/settings.ts';
import { isPanelOwner } from '../jobs/ownership.ts';
import { LIMIT_FIELDS } from '../jobs/limits.ts';
import { limitsEditor } from '../jobs/settings-limits.ts';
import { LIMIT_INPUTS } from '../render/settings-limits.ts';
import { UserInputError } from '../proxy/errors.ts';
import { SUFFIX_MAX } from '../store/preferences.ts';
import { cutText } from '../util/text.ts';
import { WORD_LIST_MAX } from '../jobs/moderation.ts';

export type SettingsInteraction = ButtonInteraction | StringSelectMenuInteraction | ChannelSelectMenuInteraction | RoleSelectMenuInteraction | UserSelectMenuInteraction | ModalSubmitInteraction;

export const INPUT_SUFFIX = 'suffix';
export const INPUT_WORDS = 'words';

/** A panel belongs to whoever opened it: Discord names them on the message (ephemeral panels reach no one else anyway). */
function checkPanelOwner(message: Message | null | undefined, userId: string): void {
  if (!isPanelOwner(message, userId)) throw new UserInputError('SETTINGS_NOT_YOURS');
}

function suffixModal(id: SettingsId, current: string | undefined, locale: string): APIModalInteractionResponseCallbackData {
  const value = cutText(current ?? '', SUFFIX_MAX, '');
  return {
    custom_id: customIds.settings(id.panel, 'sfxm'),
    title: cutText(t(locale, 'settings.modal.title'), 45),
    components: [{
      type: ComponentType.Label,
      label: cutText(t(locale, 'settings.modal.label'), 45),
      component: { type: ComponentType.TextInput, custom_id: INPUT_SUFFIX, style: TextInputStyle.Short, required: false, max_length: SUFFIX_MAX, ...(value ? { value } : {}) },
    }],
  };
}

/** The banned-words modal (panel `m`): the list as stored, one entry a line, to edit in place. */
function wordsModal(current: readonly string[], locale: string): APIModalInteractionResponseCallbackData {
  const value = cutText(current.join('\n'), WORD_LIST_MAX, '');
  return {
    custom_id: customIds.settings('m', 'wordsm'),
    title: cutText(t(locale, 'moderation.modal.title'), 45),
    components: [{
      type: ComponentType.Label,
      label: cutText(t(locale, 'moderation.modal.label'), 45),
      description: cutText(t(locale, 'moderation.modal.description'), 100),
      component: { type: ComponentType.TextInput, custom_id: INPUT_WORDS, style: TextInputStyle.Paragraph, required: false, max_length: WORD_LIST_MAX, ...(value ? { value } : {}) },
    }],
  };
}

/** What the interaction brings besides its custom_id. */
function inputOf(i: SettingsInteraction, id: SettingsId): SettingsInput {
  if (i.isModalSubmit() && id.control === 'limm') return { limits: Object.fromEntries(LIMIT_FIELDS.map((f) => [f, i.fields.getTextInputValue(LIMIT_INPUTS[f]) ?? ''])) };
  if (i.isModalSubmit()) return id.control === 'wordsm' ? { words: i.fields.getTextInputValue(INPUT_WORDS) ?? '' } : { suffix: i.fields.getTextInputValue(INPUT_SUFFIX) ?? '' };
  if (i.isChannelSelectMenu()) {
    const c = i.channels.first();
    const channels = i.channels.map((ch) => ({ id: ch.id, text: ch.type === ChannelType.GuildText || ch.type === ChannelType.GuildAnnouncement }));
    return { values: i.values, channels, ...(c ? { channel: { id: c.id, text: c.type === ChannelType.GuildText } } : {}) };
  }
  if (i.isRoleSelectMenu()) return { values: i.values, roles: i.values };
  if (i.isStringSelectMenu() || i.isUserSelectMenu()) return { values: i.values };
  return {};
}

/** A click, a pick or the suffix modal on a settings panel: checked, stored, and the panel updated in place. */
export async function planSettings(interaction: SettingsInteraction, id: SettingsId, ctx: HandlerContext): Promise<Plan> {
  checkPanelOwner(interaction.message, interaction.user.id);
  if (id.control === 'sfx') {
    // The modal must be the first answer: only the cheap checks before it.
    if (id.panel !== 'u') requireAdmin(interaction);
    const current = id.panel === 'u' ? (await ctx.jobs.prefs.user(interaction.user.id)).suffix : interaction.guildId ? (await ctx.jobs.prefs.server(interaction.guildId)).defaults?.suffix : undefined;
    return { answer: { kind: 'modal', modal: suffixModal(id, current, interaction.locale) } };
  }
  if (id.control === 'lim') {
    return { answer: { kind: 'modal', modal: await limitsEditor(ctx, requireAdmin(interaction), interaction.locale) } };
  }
  if (id.control === 'words') {
    const words = (await ctx.jobs.prefs.server(requireAdmin(interaction))).moderation?.words ?? [];
    return { answer: { kind: 'modal', modal: wordsModal(words, interaction.locale) } };
  }
  // Each control comes as the component it is on the panel: a select's id with a click is a forgery.
  const select = id.control === 'ver' || id.control === 'mode' || id.control === 'vers' || id.control === 'modes';
  const kindOk = id.control === 'sfxm' || id.control === 'limm' || id.control === 'wordsm' ? interaction.isModalSubmit()
    : id.control === 'gal' || id.control === 'aud' || id.control === 'chan' ? interaction.isChannelSelectMenu()
    : id.control === 'roles' ? interaction.isRoleSelectMenu()
    : id.control === 'block' ? interaction.isUserSelectMenu()
    : select ? interaction.isStringSelectMenu() : interaction.isButton();
  if (!kindOk) throw new UserInputError('EXPIRED');
  const panel = await applySetting(ctx, interaction, id, inputOf(interaction, id));
  return { answer: { kind: 'update-view', view: await settingsView(ctx, interaction, panel) } };
}
