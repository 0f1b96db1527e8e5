// /swapface source target → POST /mj/insight-face/swap
import { SlashCommandBuilder } from 'discord.js';
import { localizations } from '../src/i18n/index.ts';
import { attachmentLimit, checkedImages } from './options.ts';
import type { Command } from './types.ts';

export const swapface: Command = {
  name: 'swapface',
  definition() {
    return new SlashCommandBuilder()
      .setName('swapface')
      .setNameLocalizations({ 'zh-CN': '换脸' })
      .setDescription('Put the face from one image into another')
      .setDescriptionLocalizations(localizations('cmd.swapface.description'))
      .addAttachmentOption((o) => o.setName('source').setNameLocalizations({ 'zh-CN': '人脸' }).setDescription('The face to use').setDescriptionLocalizations(localizations('cmd.swapface.source')).setRequired(true))
      .addAttachmentOption((o) => o.setName('target').setNameLocalizations({ 'zh-CN': '目标' }).setDescription('The image to put it into').setDescriptionLocalizations(localizations('cmd.swapface.target')).setRequired(true))
      .toJSON();
  },
  async handle(interaction, ctx) {
    const limit = attachmentLimit(interaction, ctx.config.MAX_ATTACHMENT_BYTES);
    const images = checkedImages(interaction, ['source', 'target'], limit, 2, 2);
    const [source, target] = images as [typeof images[number], typeof images[number]];
    return ctx.jobs.start(interaction, { prompt: `/swapface ${source.name} → ${target.name}`, limit, request: { kind: 'swapface', source, target } });
  },
};
