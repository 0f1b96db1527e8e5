// /settings [scope] → a private panel of select menus and buttons (nothing is sent to the backend):
// the member's own settings, or, with Manage Server, what their server offers and its defaults.
import { SlashCommandBuilder } from 'discord.js';
import { localizations } from '../src/i18n/index.ts';
import { settingsView } from '../src/jobs/settings.ts';
import type { Command } from './types.ts';

export const settings: Command = {
  name: 'settings',
  definition() {
    return new SlashCommandBuilder()
      .setName('settings')
      .setNameLocalizations({ 'zh-CN': '设置' })
      .setDescription('Your settings: model version, stylize, RAW, speed, remix, suffix')
      .setDescriptionLocalizations(localizations('cmd.settings.description'))
      .addStringOption((o) =>
        o
          .setName('scope')
          .setNameLocalizations({ 'zh-CN': '范围' })
          .setDescription('Whose settings to open')
          .setDescriptionLocalizations(localizations('cmd.settings.scope'))
          .addChoices(
            { name: 'Mine', name_localizations: localizations('cmd.settings.scope.mine'), value: 'mine' },
            { name: 'This server (Manage Server)', name_localizations: localizations('cmd.settings.scope.server'), value: 'server' },
          ),
      )
      .toJSON();
  },
  async handle(interaction, ctx) {
    // The server's panel is refused here, before anything is shown, to anyone without Manage Server.
    const panel = interaction.options.getString('scope') === 'server' ? 'o' : 'u';
    return { answer: { kind: 'private-view', view: await settingsView(ctx, interaction, panel) } };
  },
};
