// What a handler's request to the jobs facade comes back as: how the interaction is answered first
// (Discord takes one first answer, within 3 s), the limits reserved for it, and the slow work. The
// facade decides the plan without sending anything; the router (src/discord/answer.ts) carries it out.
import type { APIModalInteractionResponseCallbackData } from 'discord.js';
import type { MessageView } from '../render/task-view.ts';
import type { SettingsView } from '../render/settings-view.ts';
import type { QuotaTicket } from './quota.ts';

/** The job a public reply waits for, so a submit whose answer was lost can say so in that line. */
export interface JobLine {
  prompt: string;
  label?: string;
}

export type Answer =
  /** The public "Waiting to start" line, sent at once, before the slow work (`private`: the job's reply is ephemeral, /settings). */
  | { kind: 'reply-first'; view: Pick<MessageView, 'content' | 'allowedMentions'>; line: JobLine; private?: boolean }
  /** A public reply that shows Discord's "thinking…" until the work edits it (deferReply). */
  | { kind: 'public'; line?: JobLine; private?: boolean }
  /** A private reply, "thinking…" until edited (deferReply, ephemeral). */
  | { kind: 'ephemeral' }
  /** The clicked message itself is updated later (deferUpdate): buttons and modals from a message. */
  | { kind: 'update' }
  /** A modal, which must be the first answer (showModal): nothing slow may come before it. */
  | { kind: 'modal'; modal: APIModalInteractionResponseCallbackData }
  /** A private panel (/settings), complete at once: an ephemeral reply. */
  | { kind: 'private-view'; view: SettingsView }
  /** The clicked panel replaced in place (interaction update): a component on it, or a modal it opened. */
  | { kind: 'update-view'; view: SettingsView };

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
  /**
   * The slow work, once answered; `started` reports the jobs the backend took, before they are
   * tracked (the ticket's reservation becomes theirs).
   */
  run?(answered: Answered, started: (taskIds: readonly string[]) => Promise<void>): Promise<void>;
  /** Work after the reservation was given back (marking a pressed button, a closing note). */
  after?(): Promise<void>;
}
