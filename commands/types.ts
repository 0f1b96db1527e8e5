import type { AutocompleteInteraction, ChatInputCommandInteraction, RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import type { HandlerContext } from '../src/jobs/handler-context.ts';
import type { Plan } from '../src/jobs/plan.ts';

/** What a command's definition may depend on: the operator's configured speed modes. */
export interface DefinitionContext {
  modes: readonly string[];
}

/**
 * A slash command: its definition (with localizations) and a thin `handle`, which checks the
 * options and limits without answering and returns how to answer and what to run (the router
 * answers, then runs it).
 */
export interface Command {
  name: string;
  definition(d: DefinitionContext): RESTPostAPIChatInputApplicationCommandsJSONBody;
  handle(interaction: ChatInputCommandInteraction, ctx: HandlerContext): Promise<Plan>;
  autocomplete?(interaction: AutocompleteInteraction, ctx: HandlerContext): Promise<void>;
}
