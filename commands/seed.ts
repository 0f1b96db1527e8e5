// /seed task → GET /mj/task/{id}/image-seed, answered privately, ready to copy.
import { SlashCommandBuilder } from 'discord.js';
import { TASK_ID } from '../src/custom-id.ts';
import { localizations } from '../src/i18n/index.ts';
import { UserInputError } from '../src/proxy/errors.ts';
import { cutText } from '../src/util/text.ts';
import type { Command } from './types.ts';

export function readTaskId(raw: string): string {
  const id = raw.trim();
  if (!TASK_ID.test(id)) throw new UserInputError('UNKNOWN_TASK', { id: cutText(id, 40) || '—' });
  return id;
}

export const seed: Command = {
  name: 'seed',
  definition() {
    return new SlashCommandBuilder()
      .setName('seed')
      .setNameLocalizations({ 'zh-CN': '种子' })
      .setDescription('Show the seed of a finished job')
      .setDescriptionLocalizations(localizations('cmd.seed.description'))
      .addStringOption((o) => o.setName('task').setNameLocalizations({ 'zh-CN': '任务' }).setDescription('The job id').setDescriptionLocalizations(localizations('cmd.task.id')).setRequired(true).setAutocomplete(true))
      .toJSON();
  },
  handle(interaction, ctx) {
    return ctx.jobs.seedOf(interaction, readTaskId(interaction.options.getString('task', true)));
  },
  async autocomplete(interaction, ctx) {
    await interaction.respond(await ctx.jobs.recentChoices(interaction.user.id, String(interaction.options.getFocused())));
  },
};
