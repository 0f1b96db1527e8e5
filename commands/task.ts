// /task id → GET /mj/task/{id}/fetch, shown with live buttons in this channel (like Midjourney's /show).
import { SlashCommandBuilder } from 'discord.js';
import { localizations } from '../src/i18n/index.ts';
import { readTaskId } from './seed.ts';
import type { Command } from './types.ts';

export const task: Command = {
  name: 'task',
  definition() {
    return new SlashCommandBuilder()
      .setName('task')
      .setNameLocalizations({ 'zh-CN': '任务' })
      .setDescription('Bring a job back into this channel, with its buttons')
      .setDescriptionLocalizations(localizations('cmd.task.description'))
      .addStringOption((o) => o.setName('id').setNameLocalizations({ 'zh-CN': '任务编号' }).setDescription('The job id').setDescriptionLocalizations(localizations('cmd.task.id')).setRequired(true).setAutocomplete(true))
      .toJSON();
  },
  handle(interaction, ctx) {
    return ctx.jobs.show(interaction, readTaskId(interaction.options.getString('id', true)));
  },
  async autocomplete(interaction, ctx) {
    await interaction.respond(await ctx.jobs.recentChoices(interaction.user.id, String(interaction.options.getFocused())));
  },
};
