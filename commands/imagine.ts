// /imagine prompt [image…image5] [bot] [mode] → POST /mj/submit/imagine
import { SlashCommandBuilder } from 'discord.js';
import { localizations } from '../src/i18n/index.ts';
import { checkImage, readImage } from '../src/discord/attachments.ts';
import { jobState, startJob } from '../src/discord/jobs.ts';
import { UserInputError } from '../src/proxy/errors.ts';
import { addBotOption, addModeOption, imageOptionNames, readBot, readMode } from './options.ts';
import type { Command } from './types.ts';

export const MAX_PROMPT = 4000;
const IMAGES = imageOptionNames(5);

/** A prompt must say something besides parameters (`--ar 3:2` alone is empty). */
export function checkPrompt(prompt: string, max = MAX_PROMPT): void {
  const words = prompt.replace(/--\w+(\s+[^\s-][^\s]*)?/g, '').trim();
  if (!words) throw new UserInputError('PROMPT_EMPTY');
  if (prompt.length > max) throw new UserInputError('PROMPT_TOO_LONG', { length: prompt.length, limit: max });
}

export const imagine: Command = {
  name: 'imagine',
  definition(d) {
    const b = new SlashCommandBuilder()
      .setName('imagine')
      .setNameLocalizations({ 'zh-CN': '绘图' })
      .setDescription('Create images from a prompt')
      .setDescriptionLocalizations(localizations('cmd.imagine.description'))
      .addStringOption((o) =>
        o
          .setName('prompt')
          .setNameLocalizations({ 'zh-CN': '提示词' })
          .setDescription('What to imagine (parameters like --ar 3:2 work)')
          .setDescriptionLocalizations(localizations('cmd.imagine.prompt'))
          .setRequired(true)
          .setMaxLength(MAX_PROMPT),
      );
    for (const name of IMAGES) {
      b.addAttachmentOption((o) => o.setName(name).setDescription('A reference image').setDescriptionLocalizations(localizations('cmd.imagine.image')));
    }
    addBotOption(b);
    addModeOption(b, d);
    return b.toJSON();
  },
  async run(interaction, ctx) {
    const prompt = interaction.options.getString('prompt', true).trim();
    checkPrompt(prompt);
    const limit = Math.min(ctx.config.MAX_ATTACHMENT_BYTES, interaction.attachmentSizeLimit || Infinity);
    const images = IMAGES.map((n) => interaction.options.getAttachment(n)).filter((a) => a !== null);
    for (const a of images) checkImage(a, limit);
    const mode = readMode(interaction);
    const botType = readBot(interaction);
    await startJob(interaction, ctx, {
      kind: 'imagine',
      prompt,
      mode,
      submit: async () => {
        const base64Array = await Promise.all(images.map((a) => readImage(a, limit, ctx.config.PROXY_TIMEOUT_MS)));
        return ctx.proxy.submitImagine(
          { prompt, ...(base64Array.length ? { base64Array } : {}), ...(botType ? { botType } : {}), state: jobState(interaction) },
          { mode },
        );
      },
    });
  },
};
