// What a route hands back (a Reply the server writes) and the answer shapes the proxy uses:
// its SubmitResultVO, Spring's error JSON and an nginx error page.
import http from 'node:http';

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** Reset the connection instead of answering. */
  destroy?: boolean;
}

/** The proxy's SubmitResultVO (api.md §2). */
export interface SubmitResult {
  code: number;
  description: string;
  result?: unknown;
  properties?: Record<string, unknown> | null;
}

/** A request body that is a JSON object (anything else reaches the routes as `{}`). */
export type JsonObject = Record<string, unknown>;

/** One API request as the route families see it. */
export interface Ctx {
  method: string;
  /** The path as sent (mode prefix included): what Spring's errors name. */
  path: string;
  /** Route without the mode prefix: '/mj/submit/imagine'. */
  route: string;
  mode: string | null;
  body: JsonObject;
}

/** Strings as the proxy's Java binding reads them: numbers become their text, anything else ''. */
export const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

export const fail = (code: number, description: string, properties: Record<string, unknown> = {}): SubmitResult => ({
  code,
  description,
  result: null,
  properties,
});

/** Description of a scripted submit code that came without one. */
export function defaultDescription(code: number): string {
  const known: Record<number, string> = {
    1: 'Submit success',
    3: '无可用的账号实例',
    4: '参数错误',
    9: '提交失败，系统异常',
    22: '排队中',
    23: '队列已满，请稍后尝试',
    24: '可能包含敏感词',
    30: '当前分组负载已饱和',
  };
  return known[code] ?? 'error';
}

export function serialise(value: unknown, numericKeys: string[] | null): string {
  let s = JSON.stringify(value);
  if (numericKeys && numericKeys.length) {
    // JSON numbers written with all their digits, as a Java/Go relay would: a JS client parsing
    // them loses precision on the 19-digit snowflakes, which is the point of the quirk.
    const re = new RegExp(`"(${numericKeys.join('|')})":"(\\d+)"`, 'g');
    s = s.replace(re, '"$1":$2');
  }
  return s;
}

export const jsonReply = (status: number, value: unknown, numericKeys: string[] | null = null): Reply => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: serialise(value, numericKeys),
});

export const springError = (status: number, error: string, path: string): Reply =>
  jsonReply(status, { timestamp: new Date().toISOString(), status, error, path });

export const htmlError = (status: number): Reply => {
  const text = `${status} ${http.STATUS_CODES[status] ?? 'Error'}`;
  return {
    status,
    headers: { 'content-type': 'text/html' },
    body: `<html>\r\n<head><title>${text}</title></head>\r\n<body>\r\n<center><h1>${text}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`,
  };
};

/** A family of routes: answers the requests it owns, undefined for the rest. */
export type RouteFamily<S> = (s: S, c: Ctx) => Reply | undefined;

/** Runs a POST route; Spring answers 405 for any other method. */
export const post = (c: Ctx, handler: () => Reply): Reply =>
  c.method === 'POST' ? handler() : springError(405, 'Method Not Allowed', c.path);

/** Runs a GET route (HEAD too); Spring answers 405 for any other method. */
export const get = (c: Ctx, handler: () => Reply): Reply =>
  c.method === 'GET' || c.method === 'HEAD' ? handler() : springError(405, 'Method Not Allowed', c.path);
