// The one interactionCreate dispatcher: slash commands by name from the registry, our buttons and
// modals by custom_id prefix. Handlers say how they answer (a Plan); the router answers, so it
// knows what was sent when a failure goes through replyWithError; nothing escapes. Every
// interaction passes the gate: counted while handled, refused once the bot stops.
import type { Interaction } from 'discord.js';
import type { AppContext } from '../context.ts';
import type { Command } from '../../commands/types.ts';
import type { HandledEvent } from '../events.ts';
import type { HandlerContext } from '../jobs/handler-context.ts';
import { UserInputError } from '../proxy/errors.ts';
import { StoreError } from '../store/errors.ts';
import { carryOut } from './answer.ts';
import type { Answered, Plan } from '../jobs/plan.ts';
import { planButton, planModalSubmit } from './components.ts';
import { planSettings } from './settings.ts';
import { parseCustomId } from '../custom-id.ts';
import { InteractionGate, Restarting } from './interaction-gate.ts';
import { checkAllowed, isOwnDataRequest } from './guard.ts';
import { replyWithError } from './reply-error.ts';
import { checkBlocked, isBannedRefusal, noteRefusal } from '../jobs/screen.ts';

async function isAllowed(interaction: Interaction, ctx: AppContext): Promise<boolean> {
  try {
    await checkAllowed(interaction, ctx);
    return true;
  } catch {
    return false;
  }
}

/** What the router tells: a job asked for whose work failed before the backend took it (the metrics), every interaction once done (app.events). */
export interface RouterEvents {
  /** `command`: the slash command's name, or `action` for a button or a modal; `code`: the error's code. */
  /** `who`: where and by whom, with the command's prompt ('' for a button): the audit channel's refusal line. */
  jobFailed?(command: string, code: string, who?: { guildId: string | null; userId: string; prompt: string }): void;
  /** The router is done with an interaction: answered, its work done or its error reported. */
  handled?(e: HandledEvent): void;
}

/** What an interaction is, for `handled`: its kind and the command or handler it went to. */
function describe(interaction: Interaction): Pick<HandledEvent, 'kind' | 'name'> {
  if (interaction.isAutocomplete()) return { kind: 'autocomplete', name: interaction.commandName };
  if (interaction.isChatInputCommand()) return { kind: 'command', name: interaction.commandName };
  if (interaction.isButton() || interaction.isModalSubmit() || interaction.isStringSelectMenu() || interaction.isChannelSelectMenu() || interaction.isRoleSelectMenu() || interaction.isUserSelectMenu()) {
    return { kind: interaction.isModalSubmit() ? 'modal' : interaction.isButton() ? 'button' : 'select', name: parseCustomId(interaction.customId)?.kind ?? 'unknown' };
  }
  return { kind: 'other', name: 'unknown' };
}

/** An error's stable code (ProxyError, UserInputError, StoreError …), else `ERROR`. */
function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'ERROR';
}

/**
 * `ctx`: the app, for the router's own checks; `handlers`: what commands, buttons and modals are
 * given; `gate`: closed when the bot stops; `events`: what the router tells (the metrics).
 */
export function createRouter(commands: readonly Command[], ctx: AppContext, handlers: HandlerContext, opts: { gate?: InteractionGate; events?: RouterEvents } = {}) {
  const { gate = new InteractionGate(), events = {} } = opts;
  const byName = new Map(commands.map((c) => [c.name, c]));
  return (interaction: Interaction): Promise<void> => gate.track(handle(interaction));

  async function handle(interaction: Interaction): Promise<void> {
    const answered: Answered = { state: 'none', messageId: null };
    let plan: Plan | null = null;
    const started = ctx.now();
    let ok = true;
    try {
      if (!gate.open) {
        // Nothing new starts while the bot stops: the user hears so at once (suggestions simply stay empty).
        if (!interaction.isAutocomplete()) throw new Restarting();
        await interaction.respond([]);
        return;
      }
      if (!interaction.isAutocomplete()) {
        // Until the store was first reached (Redis down at start-up) nothing can be started or found.
        if (!ctx.stores.health.ready) throw new StoreError('open');
        await checkAllowed(interaction, ctx);
        // A member the server's admins blocked: refused everything but /help and their own data (screen.ts).
        if (!(interaction.isChatInputCommand() && interaction.commandName === 'help') && !isOwnDataRequest(interaction)) await checkBlocked(ctx, interaction);
      }
      if (interaction.isAutocomplete()) {
        const command = byName.get(interaction.commandName);
        // A refusal cannot be shown in suggestions: where the bot may not be used, there are none.
        await (command?.autocomplete && (await isAllowed(interaction, ctx)) ? command.autocomplete(interaction, handlers) : interaction.respond([]));
        return;
      }
      if (interaction.isChatInputCommand()) {
        const command = byName.get(interaction.commandName);
        if (!command) throw new UserInputError('EXPIRED');
        plan = await command.handle(interaction, handlers);
      } else if (interaction.isButton() || interaction.isModalSubmit() || interaction.isStringSelectMenu() || interaction.isChannelSelectMenu() || interaction.isRoleSelectMenu() || interaction.isUserSelectMenu()) {
        const parsed = parseCustomId(interaction.customId);
        if (!parsed) throw new UserInputError('EXPIRED');
        if (parsed.kind === 'settings') plan = await planSettings(interaction, parsed, handlers);
        else if (interaction.isButton()) plan = await planButton(interaction, parsed, handlers);
        else if (interaction.isModalSubmit()) plan = await planModalSubmit(interaction, parsed, handlers);
        else throw new UserInputError('EXPIRED');
      }
      if (plan && interaction.isRepliable()) await carryOut(interaction, plan, answered);
    } catch (err) {
      ok = false;
      // The backend refused a prompt as banned: counted towards the user's cooldown (screen.ts).
      if (isBannedRefusal(err)) await noteRefusal(ctx, interaction.user.id).catch((e: unknown) => ctx.logger.warn('banned-prompt refusal not counted', { err: e }));
      // A plan holding a limit ticket starts jobs: one that failed before the backend took one is a failed job.
      if (plan?.ticket && !answered.taken) {
        const prompt = interaction.isChatInputCommand() ? (interaction.options.getString('prompt') ?? '') : '';
        events.jobFailed?.(interaction.isChatInputCommand() ? interaction.commandName : 'action', codeOf(err), { guildId: interaction.guildId, userId: interaction.user.id, prompt });
      }
      if (interaction.isRepliable()) await replyWithError(interaction, err, ctx.logger, answered);
      else ctx.logger.error('interaction failed', { err });
    } finally {
      events.handled?.({ interactionId: interaction.id, ...describe(interaction), answer: answered.state, ok, ms: ctx.now() - started });
    }
  }
}
