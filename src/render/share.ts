// The gallery post Share makes: the result re-hosted as files (or links when they could not be
// had), the prompt as plain text, who shared it (a mention that pings nobody) and a jump link to
// the original, or a note that it came from a private job. Pure, like task-view.
import { t } from '../i18n/index.ts';
import type { Task } from '../proxy/types.ts';
import { cutText } from '../util/text.ts';
import { LIMITS, resultMedia, safeText, type MessageView } from './task-view.ts';

export interface ShareContext {
  locale: string;
  ownerId: string;
  prompt: string;
  /** The original message, or null for a private job (nothing public to jump to). */
  link: string | null;
  media: 'attach' | 'link';
}

export function renderSharePost(task: Task, ctx: ShareContext): MessageView {
  const { kind, urls } = resultMedia(task);
  const base = `mj-${task.id.replace(/[^\w-]/g, '_').slice(0, 40)}`;
  const ext = kind === 'video' ? 'mp4' : 'png';
  const files = ctx.media === 'attach' ? urls.map((url, i) => ({ url, name: `${urls.length > 1 ? `${base}-${i + 1}` : base}.${extOf(url) ?? ext}` })) : [];
  const lines = [
    `**${safeText(ctx.prompt || task.prompt || task.promptEn, LIMITS.prompt)}**`,
    t(ctx.locale, 'share.by', { user: ctx.ownerId }),
    ctx.link ? t(ctx.locale, 'share.from', { link: ctx.link }) : t(ctx.locale, 'share.fromPrivate'),
    ...(ctx.media === 'link' ? urls.slice(0, 4).map((u) => `<${u}>`) : []),
  ];
  // The requester is named, never pinged: a gallery is read by everyone.
  return { content: cutText(lines.join('\n'), LIMITS.content), embeds: [], components: [], allowedMentions: { parse: [], users: [], replied_user: false }, files };
}

function extOf(url: string): string | null {
  try {
    const m = /\.(png|jpe?g|webp|gif|mp4|webm|mov)$/i.exec(new URL(url).pathname);
    return m ? m[1]!.toLowerCase() : null;
  } catch {
    return null;
  }
}
