// /blend image image2 [image3..image5] [dimensions] [bot] [mode] → POST /mj/submit/blend
import { SlashCommandBuilder } from 'discord.js';
import { localizations } from '../src/i18n/index.ts';
import type { Dimensions } from '../src/proxy/types.ts';
import { addBotOption, addModeOption, attachmentLimit, checkedImages, imageOptionNames, imageOptionZh, readBot, readMode } from './options.ts';
import type { Command } from './types.ts';

const IMAGES = imageOptionNames(5);
const DIMENSIONS: { name: string; zh: string; value: Dimensions; ar: string }[] = [
  { name: 'Portrait 2:3', zh: '竖图 2:3', value: 'PORTRAIT', ar: '2:3' },
  { name: 'Square 1:1', zh: '方图 1:1', value: 'SQUARE', ar: '1:1' },
  { name: 'Landscape 3:2', zh: '横图 3:2', value: 'LANDSCAPE', ar: '3:2' },
];

export const blend: Command = {
  name: 'blend',
  definition(d) {
    const b = new SlashCommandBuilder()
      .setName('blend')
      .setNameLocalizations({ 'zh-CN': '混图' })
      .setDescription('Blend 2–5 images into a new one')
      .setDescriptionLocalizations(localizations('cmd.blend.description'));
    IMAGES.forEach((name, i) =>
      b.addAttachmentOption((o) => o.setName(name).setNameLocalizations(imageOptionZh(name)).setDescription('An image to blend').setDescriptionLocalizations(localizations('cmd.blend.image')).setRequired(i < 2)),
    );
    b.addStringOption((o) =>
      o
        .setName('dimensions')
        .setNameLocalizations({ 'zh-CN': '比例' })
        .setDescription('Aspect ratio of the result')
        .setDescriptionLocalizations(localizations('cmd.blend.dimensions'))
        .addChoices(...DIMENSIONS.map((x) => ({ name: x.name, name_localizations: { 'zh-CN': x.zh }, value: x.value }))),
    );
    addBotOption(b);
    addModeOption(b, d);
    return b.toJSON();
  },
  async handle(interaction, ctx) {
    const limit = attachmentLimit(interaction, ctx.config.MAX_ATTACHMENT_BYTES);
    const images = checkedImages(interaction, IMAGES, limit, 2, 5);
    const dim = DIMENSIONS.find((x) => x.value === interaction.options.getString('dimensions')) ?? DIMENSIONS[1]!;
    const mode = readMode(interaction);
    const botType = readBot(interaction);
    return ctx.jobs.start(interaction, { prompt: `/blend ${images.length} × ${dim.ar}`, mode, limit, request: { kind: 'blend', images, dimensions: dim.value, botType } });
  },
};
