// /info: privately, the user's running and queued jobs (with links), today's count and the limits,
// the settings their next job gets, and whether the service is up (like Midjourney's /info).
import { SlashCommandBuilder } from 'discord.js';
import { localizations } from '../src/i18n/index.ts';
import type { Command } from './types.ts';

export const info: Command = {
  name: 'info',
  definition() {
    return new SlashCommandBuilder()
      .setName('info')
      .setNameLocalizations({ 'zh-CN': '信息' })
      .setDescription('Your running jobs, limits, settings and the service’s state')
      .setDescriptionLocalizations(localizations('cmd.info.description'))
      .toJSON();
  },
  async handle(interaction, ctx) {
    return ctx.jobs.info(interaction);
  },
};
