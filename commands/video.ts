// /video image prompt [motion] [mode] [loop] [end_image] [batch_size] [resolution] → POST /mj/submit/video
// (the first frame, and the last when given, as data URLs; loop, batchSize and videoType sent only when chosen).
// The prompt is required: the proxy refuses a video without one ("prompt不能为空", api.md §1.2).
import { SlashCommandBuilder } from 'discord.js';
import { localizations } from '../src/i18n/index.ts';
import { enUS } from '../src/i18n/en-US.ts';
import { checkPrompt, MAX_PROMPT } from '../src/discord/prompt.ts';
import { addModeOption, attachmentLimit, checkedImages, readMode } from './options.ts';
import type { Command } from './types.ts';
import type { JobRequest } from '../src/jobs/jobs.ts';

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
    b.addBooleanOption((o) => o.setName('loop').setNameLocalizations({ 'zh-CN': '循环' }).setDescription(enUS['cmd.video.loop']).setDescriptionLocalizations(localizations('cmd.video.loop')))
      .addAttachmentOption((o) => o.setName('end_image').setNameLocalizations({ 'zh-CN': '结束帧' }).setDescription(enUS['cmd.video.endImage']).setDescriptionLocalizations(localizations('cmd.video.endImage')))
      .addIntegerOption((o) =>
        o
          .setName('batch_size')
          .setNameLocalizations({ 'zh-CN': '数量' })
          .setDescription(enUS['cmd.video.batchSize'])
          .setDescriptionLocalizations(localizations('cmd.video.batchSize'))
          .addChoices({ name: '1', name_localizations: { 'zh-CN': '1 个' }, value: 1 }, { name: '2', name_localizations: { 'zh-CN': '2 个' }, value: 2 }, { name: '4', name_localizations: { 'zh-CN': '4 个' }, value: 4 }),
      )
      .addStringOption((o) =>
        o
          .setName('resolution')
          .setNameLocalizations({ 'zh-CN': '分辨率' })
          .setDescription(enUS['cmd.video.resolution'])
          .setDescriptionLocalizations(localizations('cmd.video.resolution'))
          .addChoices({ name: '480p', name_localizations: { 'zh-CN': '480p（标清）' }, value: '480' }, { name: '720p', name_localizations: { 'zh-CN': '720p（高清）' }, value: '720' }),
      );
    return b.toJSON();
  },
  async handle(interaction, ctx) {
    const limit = attachmentLimit(interaction, ctx.config.MAX_ATTACHMENT_BYTES);
    const images = checkedImages(interaction, ['image'], limit, 1, 1);
    const [endImage] = checkedImages(interaction, ['end_image'], limit);
    const prompt = (interaction.options.getString('prompt') ?? '').trim();
    checkPrompt(prompt);
    const motion: 'low' | 'high' = interaction.options.getString('motion') === 'high' ? 'high' : 'low';
    const mode = readMode(interaction);
    const loop = interaction.options.getBoolean('loop') ?? undefined;
    const batch = interaction.options.getInteger('batch_size');
    const batchSize: 1 | 2 | 4 | undefined = batch === 1 || batch === 2 || batch === 4 ? batch : undefined;
    const resolution = interaction.options.getString('resolution');
    const videoType = resolution === '480' || resolution === '720' ? (`vid_1.1_i2v_${resolution}` as const) : undefined;
    const request: JobRequest = { kind: 'video', prompt, image: images[0]!, motion, ...(endImage ? { endImage } : {}), ...(loop !== undefined ? { loop } : {}), ...(batchSize ? { batchSize } : {}), ...(videoType ? { videoType } : {}) };
    return ctx.jobs.start(interaction, { prompt, mode, limit, request });
  },
};
