// /task id → GET /mj/task/{id}/fetch, shown with live buttons in this channel (like Midjourney's /show).
import { SlashCommandBuilder } from 'discord.js';
import { localizations } from '../src/i18n/index.ts';
import { recentChoices } from '../src/discord/recent.ts';
import { planJob } from '../src/discord/jobs.ts';
import { resolveLocale } from '../src/i18n/index.ts';
import { mayAct } from '../src/discord/ownership.ts';
import { UserInputError } from '../src/proxy/errors.ts';
import { DEFAULT_BACKEND } from '../src/proxy/task-reader.ts';
import type { Task } from '../src/proxy/types.ts';
import type { AppContext } from '../src/context.ts';
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
          const found = await readOne(ctx, ctx.reader.backendOf(existing.mode), id);
          await ctx.tracker.showCopy(id, found, { token: interaction.token, channelId: interaction.channelId, locale: resolveLocale(interaction.locale) });
        },
      };
    }
    // A job started elsewhere (another bot, the proxy's own UI): followed from here on, as the caller's.
    let found = null as Task | null;
    const plan = await planJob(interaction, ctx, {
      kind: 'show',
      prompt: '',
      countsAsJob: false,
      submit: async () => {
        found = await readOne(ctx, DEFAULT_BACKEND, id);
        return { kind: 'accepted', taskId: id, taskIds: [id], raw: { code: 1, description: '', result: id, properties: {} } };
      },
    });
    return {
      ...plan,
      async after() {
        // The prompt the proxy knows: the reply could not say it before the read.
        if (found) await ctx.tracker.update(id, found, { prompt: found.prompt || found.promptEn });
      },
    };
  },
  async autocomplete(interaction, ctx) {
    await interaction.respond(await recentChoices(ctx, interaction.user.id, String(interaction.options.getFocused())));
  },
};

/** The task, or the reason it cannot be shown: the proxy does not know it, or could not be asked. */
async function readOne(ctx: AppContext, backend: string, id: string): Promise<Task> {
  const read = await ctx.reader.readTasks(backend, [id]);
  const task = read.found.get(id);
  if (task) return task;
  if (!read.unknown.has(id) && read.error) throw read.error;
  throw new UserInputError('UNKNOWN_TASK', { id });
}
