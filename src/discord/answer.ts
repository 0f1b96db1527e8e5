// How a handler answers an interaction. Discord takes one first answer, within 3 s; the handler
// checks its input and limits without sending anything and returns a Plan saying how it answers,
// and the router sends that answer, runs the slow work, and so always knows what an error report
// may do (a component's '@original' is the message carrying the buttons: never delete it).
import { MessageFlags, type RepliableInteraction } from 'discord.js';
import { withTicket } from '../jobs/quota.ts';
import type { Answer, Answered, Plan } from '../jobs/plan.ts';

const STATE = { 'reply-first': 'public-reply', public: 'public-reply', ephemeral: 'ephemeral', update: 'update', modal: 'modal', 'private-view': 'ephemeral', 'update-view': 'update' } as const;

/** Sends the plan's first answer and records it in `answered`. */
export async function acknowledge(interaction: RepliableInteraction, answer: Answer, answered: Answered): Promise<void> {
  switch (answer.kind) {
    case 'reply-first': {
      const flags = answer.private ? MessageFlags.Ephemeral : undefined;
      const response = await interaction.reply({ content: answer.view.content, allowedMentions: answer.view.allowedMentions, withResponse: true, flags });
      answered.messageId = response.resource?.message?.id ?? null;
      break;
    }
    case 'public':
      await interaction.deferReply(answer.private ? { flags: MessageFlags.Ephemeral } : {});
      break;
    case 'ephemeral':
      await interaction.deferReply({ flags: MessageFlags.Ephemeral });
      break;
    case 'update':
      if (!interaction.isMessageComponent() && !interaction.isModalSubmit()) throw new Error('only a component or a modal can answer by update');
      await interaction.deferUpdate();
      break;
    case 'modal':
      if (interaction.isModalSubmit()) throw new Error('a modal cannot answer a modal');
      await interaction.showModal(answer.modal);
      break;
    case 'private-view':
      await interaction.reply({ ...answer.view, flags: MessageFlags.Ephemeral });
      break;
    case 'update-view':
      // A modal opened from a message component updates that message (Discord's UPDATE_MESSAGE).
      if (!interaction.isMessageComponent() && !(interaction.isModalSubmit() && interaction.isFromMessage())) throw new Error('only a component or its modal can update a message');
      await interaction.update(answer.view);
      break;
  }
  answered.state = STATE[answer.kind];
  if (answer.kind === 'reply-first' || answer.kind === 'public') answered.line = answer.line;
}

/** Answers as planned and does the plan's work, the limits held in between; `answered` follows along. */
export async function carryOut(interaction: RepliableInteraction, plan: Plan, answered: Answered): Promise<void> {
  const work = async (started: (taskIds: readonly string[]) => Promise<void>) => {
    await acknowledge(interaction, plan.answer, answered);
    await plan.run?.(answered, async (taskIds) => {
      if (taskIds.length > 0) answered.taken = true;
      await started(taskIds);
    });
  };
  await (plan.ticket ? withTicket(plan.ticket, work) : work(async () => undefined));
  await plan.after?.();
}
