// /edits image prompt [mode] → POST /mj/submit/edits
import { SlashCommandBuilder } from 'discord.js';
import { localizations } from '../src/i18n/index.ts';
import { checkPrompt, MAX_PROMPT } from '../src/discord/prompt.ts';
import { addModeOption, attachmentLimit, checkedImages, readMode } from './options.ts';
import type { Command } from './types.ts';

export const edits: Command = {
  name: 'edits',
  definition(d) {
    const b = new SlashCommandBuilder()
      .setName('edits')
      .setNameLocalizations({ 'zh-CN': '改图' })
      .setDescription('Edit an image with a prompt')
      .setDescriptionLocalizations(localizations('cmd.edits.description'))
      .addAttachmentOption((o) => o.setName('image').setNameLocalizations({ 'zh-CN': '图片' }).setDescription('The image to edit').setDescriptionLocalizations(localizations('cmd.edits.image')).setRequired(true))
      .addStringOption((o) => o.setName('prompt').setNameLocalizations({ 'zh-CN': '提示词' }).setDescription('What to change').setDescriptionLocalizations(localizations('cmd.edits.prompt')).setRequired(true).setMaxLength(MAX_PROMPT));
    addModeOption(b, d);
    return b.toJSON();
  },
  async handle(interaction, ctx) {
    const limit = attachmentLimit(interaction, ctx.config.MAX_ATTACHMENT_BYTES);
    const images = checkedImages(interaction, ['image'], limit, 1, 1);
    const prompt = interaction.options.getString('prompt', true).trim();
    checkPrompt(prompt);
    const mode = readMode(interaction);
    return ctx.jobs.start(interaction, { prompt, mode, limit, request: { kind: 'edits', prompt, image: images[0]! } });
  },
};
