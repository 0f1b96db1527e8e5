// Defensive parsing of what proxies and relays actually send (api.md §2, §7.8): ids as numbers,
// "" / null / 0 for missing values, status "" before a relay's first sync, unknown actions,
// `properties: null`, image lists as strings or `{url}` objects.
import type { SubmitOutcome, SubmitResult, Task, TaskButton, TaskProperties, TaskStatus } from './types.ts';

const STATUSES: ReadonlySet<string> = new Set(['NOT_START', 'SUBMITTED', 'IN_PROGRESS', 'SUCCESS', 'FAILURE', 'MODAL', 'CANCEL']);

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A string, or a number rendered without exponent; anything else is "". */
export function str(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return Number.isInteger(v) ? BigInt(v).toString() : String(v);
  if (typeof v === 'bigint') return v.toString();
  return '';
}

function optStr(v: unknown): string | null {
  const s = str(v).trim();
  return s === '' ? null : s;
}

/** Epoch ms, with 0 / "" / null meaning "not set". */
function time(v: unknown): number | null {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : null;
}

function status(v: unknown): TaskStatus {
  const s = str(v).trim().toUpperCase();
  // new-api inserts rows with status "" until its first sync: that is "not started yet".
  return STATUSES.has(s) ? (s as TaskStatus) : 'NOT_START';
}

/** "45%", "45", 45, 0.45? → "45%"; anything unusable → "". */
export function progress(v: unknown): string {
  if (v === null || v === undefined || v === '') return '';
  const m = /(\d{1,3}(?:\.\d+)?)/.exec(str(v));
  if (!m) return '';
  const n = Math.max(0, Math.min(100, Math.round(Number(m[1]))));
  return `${n}%`;
}

export function progressNumber(p: string): number | null {
  const m = /^(\d+)%$/.exec(p);
  return m ? Number(m[1]) : null;
}

function urlList(v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  const out: string[] = [];
  for (const item of v) {
    const u = typeof item === 'string' ? item : isObject(item) ? str(item.url) : '';
    if (u.trim()) out.push(u.trim());
  }
  return out;
}

/** An emoji as a name: a string as is; Discord's `{name, id, animated}` object as `<:name:id>` (or its name). */
function emojiName(v: unknown): string {
  if (isObject(v)) {
    const name = str(v.name).trim();
    const id = str(v.id).trim();
    return id && name ? `<${v.animated ? 'a' : ''}:${name}:${id}>` : name;
  }
  return str(v).trim();
}

function buttons(v: unknown): TaskButton[] {
  if (!Array.isArray(v)) return [];
  const out: TaskButton[] = [];
  for (const b of v) {
    if (!isObject(b)) continue;
    const customId = str(b.customId ?? b.custom_id).trim();
    if (!customId) continue; // link buttons ("Web") have no customId
    const type = Number(b.type);
    const style = Number(b.style);
    out.push({
      customId,
      emoji: emojiName(b.emoji),
      label: str(b.label).trim(),
      type: Number.isFinite(type) ? type : 2,
      style: Number.isFinite(style) ? style : 2,
    });
  }
  return out;
}

function properties(v: unknown): TaskProperties {
  if (!isObject(v)) return {};
  const out: TaskProperties = { ...v };
  for (const key of ['finalPrompt', 'finalZhPrompt', 'messageHash', 'messageContent'] as const) {
    if (key in v) {
      const s = str(v[key]);
      if (s) out[key] = s;
      else delete out[key];
    }
  }
  if ('numberOfQueues' in v) {
    const n = Number(v.numberOfQueues);
    if (Number.isFinite(n) && n >= 0) out.numberOfQueues = n;
    else delete out.numberOfQueues;
  }
  return out;
}

/** A task object from fetch, list-by-condition or a notifyHook body; null when it is not one. */
export function parseTask(raw: unknown): Task | null {
  if (!isObject(raw)) return null;
  const id = str(raw.id).trim();
  if (!id) return null;
  const st = status(raw.status);
  const videoUrls = urlList(raw.videoUrls);
  return {
    id,
    action: str(raw.action).trim().toUpperCase(),
    status: st,
    prompt: str(raw.prompt),
    promptEn: str(raw.promptEn),
    description: str(raw.description),
    state: str(raw.state),
    submitTime: time(raw.submitTime),
    startTime: time(raw.startTime),
    finishTime: time(raw.finishTime),
    progress: st === 'SUCCESS' ? '100%' : progress(raw.progress),
    imageUrl: optStr(raw.imageUrl),
    imageUrls: urlList(raw.imageUrls),
    videoUrl: optStr(raw.videoUrl),
    videoUrls,
    failReason: optStr(raw.failReason),
    buttons: buttons(raw.buttons),
    properties: properties(raw.properties),
  };
}

/** list-by-condition: an array of task objects; anything else is null (malformed). */
export function parseTaskList(raw: unknown): Task[] | null {
  if (!Array.isArray(raw)) return null;
  return raw.map(parseTask).filter((t): t is Task => t !== null);
}

/** A SubmitResultVO, or null when the body is not one. */
export function parseSubmitResult(raw: unknown): SubmitResult | null {
  if (!isObject(raw) || raw.code === undefined || raw.code === null) return null;
  const code = Number(raw.code);
  if (!Number.isFinite(code)) return null;
  const result = Array.isArray(raw.result) ? raw.result.map(str).join(',') : optStr(raw.result);
  return {
    code,
    description: str(raw.description ?? raw.message),
    result,
    properties: properties(raw.properties),
  };
}

const MODAL_HINTS = /waiting for window confirm|窗口等待|window confirm/i;
const QUEUE_HINTS = /排队中，?前面还有\s*(\d+)\s*个任务|in queue,? there (?:are|is) (\d+) tasks? ahead/i;

export function isModalDescription(description: string): boolean {
  return MODAL_HINTS.test(description);
}

/**
 * What an accepted submit means. Codes 1, 21 and 22 are successes; relays rewrite 21 and 22 to 1,
 * so the description is read too (api.md §1.4). Returns null for an error code.
 */
export function submitOutcome(r: SubmitResult): SubmitOutcome | null {
  if (r.code !== 1 && r.code !== 21 && r.code !== 22) return null;
  const taskIds = (r.result ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const taskId = taskIds[0];
  if (!taskId) return null;
  // novicezk ≤ 2.5 used 21 for "任务已存在" (the job already exists): that is a plain acceptance.
  const existed = r.code === 21 && /已存在|exist/i.test(r.description);
  if (!existed && (r.code === 21 || isModalDescription(r.description))) {
    return { kind: 'modal', taskId, taskIds, finalPrompt: r.properties.finalPrompt ?? null, raw: r };
  }
  const q = QUEUE_HINTS.exec(r.description);
  if (r.code === 22 || q || r.properties.numberOfQueues !== undefined) {
    const n = r.properties.numberOfQueues ?? (q ? Number(q[1] ?? q[2]) : null);
    if (r.code === 22 || (n !== null && n > 0)) return { kind: 'queued', taskId, taskIds, queuePosition: n, raw: r };
  }
  return { kind: 'accepted', taskId, taskIds, raw: r };
}
