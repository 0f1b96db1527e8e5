// The pure renderer: a task (+ what the bot knows about it) and a locale → the Discord message.
// No I/O, no clock. Discord's limits are enforced here (content ≤ 2000, embeds, 5×5 buttons).
import { ButtonStyle, ComponentType, type APIButtonComponentWithCustomId, type APIEmbed } from 'discord.js';
import { t } from '../i18n/index.ts';
import { progressNumber } from '../proxy/parse.ts';
import type { Task, TaskStatus } from '../proxy/types.ts';
import { customIds, TASK_ID } from '../custom-id.ts';
import { buttonRows, effectiveButtons, ownButtons, type ButtonRow } from './buttons.ts';
import { explainFailReason } from './reasons.ts';
import { plainText } from './plain-text.ts';
import { describeText, KEYCAPS, numberedPrompts, shortenSections, shortenText } from './prompts.ts';
import { cutText, graphemeBoundary } from '../util/text.ts';
import { modeOf, queuePosition } from './job-facts.ts';

export const LIMITS = { content: 2000, embedDescription: 4096, embedTotal: 6000, prompt: 1200 } as const;

export const COLORS = { progress: 0x5865f2, success: 0x57f287, failure: 0xed4245, warning: 0xfee75c } as const;

/** A task's status, or the bot's own verdict on it (the record's status, without importing the store). */
export type ViewStatus = TaskStatus | 'TIMEOUT' | 'LOST';

export interface ViewContext {
  locale: string;
  ownerId: string;
  /** The prompt as the user typed it; the task's own prompt is the fallback. */
  prompt: string;
  /** What this job is relative to its parent ("U2", "Zoom Out 2x" …). */
  label?: string;
  queuePosition?: number | null;
  /** Our own verdicts, which override the task's status: TIMEOUT, LOST. */
  status?: ViewStatus;
  /** Why (several backends): its backend is no longer configured, or did not answer until the deadline. */
  backendGone?: 'removed' | 'unreachable';
  pressed?: readonly string[];
  hidden?: readonly string[];
  deadlineMinutes?: number;
  /** The backend has not answered reads for a while (the poller keeps trying): said under a job still under way. */
  outage?: boolean;
  /** 'attach': results become files (the poster downloads them); 'link': results stay links. */
  media?: 'attach' | 'link';
  /** The configured speed mode the job was sent under (MJ_MODES), when the backend does not say. */
  mode?: string | null;
  /** The bot's own controls a finished result offers (Share, 🗑): none unless said. */
  controls?: { share: boolean; remove: boolean };
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
  /** Results (and a describe's source image) to download and attach (media 'attach' only). */
  files: MediaFile[];
}

/** Characters that format inline markdown (or start a mention, emoji or channel link) in a message. */
const MARKDOWN = /[\\*_~`|[\]<>]/;
const URL_PART = /https?:\/\/[^\s<>]+/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** Control characters and bidi overrides: a "\u202e" in a prompt would turn the mention and status after it around. */
const INVISIBLE_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g;

/** Units of text[from, to): code points, escaped; `ends` gets the offset in `text` after each. */
function pushText(units: string[], ends: number[], text: string, from: number, to: number): void {
  let at = from;
  for (const ch of text.slice(from, to)) {
    at += ch.length;
    units.push(ch === '@' ? '@\u200b' : MARKDOWN.test(ch) ? `\\${ch}` : ch);
    ends.push(at);
  }
}

/**
 * Makes user text inert and at most `max` characters long: markdown escaped, links wrapped in <>
 * so they do not unfurl, "@" followed by a zero-width space so @everyone / <@id> never read as a
 * mention. The cut falls between whole units (an escape pair, a wrapped link, an emoji), never
 * inside one, so the text around it (the bold markers) stays intact.
 */
export function safeText(s: string, max: number): string {
  const units: string[] = [];
  const ends: number[] = [];
  const text = String(s ?? '')
    .replace(LONE_SURROGATE, '\uFFFD')
    .replace(INVISIBLE_CONTROL, '')
    .replace(/\s+/g, ' ')
    .trim()
    // No unit comes out shorter than it went in, so nothing past max + 1 can be shown: a huge prompt costs no more than a short one.
    .slice(0, max + 1);
  let at = 0;
  for (const m of text.matchAll(URL_PART)) {
    // Closing punctuation after a link ("(see https://x.y)", "https://x.y.") is text, not link.
    const url = m[0].replace(/[)\].,;:!?'"]+$/, '');
    pushText(units, ends, text, at, m.index);
    units.push(`<${url}>`);
    at = m.index + url.length;
    ends.push(at);
  }
  pushText(units, ends, text, at, text.length);
  const whole = units.join('');
  if (whole.length <= max) return whole;
  let n = 0;
  let size = 0;
  while (n < units.length && size + units[n]!.length + 1 <= max) size += units[n++]!.length;
  // Back off to a grapheme boundary: a family emoji or a flag is kept whole or left out.
  const boundary = n ? graphemeBoundary(text, ends[n - 1]!) : 0;
  while (n > 0 && ends[n - 1]! > boundary) n--;
  return `${units.slice(0, n).join('').trimEnd()}…`;
}

export function progressBar(percent: number): string {
  const p = Math.max(0, Math.min(100, Math.round(Number.isFinite(percent) ? percent : 0)));
  const filled = Math.round(p / 10);
  return `${'▰'.repeat(filled)}${'▱'.repeat(10 - filled)} ${p}%`;
}

/** A link Discord accepts in an embed and a downloader may fetch: http(s), no spaces, ≤ 2048 characters. */
export function isHttpUrl(u: string | null | undefined): u is string {
  if (!u || u.length > 2048 || /\s/.test(u)) return false;
  try {
    const url = new URL(u);
    return (url.protocol === 'http:' || url.protocol === 'https:') && !!url.hostname;
  } catch {
    return false;
  }
}

/** A finished task's media, as Midjourney shows it: videos; an edit's four images; else the one image (grid or upscale). */
export function resultMedia(task: Task): { kind: 'video' | 'image'; urls: string[] } {
  const videos = (task.videoUrls.length ? task.videoUrls : [task.videoUrl]).filter(isHttpUrl);
  if (videos.length) return { kind: 'video', urls: videos.slice(0, 10) };
  const many = task.imageUrls.filter(isHttpUrl);
  const one = isHttpUrl(task.imageUrl) ? [task.imageUrl] : [];
  // EDITS / RETEXTURE: imageUrl is the grid; the four edited images are imageUrls (seed 003).
  // Elsewhere imageUrls are the grid's quarters (trueai EnableFillOfficialCdn) and the U buttons refer to the grid.
  const urls = /^(EDITS?|RETEXTURE)$/.test(task.action) ? (many.length ? many : one) : one.length ? one : many;
  return { kind: 'image', urls: urls.slice(0, 10) };
}

function fileName(url: string, base: string, fallbackExt: string): string {
  try {
    const last = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');
    const m = /\.(png|jpe?g|webp|gif|mp4|webm|mov)$/i.exec(last);
    return `${base}.${m ? m[1]!.toLowerCase() : fallbackExt}`;
  } catch {
    return `${base}.${fallbackExt}`;
  }
}

/** Lines of the status part of the content: "(45%)" plus a bar, "(Queued — 3 ahead)" … */
export function statusText(task: Task | null, ctx: ViewContext): { status: string; extra?: string } {
  const loc = ctx.locale;
  const own = ctx.status;
  if ((own === 'TIMEOUT' || own === 'LOST') && ctx.backendGone) return { status: t(loc, 'status.backendGone') };
  if (own === 'TIMEOUT') return { status: t(loc, 'status.timeout') };
  if (own === 'LOST') return { status: t(loc, 'status.lost') };
  switch (task?.status ?? 'NOT_START') {
    case 'NOT_START': {
      const n = queuePosition(task, ctx);
      return { status: n ? t(loc, 'status.queued', { n }) : t(loc, 'status.waiting') };
    }
    case 'SUBMITTED':
      return { status: t(loc, 'status.submitted') };
    case 'IN_PROGRESS': {
      const p = progressNumber(task!.progress);
      return p === null ? { status: t(loc, 'status.submitted') } : { status: `${p}%`, extra: progressBar(p) };
    }
    case 'SUCCESS': {
      const speed = modeOf(task, ctx);
      return { status: speed ? safeText(speed, 40) : t(loc, 'status.done') };
    }
    case 'FAILURE':
      return { status: t(loc, 'status.failed') };
    case 'CANCEL':
      return { status: t(loc, 'status.cancelled') };
    case 'MODAL':
      return { status: t(loc, 'status.modal') };
  }
}

/** In the hidden-buttons list: this backend has no image-seed endpoint, so no 🌱. */
export const SEED_HIDDEN = 'mj:seed';

/** In the hidden-buttons list: this backend has no cancel endpoint, so no ❌ on jobs under way. */
export const CANCEL_HIDDEN = 'mj:cancel';

/** Midjourney image jobs have a seed; describe, shorten, video, face swaps and edits do not. */
function hasSeed(task: Task): boolean {
  return !!task.imageUrl && !/DESCRIBE|SHORTEN|VIDEO|FACE|EDITS|RETEXTURE/i.test(task.action);
}

function seedButton(taskId: string): APIButtonComponentWithCustomId {
  return { type: ComponentType.Button, custom_id: customIds.seed(taskId), style: ButtonStyle.Secondary, emoji: { name: '🌱' } };
}

function button(customId: string, label: string, emoji?: string): APIButtonComponentWithCustomId {
  return { type: ComponentType.Button, custom_id: customId, style: ButtonStyle.Primary, label, ...(emoji ? { emoji: { name: emoji } } : {}) };
}

/** At most `n` UTF-16 units, cut between graphemes, with "…" when cut. */
const cut = (s: string, n: number): string => cutText(s, n);

/** Keeps the embeds within Discord's per-field and per-message limits. */
function clampEmbeds(embeds: APIEmbed[]): APIEmbed[] {
  let budget = LIMITS.embedTotal;
  return embeds.slice(0, 10).map((e) => {
    const out = { ...e };
    if (out.title) out.title = cut(out.title, 256);
    budget -= out.title?.length ?? 0;
    if (out.description) {
      out.description = cut(out.description, Math.max(0, Math.min(LIMITS.embedDescription, budget)));
      if (!out.description) delete out.description;
      budget -= out.description?.length ?? 0;
    }
    if (out.footer?.text) out.footer = { ...out.footer, text: cut(out.footer.text, Math.max(0, Math.min(2048, budget))) };
    budget -= out.footer?.text.length ?? 0;
    return out;
  });
}

const SNOWFLAKE = /^\d{15,21}$/;
/** Below this many characters of prompt, trailing result links give way to the prompt. */
const MIN_PROMPT = 40;

export function renderTaskView(task: Task | null, ctx: ViewContext): MessageView {
  const loc = ctx.locale;
  const media = ctx.media ?? 'attach';
  // A DESCRIBE task's prompt fields hold its result, not what the user typed.
  const prompt = ctx.prompt || (task?.action === 'DESCRIBE' ? '' : task?.prompt || task?.promptEn || '');
  const { status, extra } = statusText(task, ctx);
  const lines: string[] = extra ? [extra] : [];
  const embeds: APIEmbed[] = [];
  const files: MediaFile[] = [];
  let components: ButtonRow[] = [];
  const terminal = ctx.status === 'TIMEOUT' || ctx.status === 'LOST';
  // Task ids that fit in our custom_ids; a task with another id gets no buttons.
  const routable = !!task && TASK_ID.test(task.id);

  if (ctx.status === 'LOST' && ctx.backendGone) {
    embeds.push({ color: COLORS.failure, title: t(loc, 'view.backendGoneTitle'), description: t(loc, 'view.backendRemovedBody') });
  } else if (ctx.status === 'TIMEOUT') {
    const body = ctx.backendGone ? t(loc, 'view.backendUnreachableBody', { minutes: ctx.deadlineMinutes ?? 10 }) : t(loc, 'view.timeoutBody', { minutes: ctx.deadlineMinutes ?? 10 });
    embeds.push({ color: COLORS.warning, title: t(loc, ctx.backendGone ? 'view.backendGoneTitle' : 'view.timeoutTitle'), description: body });
    if (routable) components = [{ type: ComponentType.ActionRow, components: [button(customIds.check(task.id), t(loc, 'button.checkAgain'), '🔁')] }];
  } else if (ctx.status === 'LOST') {
    embeds.push({ color: COLORS.failure, title: t(loc, 'view.failedTitle'), description: t(loc, 'view.lostBody') });
  }

  const underWay = !task || task.status === 'NOT_START' || task.status === 'SUBMITTED' || task.status === 'IN_PROGRESS';
  if (ctx.outage && !terminal && underWay) lines.push(t(loc, 'view.outage'));

  if (task && !terminal) {
    switch (task.status) {
      case 'IN_PROGRESS':
      case 'SUBMITTED':
      case 'NOT_START':
        // The proxy's low-res preview, as a link (previews are transient; only results are kept).
        if (task.status === 'IN_PROGRESS' && isHttpUrl(task.imageUrl)) embeds.push({ color: COLORS.progress, image: { url: task.imageUrl } });
        // ❌ Cancel, where the backend has not shown it lacks the endpoint.
        if (routable && !(ctx.hidden ?? []).includes(CANCEL_HIDDEN)) components = [{ type: ComponentType.ActionRow, components: [{ type: ComponentType.Button, custom_id: customIds.cancel(task.id), style: ButtonStyle.Secondary, label: t(loc, 'button.cancel'), emoji: { name: '❌' } }] }];
        break;
      case 'FAILURE':
      case 'CANCEL': {
        const why = task.status === 'CANCEL' && !task.failReason ? { text: t(loc, 'fail.cancelled'), original: null } : explainFailReason(task.failReason, loc);
        const out = [why.text];
        if (why.original && why.original !== why.text) out.push(t(loc, 'view.reason', { reason: `\`${cut(why.original.replace(/\s+/g, ' '), 500).replace(/`/g, "'")}\`` }));
        if (task.status === 'FAILURE') out.push(t(loc, 'view.failHint'));
        embeds.push({ color: COLORS.failure, title: t(loc, task.status === 'CANCEL' ? 'view.cancelledTitle' : 'view.failedTitle'), description: out.join('\n') });
        break;
      }
      case 'MODAL':
        embeds.push({ color: COLORS.warning, description: t(loc, 'view.modalBody') });
        if (routable) components = [{ type: ComponentType.ActionRow, components: [button(customIds.editor(task.id), t(loc, 'button.openEditor'), '✏️')] }];
        break;
      case 'SUCCESS':
        if (routable) {
          const extra = hasSeed(task) && !(ctx.hidden ?? []).includes(SEED_HIDDEN) ? [seedButton(task.id)] : [];
          extra.push(...ownButtons(task.id, loc, ctx.controls, !/DESCRIBE|SHORTEN/.test(task.action) && resultMedia(task).urls.length > 0));
          components = buttonRows(effectiveButtons(task, loc), { taskId: task.id, locale: loc, pressed: new Set(ctx.pressed ?? []), hidden: new Set(ctx.hidden ?? []) }, extra);
        }
        renderResult(task, loc, media, embeds, files, lines);
        break;
    }
  }

  return {
    content: composeContent(prompt, ctx, status, lines),
    embeds: clampEmbeds(embeds),
    components,
    allowedMentions: { parse: [], users: SNOWFLAKE.test(ctx.ownerId) ? [ctx.ownerId] : [], replied_user: false },
    files,
  };
}

/**
 * `**<prompt>** - <label> - <@owner> (<status>)` and the lines under it, within 2000 characters:
 * the prompt is what gives way (the mention, the status and result links are kept whole).
 */
function composeContent(prompt: string, ctx: ViewContext, status: string, lines: string[]): string {
  const label = ctx.label ? safeText(ctx.label, 100) : '';
  const tail = `<@${ctx.ownerId}> (${status})`;
  const kept = [...lines];
  const build = (max: number) => {
    const shown = prompt && max > 0 ? `**${safeText(prompt, max)}**` : '';
    const head = [shown, label, tail].filter(Boolean).join(' - ');
    return [head, ...kept].join('\n');
  };
  const room = () => LIMITS.content - build(0).length - ' - '.length - '****'.length;
  const isLink = (line: string) => /^https?:\/\//.test(line);
  while (kept.length && isLink(kept[kept.length - 1]!) && room() < (prompt ? MIN_PROMPT : 0)) kept.pop();
  const content = build(Math.min(LIMITS.prompt, room()));
  return cut(content, LIMITS.content);
}

/** The finished result: images/videos as files (or links), describe/shorten text as an embed. */
function renderResult(task: Task, loc: string, media: 'attach' | 'link', embeds: APIEmbed[], files: MediaFile[], lines: string[]): void {
  const base = `mj-${task.id.replace(/[^\w-]/g, '_').slice(0, 40)}`;
  if (task.action === 'DESCRIBE') {
    const text = describeText(task);
    const prompts = numberedPrompts(text);
    const description = prompts.length ? prompts.map((p, i) => `${KEYCAPS[i] ?? `${i + 1}.`} ${plainText(p)}`).join('\n\n') : plainText(text);
    const embed: APIEmbed = { color: COLORS.success, title: t(loc, 'view.describeTitle'), ...(description.trim() ? { description } : {}) };
    // The source image: proxies give a short-lived upload link, so it is re-hosted like a result.
    if (isHttpUrl(task.imageUrl)) {
      if (media === 'attach') {
        const name = fileName(task.imageUrl, `${base}-source`, 'png');
        files.push({ url: task.imageUrl, name });
        embed.thumbnail = { url: `attachment://${name}` };
      } else {
        embed.thumbnail = { url: task.imageUrl };
      }
    }
    embeds.push(embed);
    return;
  }
  if (task.action === 'SHORTEN') {
    const text = shortenText(task);
    const description = shortenSections(text, loc) ?? plainText(text);
    embeds.push({ color: COLORS.success, title: t(loc, 'view.shortenTitle'), ...(description.trim() ? { description } : {}) });
    return;
  }
  const { kind, urls } = resultMedia(task);
  if (urls.length === 0) return;
  if (media === 'attach') {
    urls.forEach((url, i) => files.push({ url, name: fileName(url, urls.length > 1 ? `${base}-${i + 1}` : base, kind === 'video' ? 'mp4' : 'png') }));
    return;
  }
  if (kind === 'video') {
    // Discord plays a bare mp4 link in the message itself: one per line.
    lines.push(...urls.slice(0, 4));
    return;
  }
  // Up to four embeds sharing one url show as one gallery.
  urls.slice(0, 4).forEach((url, i) =>
    embeds.push({ color: COLORS.success, ...(urls.length > 1 ? { url: urls[0] } : {}), image: { url }, ...(i === 0 ? { description: t(loc, 'view.linkNote', { url }) } : {}) }),
  );
}

/**
 * The least a finished job can show when Discord refused its whole view (a 400 on the final
 * edit): the requester, a plain note and the result (files, or links), nothing from the backend
 * that could be what Discord refused (no embeds, no buttons, no prompt).
 */
export function minimalView(task: Task | null, ctx: ViewContext): MessageView {
  const media = ctx.media ?? 'attach';
  const files: MediaFile[] = [];
  const lines: string[] = [];
  if (task?.status === 'SUCCESS' && task.action !== 'DESCRIBE' && task.action !== 'SHORTEN') {
    const base = `mj-${task.id.replace(/[^\w-]/g, '_').slice(0, 40)}`;
    const { kind, urls } = resultMedia(task);
    const ext = kind === 'video' ? 'mp4' : 'png';
    if (media === 'attach') urls.forEach((url, i) => files.push({ url, name: fileName(url, urls.length > 1 ? `${base}-${i + 1}` : base, ext) }));
    else lines.push(...urls.slice(0, 4).map((u) => `<${u}>`));
  }
  const owner = SNOWFLAKE.test(ctx.ownerId) ? ctx.ownerId : '';
  const content = [`${owner ? `<@${owner}> ` : ''}${t(ctx.locale, 'view.minimalNote')}`, ...lines].join('\n');
  return { content: cutText(content, LIMITS.content), embeds: [], components: [], allowedMentions: { parse: [], users: owner ? [owner] : [], replied_user: false }, files };
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
