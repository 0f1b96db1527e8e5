// /shorten prompt [bot] [mode] → POST /mj/submit/shorten
import { SlashCommandBuilder } from 'discord.js';
import { localizations } from '../src/i18n/index.ts';
import { checkPrompt, MAX_PROMPT } from '../src/discord/prompt.ts';
import { addBotOption, addModeOption, readBot, readMode } from './options.ts';
import type { Command } from './types.ts';

export const shorten: Command = {
  name: 'shorten',
  definition(d) {
    const b = new SlashCommandBuilder()
      .setName('shorten')
      .setNameLocalizations({ 'zh-CN': '精简' })
      .setDescription('Analyse a prompt and suggest shorter ones')
      .setDescriptionLocalizations(localizations('cmd.shorten.description'))
      .addStringOption((o) =>
        o.setName('prompt').setNameLocalizations({ 'zh-CN': '提示词' }).setDescription('The prompt to shorten').setDescriptionLocalizations(localizations('cmd.shorten.prompt')).setRequired(true).setMaxLength(MAX_PROMPT),
      );
    addBotOption(b);
    addModeOption(b, d);
    return b.toJSON();
  },
  async handle(interaction, ctx) {
    const prompt = interaction.options.getString('prompt', true).trim();
    checkPrompt(prompt);
    const mode = readMode(interaction);
    const botType = readBot(interaction);
    return ctx.jobs.start(interaction, { prompt, mode, request: { kind: 'shorten', prompt, botType } });
  },
};
