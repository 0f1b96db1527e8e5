// The pure renderer: a task (+ what the bot knows about it) and a locale → the Discord message.
// No I/O, no clock. Discord's limits are enforced here (content ≤ 2000, embeds, 5×5 buttons).
import { ButtonStyle, ComponentType, escapeMarkdown, type APIButtonComponentWithCustomId, type APIEmbed } from 'discord.js';
import { t } from '../i18n/index.ts';
import { progressNumber } from '../proxy/parse.ts';
import type { Task } from '../proxy/types.ts';
import type { RecordStatus } from '../store/tasks.ts';
import { customIds } from '../discord/custom-id.ts';
import { buttonRows, type ButtonRow } from './buttons.ts';
import { explainFailReason } from './reasons.ts';
import { numberedPrompts, shortenSections } from './prompts.ts';

export const LIMITS = { content: 2000, embedDescription: 4096, embedTotal: 6000, prompt: 1200 } as const;

const COLORS = { progress: 0x5865f2, success: 0x57f287, failure: 0xed4245, warning: 0xfee75c } as const;

export interface ViewContext {
  locale: string;
  ownerId: string;
  /** The prompt as the user typed it; the task's own prompt is the fallback. */
  prompt: string;
  /** What this job is relative to its parent ("U2", "Zoom Out 2x" …). */
  label?: string;
  queuePosition?: number | null;
  /** Our own verdicts, which override the task's status: TIMEOUT, LOST. */
  status?: RecordStatus;
  pressed?: readonly string[];
  hidden?: readonly string[];
  deadlineMinutes?: number;
  /** 'attach': results become files (the poster downloads them); 'link': results stay links. */
  media?: 'attach' | 'link';
}

export interface MediaFile {
  url: string;
  name: string;
}

export interface MessageView {
  content: string;
  embeds: APIEmbed[];
  components: ButtonRow[];
  allowedMentions: { parse: []; users: string[]; replied_user: false };
  /** Results to download and attach (media 'attach' only). */
  files: MediaFile[];
}

/** Makes user text inert: markdown escaped, links kept from unfurling, mentions neutralised. */
export function safeText(s: string, max: number): string {
  let out = s.replace(/\s+/g, ' ').trim();
  if (out.length > max) out = `${out.slice(0, max - 1)}…`;
  // Links are wrapped in <> so they do not unfurl; the text between them is escaped. A zero-width
  // space after "@" keeps @everyone / <@id> typed in a prompt from rendering as a mention.
  return out
    .split(/(https?:\/\/[^\s<>]+)/g)
    .map((part, i) => (i % 2 === 1 ? `<${part}>` : escapeMarkdown(part).replace(/@/g, '@\u200b')))
    .join('');
}

export function progressBar(percent: number): string {
  const filled = Math.max(0, Math.min(10, Math.round(percent / 10)));
  return `${'▰'.repeat(filled)}${'▱'.repeat(10 - filled)} ${percent}%`;
}

function modeOf(task: Task | null): string | null {
  const mc = String(task?.properties.messageContent ?? '');
  const m = /\((fast|relaxed|relax|turbo)\)/i.exec(mc);
  return m ? m[1].toLowerCase() : null;
}

function fileName(url: string, fallback: string): string {
  try {
    const last = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');
    const m = /\.(png|jpe?g|webp|gif|mp4|webm)$/i.exec(last);
    return m ? `${fallback}.${m[1].toLowerCase()}` : `${fallback}.png`;
  } catch {
    return `${fallback}.png`;
  }
}

/** Lines of the status part of the content: "(45%)" plus a bar, "(Queued — 3 ahead)" … */
function statusText(task: Task | null, ctx: ViewContext): { status: string; extra?: string } {
  const loc = ctx.locale;
  const own = ctx.status;
  if (own === 'TIMEOUT') return { status: t(loc, 'status.timeout') };
  if (own === 'LOST') return { status: t(loc, 'status.lost') };
  switch (task?.status ?? 'NOT_START') {
    case 'NOT_START':
      if (ctx.queuePosition && ctx.queuePosition > 0) return { status: t(loc, 'status.queued', { n: ctx.queuePosition }) };
      return { status: t(loc, 'status.waiting') };
    case 'SUBMITTED':
      return { status: t(loc, 'status.submitted') };
    case 'IN_PROGRESS': {
      const p = progressNumber(task!.progress);
      return p === null ? { status: t(loc, 'status.submitted') } : { status: `${p}%`, extra: progressBar(p) };
    }
    case 'SUCCESS':
      return { status: modeOf(task) ?? t(loc, 'status.done') };
    case 'FAILURE':
      return { status: t(loc, 'status.failed') };
    case 'CANCEL':
      return { status: t(loc, 'status.cancelled') };
    case 'MODAL':
      return { status: t(loc, 'status.modal') };
  }
}

function button(customId: string, label: string, emoji?: string): APIButtonComponentWithCustomId {
  return { type: ComponentType.Button, custom_id: customId, style: ButtonStyle.Primary, label, ...(emoji ? { emoji: { name: emoji } } : {}) };
}

/** Keeps the embeds within Discord's per-field and per-message limits. */
function clampEmbeds(embeds: APIEmbed[]): APIEmbed[] {
  let budget = LIMITS.embedTotal;
  return embeds.slice(0, 10).map((e) => {
    const out = { ...e };
    if (out.title) out.title = out.title.slice(0, 256);
    budget -= out.title?.length ?? 0;
    if (out.description) {
      const max = Math.max(0, Math.min(LIMITS.embedDescription, budget));
      if (out.description.length > max) out.description = `${out.description.slice(0, Math.max(0, max - 1))}…`;
      budget -= out.description.length;
    }
    if (out.footer?.text) out.footer = { ...out.footer, text: out.footer.text.slice(0, Math.max(0, Math.min(2048, budget))) };
    budget -= out.footer?.text.length ?? 0;
    return out;
  });
}

export function renderTaskView(task: Task | null, ctx: ViewContext): MessageView {
  const loc = ctx.locale;
  const media = ctx.media ?? 'attach';
  const prompt = ctx.prompt || task?.prompt || task?.promptEn || '';
  const { status, extra } = statusText(task, ctx);
  const label = ctx.label ? ` - ${escapeMarkdown(ctx.label)}` : '';
  const head = `${prompt ? `**${safeText(prompt, LIMITS.prompt)}**` : ''}${label} - <@${ctx.ownerId}> (${status})`;
  let content = extra ? `${head}\n${extra}` : head;
  const embeds: APIEmbed[] = [];
  const files: MediaFile[] = [];
  let components: ButtonRow[] = [];
  const terminal = ctx.status === 'TIMEOUT' || ctx.status === 'LOST';

  if (ctx.status === 'TIMEOUT') {
    embeds.push({ color: COLORS.warning, title: t(loc, 'view.timeoutTitle'), description: t(loc, 'view.timeoutBody', { minutes: ctx.deadlineMinutes ?? 10 }) });
    components = [{ type: ComponentType.ActionRow, components: [button(customIds.check(task?.id ?? ''), t(loc, 'button.checkAgain'), '🔁')] }];
  } else if (ctx.status === 'LOST') {
    embeds.push({ color: COLORS.failure, title: t(loc, 'view.failedTitle'), description: t(loc, 'view.lostBody') });
  }

  if (task && !terminal) {
    const pressed = new Set(ctx.pressed ?? []);
    const hidden = new Set(ctx.hidden ?? []);
    switch (task.status) {
      case 'IN_PROGRESS':
      case 'SUBMITTED':
      case 'NOT_START':
        // The proxy's low-res preview, as a link (previews are transient; only results are kept).
        if (task.imageUrl && task.status === 'IN_PROGRESS') embeds.push({ color: COLORS.progress, image: { url: task.imageUrl } });
        break;
      case 'FAILURE':
      case 'CANCEL': {
        const why = explainFailReason(task.failReason, loc);
        const lines = [why.text];
        if (why.original && why.original !== why.text) lines.push(t(loc, 'view.reason', { reason: `\`${why.original.slice(0, 500).replace(/`/g, "'")}\`` }));
        if (task.status === 'FAILURE') lines.push(t(loc, 'view.failHint'));
        embeds.push({ color: COLORS.failure, title: t(loc, task.status === 'CANCEL' ? 'view.cancelledTitle' : 'view.failedTitle'), description: lines.join('\n') });
        break;
      }
      case 'MODAL':
        embeds.push({ color: COLORS.warning, description: t(loc, 'view.modalBody') });
        components = [{ type: ComponentType.ActionRow, components: [button(customIds.editor(task.id), t(loc, 'button.openEditor'), '✏️')] }];
        break;
      case 'SUCCESS': {
        const rows = buttonRows(task.buttons, { taskId: task.id, locale: loc, pressed, hidden });
        components = rows;
        renderResult(task, loc, media, embeds, files, (line) => (content += `\n${line}`));
        break;
      }
    }
  }

  if (content.length > LIMITS.content) content = `${content.slice(0, LIMITS.content - 1)}…`;
  return {
    content,
    embeds: clampEmbeds(embeds),
    components,
    allowedMentions: { parse: [], users: [ctx.ownerId], replied_user: false },
    files,
  };
}

/** The finished result: images/videos as files (or links), describe/shorten text as an embed. */
function renderResult(task: Task, loc: string, media: 'attach' | 'link', embeds: APIEmbed[], files: MediaFile[], addLine: (s: string) => void): void {
  const action = task.action;
  if (action === 'DESCRIBE') {
    const text = task.properties.finalPrompt || task.promptEn || task.prompt;
    const prompts = numberedPrompts(text);
    const description = prompts.length ? prompts.map((p, i) => `${['1️⃣', '2️⃣', '3️⃣', '4️⃣', '5️⃣'][i] ?? `${i + 1}.`} ${p}`).join('\n\n') : text;
    embeds.push({ color: COLORS.success, title: t(loc, 'view.describeTitle'), description, ...(task.imageUrl ? { thumbnail: { url: task.imageUrl } } : {}) });
    return;
  }
  if (action === 'SHORTEN') {
    const text = task.properties.finalPrompt || task.description;
    const s = shortenSections(text);
    embeds.push({ color: COLORS.success, title: t(loc, 'view.shortenTitle'), description: s ?? text });
    return;
  }
  const videos = task.videoUrls.length ? task.videoUrls : task.videoUrl ? [task.videoUrl] : [];
  const images = videos.length ? [] : task.imageUrls.length > 1 ? task.imageUrls : task.imageUrl ? [task.imageUrl] : task.imageUrls;
  const urls = [...videos, ...images].slice(0, 10);
  if (media === 'attach') {
    urls.forEach((url, i) => files.push({ url, name: fileName(url, `mj-${task.id}${urls.length > 1 ? `-${i + 1}` : ''}`) }));
    return;
  }
  if (videos.length) {
    // Discord plays mp4 links inline; one per line.
    for (const v of videos.slice(0, 4)) addLine(v);
    return;
  }
  images.slice(0, 4).forEach((url, i) => embeds.push({ color: COLORS.success, url: images.length > 1 ? (images[0] ?? url) : undefined, image: { url } , ...(i === 0 ? { description: t(loc, 'view.linkNote', { url }) } : {}) }));
}

/** The JSON body Discord receives for a view (files travel as multipart parts beside it). */
export function messageBody(view: MessageView, fileNames?: string[]) {
  return {
    content: view.content,
    embeds: view.embeds,
    components: view.components,
    allowed_mentions: view.allowedMentions,
    ...(fileNames ? { attachments: fileNames.map((filename, id) => ({ id, filename })) } : {}),
  };
}
