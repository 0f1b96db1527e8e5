// /describe image | link [bot] [mode] → POST /mj/submit/describe (base64).
// A link is fetched by the bot itself, through the download guard, and sent as base64 (every
// backend takes that; only trueai takes `link`, api.md §1.2). A link the bot could not check (a
// private address, a redirect, a name that does not resolve here, bytes that are not an image) is
// refused (src/jobs/requests.ts): handed on as `link`, the backend would fetch it from its own network, where names like
// metadata.google.internal or localhost. reach what the guard keeps us from.
import { SlashCommandBuilder } from 'discord.js';
import { localizations } from '../src/i18n/index.ts';
import { UserInputError } from '../src/proxy/errors.ts';
import { addBotOption, addModeOption, attachmentLimit, checkedImages, readBot, readMode } from './options.ts';
import type { Command } from './types.ts';

export function checkLink(link: string): string {
  try {
    const u = new URL(link.trim());
    if (u.protocol === 'http:' || u.protocol === 'https:') return u.toString();
  } catch {
    // fall through
  }
  throw new UserInputError('LINK_INVALID');
}

export const describe: Command = {
  name: 'describe',
  definition(d) {
    const b = new SlashCommandBuilder()
      .setName('describe')
      .setNameLocalizations({ 'zh-CN': '图生文' })
      .setDescription('Get four prompts that describe an image')
      .setDescriptionLocalizations(localizations('cmd.describe.description'))
      .addAttachmentOption((o) => o.setName('image').setNameLocalizations({ 'zh-CN': '图片' }).setDescription('The image to describe').setDescriptionLocalizations(localizations('cmd.describe.image')))
      .addStringOption((o) => o.setName('link').setNameLocalizations({ 'zh-CN': '链接' }).setDescription('Or a link to the image').setDescriptionLocalizations(localizations('cmd.describe.link')).setMaxLength(2000));
    addBotOption(b);
    addModeOption(b, d);
    return b.toJSON();
  },
  async handle(interaction, ctx) {
    const limit = attachmentLimit(interaction, ctx.config.MAX_ATTACHMENT_BYTES);
    const images = checkedImages(interaction, ['image'], limit, 0, 1);
    const rawLink = interaction.options.getString('link');
    const link = rawLink ? checkLink(rawLink) : null;
    if (images.length === 0 && !link) throw new UserInputError('INPUT_MISSING');
    const mode = readMode(interaction);
    const botType = readBot(interaction);
    return ctx.jobs.start(interaction, { prompt: `/describe ${images[0]?.name ?? link}`, mode, limit, request: { kind: 'describe', source: images[0] ?? { link: link! }, botType } });
  },
};
