// Misbehaviour switches (Quirks, see types.ts) and what each does to an answer: a gateway in front of the proxy
// failing, slow or held answers, relays rewriting submit codes, banned prompts, full queues, revoked keys on reads.
import type { FakeProxyState } from './state.ts';
import { fail, htmlError, jsonReply, type Reply, type SubmitResult } from './responses.ts';
import type { Quirks } from './types.ts';

export const DEFAULT_QUIRKS: Readonly<Quirks> = Object.freeze({
  slowMs: 0,
  slowSubmitMs: 0,
  status5xx: null,
  resetConnection: false,
  malformedJson: false,
  emptyBody: false,
  unauthorized: false,
  bannedPrompt: false,
  queueFull: false,
  queueFullTrueai: false,
  relayRewrite21: false,
  relayRewrite22: false,
  emptyStatusFirst: false,
  numericIds: false,
  unknownTaskStyle: '204',
  noListByCondition: false,
  noTaskList: false,
  noImageSeed: false,
  noUploadImages: false,
  noVideo: false,
  newApiActions: false,
  listMax: null,
  remix: false,
  remixOff: false,
  ignoreEnableRemix: false,
  noCancel: false,
  rejectActions: [] as string[],
  nullProperties: false,
  zeroTimes: false,
  imageStatus: null,
  readFault: null,
  holdMedia: false,
  holdReads: false,
});

/** Keys serialised as JSON numbers under quirks.numericIds. */
export const SUBMIT_NUMERIC_KEYS = ['result', 'discordInstanceId', 'discordChannelId'];
export const TASK_NUMERIC_KEYS = ['id', 'discordInstanceId', 'discordChannelId', 'messageId', 'progressMessageId'];

const isRead = (route: string): boolean =>
  route === '/mj/task/list-by-condition' || route === '/mj/task/list-by-ids' || /^\/mj\/task\/[^/]+\/fetch$/.test(route);

/** Transport-level misbehaviour (a gateway in front of the proxy), checked before any route runs: no side effects.
 * The auth answer sits between the gateway faults and the body faults because that is where a real front ends. */
export function transportFault(q: Quirks, route: string, authorized: boolean): Reply | null {
  if (q.resetConnection) return { status: 0, destroy: true };
  if (q.status5xx) return htmlError(q.status5xx);
  if (q.unauthorized || !authorized) return { status: 401, body: '' };
  if (q.emptyBody) return { status: 200, headers: { 'content-type': 'application/json' }, body: '' };
  if (q.malformedJson) return { status: 200, headers: { 'content-type': 'application/json' }, body: truncatedBodyFor(route) };
  if (q.readFault !== null && isRead(route)) {
    if (q.readFault === 'error-code') return jsonReply(200, { code: -1, message: '请重新登录' });
    if (q.readFault === 'garbage') return { status: 200, headers: { 'content-type': 'application/json' }, body: truncatedBodyFor(route) };
    return { status: q.readFault, body: '' };
  }
  return null;
}

function truncatedBodyFor(route: string): string {
  if (/\/fetch$/.test(route)) return '{"id":"1730621826053455","action":"IMAGINE","status":"IN_PROG';
  if (/\/list-by-(condition|ids)$/.test(route)) return '[{"id":"1730621826053455","action":"IMA';
  return '{"code":1,"description":"Submit suc';
}

/** Requests served like CDN links (no auth, quirks.imageStatus and holdMedia apply). */
export const isMediaRequest = (method: string, path: string, route: string | null): boolean =>
  (method === 'GET' || method === 'HEAD') && (path.startsWith('/cdn/') || path.startsWith('/attachments/') || !!route?.startsWith('/mj/image/'));

/** Waits out the timing quirks once the answer is known: slowMs, slowSubmitMs, holdMedia, holdReads. */
export async function delayAnswer(s: FakeProxyState, method: string, path: string, route: string | null): Promise<void> {
  // s.quirks is read again after each wait: a test may switch a quirk off meanwhile.
  if (s.quirks.slowMs > 0) await s.sleep(s.quirks.slowMs);
  // The task exists already (the route created it); only the answer comes late.
  if (s.quirks.slowSubmitMs > 0 && method === 'POST' && /^\/mj\/(submit|insight-face)\//.test(route ?? '')) await s.sleep(s.quirks.slowSubmitMs);
  if (isMediaRequest(method, path, route) && s.quirks.holdMedia && !s.closed) await s.hold('media');
  if (isRead(route ?? '') && s.quirks.holdReads && !s.closed) await s.hold('reads');
}

function bannedWord(prompt: string, quirk: boolean | string): string | null {
  if (/banned/i.test(prompt)) return 'banned';
  if (typeof quirk === 'string' && quirk && prompt.toLowerCase().includes(quirk.toLowerCase())) return quirk;
  if (quirk === true) return prompt.split(/\s+/)[0] ?? prompt;
  return null;
}

/** Common gates of every submit that creates work: banned words, then queue limits. */
export function gate(q: Quirks, prompt?: string): SubmitResult | null {
  if (prompt) {
    const word = bannedWord(prompt, q.bannedPrompt);
    if (word) return fail(24, '可能包含敏感词', { promptEn: prompt, bannedWord: word });
  }
  if (q.queueFull) return fail(23, '队列已满，请稍后尝试');
  if (q.queueFullTrueai) return fail(9, '提交失败，队列已满，请稍后重试');
  return null;
}

/** Sends a SubmitResultVO with the relay rewrites and serialisation quirks. */
export function submitReply(q: Quirks, r: SubmitResult, opts: { httpStatus?: number; keep21?: boolean } = {}): Reply {
  let out: SubmitResult = { ...r };
  if (out.code === 21 && q.relayRewrite21 && !opts.keep21) out.code = 1;
  if (out.code === 22 && q.relayRewrite22) {
    const n = (out.properties?.numberOfQueues as number | undefined) ?? 1;
    out = { ...out, code: 1, description: `In queue, there are ${n} tasks ahead` };
  }
  if (q.nullProperties && 'properties' in out) out.properties = null;
  const status = opts.httpStatus ?? (out.code === 30 ? 429 : 200);
  return jsonReply(status, out, q.numericIds ? SUBMIT_NUMERIC_KEYS : null);
}
