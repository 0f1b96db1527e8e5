// Our custom_ids: a short, versioned prefix plus the ids needed to find the stored record.
// Buttons point at a tracked task record (which holds the proxy's buttons), never at data a user
// could forge: a tampered or stale id simply finds no record. Neutral ground: the renderer writes
// these ids and the Discord router reads them.
const PREFIX = 'mj';

export type ParsedCustomId =
  | { kind: 'button'; taskId: string; index: number }
  | { kind: 'check'; taskId: string }
  | { kind: 'editor'; taskId: string }
  | { kind: 'seed'; taskId: string }
  | { kind: 'cancel'; taskId: string }
  | { kind: 'share'; taskId: string }
  | { kind: 'delete'; taskId: string }
  | { kind: 'modal'; taskId: string; index: number | null }
  | SettingsId
  | PrivacyId;

/**
 * /privacy's buttons: `mj:pv:ask` (Forget me), `mj:pv:yes` / `mj:pv:no` (its confirmation) act on
 * the *clicking* user's data only; `mj:pv:del:<userId>` deletes that member's data of the server the
 * click is made in, for a member with Manage Server (checked on every click, never from the id).
 */
export type PrivacyId = { kind: 'privacy'; action: 'ask' | 'yes' | 'no' } | { kind: 'privacy'; action: 'del'; userId: string };
const SNOWFLAKE_ID = /^\d{17,20}$/;

function parsePrivacyId(parts: string[]): PrivacyId | null {
  const [, , action = '', userId, ...rest] = parts;
  if (rest.length) return null;
  if (action === 'ask' || action === 'yes' || action === 'no') return userId === undefined ? { kind: 'privacy', action } : null;
  if (action === 'del' && userId !== undefined && SNOWFLAKE_ID.test(userId)) return { kind: 'privacy', action, userId };
  return null;
}

/**
 * A /settings control: `mj:set:<panel>:<control>[:<value>]`. It names a panel and a control and, for
 * buttons, the value they set, never a user or a server: a click changes the *clicking* user's
 * settings (panel `u`) or, for a member with Manage Server, the settings of the server it is made in
 * (`d`: its defaults, `o`: what it offers, `l`: its limits and access, `m`: moderation), so a forged id can change nothing it could not already.
 */
export type SettingsPanel = 'u' | 'd' | 'o' | 'l' | 'm';
export type SettingsId = { kind: 'settings'; panel: SettingsPanel; control: SettingsControl; value: string | null };

/** Each control and the values its id may carry (null: none; a select's values come with the interaction). */
const SETTINGS_CONTROLS = {
  open: { panels: 'udolm', values: null },
  ver: { panels: 'ud', values: null },
  mode: { panels: 'ud', values: null },
  s: { panels: 'ud', values: ['50', '100', '250', '750'] },
  raw: { panels: 'ud', values: null },
  remix: { panels: 'ud', values: null },
  var: { panels: 'ud', values: ['subtle', 'strong'] },
  vis: { panels: 'ud', values: ['public', 'private'] },
  sfx: { panels: 'ud', values: null },
  sfxclear: { panels: 'ud', values: null },
  sfxm: { panels: 'ud', values: null },
  reset: { panels: 'ud', values: null },
  vers: { panels: 'o', values: null },
  modes: { panels: 'o', values: null },
  gal: { panels: 'o', values: null },
  galclear: { panels: 'o', values: null },
  aud: { panels: 'o', values: null },
  audclear: { panels: 'o', values: null },
  lim: { panels: 'l', values: null },
  limm: { panels: 'l', values: null },
  chan: { panels: 'l', values: null },
  roles: { panels: 'l', values: null },
  ui: { panels: 'l', values: null },
  // Moderation (`m`): the banned-words modal (its button, its submit), clearing them, the blocklist's user select.
  words: { panels: 'm', values: null },
  wordsm: { panels: 'm', values: null },
  wclear: { panels: 'm', values: null },
  block: { panels: 'm', values: null },
} as const satisfies Record<string, { panels: string; values: readonly string[] | null }>;
export type SettingsControl = keyof typeof SETTINGS_CONTROLS;

function parseSettingsId(parts: string[]): SettingsId | null {
  const [, , panel = '', control = '', value, ...rest] = parts;
  if (rest.length || !['u', 'd', 'o', 'l', 'm'].includes(panel) || !Object.hasOwn(SETTINGS_CONTROLS, control)) return null;
  const spec = SETTINGS_CONTROLS[control as SettingsControl];
  if (!spec.panels.includes(panel)) return null;
  if (spec.values === null ? value !== undefined : !(spec.values as readonly string[]).includes(value ?? '')) return null;
  return { kind: 'settings', panel: panel as SettingsPanel, control: control as SettingsControl, value: value ?? null };
}

/**
 * A task id we accept from a user (/seed, /task) and put in a custom_id: the proxy's ids are digits,
 * relays' may carry letters, `-` and `_`; 40 keeps `mj:m:<id>:<nn>` far below Discord's 100.
 */
export const TASK_ID = /^[0-9A-Za-z_-]{1,40}$/;

export const customIds = {
  /** A proxy button: the record's task id and the button's index in `task.buttons`. */
  button: (taskId: string, index: number) => `${PREFIX}:b:${taskId}:${index}`,
  /** "Check again" on a task the bot stopped watching. */
  check: (taskId: string) => `${PREFIX}:c:${taskId}`,
  /** "Open editor" on a task that waits in status MODAL. */
  editor: (taskId: string) => `${PREFIX}:e:${taskId}`,
  /** 🌱: the job's seed, privately. */
  seed: (taskId: string) => `${PREFIX}:s:${taskId}`,
  /** ❌ on a job under way: POST /mj/task/{id}/cancel. */
  cancel: (taskId: string) => `${PREFIX}:x:${taskId}`,
  /** Share: the result posted in the server's gallery channel (or, for a private job, its own channel). */
  share: (taskId: string) => `${PREFIX}:sh:${taskId}`,
  /** 🗑: the result's message removed and its record forgotten. */
  delete: (taskId: string) => `${PREFIX}:d:${taskId}`,
  /** A modal's submit: for a button (parent task + index) or for a MODAL task (index null). */
  modal: (taskId: string, index: number | null) => `${PREFIX}:m:${taskId}:${index ?? 'x'}`,
  /** A /settings control (see SettingsId). */
  settings: (panel: SettingsPanel, control: SettingsControl, value?: string) => `${PREFIX}:set:${panel}:${control}${value === undefined ? '' : `:${value}`}`,
  /** A /privacy button (see PrivacyId). */
  privacy: (action: 'ask' | 'yes' | 'no' | 'del', userId?: string) => `${PREFIX}:pv:${action}${userId === undefined ? '' : `:${userId}`}`,
};

export function parseCustomId(id: string): ParsedCustomId | null {
  const parts = id.split(':');
  if (parts[0] !== PREFIX || parts.length < 3) return null;
  if (parts[1] === 'set') return parseSettingsId(parts);
  if (parts[1] === 'pv') return parsePrivacyId(parts);
  const [, kind, taskId = '', extra] = parts;
  if (!TASK_ID.test(taskId)) return null;
  const index = extra !== undefined && /^\d{1,2}$/.test(extra) ? Number(extra) : null;
  switch (kind) {
    case 'b':
      return index === null || parts.length !== 4 ? null : { kind: 'button', taskId, index };
    case 'c':
      return parts.length === 3 ? { kind: 'check', taskId } : null;
    case 'e':
      return parts.length === 3 ? { kind: 'editor', taskId } : null;
    case 's':
      return parts.length === 3 ? { kind: 'seed', taskId } : null;
    case 'x':
      return parts.length === 3 ? { kind: 'cancel', taskId } : null;
    case 'sh':
      return parts.length === 3 ? { kind: 'share', taskId } : null;
    case 'd':
      return parts.length === 3 ? { kind: 'delete', taskId } : null;
    case 'm':
      return parts.length === 4 && (extra === 'x' || index !== null) ? { kind: 'modal', taskId, index } : null;
    default:
      return null;
  }
}
