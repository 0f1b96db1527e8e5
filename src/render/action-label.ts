// What an action's result calls itself, as Midjourney names it under the prompt: "Image #2",
// "Variations (Strong)", "Zoom Out 2x", "Pan Left" (ux.md). Named from the proxy's customId
// (api.md §3), not from the button's face: a pan button shows only an arrow, V2 only "V2".
import { t } from '../i18n/index.ts';
import { parseButton } from '../proxy/buttons.ts';
import type { TaskButton } from '../proxy/types.ts';

const PAN = { left: 'action.panLeft', right: 'action.panRight', up: 'action.panUp', down: 'action.panDown' } as const;
const ZOOM_FACTOR: Record<number, string> = { 50: '2x', 75: '1.5x' };

/** The localized name of the job a button starts; the button's own label, or a generic name, for one we do not know. */
export function actionLabel(button: Pick<TaskButton, 'customId' | 'label'>, locale: string): string {
  const b = parseButton(button.customId);
  const own = () => button.label.trim() || t(locale, 'button.action');
  switch (b.action) {
    case 'upsample':
      return t(locale, 'view.imageN', { n: b.index });
    case 'variation':
      return t(locale, 'action.variation', { n: b.index });
    case 'reroll':
      return t(locale, 'action.reroll');
    case 'vary':
      return t(locale, b.strength === 'strong' ? 'action.varyStrong' : 'action.varySubtle');
    case 'inpaint':
      return t(locale, 'action.varyRegion');
    case 'upscale':
      if (b.style) return t(locale, b.style === 'subtle' ? 'action.upscaleSubtle' : 'action.upscaleCreative');
      return b.factor ? t(locale, 'action.upscaleX', { n: b.factor }) : own();
    case 'outpaint':
      if (b.percent === null) return own();
      if (b.percent === 100) return t(locale, 'action.makeSquare');
      return t(locale, 'action.zoomOut', { factor: ZOOM_FACTOR[b.percent] ?? '' }).trim();
    case 'custom-zoom':
      return t(locale, 'action.customZoom');
    case 'pan':
      return t(locale, PAN[b.direction]);
    case 'animate':
      return t(locale, b.extend ? 'action.extend' : b.motion === 'high' ? 'action.animateHigh' : 'action.animateLow');
    case 'describe-retry':
      return t(locale, 'action.describeAgain');
    case 'show-details':
      return t(locale, 'button.showDetails');
    default:
      return own();
  }
}
