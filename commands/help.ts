// /help: privately, what each command and button does, in the user's language.
import { SlashCommandBuilder } from 'discord.js';
import { localizations } from '../src/i18n/index.ts';
import type { Command } from './types.ts';

export const help: Command = {
  name: 'help',
  definition() {
    return new SlashCommandBuilder()
      .setName('help')
      .setNameLocalizations({ 'zh-CN': '帮助' })
      .setDescription('What each command and button does')
      .setDescriptionLocalizations(localizations('cmd.help.description'))
      .toJSON();
  },
  async handle(interaction, ctx) {
    return ctx.jobs.help(interaction);
  },
};
