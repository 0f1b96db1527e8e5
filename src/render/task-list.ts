// The private /tasks list: one line per job (status, prompt, a jump to its message, its image),
// in the colour and with the message links the task views use.
import type { APIEmbed } from 'discord.js';
import { t } from '../i18n/index.ts';
import type { Task } from '../proxy/types.ts';
import { cutLines } from '../util/text.ts';
import { COLORS, isHttpUrl, safeText } from './task-view.ts';

/** Where a message lives, as a link Discord opens (DMs: '@me'). */
export function messageLink(m: { guildId: string | null; channelId: string; messageId: string | null }): string {
  return `https://discord.com/channels/${m.guildId ?? '@me'}/${m.channelId}/${m.messageId}`;
}

export type TaskListEntry =
  /** A job tracked for someone else: its prompt and links are theirs. */
  | { id: string; notYours: true }
  | { id: string; notYours?: false; task: Task | undefined; prompt: string; message: { guildId: string | null; channelId: string; messageId: string } | null };

function line(e: TaskListEntry, locale: string): string {
  if (e.notYours) return `\`${e.id}\` · ${t(locale, 'view.notYours')}`;
  const { task } = e;
  const status = task ? `${task.status}${task.status === 'IN_PROGRESS' && task.progress ? ` ${task.progress}` : ''}` : '—';
  const prompt = safeText(task?.prompt || task?.promptEn || e.prompt, 60);
  const jump = e.message ? ` · [↗](${messageLink(e.message)})` : '';
  const image = task?.status === 'SUCCESS' && isHttpUrl(task.imageUrl) ? ` · [🖼](${task.imageUrl.replace(/[()<>[\]]/g, encodeURIComponent)})` : '';
  return `\`${e.id}\` · **${status}** · ${prompt || '…'}${jump}${image}`;
}

export function renderTaskList(entries: readonly TaskListEntry[], locale: string): APIEmbed {
  const lines = entries.map((e) => line(e, locale));
  return { title: t(locale, 'view.tasksTitle'), description: cutLines(lines, 4000) || t(locale, 'view.tasksEmpty'), color: COLORS.progress };
}
