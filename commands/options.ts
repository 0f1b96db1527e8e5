// Options several commands share: mode, bot, and numbered image attachments.
import type { Attachment, ChatInputCommandInteraction, SlashCommandBuilder, SlashCommandOptionsOnlyBuilder } from 'discord.js';
import { checkCount, checkImage } from '../src/media/attachments.ts';
import { localizations, modeLabel, t } from '../src/i18n/index.ts';
import { enUS } from '../src/i18n/en-US.ts';
import { REFERENCE_KINDS, REFERENCE_WEIGHTS, type ReferenceInput, type ReferenceKind } from '../src/jobs/references.ts';
import type { BotType } from '../src/proxy/types.ts';
import type { DefinitionContext } from './types.ts';

type Builder = SlashCommandBuilder | SlashCommandOptionsOnlyBuilder;

export function addModeOption<B extends Builder>(b: B, d: DefinitionContext): B {
  if (d.modes.length === 0) return b;
  b.addStringOption((o) =>
    o
      .setName('mode')
      .setNameLocalizations({ 'zh-CN': '速度' })
      .setDescription('Speed mode')
      .setDescriptionLocalizations(localizations('cmd.option.mode'))
      .addChoices(...d.modes.slice(0, 25).map((m) => ({ name: m, name_localizations: { 'zh-CN': modeLabel('zh-CN', m) }, value: m }))),
  );
  return b;
}

export function addBotOption<B extends Builder>(b: B): B {
  b.addStringOption((o) =>
    o
      .setName('bot')
      .setNameLocalizations({ 'zh-CN': '模型' })
      .setDescription('Midjourney or Niji')
      .setDescriptionLocalizations(localizations('cmd.imagine.bot'))
      .addChoices({ name: 'Midjourney', name_localizations: { 'zh-CN': 'Midjourney' }, value: 'MID_JOURNEY' }, { name: 'Niji', name_localizations: { 'zh-CN': t('zh-CN', 'cmd.option.bot.niji') }, value: 'NIJI_JOURNEY' }),
  );
  return b;
}

export function readMode(i: ChatInputCommandInteraction): string | undefined {
  return i.options.getString('mode') ?? undefined;
}

export function readBot(i: ChatInputCommandInteraction): BotType | undefined {
  const v = i.options.getString('bot');
  return v === 'MID_JOURNEY' || v === 'NIJI_JOURNEY' ? v : undefined;
}

/** Attachment option names image, image2 … imageN. */
export function imageOptionNames(n: number): string[] {
  return Array.from({ length: n }, (_, i) => (i === 0 ? 'image' : `image${i + 1}`));
}

/** The zh-CN name of an option named by imageOptionNames: 图片, 图片2 … */
export function imageOptionZh(name: string): Record<string, string> {
  return { 'zh-CN': name.replace(/^image/, '图片') };
}

/** The upload limit that applies: ours, or the server's (Discord sends it on every interaction). */
export function attachmentLimit(i: ChatInputCommandInteraction, configured: number): number {
  return Math.min(configured, i.attachmentSizeLimit || Infinity);
}

/** The attachments given under `names`, each checked as an image; the count within [min, max]. */
export function checkedImages(i: ChatInputCommandInteraction, names: string[], limit: number, min = 0, max = names.length): Attachment[] {
  const images = names.map((n) => i.options.getAttachment(n)).filter((a): a is Attachment => a !== null);
  checkCount(images.length, min, max);
  for (const a of images) checkImage(a, limit);
  return images;
}

/** zh-CN names of the reference options (Discord: lowercase, no spaces). */
const REFERENCE_NAMES: Record<ReferenceKind | 'sw' | 'cw' | 'ow', string> = { sref: '风格参考', cref: '角色参考', oref: '全能参考', sw: '风格权重', cw: '角色权重', ow: '全能权重' };

/** /imagine's style, character and omni reference attachments and their weights, in Midjourney's ranges. */
export function addReferenceOptions<B extends Builder>(b: B): B {
  for (const kind of REFERENCE_KINDS) {
    b.addAttachmentOption((o) => o.setName(kind).setNameLocalizations({ 'zh-CN': REFERENCE_NAMES[kind] }).setDescription(enUS[`cmd.imagine.${kind}`]).setDescriptionLocalizations(localizations(`cmd.imagine.${kind}`)));
  }
  for (const kind of REFERENCE_KINDS) {
    const { param, min, max } = REFERENCE_WEIGHTS[kind];
    b.addIntegerOption((o) =>
      o.setName(param).setNameLocalizations({ 'zh-CN': REFERENCE_NAMES[param] }).setDescription(enUS[`cmd.imagine.${param}`]).setDescriptionLocalizations(localizations(`cmd.imagine.${param}`)).setMinValue(min).setMaxValue(max),
    );
  }
  return b;
}

/** The references given, each attachment checked as an image (its bytes are checked when it is read). */
export function readReferences(i: ChatInputCommandInteraction, limit: number): ReferenceInput[] {
  const out: ReferenceInput[] = [];
  for (const kind of REFERENCE_KINDS) {
    const file = i.options.getAttachment(kind);
    const weight = i.options.getInteger(REFERENCE_WEIGHTS[kind].param);
    if (file) checkImage(file, limit);
    if (file || weight !== null) out.push({ kind, ...(file ? { file } : {}), ...(weight !== null ? { weight } : {}) });
  }
  return out;
}
