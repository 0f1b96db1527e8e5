// The one interactionCreate dispatcher: slash commands by name from the registry, our buttons and
// modals by custom_id prefix. Handlers say how they answer (a Plan); the router answers, so it
// knows what was sent when a failure goes through replyWithError; nothing escapes.
import type { Interaction } from 'discord.js';
import type { AppContext } from '../context.ts';
import type { Command } from '../../commands/types.ts';
import type { AppEvents, HandledEvent } from '../events.ts';
import type { HandlerContext } from '../jobs/handler-context.ts';
import { UserInputError } from '../proxy/errors.ts';
import { StoreError } from '../store/errors.ts';
import { carryOut, type Answered, type Plan } from './answer.ts';
import { planButton, planModalSubmit } from './components.ts';
import { parseCustomId } from '../custom-id.ts';
import { checkAllowed } from './guard.ts';
import { replyWithError } from './reply-error.ts';

function isAllowed(interaction: Interaction, ctx: AppContext): boolean {
  try {
    checkAllowed(interaction, ctx);
    return true;
  } catch {
    return false;
  }
}

/** What an interaction is, for the `handled` event: its kind and the command or handler it went to. */
function describe(interaction: Interaction): Pick<HandledEvent, 'kind' | 'name'> {
  if (interaction.isAutocomplete()) return { kind: 'autocomplete', name: interaction.commandName };
  if (interaction.isChatInputCommand()) return { kind: 'command', name: interaction.commandName };
  if (interaction.isButton() || interaction.isModalSubmit()) {
    return { kind: interaction.isButton() ? 'button' : 'modal', name: parseCustomId(interaction.customId)?.kind ?? 'unknown' };
  }
  return { kind: 'other', name: 'unknown' };
}

/**
 * `ctx`: the app, for the router's own checks; `handlers`: what commands, buttons and modals are
 * given; `events`: where each interaction is reported once the router is done with it.
 */
export function createRouter(commands: readonly Command[], ctx: AppContext, handlers: HandlerContext, events?: AppEvents) {
  const byName = new Map(commands.map((c) => [c.name, c]));
  return async function route(interaction: Interaction): Promise<void> {
    const answered: Answered = { state: 'none', messageId: null };
    const started = ctx.now();
    let ok = true;
    try {
      if (!interaction.isAutocomplete()) {
        // Until the store was first reached (Redis down at start-up) nothing can be started or found.
        if (!ctx.stores.health.ready) throw new StoreError('open');
        checkAllowed(interaction, ctx);
      }
      if (interaction.isAutocomplete()) {
        const command = byName.get(interaction.commandName);
        // A refusal cannot be shown in suggestions: where the bot may not be used, there are none.
        await (command?.autocomplete && isAllowed(interaction, ctx) ? command.autocomplete(interaction, handlers) : interaction.respond([]));
        return;
      }
      let plan: Plan | null = null;
      if (interaction.isChatInputCommand()) {
        const command = byName.get(interaction.commandName);
        if (!command) throw new UserInputError('EXPIRED');
        plan = await command.handle(interaction, handlers);
      } else if (interaction.isButton() || interaction.isModalSubmit()) {
        const parsed = parseCustomId(interaction.customId);
        if (!parsed) throw new UserInputError('EXPIRED');
        plan = await (interaction.isButton() ? planButton(interaction, parsed, handlers) : planModalSubmit(interaction, parsed, handlers));
      }
      if (plan && interaction.isRepliable()) await carryOut(interaction, plan, answered);
    } catch (err) {
      ok = false;
      if (interaction.isRepliable()) await replyWithError(interaction, err, ctx.logger, answered);
      else ctx.logger.error('interaction failed', { err });
    } finally {
      events?.report('handled', { interactionId: interaction.id, ...describe(interaction), answer: answered.state, ok, ms: ctx.now() - started });
    }
  };
}
