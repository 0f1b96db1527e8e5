// /tasks [ids] → POST /mj/task/list-by-condition: a compact private list with status and links.
import { SlashCommandBuilder, type APIEmbed } from 'discord.js';
import { localizations, t } from '../src/i18n/index.ts';
import { mayAct } from '../src/discord/ownership.ts';
import { listRecent } from '../src/discord/recent.ts';
import type { Task } from '../src/proxy/types.ts';
import { isHttpUrl, safeText } from '../src/render/task-view.ts';
import { cutLines } from '../src/util/text.ts';
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
      .addStringOption((o) => o.setName('ids').setDescription('Job ids separated by spaces (optional)').setDescriptionLocalizations(localizations('cmd.tasks.ids')).setMaxLength(1000))
      .toJSON();
  },
  async handle(interaction, ctx) {
    const typed = (interaction.options.getString('ids') ?? '').split(/[\s,]+/).filter(Boolean);
    const ids = typed.length ? [...new Set(typed.map(readTaskId))].slice(0, MAX_IDS) : (await listRecent(ctx, interaction.user.id)).slice(0, 10).map((j) => j.taskId);
    return {
      answer: { kind: 'ephemeral' },
      async run() {
        const records = await ctx.stores.tasks.getMany(ids);
        // Each job is read from the backend it runs on (ids the bot does not track: the default one).
        const byId = new Map<string, Task>();
        for (const [backend, some] of ctx.reader.byBackend(ids.map((taskId, i) => ({ taskId, mode: records[i]?.mode })))) {
          const read = await ctx.reader.readTasks(backend, some);
          // Nothing got an answer: the proxy is unwell, and the reply says so rather than a list of dashes.
          if (!read.answered && read.error) throw read.error;
          for (const [id, task] of read.found) byId.set(id, task);
        }
        const lines = ids.map((id, i) => {
          const rec = records[i];
          // Another user's tracked job (perhaps from a DM): its prompt and links are theirs.
          if (rec && !mayAct(rec, interaction, 'admin')) return `\`${id}\` · ${t(interaction.locale, 'view.notYours')}`;
          const task = byId.get(id);
          const status = task ? `${task.status}${task.status === 'IN_PROGRESS' && task.progress ? ` ${task.progress}` : ''}` : '—';
          const prompt = safeText(task?.prompt || task?.promptEn || rec?.prompt || '', 60);
          const jump = rec?.messageId ? ` · [↗](https://discord.com/channels/${rec.guildId ?? '@me'}/${rec.channelId}/${rec.messageId})` : '';
          const image = task?.status === 'SUCCESS' && isHttpUrl(task.imageUrl) ? ` · [🖼](${task.imageUrl.replace(/[()<>[\]]/g, encodeURIComponent)})` : '';
          return `\`${id}\` · **${status}** · ${prompt || '…'}${jump}${image}`;
        });
        const embed: APIEmbed = { title: t(interaction.locale, 'view.tasksTitle'), description: cutLines(lines, 4000) || t(interaction.locale, 'view.tasksEmpty'), color: 0x5865f2 };
        await interaction.editReply({ embeds: [embed], allowedMentions: { parse: [] } });
      },
    };
  },
};
