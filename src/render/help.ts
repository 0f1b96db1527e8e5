// The private /help page: what each command and each button under a result does, in the user's
// language, and where the server's gallery is. Pure; the lines come from the catalogue, so a
// command without a help line fails its test (test/render/help.test.ts walks the registry).
import type { APIEmbed } from 'discord.js';
import { t, type MessageKey } from '../i18n/index.ts';
import { cutLines } from '../util/text.ts';
import { COLORS } from './task-view.ts';

/** In the order a newcomer needs them. */
export const HELP_COMMANDS: readonly MessageKey[] = [
  'help.cmd.imagine', 'help.cmd.blend', 'help.cmd.describe', 'help.cmd.shorten', 'help.cmd.video', 'help.cmd.edits', 'help.cmd.swapface',
  'help.cmd.settings', 'help.cmd.info', 'help.cmd.seed', 'help.cmd.task', 'help.cmd.tasks', 'help.cmd.privacy', 'help.cmd.help',
];

/** In the order Midjourney's rows show them. */
export const HELP_BUTTONS: readonly MessageKey[] = [
  'help.btn.upscale', 'help.btn.vary', 'help.btn.reroll', 'help.btn.varyUpscale', 'help.btn.zoom', 'help.btn.pan', 'help.btn.seed',
  'help.btn.remix', 'help.btn.cancel', 'help.btn.share', 'help.btn.delete',
];

const SNOWFLAKE = /^\d{17,20}$/;

export interface HelpContext {
  /** The server's gallery channel (from its settings), linked as a channel mention (which never pings). */
  galleryChannelId?: string | null;
}

export function renderHelp(ctx: HelpContext, locale: string): APIEmbed[] {
  const lines = (keys: readonly MessageKey[]) => cutLines(keys.map((k) => t(locale, k)), 4096);
  const footer = [t(locale, 'help.owner')];
  // A stored id is untrusted: only a snowflake becomes a mention.
  if (ctx.galleryChannelId && SNOWFLAKE.test(ctx.galleryChannelId)) footer.unshift(t(locale, 'help.gallery', { channel: `<#${ctx.galleryChannelId}>` }));
  return [
    { title: t(locale, 'help.title'), color: COLORS.progress, description: `**${t(locale, 'help.commands')}**\n${lines(HELP_COMMANDS)}` },
    { color: COLORS.progress, description: `**${t(locale, 'help.buttons')}**\n${lines(HELP_BUTTONS)}\n\n${footer.join('\n')}` },
  ];
}
