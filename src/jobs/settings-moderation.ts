// The moderation panel (`m`) of /settings: what it shows and what a click or the words modal
// changes, in the server the click is made in. The caller (src/jobs/settings.ts) has checked that
// the member may manage the server; every value a click brings is checked here before it is stored.
import { UserInputError } from '../proxy/errors.ts';
import { BLOCKED_MAX, renderModeration } from '../render/settings-moderation.ts';
import type { SettingsView } from '../render/settings-view.ts';
import type { ServerModeration } from '../store/preferences.ts';
import type { SettingsId } from '../custom-id.ts';
import type { HandlerContext } from './handler-context.ts';
import { parseWordList } from './moderation.ts';

const SNOWFLAKE = /^\d{17,20}$/;

export async function moderationView(ctx: HandlerContext, guildId: string, locale: string): Promise<SettingsView> {
  const m = (await ctx.jobs.prefs.server(guildId)).moderation ?? {};
  return renderModeration({ locale, words: m.words ?? [], blocked: m.blocked ?? [] });
}

/** The words modal's text, or a user select's members. */
export interface ModerationInput {
  values?: readonly string[];
  words?: string;
}

export async function applyModeration(ctx: HandlerContext, guildId: string, id: SettingsId, input: ModerationInput): Promise<void> {
  const prefs = ctx.jobs.prefs;
  const current = (await prefs.server(guildId)).moderation ?? {};
  let next: ServerModeration;
  switch (id.control) {
    case 'wordsm': {
      const parsed = parseWordList(input.words ?? '');
      if ('problem' in parsed) {
        if (parsed.problem === 'tooLong') throw new UserInputError('MOD_WORD_TOO_LONG', { line: parsed.line, limit: parsed.limit });
        throw new UserInputError('MOD_TOO_MANY_WORDS', { count: parsed.count, limit: parsed.limit });
      }
      next = { ...current, words: parsed.words.length ? parsed.words : undefined };
      break;
    }
    case 'wclear':
      next = { ...current, words: undefined };
      break;
    case 'block': {
      const values = [...(input.values ?? [])];
      // What Discord's user select sends: member ids, at most as many as the select takes.
      if (values.length > BLOCKED_MAX || values.some((v) => !SNOWFLAKE.test(v))) throw new UserInputError('EXPIRED');
      next = { ...current, blocked: values.length ? [...new Set(values)] : undefined };
      break;
    }
    default:
      return;
  }
  const kept = Object.fromEntries(Object.entries(next).filter(([, v]) => v !== undefined)) as ServerModeration;
  await prefs.setServer(guildId, { moderation: Object.keys(kept).length ? kept : undefined });
}
