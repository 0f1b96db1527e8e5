// What /settings does to a new job, as pure functions: the prompt gains the user's model version,
// stylize, RAW style and suffix where it does not set them itself, and the speed is the user's
// when the command gave none. Midjourney reads its parameters from the end of the prompt, so
// words of the suffix go before the prompt's own parameters and parameters after them.
import type { BotType } from '../proxy/types.ts';
import type { UserPrefs } from '../store/preferences.ts';

/** The prompt parameter of a configured version: "7" → `--v 7`, "niji 6" → `--niji 6`. */
export function versionParam(version: string): string {
  const niji = /^niji (.+)$/.exec(version);
  return niji ? `--niji ${niji[1]}` : `--v ${version}`;
}

/** Names that set the same thing (Midjourney's aliases; --niji and --v choose the model both). */
const SAME_AS: Record<string, string> = {
  v: 'version',
  niji: 'version',
  s: 'stylize',
  ar: 'aspect',
  c: 'chaos',
  q: 'quality',
  w: 'weird',
  exp: 'exp',
  p: 'profile',
  personalize: 'profile',
};
const canonical = (name: string) => SAME_AS[name] ?? name;

/** Where a prompt's parameters start: the first `--name` (or `—name`, as phones autocorrect it) after a space. */
const PARAM_START = /(?:^|\s)(?:--|—)[A-Za-z]/;

interface Split {
  /** The words (and image links) before the parameters. */
  text: string;
  /** Each parameter with its values, as written (`--ar 3:2`). */
  params: { name: string; text: string }[];
}

function split(prompt: string): Split {
  const at = prompt.search(PARAM_START);
  if (at < 0) return { text: prompt.trim(), params: [] };
  const params: Split['params'] = [];
  for (const token of prompt.slice(at).trim().split(/\s+/)) {
    const m = /^(?:--|—)([A-Za-z][\w-]*)$/.exec(token);
    if (m) params.push({ name: canonical(m[1]!.toLowerCase()), text: token });
    else if (params.length) params[params.length - 1]!.text += ` ${token}`;
  }
  return { text: prompt.slice(0, at).trim(), params };
}

export interface ApplyOptions {
  /** The configured versions (MJ_VERSIONS): a stored version no longer among them is not applied. */
  versions: readonly string[];
  /** The command's bot choice: Niji picks its own model, so no version is added. */
  botType?: BotType;
}

/**
 * The prompt with the user's settings: the suffix's words after the prompt's words, then the
 * prompt's parameters, the suffix's parameters the prompt does not set, then `--v`/`--niji`, `--s`
 * and `--style raw` where neither the prompt nor the suffix sets them. A prompt with nothing to add
 * comes back unchanged.
 */
export function applyPrefs(prompt: string, prefs: UserPrefs, opts: ApplyOptions): string {
  const own = split(prompt);
  const suffix = split(prefs.suffix ?? '');
  const set = new Set(own.params.map((p) => p.name));
  const added: string[] = [];
  for (const p of suffix.params) {
    if (set.has(p.name)) continue;
    set.add(p.name);
    added.push(p.text);
  }
  if (prefs.version !== undefined && opts.versions.includes(prefs.version) && opts.botType !== 'NIJI_JOURNEY' && !set.has('version')) added.push(versionParam(prefs.version));
  if (prefs.stylize !== undefined && !set.has('stylize')) added.push(`--s ${prefs.stylize}`);
  // Any --style (raw, 4a …) is the prompt's own choice.
  if (prefs.raw === true && !set.has('style')) added.push('--style raw');
  if (!suffix.text && added.length === 0) return prompt;
  return [own.text, suffix.text, ...own.params.map((p) => p.text), ...added].filter(Boolean).join(' ');
}

/**
 * The speed a job runs at: the command's `mode` option, else the user's (or their server's)
 * choice; a choice that is not a configured mode (removed since) is the operator's default.
 */
export function effectiveMode(given: string | undefined, prefs: UserPrefs, modes: readonly string[]): string | undefined {
  if (given !== undefined) return given;
  return prefs.mode !== undefined && modes.includes(prefs.mode) ? prefs.mode : undefined;
}
