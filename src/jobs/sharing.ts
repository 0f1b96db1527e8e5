// Share and 🗑 on a finished result. Share posts the result in the server's gallery channel (a
// private job without one: publicly in the channel where it was made), once: the post is
// remembered on the record, and clicks on the same job run one at a time in its tracker lane, with
// a mark written before the post for a click handled by another process. The clicked message gets
// a link to the post. 🗑 forgets the job (record and recent list) and removes the clicked message
// through the click's own token, which reaches an ephemeral message as well as a public one.
import { MessageFlags, type ButtonInteraction } from 'discord.js';
import type { JobsContext } from '../context.ts';
import { t } from '../i18n/index.ts';
import { UserInputError } from '../proxy/errors.ts';
import { renderSharePost } from '../render/share.ts';
import { messageLink } from '../render/task-list.ts';
import type { TaskRecord } from '../store/tasks.ts';
import { cutText } from '../util/text.ts';
import type { Plan } from './plan.ts';

/** A Share under way (its mark) holds off another process's click for this long. */
const SHARING_HOLD_MS = 60_000;

const linkTo = (shared: NonNullable<TaskRecord['shared']>) => messageLink(shared);

/** Where Share posts this job: the server's gallery, else (a private job) its own channel; checked before anything is sent. */
export async function shareTarget(ctx: JobsContext, record: TaskRecord): Promise<string> {
  const gallery = record.guildId ? (await ctx.stores.prefs.server(record.guildId)).galleryChannelId : undefined;
  const target = gallery ?? (record.private && record.guildId ? record.channelId : undefined);
  if (!target) throw new UserInputError('NO_GALLERY');
  return target;
}

export async function planShare(ctx: JobsContext, interaction: ButtonInteraction, record: TaskRecord): Promise<Plan> {
  const target = record.shared ? record.shared.channelId : await shareTarget(ctx, record);
  const locale = interaction.locale;
  const say = (content: string) => interaction.followUp({ content, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
  return {
    answer: { kind: 'update' },
    run: async () => {
      const outcome = await ctx.tracker.withRecord(record.taskId, async (rec, save) => {
        if (!rec?.task) throw new UserInputError('EXPIRED');
        if (rec.shared) return { shared: rec.shared, fresh: false };
        if (rec.sharing && ctx.now() - rec.sharing < SHARING_HOLD_MS) throw new UserInputError('SHARE_BUSY');
        rec.sharing = ctx.now();
        await save(rec);
        try {
          const messageId = await post(ctx, rec, target);
          rec.shared = { channelId: target, messageId, guildId: rec.guildId };
          return { shared: rec.shared, fresh: true };
        } finally {
          delete rec.sharing;
          await save(rec);
        }
      });
      const link = linkTo(outcome.shared);
      if (outcome.fresh) {
        // The clicked message (public or ephemeral: the click's token reaches both) links to the post.
        const content = cutText(`${interaction.message.content}\n${t(locale, 'share.linked', { link })}`, 2000);
        await interaction.editReply({ content, allowedMentions: { parse: [] } }).catch((err: unknown) => ctx.logger.info('could not link the shared post', { taskId: record.taskId, err }));
        await say(t(locale, 'share.posted', { channel: outcome.shared.channelId, link }));
      } else {
        await say(t(locale, 'share.already', { link }));
      }
    },
  };
}

/** The gallery post: files downloaded like the finished view's (media guard, limits), links when they cannot be had. */
async function post(ctx: JobsContext, rec: TaskRecord, channelId: string): Promise<string> {
  const publisher = ctx.tracker.publisher;
  const link = rec.private || !rec.messageId ? null : messageLink(rec);
  const view = (media: 'attach' | 'link') => renderSharePost(rec.task!, { locale: rec.locale, ownerId: rec.ownerId, prompt: rec.prompt, link, media });
  const files = await publisher.fetchFiles(view('attach'));
  let res = await publisher.post(channelId, files ? view('attach') : view('link'), files ?? undefined);
  if (!res.ok && res.reason === 'too-large') res = await publisher.post(channelId, view('link'), undefined);
  if (res.ok) return res.messageId;
  // Discord's 10003 (the channel is gone), 50001 (no access), 50013 (no permission to post or attach).
  throw new UserInputError(res.reason === 'gone' ? 'GALLERY_UNREACHABLE' : 'SHARE_FAILED');
}

export function planRemove(ctx: JobsContext, interaction: ButtonInteraction, record: TaskRecord): Plan {
  return {
    answer: { kind: 'update' },
    run: async () => {
      await ctx.tracker.withRecord(record.taskId, async () => {
        await ctx.stores.tasks.delete(record.taskId);
      });
      await ctx.stores.recent.remove(record.ownerId, record.taskId).catch((err: unknown) => ctx.logger.warn('recent jobs not updated', { err }));
      await interaction.deleteReply().catch((err: unknown) => ctx.logger.info('the removed job\'s message could not be deleted', { taskId: record.taskId, err }));
      await interaction.followUp({ content: t(interaction.locale, 'delete.done'), flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
    },
  };
}
