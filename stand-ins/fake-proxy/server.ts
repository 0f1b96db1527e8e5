// The fake midjourney-proxy HTTP server (node:http only, no test framework: a playground runs it too).
// This file parses a request, answers media and unknown paths, runs what every API route shares (auth and the
// transport quirks, then body checks) and hands it to its route family in routes/; the timing quirks delay the
// answer afterwards. The state they share is a FakeProxyState; the object handed out is built in public-api.ts.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { publicApi } from './public-api.ts';
import { DEFAULT_QUIRKS, delayAnswer, transportFault } from './quirks.ts';
import { fail, jsonReply, springError, type Ctx, type Reply, type RouteFamily } from './responses.ts';
import { actionRoutes } from './routes/action.ts';
import { mediaRoute } from './routes/media.ts';
import { submitRoutes } from './routes/submit.ts';
import { taskRoutes } from './routes/task.ts';
import { FakeProxyState } from './state.ts';
import type { FakeProxy, FakeProxyOptions, RecordedProxyRequest } from './types.ts';

export { DEFAULT_QUIRKS };

export const MAX_BODY_BYTES = 50 * 1024 * 1024;

/** Path speed modes (api.md §5): trueai's /mj-fast etc., vendors' /fast etc. */
const MODE_SEGMENTS: Record<string, string> = {
  'mj-fast': 'FAST',
  'mj-relax': 'RELAX',
  'mj-turbo': 'TURBO',
  fast: 'FAST',
  relax: 'RELAX',
  turbo: 'TURBO',
};
const API_PATH = /^\/(?:([a-z-]+)\/)?mj(\/.*)?$/;

const FAMILIES: RouteFamily<FakeProxyState>[] = [submitRoutes, actionRoutes, taskRoutes];

function headerValue(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

function authorized(s: FakeProxyState, req: http.IncomingMessage): boolean {
  const key = s.apiKey;
  if (!key) return true;
  const styles = s.authStyles;
  const auth = headerValue(req, 'authorization');
  if (auth) {
    const bearer = /^bearer\s+(.*)$/i.exec(auth);
    if (styles.includes('bearer') && bearer && bearer[1] === key) return true;
    if (styles.includes('raw') && auth === key) return true;
    // trueai: a present Authorization header wins and is compared raw (api.md §5).
    if (styles.includes('raw') && !styles.includes('bearer')) return false;
  }
  return styles.includes('mj-api-secret') && headerValue(req, 'mj-api-secret') === key;
}

interface Parsed {
  method: string;
  path: string;
  route: string | null;
  mode: string | null;
  body: unknown;
  tooLarge: boolean;
  badJson: boolean;
}

function route(s: FakeProxyState, req: http.IncomingMessage, p: Parsed): Reply {
  const { method, path, route } = p;
  const isGet = method === 'GET' || method === 'HEAD';
  if (isGet && (path.startsWith('/cdn/') || path.startsWith('/attachments/'))) return mediaRoute(s, path);
  if (!route) return springError(404, 'Not Found', path);
  if (isGet && route.startsWith('/mj/image/')) return mediaRoute(s, path);

  const fault = transportFault(s.quirks, route, authorized(s, req));
  if (fault) return fault;
  if (p.tooLarge) return jsonReply(413, fail(4, '请求体过大'));
  if (method === 'POST' && p.badJson) return jsonReply(400, fail(4, '请求体不是合法的 JSON'));

  const body = p.body !== null && typeof p.body === 'object' ? (p.body as Ctx['body']) : {};
  const c: Ctx = { method, path, route, mode: p.mode, body };
  for (const family of FAMILIES) {
    const reply = family(s, c);
    if (reply) return reply;
  }
  return springError(404, 'Not Found', path);
}

function readBody(req: http.IncomingMessage, limit: number): Promise<{ buf: Buffer; tooLarge: boolean; aborted: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        tooLarge = true; // keep consuming, drop the bytes
        chunks.length = 0;
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve({ buf: Buffer.concat(chunks), tooLarge, aborted: false }));
    req.on('error', () => resolve({ buf: Buffer.alloc(0), tooLarge, aborted: true }));
    req.on('aborted', () => resolve({ buf: Buffer.alloc(0), tooLarge, aborted: true }));
  });
}

async function handle(s: FakeProxyState, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const { buf, tooLarge, aborted } = await readBody(req, MAX_BODY_BYTES);
  const url = new URL(req.url ?? '/', 'http://fake');
  const method = (req.method ?? 'GET').toUpperCase();
  const headers: Record<string, string | undefined> = {};
  for (const name of Object.keys(req.headers)) headers[name] = headerValue(req, name);

  let body: unknown = undefined;
  let badJson = false;
  if (buf.length && !tooLarge) {
    const text = buf.toString('utf8');
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
      badJson = true;
    }
  }
  const m = API_PATH.exec(url.pathname);
  const mode = m && m[1] !== undefined ? (MODE_SEGMENTS[m[1]] ?? null) : null;
  const apiRoute = m && (m[1] === undefined || mode) ? `/mj${m[2] ?? ''}` : null;
  const record: RecordedProxyRequest = { method, path: url.pathname, query: url.search, route: apiRoute, mode, headers, body, status: 0, from: req.socket.remoteAddress };
  if (aborted) return;

  let reply: Reply;
  try {
    reply = route(s, req, { method, path: url.pathname, route: apiRoute, mode, body, tooLarge, badJson });
  } catch (err) {
    console.error('[fake-proxy] internal error', err);
    reply = jsonReply(500, { success: false, message: '操作失败' });
  }
  await delayAnswer(s, method, url.pathname, apiRoute);

  if (reply.destroy || s.closed) {
    req.socket.destroy();
  } else {
    const payload = reply.body === undefined ? undefined : Buffer.isBuffer(reply.body) ? reply.body : Buffer.from(reply.body);
    const h: Record<string, string> = { ...reply.headers };
    if (reply.status !== 204 && reply.status !== 304) h['content-length'] = String(payload?.length ?? 0);
    if (tooLarge) h.connection = 'close';
    res.writeHead(reply.status, h);
    res.end(method === 'HEAD' || reply.status === 204 ? undefined : payload);
    record.status = reply.status;
  }
  s.record(record);
}

/** Starts a fake proxy on 127.0.0.1:0 (by default). */
export async function startFakeProxy(options: FakeProxyOptions = {}): Promise<FakeProxy> {
  const s = new FakeProxyState(options);
  const server = http.createServer((req, res) => {
    handle(s, req, res).catch((err: unknown) => {
      // A bug in the fake: answer 500 rather than hang, and say so.
      console.error('[fake-proxy] internal error', err);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end('{"success":false,"message":"操作失败"}');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const h = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  s.baseUrl = `http://${h}:${addr.port}`;
  s.startTicker();
  return publicApi(s, server);
}
