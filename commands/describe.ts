// /describe image | link [bot] [mode] → POST /mj/submit/describe (base64).
// A link is fetched by the bot itself, through the download guard, and sent as base64 (every
// backend takes that; only trueai takes `link`, api.md §1.2). A link the bot could not check (a
// private address, a redirect, a name that does not resolve here, bytes that are not an image) is
// refused: handed on as `link`, the backend would fetch it from its own network, where names like
// metadata.google.internal or localhost. reach what the guard keeps us from.
import { SlashCommandBuilder } from 'discord.js';
import { localizations } from '../src/i18n/index.ts';
import { UserInputError } from '../src/proxy/errors.ts';
import { cutText } from '../src/util/text.ts';
import { addBotOption, addModeOption, attachmentLimit, checkedImages, readBot, readMode } from './options.ts';
import type { Jobs } from '../src/jobs/jobs.ts';
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

/** A link as `base64`, once the bot has downloaded it through the guard and seen image bytes. */
async function linkSource(link: string, limit: number, jobs: Jobs): Promise<{ base64: string }> {
  const last = new URL(link).pathname.split('/').pop() || link;
  let name = last;
  try {
    name = decodeURIComponent(last);
  } catch {
    // a stray % in the link: keep it as typed
  }
  name = cutText(name, 100, '');
  try {
    return { base64: await jobs.readImage({ name, url: link, size: 0, contentType: null }, limit) };
  } catch (err) {
    // Not reachable from here (a redirect, an error status, no answer): say what a link needs.
    if (err instanceof UserInputError && err.code === 'ATTACHMENT_UNREADABLE') throw new UserInputError('LINK_UNREADABLE');
    throw err;
  }
}

export const describe: Command = {
  name: 'describe',
  definition(d) {
    const b = new SlashCommandBuilder()
      .setName('describe')
      .setNameLocalizations({ 'zh-CN': '图生文' })
      .setDescription('Get four prompts that describe an image')
      .setDescriptionLocalizations(localizations('cmd.describe.description'))
      .addAttachmentOption((o) => o.setName('image').setDescription('The image to describe').setDescriptionLocalizations(localizations('cmd.describe.image')))
      .addStringOption((o) => o.setName('link').setDescription('Or a link to the image').setDescriptionLocalizations(localizations('cmd.describe.link')).setMaxLength(2000));
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
    return ctx.jobs.start(interaction, {
      kind: 'describe',
      prompt: `/describe ${images[0]?.name ?? link}`,
      mode,
      submit: async ({ proxy, state, readImages }) => {
        const source = images.length ? { base64: (await readImages(images, limit))[0] } : await linkSource(link!, limit, ctx.jobs);
        return proxy.submitDescribe({ ...source, ...(botType ? { botType } : {}), state }, { mode });
      },
    });
  },
};
