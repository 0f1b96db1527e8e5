// /seed task → GET /mj/task/{id}/image-seed, answered privately, ready to copy.
import { MessageFlags, SlashCommandBuilder } from 'discord.js';
import { localizations, t } from '../src/i18n/index.ts';
import { recentChoices } from '../src/discord/recent.ts';
import { setAck } from '../src/discord/reply-error.ts';
import { UserInputError } from '../src/proxy/errors.ts';
import type { Command } from './types.ts';

export const TASK_ID = /^[0-9A-Za-z_-]{1,40}$/;

export function readTaskId(raw: string): string {
  const id = raw.trim();
  if (!TASK_ID.test(id)) throw new UserInputError('UNKNOWN_TASK', { id: id.slice(0, 40) || '—' });
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
      .addStringOption((o) => o.setName('task').setDescription('The job id').setDescriptionLocalizations(localizations('cmd.task.id')).setRequired(true).setAutocomplete(true))
      .toJSON();
  },
  async run(interaction, ctx) {
    const id = readTaskId(interaction.options.getString('task', true));
    // trueai may block up to a minute while it asks Discord: answer within 3 s first.
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    setAck(interaction, 'ephemeral');
    // The mode base path the job ran under (a relay keeps fast and relax jobs apart).
    const value = await ctx.proxy.fetchImageSeed(id, { mode: (await ctx.stores.tasks.get(id))?.mode });
    await interaction.editReply({ content: t(interaction.locale, 'view.seed', { id, seed: value }), allowedMentions: { parse: [] } });
  },
  async autocomplete(interaction, ctx) {
    await interaction.respond(await recentChoices(ctx, interaction.user.id, String(interaction.options.getFocused())));
  },
};
