// Reading a proxy answer: the HTTP status and the proxy's own `code` both decide (api.md §1.4).
// Everything the proxy says passes the scrubber first (parseSubmitResult is the boundary).
import { ProxyError, codeFromProxy, isAccepted, type ProxyErrorCode } from './errors.ts';
import { parseSubmitResult } from './parse.ts';
import type { SubmitResult } from './types.ts';

/** An answer as it came off the wire. */
export interface RawResponse {
  status: number;
  text: string;
}

type Scrub = (s: string) => string;

/** Each answer's body as parsed: the transport's failure check and the client's reading share one parse. */
const parsed = new WeakMap<RawResponse, { json: unknown } | null>();

/** The body parsed as JSON (once per answer; nobody may change what it answers), or null when it is not JSON. */
function parsedBody(res: RawResponse): { json: unknown } | null {
  let body = parsed.get(res);
  if (body === undefined) {
    try {
      body = { json: JSON.parse(res.text) };
    } catch {
      body = null;
    }
    parsed.set(res, body);
  }
  return body;
}

/** The body as JSON; an empty or unparsable one is the HTTP error, or MALFORMED. */
export function jsonOf(route: string, res: RawResponse, scrub: Scrub): unknown {
  if (res.text.trim() === '') {
    if (res.status >= 400) throw httpError(route, res, undefined, scrub);
    throw new ProxyError('MALFORMED', { route, status: res.status });
  }
  const body = parsedBody(res);
  if (body) return body.json;
  if (res.status >= 400) throw httpError(route, res, undefined, scrub);
  throw new ProxyError('MALFORMED', { route, status: res.status });
}

/** A SubmitResultVO with a success code, or the matching ProxyError. */
export function submitResultOf(route: string, res: RawResponse, scrub: Scrub): SubmitResult {
  if (res.status === 404 && res.text.trim() === '') throw new ProxyError('UNSUPPORTED', { route, status: 404 });
  const json = jsonOf(route, res, scrub);
  if (res.status >= 400) throw httpError(route, res, json, scrub);
  const sr = parseSubmitResult(json, scrub);
  if (!sr) throw new ProxyError('MALFORMED', { route, status: res.status });
  if (isAccepted(sr.code)) return sr;
  throw proxyError(route, res, sr);
}

/** The proxy's own error code, in our words. */
export function proxyError(route: string, res: RawResponse, sr: SubmitResult): ProxyError {
  // Both already scrubbed: parseSubmitResult is the boundary.
  const bannedWord = typeof sr.properties.bannedWord === 'string' ? sr.properties.bannedWord : undefined;
  const description = sr.description;
  return new ProxyError(codeFromProxy(sr.code, description), {
    route,
    status: res.status,
    proxyCode: sr.code,
    description,
    bannedWord,
  });
}

export function httpError(route: string, res: RawResponse, json: unknown, scrub: Scrub): ProxyError {
  // trueai's auth filters answer 401/403 with a JSON Result {"code":-1,"message":"请重新登录"} (api.md §1.4):
  // the status decides, whatever the body's code says.
  if (res.status === 401 || res.status === 403) return new ProxyError('UNAUTHORIZED', { route, status: res.status });
  const sr = parseSubmitResult(json, scrub);
  if (sr && !isAccepted(sr.code)) return proxyError(route, res, sr);
  let code: ProxyErrorCode;
  if (res.status === 429) code = 'RATE_LIMITED';
  else if (res.status >= 500) code = 'HTTP_5XX';
  else if (res.status === 404) code = 'UNSUPPORTED';
  else if (res.status === 402) code = 'QUOTA'; // vendors' "payment required": the balance is used up
  else if (res.status === 413) code = 'VALIDATION'; // a gateway's body-size limit (large images)
  else code = 'FAILURE';
  // A short plain-text answer is the backend's own words (trueai `BadRequest("演示模式，禁止操作")`);
  // an HTML page (nginx, Cloudflare) is not.
  const text = res.text.trim();
  const description =
    res.status === 413 ? 'request too large' : json === undefined && text && text.length <= 300 && !/^</.test(text) ? scrub(text) : undefined;
  return new ProxyError(code, { route, status: res.status, ...(description ? { description } : {}) });
}

/**
 * What an answer says went wrong, as far as a retry cares: a 5xx, a 429, or an error code in a
 * SubmitResultVO (a full queue, code 23 or trueai's "队列已满", is read by codeFromProxy like
 * any other). Null for an answer that is not a failure of that kind.
 */
export function failureOf(route: string, res: RawResponse): ProxyError | null {
  if (res.status >= 500) return new ProxyError('HTTP_5XX', { route, status: res.status });
  if (res.status === 429) return new ProxyError('RATE_LIMITED', { route, status: res.status });
  if (res.status === 401 || res.status === 403) return null;
  const body = parsedBody(res);
  if (!body) return null;
  const sr = parseSubmitResult(body.json);
  return sr && !isAccepted(sr.code) ? proxyError(route, res, sr) : null;
}
