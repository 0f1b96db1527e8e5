// /privacy [member] → privately, what the bot keeps about you and for how long, with "Forget me"
// (confirmed in a second step); a server admin naming a member sees that member's data kept for
// this server, with a button that deletes it (nothing is sent to the backend).
import { SlashCommandBuilder } from 'discord.js';
import { localizations } from '../src/i18n/index.ts';
import type { Command } from './types.ts';

export const privacy: Command = {
  name: 'privacy',
  definition() {
    return new SlashCommandBuilder()
      .setName('privacy')
      .setNameLocalizations({ 'zh-CN': '隐私' })
      .setDescription('What the bot keeps about you, and “Forget me”')
      .setDescriptionLocalizations(localizations('cmd.privacy.description'))
      .addUserOption((o) =>
        o
          .setName('member')
          .setNameLocalizations({ 'zh-CN': '成员' })
          .setDescription('Server admins: a member whose data for this server to delete')
          .setDescriptionLocalizations(localizations('cmd.privacy.member')),
      )
      .toJSON();
  },
  async handle(interaction, ctx) {
    // A member named by someone without Manage Server is refused before anything is read.
    return ctx.jobs.privacy.open(interaction, interaction.options.getUser('member'));
  },
};
