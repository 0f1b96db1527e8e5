// Defensive parsing of what proxies and relays actually send (api.md §2, §7.8): ids as numbers,
// "" / null / 0 for missing values, status "" before a relay's first sync, unknown actions,
// `properties: null`, image lists as strings or `{url}` objects, nested fields serialised as JSON
// strings (one-api forks keep `buttons`/`properties` as DB text), tasks and lists wrapped in
// `{code, result}` / `{data}` / pages.
// This is where proxy data enters the bot, so it is also where secrets leave it: every string of
// a task or a submit result passes the app's scrubber (src/secrets.ts) before anything else sees it.
import { scrubDeep, type Scrub } from '../secrets.ts';
import { isAccepted } from './errors.ts';
import type { SubmitOutcome, SubmitResult, Task, TaskButton, TaskProperties, TaskStatus } from './types.ts';

const STATUSES: ReadonlySet<string> = new Set(['NOT_START', 'SUBMITTED', 'IN_PROGRESS', 'SUCCESS', 'FAILURE', 'MODAL', 'CANCEL']);

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * A string, or a number rendered without exponent; anything else is "". Always well-formed UTF-16:
 * JSON may carry lone surrogates ("\ud83d"), which Discord refuses or mangles.
 */
export function str(v: unknown): string {
  if (typeof v === 'string') return v.replace(LONE_SURROGATE, '\uFFFD');
  if (typeof v === 'number' && Number.isFinite(v)) return Number.isInteger(v) ? BigInt(v).toString() : String(v);
  if (typeof v === 'bigint') return v.toString();
  return '';
}

/** A nested field some relays send as JSON text ("[{…}]", "{…}"): decoded; anything else as is. */
function decoded(v: unknown): unknown {
  if (typeof v !== 'string' || !/^\s*[[{]/.test(v)) return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

/** A URL given as a string, as `{url}` (trueai's image objects) or as a one-element list of either. */
function url(v: unknown): string {
  const first = Array.isArray(v) ? v[0] : v;
  return str(isObject(first) ? first.url : first).trim();
}

function optStr(v: unknown): string | null {
  const s = str(v).trim();
  return s === '' ? null : s;
}

/**
 * A number from a number or a numeric string; NaN otherwise. Never Number(object): JSON such as
 * {"toString": null} makes that throw.
 */
function num(v: unknown): number {
  return typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
}

/** Epoch ms, with 0 / "" / null meaning "not set"; an ISO date string is read too. */
function time(v: unknown): number | null {
  const n = typeof v === 'string' ? (/^\s*\d+(\.\d+)?\s*$/.test(v) ? Number(v) : Date.parse(v)) : v;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : null;
}

/** Spellings forks and vendors use for the proxy's statuses. */
const STATUS_ALIASES: Record<string, TaskStatus> = {
  FAILED: 'FAILURE',
  FAIL: 'FAILURE',
  ERROR: 'FAILURE',
  CANCELED: 'CANCEL',
  CANCELLED: 'CANCEL',
  RUNNING: 'IN_PROGRESS',
  PROCESSING: 'IN_PROGRESS',
  SUCCEEDED: 'SUCCESS',
};

function status(v: unknown): TaskStatus {
  const s = str(v).trim().toUpperCase().replace(/[\s-]+/g, '_');
  // new-api inserts rows with status "" until its first sync: that is "not started yet", and so is
  // any status we do not know (the poller's own deadline still ends it).
  return STATUSES.has(s) ? (s as TaskStatus) : (STATUS_ALIASES[s] ?? 'NOT_START');
}

/** "45%", "45", 45, a fraction 0.45 → "45%"; anything unusable → "". */
export function progress(v: unknown): string {
  if (v === null || v === undefined || v === '') return '';
  if (typeof v === 'number' && v > 0 && v < 1) return `${Math.round(v * 100)}%`;
  const m = /(\d{1,3}(?:\.\d+)?)/.exec(str(v));
  if (!m) return '';
  const n = Math.max(0, Math.min(100, Math.round(Number(m[1]))));
  return `${n}%`;
}

export function progressNumber(p: string): number | null {
  const m = /^(\d+)%$/.exec(p);
  return m ? Number(m[1]) : null;
}

/** imageUrls / videoUrls: a list of strings or `{url}` objects; a lone string or object is a list of one. */
function urlList(raw: unknown): string[] {
  const v = decoded(raw);
  const list = Array.isArray(v) ? v : typeof v === 'string' || isObject(v) ? [v] : [];
  const out: string[] = [];
  for (const item of list) {
    const u = typeof item === 'string' || isObject(item) ? url(item) : '';
    if (u) out.push(u);
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

/** Buttons as the proxy lists them; Discord's own shape (action rows of components) is flattened. */
function buttons(raw: unknown): TaskButton[] {
  const v = decoded(raw);
  if (!Array.isArray(v)) return [];
  const flat = v.flatMap((b) => (Array.isArray(b) ? b : isObject(b) && Array.isArray(b.components) ? b.components : [b]));
  const out: TaskButton[] = [];
  for (const b of flat) {
    if (!isObject(b)) continue;
    const customId = str(b.customId ?? b.custom_id).trim();
    if (!customId) continue; // link buttons ("Web") have no customId
    const type = num(b.type);
    const style = num(b.style);
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

function properties(raw: unknown): TaskProperties {
  const v = decoded(raw);
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
    const n = Math.floor(num(v.numberOfQueues));
    if (Number.isFinite(n) && n >= 0) out.numberOfQueues = n;
    else delete out.numberOfQueues;
  }
  return out;
}

/** A SubmitResultVO-style envelope that says the call worked: `{code: 1, result}`, `{success: true, data}` … */
function isOkEnvelope(o: Json): boolean {
  if (o.success === false) return false;
  return o.code === undefined || o.code === null || [0, 1, 200].includes(num(o.code));
}

/** What a successful envelope carries: `result`, `data`, else the object itself. */
function unwrap(o: Json): unknown {
  if (!isOkEnvelope(o)) return o;
  return o.result ?? o.data ?? o;
}

const keepAll: Scrub = (s) => s;

/**
 * A task object from fetch, list-by-condition or a notifyHook body; null when it is not one.
 * Every string in it (prompt, failReason, button labels, properties …) has passed `scrub`.
 */
export function parseTask(input: unknown, scrub: Scrub = keepAll): Task | null {
  if (scrub === keepAll) return readTask(input, scrub);
  // The task as read, scrubbed whole: what reading decodes (a field sent as JSON text may hide a
  // secret behind \u escapes), trims or joins is scrubbed as the bot will see it. The one field
  // reading changes the case of (action) is scrubbed before. (The raw object was scrubbed whole
  // first too: at 10,000 tasks a pass that was half of parsing them, and it found nothing this does not.)
  const task = readTask(input, scrub);
  return task && scrubDeep(task, scrub);
}

/** `scrub`: for what reading changes the case of, before it does. */
function readTask(input: unknown, scrub: Scrub): Task | null {
  if (!isObject(input)) return null;
  // Some vendors wrap the task: {code: 1, description: "成功", result: {…}} or {data: {…}}.
  const inner = input.id === undefined ? unwrap(input) : input;
  const raw = isObject(inner) ? inner : input;
  const id = str(raw.id).trim();
  if (!id) return null;
  // trueai's cancel endpoint marks the task FAILURE "取消任务" (api.md §2.2): a cancel, whoever asked for it.
  const st = status(raw.status) === 'FAILURE' && str(raw.failReason).trim() === '取消任务' ? 'CANCEL' : status(raw.status);
  const videoUrls = urlList(raw.videoUrls);
  return {
    id,
    action: scrub(str(raw.action)).trim().toUpperCase(),
    status: st,
    prompt: str(raw.prompt),
    promptEn: str(raw.promptEn),
    description: str(raw.description),
    state: str(raw.state),
    submitTime: time(raw.submitTime),
    startTime: time(raw.startTime),
    finishTime: time(raw.finishTime),
    progress: st === 'SUCCESS' ? '100%' : progress(raw.progress),
    imageUrl: url(raw.imageUrl) || null,
    imageUrls: urlList(raw.imageUrls),
    videoUrl: url(raw.videoUrl) || null,
    videoUrls,
    failReason: optStr(isObject(raw.failReason) ? (raw.failReason.message ?? raw.failReason.description) : raw.failReason),
    buttons: buttons(raw.buttons),
    properties: properties(raw.properties),
    ...speedOf(raw.mode),
  };
}

/** trueai's top-level `mode` (api.md §3: serialised among its internals), when it names a speed. */
function speedOf(v: unknown): { mode?: string } {
  const m = str(v).trim().toUpperCase();
  return m === 'FAST' || m === 'RELAX' || m === 'TURBO' ? { mode: m } : {};
}

/** Where pages and envelopes keep their list: Spring `content`, MyBatis `records`, and the usual others. */
const LIST_KEYS = ['result', 'data', 'content', 'records', 'list', 'items', 'rows', 'tasks'] as const;

/** The array inside `{code, result: […]}`, `{data: {records: […]}}` … (two levels at most); null when there is none. */
function listIn(v: unknown, depth = 0): unknown[] | null {
  if (Array.isArray(v)) return v;
  if (!isObject(v) || depth > 1 || !isOkEnvelope(v)) return null;
  for (const key of LIST_KEYS) {
    const found = listIn(v[key], depth + 1);
    if (found) return found;
  }
  return null;
}

/** list-by-condition: an array of task objects, bare or wrapped; anything else is null (malformed). */
export function parseTaskList(raw: unknown, scrub: Scrub = keepAll): Task[] | null {
  const list = listIn(raw);
  if (!list) return null;
  return list.map((item) => parseTask(item, scrub)).filter((t): t is Task => t !== null);
}

/** A SubmitResultVO, or null when the body is not one; its strings have passed `scrub`. */
export function parseSubmitResult(raw: unknown, scrub: Scrub = keepAll): SubmitResult | null {
  if (scrub === keepAll) return readSubmitResult(raw);
  const sr = readSubmitResult(scrubDeep(raw, scrub));
  return sr && scrubDeep(sr, scrub);
}

function readSubmitResult(raw: unknown): SubmitResult | null {
  if (!isObject(raw) || raw.code === undefined || raw.code === null) return null;
  const code = num(raw.code);
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
// Relay docs print the Chinese comma as "," as often as "，".
const QUEUE_HINTS = /排队中\s*[，,]?\s*前面还有\s*(\d+)\s*个任务|in queue,? there (?:are|is) (\d+) tasks? ahead/i;

export function isModalDescription(description: string): boolean {
  return MODAL_HINTS.test(description);
}

/** The queue position a description such as "排队中，前面还有3个任务" states; null when it states none. */
export function queueAheadIn(description: string): number | null {
  const q = QUEUE_HINTS.exec(description);
  return q ? Number(q[1] ?? q[2]) : null;
}

/**
 * What an accepted submit means. Codes 1, 21 and 22 are successes; relays rewrite 21 and 22 to 1,
 * so the description is read too (api.md §1.4). Returns null for an error code.
 */
export function submitOutcome(r: SubmitResult): SubmitOutcome | null {
  if (!isAccepted(r.code)) return null;
  const taskIds = (r.result ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const taskId = taskIds[0];
  if (!taskId) return null;
  // novicezk ≤ 2.5 used 21 for "任务已存在" (the job already exists): that is a plain acceptance.
  const existed = r.code === 21 && /已存在|exist/i.test(r.description);
  if (!existed && (r.code === 21 || isModalDescription(r.description))) {
    return { kind: 'modal', taskId, taskIds, finalPrompt: r.properties.finalPrompt ?? null, raw: r };
  }
  const q = queueAheadIn(r.description);
  if (r.code === 22 || q !== null || r.properties.numberOfQueues !== undefined) {
    const n = r.properties.numberOfQueues ?? q;
    if (r.code === 22 || (n !== null && n > 0)) return { kind: 'queued', taskId, taskIds, queuePosition: n, raw: r };
  }
  return { kind: 'accepted', taskId, taskIds, raw: r };
}
