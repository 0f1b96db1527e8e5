// /task id → GET /mj/task/{id}/fetch, shown with live buttons in this channel (like Midjourney's /show).
import { SlashCommandBuilder } from 'discord.js';
import { localizations } from '../src/i18n/index.ts';
import { recentChoices } from '../src/discord/recent.ts';
import { planJob } from '../src/discord/jobs.ts';
import { resolveLocale } from '../src/i18n/index.ts';
import { mayAct } from '../src/discord/ownership.ts';
import { UserInputError } from '../src/proxy/errors.ts';
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
      .addStringOption((o) => o.setName('id').setDescription('The job id').setDescriptionLocalizations(localizations('cmd.task.id')).setRequired(true).setAutocomplete(true))
      .toJSON();
  },
  async handle(interaction, ctx) {
    const id = readTaskId(interaction.options.getString('id', true));
    const existing = await ctx.stores.tasks.get(id);
    // A job the bot tracks for someone else (perhaps from a DM): theirs to show, not the caller's.
    if (existing && !mayAct(existing, interaction, 'admin')) throw new UserInputError('NOT_YOUR_TASK');
    if (existing) {
      // A job this bot already shows somewhere: a copy here, its buttons still the owner's.
      return {
        answer: { kind: 'public' },
        async run() {
          const found = await ctx.proxy.fetchTask(id, { mode: existing.mode });
          if (!found) throw new UserInputError('UNKNOWN_TASK', { id });
          await ctx.tracker.showCopy(existing, found, { token: interaction.token, channelId: interaction.channelId, locale: resolveLocale(interaction.locale) });
        },
      };
    }
    // A job started elsewhere (another bot, the proxy's own UI): followed from here on, as the caller's.
    let found = null as Awaited<ReturnType<typeof ctx.proxy.fetchTask>>;
    const plan = await planJob(interaction, ctx, {
      kind: 'show',
      prompt: '',
      countsAsJob: false,
      submit: async () => {
        found = await ctx.proxy.fetchTask(id);
        if (!found) throw new UserInputError('UNKNOWN_TASK', { id });
        return { kind: 'accepted', taskId: id, taskIds: [id], raw: { code: 1, description: '', result: id, properties: {} } };
      },
    });
    return {
      ...plan,
      async after() {
        const record = await ctx.stores.tasks.get(id);
        if (record && found) {
          record.prompt = found.prompt || found.promptEn;
          await ctx.tracker.applyUpdate(record, found);
        }
      },
    };
  },
  async autocomplete(interaction, ctx) {
    await interaction.respond(await recentChoices(ctx, interaction.user.id, String(interaction.options.getFocused())));
  },
};
