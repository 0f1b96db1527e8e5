// How a handler answers an interaction. Discord takes one first answer, within 3 s; the handler
// checks its input and limits without sending anything and returns a Plan saying how it answers,
// and the router sends that answer, runs the slow work, and so always knows what an error report
// may do (a component's '@original' is the message carrying the buttons: never delete it).
import { MessageFlags, type APIModalInteractionResponseCallbackData, type RepliableInteraction } from 'discord.js';
import type { MessageView } from '../render/task-view.ts';
import { withTicket, type QuotaTicket } from './guard.ts';

/** The job a public reply waits for, so a submit whose answer was lost can say so in that line. */
export interface JobLine {
  prompt: string;
  label?: string;
}

export type Answer =
  /** The public "Waiting to start" line, sent at once, before the slow work. */
  | { kind: 'reply-first'; view: Pick<MessageView, 'content' | 'allowedMentions'>; line: JobLine }
  /** A public reply that shows Discord's "thinking…" until the work edits it (deferReply). */
  | { kind: 'public'; line?: JobLine }
  /** A private reply, "thinking…" until edited (deferReply, ephemeral). */
  | { kind: 'ephemeral' }
  /** The clicked message itself is updated later (deferUpdate): buttons and modals from a message. */
  | { kind: 'update' }
  /** A modal, which must be the first answer (showModal): nothing slow may come before it. */
  | { kind: 'modal'; modal: APIModalInteractionResponseCallbackData };

/** What was sent so far: decides how an error reaches the user. */
export type AckState = 'none' | 'public-reply' | 'ephemeral' | 'update' | 'modal';

export interface Answered {
  state: AckState;
  /** The job a public reply waits for, when there is one. */
  line?: JobLine;
  /** The message of a 'reply-first' answer. */
  messageId: string | null;
  /** The backend took a job shown in the public reply: from then on an error must not remove it. */
  taken?: boolean;
}

export interface Plan {
  answer: Answer;
  /** Limits reserved by the check: held while the answer is sent and `run` works, given back after. */
  ticket?: QuotaTicket;
  /** The slow work, once answered; `started` reports the jobs the backend took (for the ticket). */
  run?(answered: Answered, started: (n: number) => void): Promise<void>;
  /** Work after the reservation was given back (marking a pressed button, a closing note). */
  after?(): Promise<void>;
}

const STATE = { 'reply-first': 'public-reply', public: 'public-reply', ephemeral: 'ephemeral', update: 'update', modal: 'modal' } as const;

/** Sends the plan's first answer and records it in `answered`. */
export async function acknowledge(interaction: RepliableInteraction, answer: Answer, answered: Answered): Promise<void> {
  switch (answer.kind) {
    case 'reply-first': {
      const response = await interaction.reply({ content: answer.view.content, allowedMentions: answer.view.allowedMentions, withResponse: true });
      answered.messageId = response.resource?.message?.id ?? null;
      break;
    }
    case 'public':
      await interaction.deferReply();
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
  }
  answered.state = STATE[answer.kind];
  if (answer.kind === 'reply-first' || answer.kind === 'public') answered.line = answer.line;
}

/** Answers as planned and does the plan's work, the limits held in between; `answered` follows along. */
export async function carryOut(interaction: RepliableInteraction, plan: Plan, answered: Answered): Promise<void> {
  const work = async (started: (n: number) => void) => {
    await acknowledge(interaction, plan.answer, answered);
    await plan.run?.(answered, (n) => {
      if (n > 0) answered.taken = true;
      started(n);
    });
  };
  await (plan.ticket ? withTicket(plan.ticket, work) : work(() => undefined));
  await plan.after?.();
}
