// Proxy buttons → Discord button rows, grouped as Midjourney does (ux.md "Buttons"):
// [U1 U2 U3 U4 🔄] [V1 V2 V3 V4], after an upscale [Upscale/Vary …] [Zoom …] [⬅️ ➡️ ⬆️ ⬇️] [others].
// Order within a group is the proxy's; never more than 5 a row and 5 rows.
import { ButtonStyle, ComponentType, type APIActionRowComponent, type APIButtonComponentWithCustomId, type APIMessageComponentEmoji } from 'discord.js';
import { t } from '../i18n/index.ts';
import type { TaskButton } from '../proxy/types.ts';
import { customIds } from '../discord/custom-id.ts';

export const MAX_ROWS = 5;
export const MAX_PER_ROW = 5;
const MAX_LABEL = 80;

export type ButtonRow = APIActionRowComponent<APIButtonComponentWithCustomId>;

type Group = 'upscale' | 'variation' | 'hd' | 'zoom' | 'pan' | 'describe' | 'shorten' | 'video' | 'other';

/** Which of Midjourney's rows a customId belongs to (api.md §3). */
export function buttonGroup(customId: string): Group {
  if (/::upsample::\d|::reroll::/.test(customId)) return 'upscale';
  if (/::variation::\d/.test(customId)) return 'variation';
  if (/upsample_v|upsample_max|low_variation|high_variation|::Inpaint::/i.test(customId)) return 'hd';
  if (/::Outpaint::|::CustomZoom::/i.test(customId)) return 'zoom';
  if (/::pan_(left|right|up|down)::/.test(customId)) return 'pan';
  if (/PicReader|Picread/i.test(customId)) return 'describe';
  if (/PromptAnalyzer/i.test(customId)) return 'shorten';
  if (/animate|video/i.test(customId)) return 'video';
  return 'other';
}

/** Buttons that always open a modal at the proxy (code 21): the bot shows its own modal first. */
export type ModalKind = 'zoom' | 'region' | 'prompt';
export function modalKindOf(customId: string): ModalKind | null {
  if (/::CustomZoom::/i.test(customId)) return 'zoom';
  if (/::Inpaint::/i.test(customId)) return 'region';
  if (/::PicReader::\d|::PromptAnalyzer::\d/i.test(customId)) return 'prompt';
  return null;
}

const KEYCAPS = ['0️⃣', '1️⃣', '2️⃣', '3️⃣', '4️⃣', '5️⃣', '6️⃣', '7️⃣', '8️⃣', '9️⃣'];
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
  if (/PicReader::all/i.test(customId)) return { label: 'Imagine all', emoji: '🎉' };
  if ((m = /(?:PicReader|PromptAnalyzer)::(\d)/i.exec(customId))) return { emoji: KEYCAPS[Number(m[1])] };
  if (/BOOKMARK/i.test(customId)) return { emoji: '❤️' };
  return { label: t(locale, 'button.action') };
}

/**
 * The proxy sends an emoji *name*: unicode, a custom emoji string `<:name:id>`, or a bare name
 * like `upscale_1` that Discord would reject (the whole message fails), so a bare name is dropped.
 */
export function toDiscordEmoji(emoji: string): APIMessageComponentEmoji | undefined {
  const e = emoji.trim();
  if (!e) return undefined;
  const custom = /^<(a?):(\w{2,32}):(\d{15,21})>$/.exec(e);
  if (custom) return { id: custom[3], name: custom[2], animated: custom[1] === 'a' };
  // Unicode emoji: no ASCII letters or digits outside keycaps, and short.
  if (e.length <= 16 && !/[A-Za-z_]/.test(e) && /[^\x00-\x7F]/.test(e)) return { name: e };
  return undefined;
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

export interface ButtonContext {
  taskId: string;
  locale: string;
  /** customIds already pressed: shown green, as Midjourney does. */
  pressed: ReadonlySet<string>;
  /** customIds this backend rejected before: not offered again. */
  hidden?: ReadonlySet<string>;
}

/** Discord button rows for a task's buttons; `extra` buttons (our own) are appended if room is left. */
export function buttonRows(buttons: TaskButton[], ctx: ButtonContext, extra: APIButtonComponentWithCustomId[] = []): ButtonRow[] {
  const groups = new Map<Group, APIButtonComponentWithCustomId[]>();
  buttons.forEach((b, index) => {
    if (ctx.hidden && [...ctx.hidden].some((h) => b.customId.includes(h))) return;
    const emoji = toDiscordEmoji(b.emoji);
    let label = b.label.trim();
    let face: { label?: string; emoji?: string } = {};
    if (!label && !emoji) face = fallbackFace(b.customId, ctx.locale);
    else if (!emoji && b.emoji && !label) face = fallbackFace(b.customId, ctx.locale);
    label = truncate(label || face.label || '', MAX_LABEL);
    const finalEmoji = emoji ?? (face.emoji ? { name: face.emoji } : undefined);
    const button: APIButtonComponentWithCustomId = {
      type: ComponentType.Button,
      custom_id: customIds.button(ctx.taskId, index),
      style: b.style === 3 || ctx.pressed.has(b.customId) ? ButtonStyle.Success : ButtonStyle.Secondary,
      ...(label ? { label } : {}),
      ...(finalEmoji ? { emoji: finalEmoji } : {}),
    };
    if (!label && !finalEmoji) button.label = t(ctx.locale, 'button.action');
    const g = buttonGroup(b.customId);
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g)!.push(button);
  });
  const rows: ButtonRow[] = [];
  for (const list of groups.values()) {
    for (let i = 0; i < list.length; i += MAX_PER_ROW) {
      rows.push({ type: ComponentType.ActionRow, components: list.slice(i, i + MAX_PER_ROW) });
    }
  }
  if (extra.length) {
    const last = rows[rows.length - 1];
    if (last && last.components.length + extra.length <= MAX_PER_ROW && rows.length >= MAX_ROWS) last.components.push(...extra);
    else rows.push({ type: ComponentType.ActionRow, components: extra.slice(0, MAX_PER_ROW) });
  }
  return rows.slice(0, MAX_ROWS);
}
