// A command for the playground's own tests: an autocompleted text, a choice and an attachment,
// echoed back publicly, so the composer's every kind of option can be checked end to end.
import { SlashCommandBuilder } from 'discord.js';
import type { Command } from '../../commands/types.ts';

export const ANIMALS = ['red fox', 'red panda', 'blue whale', 'snow leopard'];

export const echo: Command = {
  name: 'echo',
  definition() {
    return new SlashCommandBuilder()
      .setName('echo')
      .setNameLocalizations({ 'zh-CN': '回声' })
      .setDescription('Says back what it was given')
      .addStringOption((o) => o.setName('animal').setDescription('Pick an animal').setRequired(true).setAutocomplete(true))
      .addStringOption((o) => o.setName('style').setDescription('How to say it').addChoices({ name: 'Plain', value: 'plain' }, { name: 'Loud', value: 'loud', name_localizations: { 'zh-CN': '大声' } }))
      .addAttachmentOption((o) => o.setName('file').setDescription('Any file'))
      .toJSON();
  },
  async handle(interaction) {
    const animal = interaction.options.getString('animal', true);
    const style = interaction.options.getString('style') ?? 'plain';
    const file = interaction.options.getAttachment('file');
    const said = style === 'loud' ? `**${animal.toUpperCase()}**` : animal;
    const content = `${said} (locale ${interaction.locale}${file ? `, file ${file.name} ${file.size} bytes` : ''})`;
    return { answer: { kind: 'reply-first', view: { content, allowedMentions: { parse: [], users: [], replied_user: false } }, line: { prompt: animal } } };
  },
  async autocomplete(interaction) {
    const typed = interaction.options.getFocused().toLowerCase();
    await interaction.respond(ANIMALS.filter((a) => a.startsWith(typed)).map((a) => ({ name: a, value: a.replace(' ', '-') })));
  },
};
