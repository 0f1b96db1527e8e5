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
  | { kind: 'share'; taskId: string }
  | { kind: 'delete'; taskId: string }
  | { kind: 'modal'; taskId: string; index: number | null };

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
  /** Share: the result posted in the server's gallery channel (or, for a private job, its own channel). */
  share: (taskId: string) => `${PREFIX}:sh:${taskId}`,
  /** 🗑: the result's message removed and its record forgotten. */
  delete: (taskId: string) => `${PREFIX}:d:${taskId}`,
  /** A modal's submit: for a button (parent task + index) or for a MODAL task (index null). */
  modal: (taskId: string, index: number | null) => `${PREFIX}:m:${taskId}:${index ?? 'x'}`,
};

export function parseCustomId(id: string): ParsedCustomId | null {
  const parts = id.split(':');
  if (parts[0] !== PREFIX || parts.length < 3) return null;
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
