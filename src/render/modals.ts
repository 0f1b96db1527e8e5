// Modals the bot shows: pure builders from what the user is editing to Discord's modal JSON.
import { ComponentType, TextInputStyle, type APIModalInteractionResponseCallbackData } from 'discord.js';
import { t } from '../i18n/index.ts';
import { cutText } from '../util/text.ts';

export const INPUT_PROMPT = 'prompt';
export const INPUT_MASK = 'mask';
const MAX_INPUT = 4000;

export type ModalPurpose = 'remix' | 'zoom' | 'region' | 'imagine';

const TITLES: Record<ModalPurpose, Parameters<typeof t>[1]> = {
  remix: 'modal.remixTitle',
  zoom: 'modal.zoomTitle',
  region: 'modal.regionTitle',
  imagine: 'modal.imagineTitle',
};

/** A Custom Zoom prompt carries `--zoom`; pre-fill 2 (Midjourney's default) when it has none. */
export function withZoom(prompt: string): string {
  return /--zoom\s+[\d.]+/.test(prompt) ? prompt : `${prompt.trim()} --zoom 2`.trim();
}

export function buildModal(customId: string, purpose: ModalPurpose, prefill: string, locale: string): APIModalInteractionResponseCallbackData {
  const value = cutText(prefill, MAX_INPUT, '');
  const components: APIModalInteractionResponseCallbackData['components'] = [
    {
      type: ComponentType.Label,
      label: t(locale, 'modal.promptLabel'),
      component: {
        type: ComponentType.TextInput,
        custom_id: INPUT_PROMPT,
        style: TextInputStyle.Paragraph,
        required: purpose !== 'region',
        max_length: MAX_INPUT,
        ...(value ? { value } : {}),
      },
    },
  ];
  if (purpose === 'region') {
    components.push({
      type: ComponentType.Label,
      label: t(locale, 'modal.maskLabel'),
      description: cutText(t(locale, 'modal.maskDescription'), 100),
      component: { type: ComponentType.FileUpload, custom_id: INPUT_MASK, min_values: 1, max_values: 1, required: true },
    });
  }
  return { custom_id: customId, title: cutText(t(locale, TITLES[purpose]), 45), components };
}

/** The --zoom value of a prompt when it is in Midjourney's range (1, 2]; otherwise null. */
export function zoomValue(prompt: string): number | null {
  const m = /--zoom\s+(\d+(?:\.\d+)?)/.exec(prompt);
  const z = m ? Number(m[1]) : NaN;
  return z > 1 && z <= 2 ? z : null;
}
