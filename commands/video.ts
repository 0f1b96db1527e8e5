// /video image prompt [motion] [mode] → POST /mj/submit/video (the first frame as a data URL).
// The prompt is required: the proxy refuses a video without one ("prompt不能为空", api.md §1.2).
import { SlashCommandBuilder } from 'discord.js';
import { localizations } from '../src/i18n/index.ts';
import { checkPrompt, MAX_PROMPT } from '../src/discord/prompt.ts';
import { addModeOption, attachmentLimit, checkedImages, readMode } from './options.ts';
import type { Command } from './types.ts';

export const video: Command = {
  name: 'video',
  definition(d) {
    const b = new SlashCommandBuilder()
      .setName('video')
      .setNameLocalizations({ 'zh-CN': '视频' })
      .setDescription('Turn an image into short videos')
      .setDescriptionLocalizations(localizations('cmd.video.description'))
      .addAttachmentOption((o) => o.setName('image').setNameLocalizations({ 'zh-CN': '首帧' }).setDescription('The first frame').setDescriptionLocalizations(localizations('cmd.video.image')).setRequired(true))
      .addStringOption((o) =>
        o.setName('prompt').setNameLocalizations({ 'zh-CN': '提示词' }).setDescription('What should happen').setDescriptionLocalizations(localizations('cmd.video.prompt')).setRequired(true).setMaxLength(MAX_PROMPT),
      )
      .addStringOption((o) =>
        o
          .setName('motion')
          .setNameLocalizations({ 'zh-CN': '运动幅度' })
          .setDescription('How much motion')
          .setDescriptionLocalizations(localizations('cmd.video.motion'))
          .addChoices({ name: 'Low', name_localizations: { 'zh-CN': '低' }, value: 'low' }, { name: 'High', name_localizations: { 'zh-CN': '高' }, value: 'high' }),
      );
    addModeOption(b, d);
    return b.toJSON();
  },
  async handle(interaction, ctx) {
    const limit = attachmentLimit(interaction, ctx.config.MAX_ATTACHMENT_BYTES);
    const images = checkedImages(interaction, ['image'], limit, 1, 1);
    const prompt = (interaction.options.getString('prompt') ?? '').trim();
    checkPrompt(prompt);
    const motion = interaction.options.getString('motion') === 'high' ? 'high' : 'low';
    const mode = readMode(interaction);
    return ctx.jobs.start(interaction, { prompt, mode, limit, request: { kind: 'video', prompt, image: images[0]!, motion } });
  },
};
