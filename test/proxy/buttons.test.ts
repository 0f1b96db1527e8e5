// The one reading of proxy customIds (api.md §3): every button of every relay fixture, and every
// row of api.md's table, parses to what it does, its row and the modal it needs. The renderer,
// the action labels and the click handlers all read this value, so they cannot disagree.
import { describe, expect, it } from 'vitest';
import { parseButton, type ProxyButton } from '../../src/proxy/buttons.ts';
import { parseTask } from '../../src/proxy/parse.ts';
import { actionLabel } from '../../src/render/action-label.ts';
import { buttonGroup, fallbackFace, modalKindOf } from '../../src/render/buttons.ts';
import { fixture, fixtureNames } from '../render/fixtures.ts';

const HASH = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const shape = (id: string) => id.replace(HASH, '{h}');
const what = ({ pattern: _p, ...rest }: ProxyButton) => rest;

/** Every customId shape the fixtures hold, and what it is. */
const EXPECTED: Record<string, Record<string, unknown>> = {
  'MJ::JOB::upsample::1::{h}': { action: 'upsample', index: 1, group: 'upscale', modal: null },
  'MJ::JOB::upsample::2::{h}': { action: 'upsample', index: 2, group: 'upscale', modal: null },
  'MJ::JOB::upsample::3::{h}': { action: 'upsample', index: 3, group: 'upscale', modal: null },
  'MJ::JOB::upsample::4::{h}': { action: 'upsample', index: 4, group: 'upscale', modal: null },
  'MJ::JOB::upsample::1::x': { action: 'upsample', index: 1, group: 'upscale', modal: null },
  [`MJ::JOB::upsample::1::{h}::${'x'.repeat(120)}`]: { action: 'upsample', index: 1, group: 'upscale', modal: null },
  'MJ::JOB::variation::1::{h}': { action: 'variation', index: 1, group: 'variation', modal: null },
  'MJ::JOB::variation::2::{h}': { action: 'variation', index: 2, group: 'variation', modal: null },
  'MJ::JOB::variation::3::{h}': { action: 'variation', index: 3, group: 'variation', modal: null },
  'MJ::JOB::variation::4::{h}': { action: 'variation', index: 4, group: 'variation', modal: null },
  'MJ::JOB::reroll::0::{h}::SOLO': { action: 'reroll', group: 'upscale', modal: null },
  'MJ::JOB::upsample_v7_2x_subtle::1::{h}::SOLO': { action: 'upscale', style: 'subtle', factor: 2, group: 'hd', modal: null },
  'MJ::JOB::upsample_v7_2x_creative::1::{h}::SOLO': { action: 'upscale', style: 'creative', factor: 2, group: 'hd', modal: null },
  'MJ::JOB::low_variation::1::{h}::SOLO': { action: 'vary', strength: 'subtle', group: 'hd', modal: null },
  'MJ::JOB::high_variation::1::{h}::SOLO': { action: 'vary', strength: 'strong', group: 'hd', modal: null },
  'MJ::Inpaint::1::{h}::SOLO': { action: 'inpaint', group: 'hd', modal: 'region' },
  'MJ::Outpaint::50::1::{h}::SOLO': { action: 'outpaint', percent: 50, group: 'zoom', modal: null },
  'MJ::Outpaint::75::1::{h}::SOLO': { action: 'outpaint', percent: 75, group: 'zoom', modal: null },
  'MJ::CustomZoom::{h}': { action: 'custom-zoom', group: 'zoom', modal: 'zoom' },
  'MJ::JOB::pan_left::1::{h}::SOLO': { action: 'pan', direction: 'left', group: 'pan', modal: null },
  'MJ::JOB::pan_right::1::{h}::SOLO': { action: 'pan', direction: 'right', group: 'pan', modal: null },
  'MJ::JOB::pan_up::1::{h}::SOLO': { action: 'pan', direction: 'up', group: 'pan', modal: null },
  'MJ::JOB::pan_down::1::{h}::SOLO': { action: 'pan', direction: 'down', group: 'pan', modal: null },
  'MJ::JOB::animate_high::1::{h}::SOLO': { action: 'animate', motion: 'high', extend: false, group: 'video', modal: null },
  'MJ::JOB::animate_low::1::{h}::SOLO': { action: 'animate', motion: 'low', extend: false, group: 'video', modal: null },
  'MJ::Job::PicReader::1': { action: 'describe-pick', index: 1, group: 'describe', modal: 'prompt' },
  'MJ::Job::PicReader::2': { action: 'describe-pick', index: 2, group: 'describe', modal: 'prompt' },
  'MJ::Job::PicReader::3': { action: 'describe-pick', index: 3, group: 'describe', modal: 'prompt' },
  'MJ::Job::PicReader::4': { action: 'describe-pick', index: 4, group: 'describe', modal: 'prompt' },
  'MJ::Job::PicReader::all': { action: 'describe-all', group: 'describe', modal: null },
  'MJ::Picread::Retry': { action: 'describe-retry', group: 'describe', modal: null },
  'MJ::Job::PromptAnalyzer::1': { action: 'shorten-pick', index: 1, group: 'shorten', modal: 'prompt' },
  'MJ::Job::PromptAnalyzer::2': { action: 'shorten-pick', index: 2, group: 'shorten', modal: 'prompt' },
  'MJ::Job::PromptAnalyzer::3': { action: 'shorten-pick', index: 3, group: 'shorten', modal: 'prompt' },
  'MJ::Job::PromptAnalyzer::4': { action: 'shorten-pick', index: 4, group: 'shorten', modal: 'prompt' },
  'MJ::Job::PromptAnalyzer::5': { action: 'shorten-pick', index: 5, group: 'shorten', modal: 'prompt' },
  'MJ::Job::PromptAnalyzerExtended': { action: 'show-details', group: 'other', modal: null },
  'MJ::BOOKMARK::{h}': { action: 'bookmark', group: 'other', modal: null },
};
const UNKNOWN = { action: 'unknown', group: 'other', modal: null } as const;

/** Every button of every fixture, by the shape of its customId. */
function fixtureButtons(): Map<string, string[]> {
  const byShape = new Map<string, string[]>();
  for (const name of fixtureNames()) {
    // Raw as well as parsed: a task parse refuses (no id) still shows what relays send.
    const raw = fixture(name);
    const ids = [...(Array.isArray(raw?.buttons) ? raw.buttons : []).map((b: Record<string, unknown>) => b?.customId ?? b?.custom_id), ...(parseTask(raw)?.buttons ?? []).map((b) => b.customId)];
    for (const id of ids) if (typeof id === 'string' && id) byShape.set(shape(id), [...(byShape.get(shape(id)) ?? []), name]);
  }
  return byShape;
}

describe('parseButton', () => {
  it('reads every button of every relay fixture', () => {
    const seen = fixtureButtons();
    expect(seen.size).toBeGreaterThan(30);
    for (const [id, files] of seen) {
      const expected = EXPECTED[id] ?? UNKNOWN;
      // Only the made-up actions of the long-row fixtures are unknown; a real one missing here is a gap.
      if (!EXPECTED[id]) expect(id, files.join(', ')).toMatch(/::(custom_\w+|extra_\d+|mystery\w*)::|^x$/);
      expect(what(parseButton(id.replace('{h}', '3785da15-4f70-4034-9128-f3ff1ac634fa'))), `${id} (${files[0]})`).toEqual(expected);
    }
    for (const id of Object.keys(EXPECTED)) expect(seen.has(id), `${id} is in a fixture`).toBe(true);
  });

  it.each([
    ['MJ::JOB::upsample_v6_2x_subtle::1::{h}::SOLO', { action: 'upscale', style: 'subtle', factor: 2, group: 'hd', modal: null }],
    ['MJ::JOB::upsample_v6r1_2x_creative::1::{h}::SOLO', { action: 'upscale', style: 'creative', factor: 2, group: 'hd', modal: null }],
    ['MJ::JOB::upsample_v5_4x::1::{h}::SOLO', { action: 'upscale', style: null, factor: 4, group: 'hd', modal: null }],
    ['MJ::JOB::upsample_max::1::{h}::SOLO', { action: 'upscale', style: null, factor: null, group: 'hd', modal: null }],
    ['MJ::Outpaint::100::1::{h}::SOLO', { action: 'outpaint', percent: 100, group: 'zoom', modal: null }],
    ['MJ::CustomZoom::1::{h}', { action: 'custom-zoom', group: 'zoom', modal: 'zoom' }],
    ['MJ::JOB::animate_high_extend::1::{h}', { action: 'animate', motion: 'high', extend: true, group: 'video', modal: null }],
    ['MJ::JOB::video_virtual_upscale::1::{h}', { action: 'video', group: 'video', modal: null }],
  ])('reads the rest of api.md §3: %s', (id, expected) => {
    expect(what(parseButton(id.replace('{h}', '3785da15-4f70-4034-9128-f3ff1ac634fa')))).toEqual(expected);
  });

  it('names the action without the hash, index or SOLO: the stored hidden-button pattern', () => {
    const h = '3785da15-4f70-4034-9128-f3ff1ac634fa';
    expect(parseButton(`MJ::JOB::upsample::1::${h}`).pattern).toBe('MJ::JOB::upsample');
    expect(parseButton(`MJ::Outpaint::50::1::${h}::SOLO`).pattern).toBe('MJ::Outpaint');
    expect(parseButton(`MJ::CustomZoom::${h}`).pattern).toBe('MJ::CustomZoom');
    expect(parseButton(`MJ::BOOKMARK::${h}`).pattern).toBe('MJ::BOOKMARK');
    expect(parseButton('MJ::Job::PicReader::all').pattern).toBe('MJ::Job::PicReader::all');
    expect(parseButton('MJ::Picread::Retry').pattern).toBe('MJ::Picread::Retry');
  });

  // Before, the row, the face and the result's name each had their own regex: `::upsample::(\d)::`
  // (the label) missed an id without a hash that `::upsample::\d` (the row) and `::upsample::(\d)` (the face) took.
  it('the row, the face and the label agree on an id without a hash', () => {
    for (const [id, group, face, label] of [
      ['MJ::JOB::upsample::2', 'upscale', 'U2', 'Image #2'],
      ['MJ::JOB::variation::3', 'variation', 'V3', 'Variations (Image #3)'],
    ] as const) {
      expect(buttonGroup(id)).toBe(group);
      expect(fallbackFace(id, 'en-US').label).toBe(face);
      expect(actionLabel({ customId: id, label: '' }, 'en-US')).toBe(label);
      expect(modalKindOf(id)).toBeNull();
    }
  });
});
