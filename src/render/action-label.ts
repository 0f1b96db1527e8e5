// What an action's result calls itself, as Midjourney names it under the prompt: "Image #2",
// "Variations (Strong)", "Zoom Out 2x", "Pan Left" (ux.md). Named from the proxy's customId
// (api.md §3), not from the button's face: a pan button shows only an arrow, V2 only "V2".
import { t } from '../i18n/index.ts';
import type { TaskButton } from '../proxy/types.ts';

const PAN = { left: 'action.panLeft', right: 'action.panRight', up: 'action.panUp', down: 'action.panDown' } as const;

/** The localized name of the job a button starts; the button's own label, or a generic name, for one we do not know. */
export function actionLabel(button: Pick<TaskButton, 'customId' | 'label'>, locale: string): string {
  const id = button.customId;
  let m: RegExpExecArray | null;
  if ((m = /::upsample::(\d)::/.exec(id))) return t(locale, 'view.imageN', { n: m[1] });
  if ((m = /::variation::(\d)::/.exec(id))) return t(locale, 'action.variation', { n: m[1] });
  if (/::reroll::/.test(id)) return t(locale, 'action.reroll');
  if (/high_variation/.test(id)) return t(locale, 'action.varyStrong');
  if (/low_variation/.test(id)) return t(locale, 'action.varySubtle');
  if (/::Inpaint::/i.test(id)) return t(locale, 'action.varyRegion');
  if (/upsample_v\w*_subtle/i.test(id)) return t(locale, 'action.upscaleSubtle');
  if (/upsample_v\w*_creative/i.test(id)) return t(locale, 'action.upscaleCreative');
  if ((m = /upsample_v\w*?_(\d)x/i.exec(id))) return t(locale, 'action.upscaleX', { n: m[1] });
  if ((m = /::Outpaint::(\d+)::/i.exec(id))) {
    if (m[1] === '100') return t(locale, 'action.makeSquare');
    return t(locale, 'action.zoomOut', { factor: m[1] === '50' ? '2x' : m[1] === '75' ? '1.5x' : '' }).trim();
  }
  if (/::CustomZoom::/i.test(id)) return t(locale, 'action.customZoom');
  if ((m = /::pan_(left|right|up|down)::/.exec(id))) return t(locale, PAN[m[1] as keyof typeof PAN]);
  if ((m = /animate_(high|low)_extend/.exec(id))) return t(locale, 'action.extend');
  if ((m = /animate_(high|low)/.exec(id))) return t(locale, m[1] === 'high' ? 'action.animateHigh' : 'action.animateLow');
  if (/Picread::Retry/i.test(id)) return t(locale, 'action.describeAgain');
  if (/PromptAnalyzerExtended|show_?details/i.test(id)) return t(locale, 'button.showDetails');
  return button.label.trim() || t(locale, 'button.action');
}
