// Proxy buttons → Discord rows: Midjourney's grouping, the three emoji shapes, faces for buttons
// that bring none, pressed buttons green, hidden patterns, and the picks a describe/shorten offers.
import { describe, expect, it } from 'vitest';
import { parseTask } from '../../src/proxy/parse.ts';
import type { Task, TaskButton } from '../../src/proxy/types.ts';
import { buttonGroup, buttonRows, effectiveButtons, fallbackFace, isUnicodeEmoji, modalKindOf, toDiscordEmoji, type ButtonContext } from '../../src/render/buttons.ts';
import { checkMessageLimits } from '../../src/render/limits.ts';
import { must } from '../helpers/must.ts';
import { fixture } from './fixtures.ts';

const H = 'c0ffee00-1234-4abc-9def-0123456789ab';
const b = (customId: string, label = '', emoji = '', style = 2): TaskButton => ({ customId, label, emoji, type: 2, style });
const ctx = (over: Partial<ButtonContext> = {}): ButtonContext => ({ taskId: '1730621826053455', locale: 'en-US', pressed: new Set(), ...over });
type Row = ReturnType<typeof buttonRows>[number];
const faces = (rows: Row[]) => rows.map((r) => r.components.map((c) => `${c.emoji?.name ?? ''}${c.label ?? ''}`));
const task = (name: string): Task => parseTask(fixture(name))!;

const GRID = [1, 2, 3, 4].map((i) => b(`MJ::JOB::upsample::${i}::${H}`, `U${i}`))
  .concat([b(`MJ::JOB::reroll::0::${H}::SOLO`, '', '🔄')])
  .concat([1, 2, 3, 4].map((i) => b(`MJ::JOB::variation::${i}::${H}`, `V${i}`)));

describe('buttonGroup', () => {
  it('puts each customId of api.md §3 on Midjourney’s row', () => {
    const cases: [string, string][] = [
      [`MJ::JOB::upsample::2::${H}`, 'upscale'],
      [`MJ::JOB::reroll::0::${H}::SOLO`, 'upscale'],
      [`MJ::JOB::variation::3::${H}`, 'variation'],
      [`MJ::JOB::upsample_v6_2x_subtle::1::${H}::SOLO`, 'hd'],
      [`MJ::JOB::upsample_v7_2x_creative::1::${H}::SOLO`, 'hd'],
      [`MJ::JOB::low_variation::1::${H}::SOLO`, 'hd'],
      [`MJ::JOB::high_variation::1::${H}::SOLO`, 'hd'],
      [`MJ::Inpaint::1::${H}::SOLO`, 'hd'],
      [`MJ::Outpaint::50::1::${H}::SOLO`, 'zoom'],
      [`MJ::CustomZoom::${H}`, 'zoom'],
      [`MJ::JOB::pan_left::1::${H}::SOLO`, 'pan'],
      [`MJ::JOB::animate_high::1::${H}::SOLO`, 'video'],
      [`MJ::JOB::animate_low_extend::1::${H}`, 'video'],
      [`MJ::JOB::video_virtual_upscale::1::${H}`, 'video'],
      ['MJ::Job::PicReader::3', 'describe'],
      ['MJ::Picread::Retry', 'describe'],
      ['MJ::Job::PicReader::all', 'describe'],
      ['MJ::Job::PromptAnalyzer::5', 'shorten'],
      ['MJ::Job::PromptAnalyzerExtended', 'other'],
      [`MJ::BOOKMARK::${H}`, 'other'],
      ['something::else', 'other'],
    ];
    for (const [id, group] of cases) expect(buttonGroup(id), id).toBe(group);
  });

  it('knows the buttons that always ask for input first', () => {
    expect(modalKindOf(`MJ::CustomZoom::${H}`)).toBe('zoom');
    expect(modalKindOf(`MJ::Inpaint::1::${H}::SOLO`)).toBe('region');
    expect(modalKindOf('MJ::Job::PicReader::2')).toBe('prompt');
    expect(modalKindOf('MJ::Job::PromptAnalyzer::4')).toBe('prompt');
    expect(modalKindOf('MJ::Job::PicReader::all')).toBeNull();
    expect(modalKindOf(`MJ::JOB::upsample::1::${H}`)).toBeNull();
  });
});

describe('emoji shapes', () => {
  it('sends unicode as a name, <:name:id> as a custom emoji, and never a bare name', () => {
    expect(toDiscordEmoji('🔄')).toEqual({ name: '🔄' });
    expect(toDiscordEmoji(' ❤️ ')).toEqual({ name: '❤️' });
    expect(toDiscordEmoji('2️⃣')).toEqual({ name: '2️⃣' });
    expect(toDiscordEmoji('🇨🇳')).toEqual({ name: '🇨🇳' });
    expect(toDiscordEmoji('👍🏽')).toEqual({ name: '👍🏽' });
    expect(toDiscordEmoji('<:upscale_1:1183912043823562752>')).toEqual({ id: '1183912043823562752', name: 'upscale_1' });
    expect(toDiscordEmoji('<a:spin:1183912043823562752>')).toEqual({ id: '1183912043823562752', name: 'spin', animated: true });
    for (const bad of ['upscale_1', ':upscale_1:', 'upscale_1:1183912043823562752', '<:x:12>', '中', 'abc', '1', '#', '', '🔄 Reroll']) {
      expect(toDiscordEmoji(bad), bad).toBeUndefined();
    }
  });

  it('isUnicodeEmoji accepts what Discord does', () => {
    expect(isUnicodeEmoji('👨‍👩‍👧')).toBe(true);
    expect(isUnicodeEmoji('🖌️')).toBe(true);
    expect(isUnicodeEmoji('#️⃣')).toBe(true);
    expect(isUnicodeEmoji('é')).toBe(false);
    expect(isUnicodeEmoji('→')).toBe(false);
  });

  it('takes exactly one RGI emoji: two emoji, two keycaps, two flags, unassigned code points and stray joiners fall back', () => {
    for (const bad of ['🔄🔄', '1️⃣2️⃣', '🇨🇳🇺🇸', '\u{1FAFF}', '\u200d', '🔄\u200d', '\u200d🔄', '\ufe0f', '🇨']) {
      expect(isUnicodeEmoji(bad), bad).toBe(false);
      expect(toDiscordEmoji(bad), bad).toBeUndefined();
    }
    // A single emoji sent without its variation selector is sent in the form Discord lists.
    expect(toDiscordEmoji('⬅')).toEqual({ name: '⬅️' });
    const rows = buttonRows([{ customId: `MJ::JOB::reroll::0::${H}::SOLO`, emoji: '🔄🔄', label: '', type: 2, style: 2 }], { taskId: '1', locale: 'en-US', pressed: new Set() });
    const button = must(rows[0]?.components[0], 'the button');
    expect(button).toMatchObject({ emoji: { name: '🔄' } });
    expect(button.label).toBeUndefined();
  });
});

describe('fallbackFace', () => {
  it('gives each known button Midjourney’s face, and anything else a localized label', () => {
    expect(fallbackFace(`MJ::JOB::upsample::3::${H}`, 'en-US')).toEqual({ label: 'U3' });
    expect(fallbackFace(`MJ::JOB::variation::1::${H}`, 'en-US')).toEqual({ label: 'V1' });
    expect(fallbackFace(`MJ::JOB::reroll::0::${H}::SOLO`, 'en-US')).toEqual({ emoji: '🔄' });
    expect(fallbackFace(`MJ::JOB::upsample_v7_2x_subtle::1::${H}::SOLO`, 'en-US')).toEqual({ label: 'Upscale (Subtle)' });
    expect(fallbackFace(`MJ::JOB::upsample_v5_4x::1::${H}::SOLO`, 'en-US')).toEqual({ label: 'Upscale (4x)' });
    expect(fallbackFace(`MJ::Outpaint::75::1::${H}::SOLO`, 'en-US')).toEqual({ label: 'Zoom Out 1.5x', emoji: '🔍' });
    expect(fallbackFace(`MJ::JOB::pan_down::1::${H}::SOLO`, 'en-US')).toEqual({ emoji: '⬇️' });
    expect(fallbackFace('MJ::Job::PicReader::2', 'en-US')).toEqual({ emoji: '2️⃣' });
    expect(fallbackFace('MJ::Job::PromptAnalyzer::5', 'en-US')).toEqual({ emoji: '5️⃣' });
    expect(fallbackFace('MJ::Job::PicReader::all', 'zh-CN')).toEqual({ label: '全部生成', emoji: '🎉' });
    expect(fallbackFace('MJ::Job::PromptAnalyzerExtended', 'zh-CN')).toEqual({ label: '显示详情' });
    expect(fallbackFace(`MJ::JOB::animate_low::1::${H}::SOLO`, 'zh-CN')).toEqual({ label: '动画 (Low)', emoji: '🎞️' });
    expect(fallbackFace('totally::unknown', 'en-US')).toEqual({ label: 'Action' });
    expect(fallbackFace('totally::unknown', 'zh-CN')).toEqual({ label: '操作' });
  });
});

describe('buttonRows', () => {
  it('groups a grid as [U1 U2 U3 U4 🔄] [V1 V2 V3 V4], with custom_ids pointing at the task’s list', () => {
    const rows = buttonRows(GRID, ctx());
    expect(faces(rows)).toEqual([['U1', 'U2', 'U3', 'U4', '🔄'], ['V1', 'V2', 'V3', 'V4']]);
    expect(rows.flatMap((r) => r.components.map((c) => c.custom_id))).toEqual([...Array(9).keys()].map((i) => `mj:b:1730621826053455:${i}`));
    expect(rows.every((r) => r.type === 1 && r.components.every((c) => c.type === 2 && c.style === 2))).toBe(true);
  });

  it('keeps Midjourney’s row order whatever order the proxy lists them in', () => {
    const shuffled = [
      b(`MJ::BOOKMARK::${H}`, '', '❤️'),
      b(`MJ::JOB::pan_up::1::${H}::SOLO`, '', '⬆️'),
      b(`MJ::CustomZoom::${H}`, 'Custom Zoom', '🔍'),
      b(`MJ::JOB::animate_high::1::${H}::SOLO`, 'Animate (High motion)', '🎞️'),
      b(`MJ::JOB::high_variation::1::${H}::SOLO`, 'Vary (Strong)', '🪄'),
      b(`MJ::JOB::pan_left::1::${H}::SOLO`, '', '⬅️'),
      b(`MJ::Outpaint::50::1::${H}::SOLO`, 'Zoom Out 2x', '🔍'),
    ];
    expect(faces(buttonRows(shuffled, ctx()))).toEqual([
      ['🪄Vary (Strong)'],
      ['🔍Custom Zoom', '🔍Zoom Out 2x'],
      ['⬆️', '⬅️'],
      ['🎞️Animate (High motion)'],
      ['❤️'],
    ]);
  });

  it('turns pressed buttons green (style 3), and keeps the proxy’s own green', () => {
    const buttons = GRID.map((x, i) => (i === 7 ? { ...x, style: 3 } : x));
    const rows = buttonRows(buttons, ctx({ pressed: new Set([`MJ::JOB::upsample::2::${H}`]) }));
    expect(rows.map((r) => r.components.map((c) => c.style))).toEqual([[2, 3, 2, 2, 2], [2, 2, 3, 2]]);
  });

  it('leaves out buttons this backend refused (hidden patterns); an empty pattern hides nothing', () => {
    const buttons = [...GRID, b(`MJ::BOOKMARK::${H}`, '', '❤️'), b(`MJ::JOB::animate_high::1::${H}::SOLO`, 'Animate', '🎞️')];
    const rows = buttonRows(buttons, ctx({ hidden: new Set(['MJ::BOOKMARK', 'MJ::JOB::animate_high', '']) }));
    expect(faces(rows)).toEqual([['U1', 'U2', 'U3', 'U4', '🔄'], ['V1', 'V2', 'V3', 'V4']]);
    expect(buttonRows(GRID, ctx({ hidden: new Set(['']) })).flatMap((r) => r.components)).toHaveLength(9);
    // The others keep their index: the click still finds the right proxy button.
    const onlyLast = buttonRows(buttons, ctx({ hidden: new Set(['MJ::JOB::upsample', 'MJ::JOB::variation', 'MJ::JOB::reroll', 'MJ::BOOKMARK']) }));
    expect(onlyLast.flatMap((r) => r.components.map((c) => c.custom_id))).toEqual(['mj:b:1730621826053455:10']);
  });

  it('gives a face to buttons without one: a bare emoji name is dropped, a label kept, a localized label last', () => {
    const rows = buttonRows(
      [
        b(`MJ::JOB::upsample_v7_2x_subtle::1::${H}::SOLO`, 'Upscale (Subtle)', 'upscale_1'),
        b(`MJ::JOB::upsample_v7_2x_creative::1::${H}::SOLO`, '', 'upscale_1'),
        b(`MJ::JOB::pan_right::1::${H}::SOLO`),
        b('MJ::JOB::whatever::1'),
        b('MJ::JOB::other::1', '', 'sparkle_2'),
      ],
      ctx({ locale: 'zh-CN' }),
    );
    const all = rows.flatMap((r) => r.components);
    expect(all.map((c) => [c.label, c.emoji])).toEqual([
      ['Upscale (Subtle)', undefined],
      ['Upscale (Creative)', undefined],
      [undefined, { name: '➡️' }],
      ['操作', undefined],
      ['操作', undefined],
    ]);
  });

  it('truncates labels to 80 characters', () => {
    const button = must(buttonRows([b('x::1', 'L'.repeat(200))], ctx())[0]?.components[0], 'the button');
    expect(button.label).toHaveLength(80);
    expect(button.label!.endsWith('…')).toBe(true);
  });

  it('never makes more than 5 buttons a row or 5 rows; short rows share one when over', () => {
    const thirty = Array.from({ length: 30 }, (_, i) => b(`MJ::JOB::custom_${i}::1`, `C${i}`));
    const rows = buttonRows(thirty, ctx());
    expect(rows.map((r) => r.components.length)).toEqual([5, 5, 5, 5, 5]);
    // Seven groups of one or two: the trailing ones are joined, the grid rows stay as they are.
    const seven = [
      ...GRID,
      b(`MJ::JOB::low_variation::1::${H}::SOLO`, 'Vary (Subtle)'),
      b(`MJ::Outpaint::50::1::${H}::SOLO`, 'Zoom Out 2x'),
      b(`MJ::JOB::pan_left::1::${H}::SOLO`, '', '⬅️'),
      b(`MJ::JOB::animate_high::1::${H}::SOLO`, 'Animate'),
      b(`MJ::BOOKMARK::${H}`, '', '❤️'),
    ];
    const seven_rows = buttonRows(seven, ctx());
    expect(faces(seven_rows)).toEqual([
      ['U1', 'U2', 'U3', 'U4', '🔄'],
      ['V1', 'V2', 'V3', 'V4'],
      ['Vary (Subtle)'],
      ['Zoom Out 2x'],
      ['⬅️', 'Animate', '❤️'],
    ]);
    const view = { content: '', embeds: [], components: seven_rows, allowedMentions: { parse: [] as [], users: [], replied_user: false as const }, files: [] };
    expect(checkMessageLimits(view)).toEqual([]);
  });
});

describe('effectiveButtons', () => {
  it('is the task’s own list when it has one', () => {
    const t = task('describe-success.json');
    expect(effectiveButtons(t)).toBe(t.buttons);
    expect(effectiveButtons(task('imagine-success.seed.json'))).toHaveLength(9);
  });

  it('synthesizes 1️⃣–4️⃣ and 🎉 Imagine all for a DESCRIBE that came without buttons', () => {
    const list = effectiveButtons(task('describe-success.new-api.json'));
    expect(list.map((x) => [x.customId, x.emoji, x.label])).toEqual([
      ['MJ::Job::PicReader::1', '1️⃣', ''],
      ['MJ::Job::PicReader::2', '2️⃣', ''],
      ['MJ::Job::PicReader::3', '3️⃣', ''],
      ['MJ::Job::PicReader::4', '4️⃣', ''],
      ['MJ::Job::PicReader::all', '🎉', 'Imagine all'],
    ]);
    expect(effectiveButtons(task('describe-success.new-api.json'), 'zh-CN').map((x) => x.customId)).toEqual(list.map((x) => x.customId));
    expect(effectiveButtons(task('describe-success.new-api.json'), 'zh-CN')[4]?.label).toBe('全部生成');
  });

  it('offers as many picks as there are prompts, and no "Imagine all" for one', () => {
    const base = task('describe-success.new-api.json');
    const two = { ...base, properties: { finalPrompt: '1️⃣ a cat --ar 1:1\n\n2️⃣ a dog --ar 1:1' } };
    expect(effectiveButtons(two).map((x) => x.customId)).toEqual(['MJ::Job::PicReader::1', 'MJ::Job::PicReader::2', 'MJ::Job::PicReader::all']);
    const one = { ...base, properties: { finalPrompt: '1️⃣ a cat --ar 1:1' } };
    expect(effectiveButtons(one).map((x) => x.customId)).toEqual(['MJ::Job::PicReader::1']);
    expect(effectiveButtons({ ...base, properties: {} })).toEqual([]);
  });

  it('synthesizes PromptAnalyzer 1..N for a SHORTEN that came without buttons', () => {
    expect(effectiveButtons(task('shorten-success.new-api.json')).map((x) => [x.customId, x.emoji])).toEqual(
      [1, 2, 3, 4, 5].map((i) => [`MJ::Job::PromptAnalyzer::${i}`, `${i}\uFE0F\u20E3`]),
    );
  });

  it('adds nothing to other tasks, to unfinished ones, or to none', () => {
    expect(effectiveButtons(task('video-success.seed.json'))).toEqual([]);
    expect(effectiveButtons(task('swap-face-success.json'))).toEqual([]);
    const running = { ...task('describe-success.new-api.json'), status: 'IN_PROGRESS' as const };
    expect(effectiveButtons(running)).toEqual([]);
    expect(effectiveButtons(null)).toEqual([]);
  });
});
