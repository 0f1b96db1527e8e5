import type { AutocompleteInteraction, ChatInputCommandInteraction, RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import type { AppContext } from '../src/context.ts';

/** What a command's definition may depend on: the operator's configured speed modes. */
export interface DefinitionContext {
  modes: readonly string[];
}

/** A slash command: its definition (with localizations) and a thin `run`. */
export interface Command {
  name: string;
  definition(d: DefinitionContext): RESTPostAPIChatInputApplicationCommandsJSONBody;
  run(interaction: ChatInputCommandInteraction, ctx: AppContext): Promise<void>;
  autocomplete?(interaction: AutocompleteInteraction, ctx: AppContext): Promise<void>;
}
