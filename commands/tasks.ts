// /tasks [ids] → POST /mj/task/list-by-condition: a compact private list with status and links.
import { SlashCommandBuilder } from 'discord.js';
import { localizations } from '../src/i18n/index.ts';
import { readTaskId } from './seed.ts';
import type { Command } from './types.ts';

const MAX_IDS = 20;

export const tasks: Command = {
  name: 'tasks',
  definition() {
    return new SlashCommandBuilder()
      .setName('tasks')
      .setNameLocalizations({ 'zh-CN': '任务列表' })
      .setDescription('List your recent jobs, or the ones you name')
      .setDescriptionLocalizations(localizations('cmd.tasks.description'))
      .addStringOption((o) => o.setName('ids').setNameLocalizations({ 'zh-CN': '任务编号' }).setDescription('Job ids separated by spaces (optional)').setDescriptionLocalizations(localizations('cmd.tasks.ids')).setMaxLength(1000))
      .toJSON();
  },
  handle(interaction, ctx) {
    const typed = (interaction.options.getString('ids') ?? '').split(/[\s,]+/).filter(Boolean);
    return ctx.jobs.list(interaction, [...new Set(typed.map(readTaskId))].slice(0, MAX_IDS));
  },
};
