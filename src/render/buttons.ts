// Proxy buttons → Discord button rows, grouped as Midjourney does (ux.md "Buttons"):
// [U1 U2 U3 U4 🔄] [V1 V2 V3 V4], after an upscale [Upscale/Vary …] [Zoom …] [⬅️ ➡️ ⬆️ ⬇️] [others].
// Order within a group is the proxy's; never more than 5 a row and 5 rows.
import { ButtonStyle, ComponentType, type APIActionRowComponent, type APIButtonComponentWithCustomId, type APIMessageComponentEmoji } from 'discord.js';
import { t } from '../i18n/index.ts';
import type { Task, TaskButton } from '../proxy/types.ts';
import { customIds } from '../discord/custom-id.ts';
import { cutText } from '../util/text.ts';
import { describeText, numberedPrompts, shortenOptions, shortenText, KEYCAPS as PICK_EMOJI } from './prompts.ts';

export const MAX_ROWS = 5;
export const MAX_PER_ROW = 5;
const MAX_LABEL = 80;

export type ButtonRow = APIActionRowComponent<APIButtonComponentWithCustomId>;

/** Midjourney's rows, in the order it shows them (ux.md "Buttons"). */
const GROUP_ORDER = ['upscale', 'variation', 'hd', 'zoom', 'pan', 'video', 'describe', 'shorten', 'other'] as const;
export type ButtonGroup = (typeof GROUP_ORDER)[number];

/** Which of Midjourney's rows a customId belongs to (api.md §3). */
export function buttonGroup(customId: string): ButtonGroup {
  if (/::upsample::\d|::reroll::/.test(customId)) return 'upscale';
  if (/::variation::\d/.test(customId)) return 'variation';
  if (/upsample_v|upsample_max|low_variation|high_variation|::Inpaint::/i.test(customId)) return 'hd';
  if (/::Outpaint::|::CustomZoom::/i.test(customId)) return 'zoom';
  if (/::pan_(left|right|up|down)::/.test(customId)) return 'pan';
  if (/PicReader|Picread/i.test(customId)) return 'describe';
  // "Show Details" (PromptAnalyzerExtended) sits on a row of its own, after the five picks.
  if (/PromptAnalyzer::\d/i.test(customId)) return 'shorten';
  if (/animate|video/i.test(customId)) return 'video';
  return 'other';
}

/** The customIds a proxy gives a DESCRIBE / SHORTEN result (api.md §2.4). */
export const PICK_IDS = {
  describe: (n: number) => `MJ::Job::PicReader::${n}`,
  describeAll: 'MJ::Job::PicReader::all',
  shorten: (n: number) => `MJ::Job::PromptAnalyzer::${n}`,
} as const;

const synthetic = (customId: string, emoji: string, label = ''): TaskButton => ({ customId, emoji, label, type: 2, style: 2 });

/**
 * The buttons a finished task offers: its own, or, for a DESCRIBE / SHORTEN result that came
 * without any (new-api relays drop them), the picks Midjourney would show: 1️⃣–4️⃣ and
 * "🎉 Imagine all" for the prompts of a describe, 1️⃣–5️⃣ for the options of a shorten.
 * The renderer and the click router both index into this list (`mj:b:<taskId>:<index>`); the
 * locale changes only the synthesized labels, never the order.
 */
export function effectiveButtons(task: Task | null, locale = 'en-US'): TaskButton[] {
  if (!task) return [];
  if (task.buttons.length || task.status !== 'SUCCESS') return task.buttons;
  if (task.action === 'DESCRIBE') {
    const n = Math.min(4, numberedPrompts(describeText(task)).length);
    if (n === 0) return [];
    const picks = Array.from({ length: n }, (_, i) => synthetic(PICK_IDS.describe(i + 1), PICK_EMOJI[i]));
    return n > 1 ? [...picks, synthetic(PICK_IDS.describeAll, '🎉', t(locale, 'button.imagineAll'))] : picks;
  }
  if (task.action === 'SHORTEN') {
    const n = Math.min(5, shortenOptions(shortenText(task)).length);
    return Array.from({ length: n }, (_, i) => synthetic(PICK_IDS.shorten(i + 1), PICK_EMOJI[i]));
  }
  return task.buttons;
}

/** Buttons that always open a modal at the proxy (code 21): the bot shows its own modal first. */
export type ModalKind = 'zoom' | 'region' | 'prompt';
export function modalKindOf(customId: string): ModalKind | null {
  if (/::CustomZoom::/i.test(customId)) return 'zoom';
  if (/::Inpaint::/i.test(customId)) return 'region';
  if (/::PicReader::\d|::PromptAnalyzer::\d/i.test(customId)) return 'prompt';
  return null;
}

const KEYCAP_OF_DIGIT = ['0️⃣', '1️⃣', '2️⃣', '3️⃣', '4️⃣', '5️⃣', '6️⃣', '7️⃣', '8️⃣', '9️⃣'];
const PAN_EMOJI: Record<string, string> = { left: '⬅️', right: '➡️', up: '⬆️', down: '⬇️' };

/** A label or a unicode emoji for a button that came with neither (or only an unusable emoji name). */
export function fallbackFace(customId: string, locale: string): { label?: string; emoji?: string } {
  let m: RegExpExecArray | null;
  if ((m = /::upsample::(\d)/.exec(customId))) return { label: `U${m[1]}` };
  if ((m = /::variation::(\d)/.exec(customId))) return { label: `V${m[1]}` };
  if (/::reroll::|Picread::Retry/i.test(customId)) return { emoji: '🔄' };
  if (/upsample_v\w*_subtle/i.test(customId)) return { label: 'Upscale (Subtle)' };
  if (/upsample_v\w*_creative/i.test(customId)) return { label: 'Upscale (Creative)' };
  if ((m = /upsample_v\d+_(\d)x/i.exec(customId))) return { label: `Upscale (${m[1]}x)` };
  if (/low_variation/.test(customId)) return { label: 'Vary (Subtle)' };
  if (/high_variation/.test(customId)) return { label: 'Vary (Strong)' };
  if (/::Inpaint::/i.test(customId)) return { label: 'Vary (Region)', emoji: '🖌️' };
  if ((m = /::Outpaint::(\d+)::/i.exec(customId))) {
    const label = m[1] === '50' ? 'Zoom Out 2x' : m[1] === '75' ? 'Zoom Out 1.5x' : m[1] === '100' ? 'Make Square' : t(locale, 'button.zoom');
    return { label, emoji: '🔍' };
  }
  if (/::CustomZoom::/i.test(customId)) return { label: 'Custom Zoom', emoji: '🔍' };
  if ((m = /::pan_(left|right|up|down)::/.exec(customId))) return { emoji: PAN_EMOJI[m[1]] };
  if ((m = /animate_(high|low)/.exec(customId))) return { label: `${t(locale, 'button.animate')} (${m[1] === 'high' ? 'High' : 'Low'})`, emoji: '🎞️' };
  if (/PicReader::all/i.test(customId)) return { label: t(locale, 'button.imagineAll'), emoji: '🎉' };
  if (/PromptAnalyzerExtended|show_?details/i.test(customId)) return { label: t(locale, 'button.showDetails') };
  if ((m = /(?:PicReader|PromptAnalyzer)::([1-9])/i.exec(customId))) return { emoji: KEYCAP_OF_DIGIT[Number(m[1])] };
  if (/BOOKMARK/i.test(customId)) return { emoji: '❤️' };
  return { label: t(locale, 'button.action') };
}

/**
 * The proxy sends an emoji *name*: unicode, a custom emoji string `<:name:id>`, or a bare name
 * like `upscale_1` that Discord would reject (the whole message fails), so a bare name is dropped,
 * and so is anything but exactly one emoji ("🔄🔄", "1️⃣2️⃣", two flags, a stray joiner).
 */
export function toDiscordEmoji(emoji: string): APIMessageComponentEmoji | undefined {
  const e = (emoji ?? '').trim();
  if (!e) return undefined;
  const custom = /^<(a?):(\w{2,32}):(\d{17,20})>$/.exec(e);
  if (custom) return { id: custom[3], name: custom[2], ...(custom[1] === 'a' ? { animated: true } : {}) };
  if (isUnicodeEmoji(e)) return { name: e };
  // "⬅" without its variation selector is the same emoji; Discord takes the form it lists, "⬅️".
  const first = String.fromCodePoint(e.codePointAt(0)!);
  const qualified = `${first}\ufe0f${e.slice(first.length)}`;
  return e.length <= 3 && !e.includes('\ufe0f') && isUnicodeEmoji(qualified) ? { name: qualified } : undefined;
}

/**
 * Exactly one emoji of Unicode's recommended set (RGI: what Discord's emoji picker lists), which
 * is what Discord accepts as a button's emoji name. Built at run time: the ES2022 target cannot
 * parse a `/…/v` literal.
 */
const ONE_RGI_EMOJI = new RegExp('^\\p{RGI_Emoji}$', 'v');

export function isUnicodeEmoji(s: string): boolean {
  return !!s && s.length <= 32 && ONE_RGI_EMOJI.test(s);
}

/** At most `n` UTF-16 units, cut between graphemes (Discord refuses ill-formed text). */
const truncate = (s: string, n: number): string => cutText(s, n);

/** Nothing a reader would see: whitespace and zero-width characters only. */
const INVISIBLE = /^[\s\u200b-\u200f\u2060\ufeff]*$/u;

/** The highest index our custom_ids carry (custom-id.ts reads one or two digits); buttons past it could not be routed. */
const MAX_INDEX = 99;

export interface ButtonContext {
  taskId: string;
  locale: string;
  /** customIds already pressed: shown green, as Midjourney does. */
  pressed: ReadonlySet<string>;
  /** customIds this backend rejected before: not offered again. */
  hidden?: ReadonlySet<string>;
}

/** Discord button rows for a task's buttons; `extra` buttons (our own) go at the end of the last row, or a row of their own, if room is left. */
export function buttonRows(buttons: TaskButton[], ctx: ButtonContext, extra: APIButtonComponentWithCustomId[] = []): ButtonRow[] {
  const groups = new Map<ButtonGroup, APIButtonComponentWithCustomId[]>();
  const hidden = [...(ctx.hidden ?? [])].filter(Boolean);
  buttons.forEach((b, index) => {
    if (index > MAX_INDEX || hidden.some((h) => b.customId.includes(h))) return;
    const emoji = toDiscordEmoji(b.emoji);
    const own = INVISIBLE.test(b.label) ? '' : b.label.trim();
    // A button with nothing Discord can show (no label, no usable emoji) gets a face of its own.
    const face = !own && !emoji ? fallbackFace(b.customId, ctx.locale) : {};
    const label = truncate(own || face.label || (emoji || face.emoji ? '' : t(ctx.locale, 'button.action')), MAX_LABEL);
    const finalEmoji = emoji ?? (face.emoji ? { name: face.emoji } : undefined);
    const g = buttonGroup(b.customId);
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g)!.push({
      type: ComponentType.Button,
      custom_id: customIds.button(ctx.taskId, index),
      style: b.style === ButtonStyle.Success || ctx.pressed.has(b.customId) ? ButtonStyle.Success : ButtonStyle.Secondary,
      ...(label ? { label } : {}),
      ...(finalEmoji ? { emoji: finalEmoji } : {}),
    });
  });
  const rows: ButtonRow[] = [];
  for (const g of GROUP_ORDER) {
    const list = groups.get(g) ?? [];
    for (let i = 0; i < list.length; i += MAX_PER_ROW) {
      rows.push({ type: ComponentType.ActionRow, components: list.slice(i, i + MAX_PER_ROW) });
    }
  }
  const last = rows.at(-1);
  if (extra.length && last && last.components.length + extra.length <= MAX_PER_ROW) {
    rows[rows.length - 1] = { ...last, components: [...last.components, ...extra] };
  } else if (extra.length) {
    rows.push({ type: ComponentType.ActionRow, components: extra.slice(0, MAX_PER_ROW) });
  }
  compact(rows);
  return rows.slice(0, MAX_ROWS);
}

/** Over five rows: join neighbouring short rows, the last ones first, so Midjourney's main rows stay as they are. */
function compact(rows: ButtonRow[]): void {
  while (rows.length > MAX_ROWS) {
    let i = rows.length - 1;
    while (i > 0 && rows[i - 1].components.length + rows[i].components.length > MAX_PER_ROW) i--;
    if (i === 0) return;
    rows[i - 1] = { ...rows[i - 1], components: [...rows[i - 1].components, ...rows[i].components] };
    rows.splice(i, 1);
  }
}
