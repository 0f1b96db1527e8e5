// What the fake puts inside tasks: ids, buttons (api.md §3, ux.md), describe/shorten texts (api.md §2.4).
import { randomUUID } from 'node:crypto';
import type { TaskButton } from './types.ts';

/** The account the fake pretends to run on (values from the imagine seed). */
export const DISCORD_INSTANCE_ID = '1572398367386955776';
export const DISCORD_CHANNEL_ID = '1300842676874379336';

export const DEFAULT_FAIL_REASON =
  '[Banned prompt detected] Sorry! Our AI moderator thinks this prompt is probably against our community standards.';

let lastTaskId = 0;

/** 16 digits: ms timestamp + 3 digits, unique across every fake in the process (and < 2^53). */
export function newTaskId(): string {
  let n = Date.now() * 1000 + Math.floor(Math.random() * 1000);
  if (n <= lastTaskId) n = lastTaskId + 1;
  lastTaskId = n;
  return String(n);
}

let snowflakeSeq = 0;
/** A Discord-style snowflake (19 digits, > 2^53: precision is lost if serialised as a number). */
export function newSnowflake(): string {
  const ms = BigInt(Date.now()) - 1420070400000n;
  return String((ms << 22n) | BigInt(snowflakeSeq++ & 0xfff));
}

export const newJobHash = (): string => randomUUID();

/** A seed in MJ's range (0..4294967295), stable per job hash. */
export function seedFor(hash: string): string {
  return String(parseInt(hash.replace(/-/g, '').slice(0, 8), 16));
}

export const KEYCAPS = ['1️⃣', '2️⃣', '3️⃣', '4️⃣', '5️⃣'];

const button = (customId: string, label: string, emoji = ''): TaskButton => ({ customId, emoji, label, type: 2, style: 2 });

/** After a grid (imagine / variation / reroll / pan / zoom / blend): exactly the seed's 9 buttons. */
export function gridButtons(h: string): TaskButton[] {
  return [
    ...[1, 2, 3, 4].map((i) => button(`MJ::JOB::upsample::${i}::${h}`, `U${i}`)),
    button(`MJ::JOB::reroll::0::${h}::SOLO`, '', '🔄'),
    ...[1, 2, 3, 4].map((i) => button(`MJ::JOB::variation::${i}::${h}`, `V${i}`)),
  ];
}

/** After U1–U4 (v7 style). The two upscale buttons carry the bare custom-emoji name 'upscale_1',
 * which a renderer cannot send as an emoji (ux.md). */
export function upscaleButtons(h: string): TaskButton[] {
  return [
    button(`MJ::JOB::upsample_v7_2x_subtle::1::${h}::SOLO`, 'Upscale (Subtle)', 'upscale_1'),
    button(`MJ::JOB::upsample_v7_2x_creative::1::${h}::SOLO`, 'Upscale (Creative)', 'upscale_1'),
    ...afterUpscaleButtons(h),
  ];
}

/** After an HD upscale (Upscale (Subtle)/(Creative)): the upscale set without the upscale buttons. */
export function afterUpscaleButtons(h: string): TaskButton[] {
  return [
    button(`MJ::JOB::low_variation::1::${h}::SOLO`, 'Vary (Subtle)', '🪄'),
    button(`MJ::JOB::high_variation::1::${h}::SOLO`, 'Vary (Strong)', '🪄'),
    button(`MJ::Inpaint::1::${h}::SOLO`, 'Vary (Region)', '🖌️'),
    button(`MJ::Outpaint::50::1::${h}::SOLO`, 'Zoom Out 2x', '🔍'),
    button(`MJ::Outpaint::75::1::${h}::SOLO`, 'Zoom Out 1.5x', '🔍'),
    button(`MJ::CustomZoom::${h}`, 'Custom Zoom', '🔍'),
    button(`MJ::JOB::pan_left::1::${h}::SOLO`, '', '⬅️'),
    button(`MJ::JOB::pan_right::1::${h}::SOLO`, '', '➡️'),
    button(`MJ::JOB::pan_up::1::${h}::SOLO`, '', '⬆️'),
    button(`MJ::JOB::pan_down::1::${h}::SOLO`, '', '⬇️'),
    button(`MJ::JOB::animate_high::1::${h}::SOLO`, 'Animate (High motion)', '🎞️'),
    button(`MJ::JOB::animate_low::1::${h}::SOLO`, 'Animate (Low motion)', '🎞️'),
    button(`MJ::BOOKMARK::${h}`, '', '❤️'),
  ];
}

export function describeButtons(): TaskButton[] {
  return [
    ...[1, 2, 3, 4].map((i) => button(`MJ::Job::PicReader::${i}`, '', KEYCAPS[i - 1])),
    button('MJ::Picread::Retry', '', '🔄'),
    button('MJ::Job::PicReader::all', 'Imagine all', '🎉'),
  ];
}

/** The customId of shorten's "Show Details" button is not documented in api.md. Midjourney's
 * follow-up interaction is named PromptAnalyzerExtended (trueai's handler comment says
 * "shorten show details -> PromptAnalyzerExtended"), so the fake uses this id. */
export const SHOW_DETAILS_CUSTOM_ID = 'MJ::Job::PromptAnalyzerExtended';

export function shortenButtons(withDetails = true): TaskButton[] {
  const picks = [1, 2, 3, 4, 5].map((i) => button(`MJ::Job::PromptAnalyzer::${i}`, '', KEYCAPS[i - 1]));
  return withDetails ? [...picks, button(SHOW_DETAILS_CUSTOM_ID, 'Show Details')] : picks;
}

export function videoButtons(h: string): TaskButton[] {
  return [
    button(`MJ::JOB::animate_high_extend::1::${h}`, 'Extend (High motion)', '🎞️'),
    button(`MJ::JOB::animate_low_extend::1::${h}`, 'Extend (Low motion)', '🎞️'),
  ];
}

/** The four prompts of a DESCRIBE result; v6+ prompts contain markdown links. */
export function describePrompts(): string[] {
  return [
    'a quiet harbor at dawn, soft pastel light, small fishing boats, oil painting --ar 3:2',
    'a [lighthouse](https://s.mj.run/fAk3l1ght) on a rocky shore under a pink sky, watercolor style --ar 3:2',
    'boats resting in calm water, morning mist, impressionist brushwork, muted blues and ochres --ar 3:2',
    'harbor scene in the style of claude monet, gentle reflections, warm sunrise palette --ar 3:2',
  ];
}

export const numbered = (prompts: string[]): string => prompts.map((p, i) => `${KEYCAPS[i]} ${p}`).join('\n\n');

function words(prompt: string): string[] {
  const w = prompt
    .replace(/--\S+(\s+[^-\s]\S*)?/g, ' ') // drop --params and their values
    .split(/[\s,]+/)
    .filter(Boolean);
  return w.length ? w : ['image'];
}

/** SHORTEN: the important-tokens line and five shortened prompts (api.md §2.4). */
export function shortenResult(prompt: string): { text: string; prompts: string[] } {
  const w = words(prompt);
  const tokens = w.map((x, i) => (i % 3 === 0 ? `**${x}**` : i % 3 === 2 ? `~~${x}~~` : x)).join(' ');
  const important = w.filter((_, i) => i % 3 !== 2);
  const prompts = [1, 0.8, 0.6, 0.4, 0.2].map((f, i) => {
    const n = Math.max(1, Math.ceil(important.length * f));
    return i % 2 === 0 ? important.slice(0, n).join(' ') : important.slice(0, n).join(', ');
  });
  const text = `## Important tokens\n${tokens}\n## Shortened prompts\n${numbered(prompts)}`;
  return { text, prompts };
}

/** SHORTEN "Show Details": per-token weights with bar charts. */
export function shortenDetails(prompt: string): { text: string; prompts: string[] } {
  const base = shortenResult(prompt);
  const w = words(prompt);
  const lines = w.map((x, i) => {
    const weight = Math.max(0.05, 1 - i / Math.max(1, w.length));
    return `${x} ${'▰'.repeat(Math.round(weight * 10)).padEnd(10, '▱')} ${weight.toFixed(2)}`;
  });
  const text = `## Important tokens\n${base.text.split('\n')[1]}\n## Details\n${lines.join('\n')}\n## Shortened prompts\n${numbered(base.prompts)}`;
  return { text, prompts: base.prompts };
}
