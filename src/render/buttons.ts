// Proxy buttons → Discord button rows, grouped as Midjourney does (ux.md "Buttons"):
// [U1 U2 U3 U4 🔄] [V1 V2 V3 V4], after an upscale [Upscale/Vary …] [Zoom …] [⬅️ ➡️ ⬆️ ⬇️] [others].
// Order within a group is the proxy's; never more than 5 a row and 5 rows.
import { ButtonStyle, ComponentType, type APIActionRowComponent, type APIButtonComponentWithCustomId, type APIMessageComponentEmoji } from 'discord.js';
import { t } from '../i18n/index.ts';
import type { Task, TaskButton } from '../proxy/types.ts';
import { customIds } from '../custom-id.ts';
import { BUTTON_GROUPS, parseButton, PICK_IDS, type ButtonGroup, type ModalKind, type PanDirection } from '../proxy/buttons.ts';
import { cutText } from '../util/text.ts';
import { describeText, numberedPrompts, shortenOptions, shortenText, KEYCAPS as PICK_EMOJI } from './prompts.ts';

export const MAX_ROWS = 5;
export const MAX_PER_ROW = 5;
const MAX_LABEL = 80;

export type ButtonRow = APIActionRowComponent<APIButtonComponentWithCustomId>;

/** Which of Midjourney's rows a customId belongs to (api.md §3). */
export function buttonGroup(customId: string): ButtonGroup {
  return parseButton(customId).group;
}

export { PICK_IDS };

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
    const picks = Array.from({ length: n }, (_, i) => synthetic(PICK_IDS.describe(i + 1), PICK_EMOJI[i]!));
    return n > 1 ? [...picks, synthetic(PICK_IDS.describeAll, '🎉', t(locale, 'button.imagineAll'))] : picks;
  }
  if (task.action === 'SHORTEN') {
    const n = Math.min(5, shortenOptions(shortenText(task)).length);
    return Array.from({ length: n }, (_, i) => synthetic(PICK_IDS.shorten(i + 1), PICK_EMOJI[i]!));
  }
  return task.buttons;
}

export type { ModalKind };
/** Buttons that always open a modal at the proxy (code 21): the bot shows its own modal first. */
export function modalKindOf(customId: string): ModalKind | null {
  return parseButton(customId).modal;
}

const KEYCAP_OF_DIGIT = ['0️⃣', '1️⃣', '2️⃣', '3️⃣', '4️⃣', '5️⃣', '6️⃣', '7️⃣', '8️⃣', '9️⃣'];
const PAN_EMOJI: Record<PanDirection, string> = { left: '⬅️', right: '➡️', up: '⬆️', down: '⬇️' };
const ZOOM_OUT: Record<number, string> = { 50: 'Zoom Out 2x', 75: 'Zoom Out 1.5x', 100: 'Make Square' };

/** A label or a unicode emoji for a button that came with neither (or only an unusable emoji name). */
export function fallbackFace(customId: string, locale: string): { label?: string; emoji?: string } {
  const b = parseButton(customId);
  switch (b.action) {
    case 'upsample':
      return { label: `U${b.index}` };
    case 'variation':
      return { label: `V${b.index}` };
    case 'reroll':
    case 'describe-retry':
      return { emoji: '🔄' };
    case 'upscale':
      if (b.style) return { label: b.style === 'subtle' ? 'Upscale (Subtle)' : 'Upscale (Creative)' };
      return b.factor ? { label: `Upscale (${b.factor}x)` } : { label: t(locale, 'button.action') };
    case 'vary':
      return { label: b.strength === 'subtle' ? 'Vary (Subtle)' : 'Vary (Strong)' };
    case 'inpaint':
      return { label: 'Vary (Region)', emoji: '🖌️' };
    case 'outpaint':
      return b.percent === null ? { label: t(locale, 'button.action') } : { label: ZOOM_OUT[b.percent] ?? t(locale, 'button.zoom'), emoji: '🔍' };
    case 'custom-zoom':
      return { label: 'Custom Zoom', emoji: '🔍' };
    case 'pan':
      return { emoji: PAN_EMOJI[b.direction] };
    case 'animate':
      return { label: `${t(locale, 'button.animate')} (${b.motion === 'high' ? 'High' : 'Low'})`, emoji: '🎞️' };
    case 'describe-all':
      return { label: t(locale, 'button.imagineAll'), emoji: '🎉' };
    case 'show-details':
      return { label: t(locale, 'button.showDetails') };
    case 'describe-pick':
    case 'shorten-pick':
      return b.index >= 1 ? { emoji: KEYCAP_OF_DIGIT[b.index] } : { label: t(locale, 'button.action') };
    case 'bookmark':
      return { emoji: '❤️' };
    default:
      return { label: t(locale, 'button.action') };
  }
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

/**
 * Compiles ONE_RGI_EMOJI (every RGI emoji: V8 takes tens of ms the first time it runs). The app
 * calls this at start, so the cost does not land on the first result a user waits for.
 */
export function warmEmojiCheck(): void {
  isUnicodeEmoji('🔄');
}

/** At most `n` UTF-16 units, cut between graphemes (Discord refuses ill-formed text). */
const truncate = (s: string, n: number): string => cutText(s, n);

/** Nothing a reader would see: whitespace and zero-width characters only. */
const INVISIBLE = /^[\s\u200b-\u200f\u2060\ufeff]*$/u;

/** The highest index our custom_ids carry (custom-id.ts reads one or two digits); buttons past it could not be routed. */
const MAX_INDEX = 99;

/** The bot's own controls on a finished result (ViewContext.controls): Share (where there is media) and 🗑. */
export function ownButtons(taskId: string, locale: string, controls: { share: boolean; remove: boolean } | undefined, media: boolean): APIButtonComponentWithCustomId[] {
  const out: APIButtonComponentWithCustomId[] = [];
  if (controls?.share && media) out.push({ type: ComponentType.Button, custom_id: customIds.share(taskId), style: ButtonStyle.Secondary, label: t(locale, 'button.share'), emoji: { name: '📤' } });
  if (controls?.remove) out.push({ type: ComponentType.Button, custom_id: customIds.delete(taskId), style: ButtonStyle.Secondary, emoji: { name: '🗑️' } });
  return out;
}

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
    const g = parseButton(b.customId).group;
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
  for (const g of BUTTON_GROUPS) {
    const list = groups.get(g) ?? [];
    for (let i = 0; i < list.length; i += MAX_PER_ROW) {
      rows.push({ type: ComponentType.ActionRow, components: list.slice(i, i + MAX_PER_ROW) });
    }
  }
  // Each of our own buttons joins the last row while it has room (🌱 after V4, as before), else opens a row.
  for (const b of extra) {
    const last = rows.at(-1);
    if (last && last.components.length < MAX_PER_ROW) rows[rows.length - 1] = { ...last, components: [...last.components, b] };
    else rows.push({ type: ComponentType.ActionRow, components: [b] });
  }
  compact(rows);
  return rows.slice(0, MAX_ROWS);
}

/** Over five rows: join neighbouring short rows, the last ones first, so Midjourney's main rows stay as they are. */
function compact(rows: ButtonRow[]): void {
  while (rows.length > MAX_ROWS) {
    let i = rows.length - 1;
    while (i > 0 && rows[i - 1]!.components.length + rows[i]!.components.length > MAX_PER_ROW) i--;
    if (i === 0) return;
    const [before, row] = [rows[i - 1]!, rows[i]!];
    rows[i - 1] = { ...before, components: [...before.components, ...row.components] };
    rows.splice(i, 1);
  }
}
