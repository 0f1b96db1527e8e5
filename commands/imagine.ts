// /imagine prompt [image…image5] [bot] [mode] [sref cref oref sw cw ow] → POST /mj/submit/imagine
// (references: --sref/--cref/--oref links appended to the prompt, src/jobs/references.ts)
import { SlashCommandBuilder } from 'discord.js';
import { localizations } from '../src/i18n/index.ts';
import { checkPrompt, MAX_PROMPT } from '../src/discord/prompt.ts';
import { addBotOption, addModeOption, addReferenceOptions, attachmentLimit, checkedImages, imageOptionNames, imageOptionZh, readBot, readMode, readReferences } from './options.ts';
import { checkReferences, chosenVersion, shownReferences } from '../src/jobs/references.ts';
import type { Command } from './types.ts';

const IMAGES = imageOptionNames(5);

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
      b.addAttachmentOption((o) => o.setName(name).setNameLocalizations(imageOptionZh(name)).setDescription('A reference image').setDescriptionLocalizations(localizations('cmd.imagine.image')));
    }
    addBotOption(b);
    addModeOption(b, d);
    addReferenceOptions(b);
    return b.toJSON();
  },
  async handle(interaction, ctx) {
    const prompt = interaction.options.getString('prompt', true).trim();
    checkPrompt(prompt);
    const limit = attachmentLimit(interaction, ctx.config.MAX_ATTACHMENT_BYTES);
    const images = checkedImages(interaction, IMAGES, limit);
    const mode = readMode(interaction);
    const botType = readBot(interaction);
    const references = readReferences(interaction, limit);
    if (references.length) {
      // The prompt's own --v/--niji wins over the user's settings.
      const version = (await ctx.jobs.prefsFor(interaction).catch(() => ({ version: undefined }))).version;
      checkReferences(prompt, references, chosenVersion(prompt, version));
    }
    const shown = [prompt, shownReferences(references)].filter(Boolean).join(' ');
    return ctx.jobs.start(interaction, { prompt: shown, mode, limit, request: { kind: 'imagine', prompt, images, botType, references } });
  },
};
