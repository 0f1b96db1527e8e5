// A proxy button's customId (api.md §3), read once into a typed value: what the button does, which
// of Midjourney's rows it sits on, and whether it always asks for input first. These strings come
// straight from Midjourney's Discord components (trueai synthesises the same); relays pass them on
// as they are, so everything that looks at a customId (the renderer, the click handlers, the
// hidden-buttons list) reads it here and nowhere else.

/** Midjourney's rows, in the order it shows them (ux.md "Buttons"). */
export const BUTTON_GROUPS = ['upscale', 'variation', 'hd', 'zoom', 'pan', 'video', 'describe', 'shorten', 'other'] as const;
export type ButtonGroup = (typeof BUTTON_GROUPS)[number];

/** Buttons that always open a modal at the proxy (code 21): the bot shows its own modal first. */
export type ModalKind = 'zoom' | 'region' | 'prompt';

export type PanDirection = 'left' | 'right' | 'up' | 'down';

/** What a button does; `index` is the image (U/V) or the numbered prompt (describe/shorten picks). */
export type ButtonAction =
  | { action: 'upsample'; index: number } // U1–U4
  | { action: 'variation'; index: number } // V1–V4
  | { action: 'reroll' }
  | { action: 'vary'; strength: 'subtle' | 'strong' } // low_variation / high_variation
  | { action: 'upscale'; style: 'subtle' | 'creative' | null; factor: number | null } // upsample_v…, upsample_max
  | { action: 'inpaint' } // Vary (Region)
  | { action: 'outpaint'; percent: number | null } // Zoom Out 2x (50), 1.5x (75), Make Square (100)
  | { action: 'custom-zoom' }
  | { action: 'pan'; direction: PanDirection }
  | { action: 'animate'; motion: 'high' | 'low'; extend: boolean }
  | { action: 'video' } // other video buttons (video_virtual_upscale …)
  | { action: 'describe-retry' }
  | { action: 'describe-all' } // 🎉 Imagine all
  | { action: 'describe-pick'; index: number }
  | { action: 'shorten-pick'; index: number }
  | { action: 'show-details' } // PromptAnalyzerExtended
  | { action: 'bookmark' }
  | { action: 'unknown' };

export type ProxyButton = ButtonAction & {
  group: ButtonGroup;
  /** The modal this button always needs (Custom Zoom, Vary (Region), a describe/shorten pick); null when it needs none. */
  modal: ModalKind | null;
  /** The part that names the action, without the job's hash or index: what a backend refusing it hides. */
  pattern: string;
};

/** The customIds a proxy gives a DESCRIBE / SHORTEN result (api.md §2.4), for backends that send none. */
export const PICK_IDS = {
  describe: (n: number) => `MJ::Job::PicReader::${n}`,
  describeAll: 'MJ::Job::PicReader::all',
  shorten: (n: number) => `MJ::Job::PromptAnalyzer::${n}`,
} as const;

/**
 * The rules, first match wins. Most are substring matches rather than a strict grammar: hashes,
 * `::SOLO` suffixes and trueai's synthetic forms (`MJ::CustomZoom::1::{h}`) vary, the action word does not.
 */
function actionOf(id: string): ButtonAction & { group: ButtonGroup } {
  let m: RegExpExecArray | null;
  if ((m = /::upsample::(\d)/i.exec(id))) return { action: 'upsample', index: Number(m[1]), group: 'upscale' };
  if (/::reroll::/i.test(id)) return { action: 'reroll', group: 'upscale' };
  if ((m = /::variation::(\d)/i.exec(id))) return { action: 'variation', index: Number(m[1]), group: 'variation' };
  if (/upsample_v|upsample_max/i.test(id)) {
    const style = /_subtle/i.test(id) ? 'subtle' : /_creative/i.test(id) ? 'creative' : null;
    const factor = /upsample_v\w*?_(\d)x/i.exec(id);
    return { action: 'upscale', style, factor: factor ? Number(factor[1]) : null, group: 'hd' };
  }
  if (/low_variation/i.test(id)) return { action: 'vary', strength: 'subtle', group: 'hd' };
  if (/high_variation/i.test(id)) return { action: 'vary', strength: 'strong', group: 'hd' };
  if (/::Inpaint::/i.test(id)) return { action: 'inpaint', group: 'hd' };
  if (/::Outpaint::/i.test(id)) {
    const percent = /::Outpaint::(\d+)::/i.exec(id);
    return { action: 'outpaint', percent: percent ? Number(percent[1]) : null, group: 'zoom' };
  }
  if (/::CustomZoom::/i.test(id)) return { action: 'custom-zoom', group: 'zoom' };
  if ((m = /::pan_(left|right|up|down)::/i.exec(id))) return { action: 'pan', direction: m[1]!.toLowerCase() as PanDirection, group: 'pan' };
  if (/Picread::Retry/i.test(id)) return { action: 'describe-retry', group: 'describe' };
  if (/PicReader::all/i.test(id)) return { action: 'describe-all', group: 'describe' };
  if ((m = /PicReader::(\d)/i.exec(id))) return { action: 'describe-pick', index: Number(m[1]), group: 'describe' };
  // Any other describe button (a relay's own form) still belongs on the describe row.
  if (/PicReader|Picread/i.test(id)) return { action: 'unknown', group: 'describe' };
  if ((m = /PromptAnalyzer::(\d)/i.exec(id))) return { action: 'shorten-pick', index: Number(m[1]), group: 'shorten' };
  // "Show Details" sits on a row of its own, after the five picks.
  if (/PromptAnalyzerExtended|show_?details/i.test(id)) return { action: 'show-details', group: 'other' };
  if ((m = /animate_(high|low)(_extend)?/i.exec(id))) return { action: 'animate', motion: m[1]!.toLowerCase() as 'high' | 'low', extend: !!m[2], group: 'video' };
  if (/animate|video/i.test(id)) return { action: 'video', group: 'video' };
  if (/BOOKMARK/i.test(id)) return { action: 'bookmark', group: 'other' };
  return { action: 'unknown', group: 'other' };
}

function modalOf(a: ButtonAction): ModalKind | null {
  if (a.action === 'custom-zoom') return 'zoom';
  if (a.action === 'inpaint') return 'region';
  if (a.action === 'describe-pick' || a.action === 'shorten-pick') return 'prompt';
  return null;
}

/**
 * The leading `::` parts up to the first index, hash or `SOLO`: `MJ::JOB::upsample::1::{h}` →
 * `MJ::JOB::upsample`. Stored as is in the hidden-buttons list, so it must never change shape.
 */
function patternOf(customId: string): string {
  const keep: string[] = [];
  for (const p of customId.split('::')) {
    if (/^\d+$/.test(p) || /^[0-9a-f]{8}-[0-9a-f-]{27,}$/i.test(p) || p === 'SOLO') break;
    keep.push(p);
  }
  return keep.join('::');
}

/** Reads a proxy customId; an id it does not know is `unknown` on the `other` row, never an error. */
export function parseButton(customId: string): ProxyButton {
  const a = actionOf(customId);
  return { ...a, modal: modalOf(a), pattern: patternOf(customId) };
}
