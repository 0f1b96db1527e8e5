// A slash command's job with the user's /settings on it (src/store/preferences.ts): read when the
// job starts, so a change applies to the next job in every process.
import type { ChatInputCommandInteraction } from 'discord.js';
import type { JobsContext } from '../context.ts';
import { UserInputError } from '../proxy/errors.ts';
import { resolvePrefs } from '../store/preferences.ts';
import { applyPrefs, effectiveMode } from './apply-prefs.ts';
import type { JobRequest } from './requests.ts';

export interface StartSpec {
  /** What the message shows as the job's prompt. */
  prompt: string;
  mode?: string;
  /** The size limit of the request's downloads (the server's upload limit); default MAX_ATTACHMENT_BYTES. */
  limit?: number;
  /** What to submit, downloaded and sent after the public acknowledgement. */
  request: JobRequest;
}

/**
 * The user's /settings on a command's job: their speed when the command named none (a speed the
 * server does not offer is refused), and for /imagine their version, stylize, RAW and suffix
 * where the prompt does not set them (the message shows the prompt as sent).
 */
export async function withSettings(ctx: JobsContext, interaction: ChatInputCommandInteraction, spec: StartSpec): Promise<StartSpec> {
  const prefs = ctx.stores.prefs;
  const [user, server] = await Promise.all([prefs.user(interaction.user.id), interaction.guildId ? prefs.server(interaction.guildId) : null]);
  if (spec.mode !== undefined && server?.modes?.length && !server.modes.includes(spec.mode)) throw new UserInputError('MODE_NOT_OFFERED', { mode: spec.mode });
  const resolved = resolvePrefs(user, server);
  const mode = effectiveMode(spec.mode, resolved, Object.keys(ctx.config.MJ_MODES));
  if (spec.request.kind !== 'imagine') return { ...spec, mode };
  const prompt = applyPrefs(spec.request.prompt, resolved, { versions: ctx.config.MJ_VERSIONS, botType: spec.request.botType });
  // What the message shows beyond the prompt (references as `--sref <name>`) stays after it, as they are sent.
  const extra = spec.prompt.startsWith(spec.request.prompt) ? spec.prompt.slice(spec.request.prompt.length).trim() : '';
  return { ...spec, mode, prompt: [prompt, extra].filter(Boolean).join(' '), request: { ...spec.request, prompt } };
}
