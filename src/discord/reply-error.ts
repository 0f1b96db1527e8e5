// The one error → reply sink. Known errors become a localized ephemeral message; anything else a
// generic one plus a log line. How it is said depends on what the router already answered: a
// public "waiting" reply that an error cut short is removed (a failed submit leaves nothing behind
// in the channel), or kept and marked when the job may run; a clicked message is never touched.
import { MessageFlags, type RepliableInteraction } from 'discord.js';
import { t } from '../i18n/index.ts';
import { describeError, type Logger } from '../logger.ts';
import { ProxyError, UserInputError } from '../proxy/errors.ts';
import { explainDescription } from '../render/reasons.ts';
import { safeText } from '../render/task-view.ts';
import { cutText } from '../util/text.ts';
import { plainText } from '../render/plain-text.ts';
import { StoreError } from '../store/errors.ts';
import type { Answered } from '../jobs/plan.ts';
import { isGone } from './errors.ts';
import { Restarting } from './interaction-gate.ts';

/** Refusals that are about the request, not a fault of the backend: logged as info, the rest as warnings. */
const REQUEST_CODES: ReadonlySet<string> = new Set(['BANNED_PROMPT', 'VALIDATION', 'QUOTA', 'NOT_FOUND', 'UNSUPPORTED', 'INTERRUPTED']);

export function userMessage(err: unknown, locale: string): string | null {
  if (err instanceof UserInputError) return t(locale, `error.${err.code}`, err.vars);
  // Nothing was started (or the job is kept in memory): the user may simply try again later.
  if (err instanceof StoreError) return t(locale, 'error.STORE_UNAVAILABLE');
  // The bot stops: a new interaction, or a call it cut off before anything was sent.
  if (err instanceof Restarting) return t(locale, 'error.RESTARTING');
  if (err instanceof ProxyError) {
    if (err.code === 'INTERRUPTED') return t(locale, 'error.RESTARTING');
    const detail = explainDescription(err.context.description, locale);
    if (err.code === 'POSSIBLY_TAKEN' && err.context.interrupted) return t(locale, 'proxy.POSSIBLY_TAKEN_RESTART');
    if (err.code === 'POSSIBLY_TAKEN' && !err.context.searchable) return t(locale, 'proxy.POSSIBLY_TAKEN_UNSEARCHABLE');
    if (err.code === 'BANNED_PROMPT' && err.context.bannedWord) return t(locale, 'proxy.BANNED_WORD', { word: plainText(cutText(err.context.bannedWord, 100)) });
    return t(locale, `proxy.${err.code}`, { detail });
  }
  return null;
}

/** Reports `err` on the interaction, as what was already `answered` allows. */
export async function replyWithError(interaction: RepliableInteraction, err: unknown, logger: Logger, answered: Pick<Answered, 'state' | 'line' | 'taken'>): Promise<void> {
  const known = userMessage(err, interaction.locale);
  // What was asked: a command by name, a button or modal by its custom_id (ours name the job: mj:b:<task>:<n>).
  const asked = interaction.isCommand() ? { command: interaction.commandName } : { customId: 'customId' in interaction ? interaction.customId.slice(0, 100) : undefined };
  if (known === null) logger.error('interaction failed', { ...asked, err: describeError(err) });
  else if (err instanceof ProxyError && !REQUEST_CODES.has(err.code)) logger.warn('proxy call failed', { ...asked, err });
  else logger.info('interaction refused', { ...asked, code: (err as { code?: string }).code, err });
  const content = known ?? t(interaction.locale, 'error.generic');
  const { state, line } = answered;
  try {
    if (state === 'none') {
      await interaction.reply({ content, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
      return;
    }
    if (state === 'public-reply' && err instanceof ProxyError && err.code === 'POSSIBLY_TAKEN') {
      // The job may be running (and paid for): the public line stays and says so, and offers
      // nothing that would send it again.
      logger.warn('submit not confirmed; the job may run', { searchable: err.context.searchable, interrupted: err.context.interrupted, err });
      const head = [line?.prompt ? `**${safeText(line.prompt, 1200)}**` : '', line?.label ? safeText(line.label, 100) : '', `<@${interaction.user.id}> (${t(interaction.locale, 'status.unconfirmed')})`];
      await interaction.editReply({ content: `${head.filter(Boolean).join(' - ')}\n${content}`, embeds: [], components: [], allowedMentions: { parse: [] } });
      return;
    }
    // A reply that shows a job the backend took stays: the tracker keeps it up to date.
    if (state === 'public-reply' && !answered.taken) await interaction.deleteReply().catch(() => undefined);
    if (state === 'ephemeral') {
      await interaction.editReply({ content, allowedMentions: { parse: [] } });
      return;
    }
    await interaction.followUp({ content, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
  } catch (e) {
    if (!isGone(e)) logger.warn('could not report an error to the user', { err: describeError(e) });
  }
}
