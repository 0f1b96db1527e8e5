// Every action's result names its action, as Midjourney does under the prompt (ux.md): from the
// proxy's customId, in the user's language, whatever face the button had.
import { describe, expect, it } from 'vitest';
import { actionLabel } from '../../src/render/action-label.ts';

const h = '3785da15-4f70-4034-9128-f3ff1ac634fa';
const label = (customId: string, locale = 'en-US', own = '') => actionLabel({ customId, label: own }, locale);

describe('actionLabel', () => {
  it.each([
    [`MJ::JOB::upsample::2::${h}`, 'Image #2'],
    [`MJ::JOB::variation::3::${h}`, 'Variations (Image #3)'],
    [`MJ::JOB::reroll::0::${h}::SOLO`, 'Reroll'],
    [`MJ::JOB::high_variation::1::${h}::SOLO`, 'Variations (Strong)'],
    [`MJ::JOB::low_variation::1::${h}::SOLO`, 'Variations (Subtle)'],
    [`MJ::Inpaint::1::${h}::SOLO`, 'Variations (Region)'],
    [`MJ::JOB::upsample_v7_2x_subtle::1::${h}::SOLO`, 'Upscale (Subtle)'],
    [`MJ::JOB::upsample_v6r1_2x_creative::1::${h}::SOLO`, 'Upscale (Creative)'],
    [`MJ::JOB::upsample_v5_4x::1::${h}::SOLO`, 'Upscale (4x)'],
    [`MJ::Outpaint::50::1::${h}::SOLO`, 'Zoom Out 2x'],
    [`MJ::Outpaint::75::1::${h}::SOLO`, 'Zoom Out 1.5x'],
    [`MJ::Outpaint::100::1::${h}::SOLO`, 'Make Square'],
    [`MJ::CustomZoom::${h}`, 'Custom Zoom'],
    [`MJ::JOB::pan_left::1::${h}::SOLO`, 'Pan Left'],
    [`MJ::JOB::pan_right::1::${h}::SOLO`, 'Pan Right'],
    [`MJ::JOB::pan_up::1::${h}::SOLO`, 'Pan Up'],
    [`MJ::JOB::pan_down::1::${h}::SOLO`, 'Pan Down'],
    [`MJ::JOB::animate_high::1::${h}::SOLO`, 'Animate (High motion)'],
    [`MJ::JOB::animate_low_extend::1::${h}`, 'Extend video'],
    ['MJ::Picread::Retry', 'Describe again'],
  ])('%s → %s', (customId, expected) => {
    expect(label(customId)).toBe(expected);
  });

  it('speaks Chinese to a zh-CN user', () => {
    expect(label(`MJ::JOB::pan_left::1::${h}::SOLO`, 'zh-CN')).toBe('向左平移');
    expect(label(`MJ::JOB::upsample::1::${h}`, 'zh-CN')).toBe('图 #1');
  });

  it('an action it does not know keeps the button’s own label, else a generic name', () => {
    expect(label('MJ::JOB::something_new::1', 'en-US', 'Remaster')).toBe('Remaster');
    expect(label('MJ::JOB::something_new::1', 'en-US', '  ')).toBe('Action');
  });
});
