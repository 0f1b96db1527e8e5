// Fake Discord: REST v10 (under /api/v10) + Gateway v10 (JSON, no compression, WebSocket on /gateway) + a tiny CDN,
// on one local HTTP server, good enough for the REAL discord.js 14 Client to log in and answer interactions.
// Plain module: only node: builtins and ws at run time (a playground runs it outside tests).
// This file parses a request, runs the checks every route shares (failNext injections, rate limits, Unicode, bot auth)
// and hands it to its route family in routes/; the state they share is a FakeDiscordState.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeDiscord, FakeDiscordOptions, RecordedFile } from './types.ts';
import { FormErrors } from './util.ts';
import { validateUnicode } from './validate/fields.ts';
import { err, formErr, notFound, type ApiRequest, type ApiResponse, type RouteFamily } from './responses.ts';
import { ALL_PERMISSIONS_BUT_ADMIN, FakeDiscordState } from './state.ts';
import { bucketHash, bucketOf, globalLimited, rateLimited, withBucket } from './rate-limits.ts';
import { attachGateway, gatewayRoutes } from './gateway.ts';
import { publicApi } from './public-api.ts';
import { interactionRoutes } from './routes/interactions.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { userRoutes } from './routes/users.ts';
import { commandRoutes } from './routes/commands.ts';
import { guildRoutes } from './routes/guilds.ts';
import { channelRoutes } from './routes/channels.ts';
import { cdnRoute } from './routes/cdn.ts';

export { ALL_PERMISSIONS_BUT_ADMIN };

/** routes an interaction token authorizes (no bot auth) */
const TOKEN_ROUTES: RouteFamily<FakeDiscordState>[] = [interactionRoutes, webhookRoutes];
/** everything else needs the bot token */
const BOT_ROUTES: RouteFamily<FakeDiscordState>[] = [gatewayRoutes, userRoutes, commandRoutes, guildRoutes, channelRoutes];

function route(s: FakeDiscordState, req: ApiRequest): ApiResponse {
  const text = new FormErrors();
  validateUnicode(text, [], req.json);
  if (!text.ok) return formErr(text);
  for (const family of TOKEN_ROUTES) {
    const res = family(s, req);
    if (res) return res;
  }
  if (req.auth !== `Bot ${s.token}`) return err(401, 0, '401: Unauthorized');
  for (const family of BOT_ROUTES) {
    const res = family(s, req);
    if (res) return res;
  }
  return notFound();
}

/** failNext injections, then the global limit and the rate-limit buckets, then the router */
function handleApi(s: FakeDiscordState, req: ApiRequest): ApiResponse {
  const bucket = bucketOf(s, req.method, req.path);
  const injected = s.takeFailure(req.method, req.path);
  if (injected) {
    return injected.status === 429 && injected.body === undefined
      ? rateLimited(s, 0.1, 1, bucket?.hash ?? bucketHash(req.path))
      : { status: injected.status, body: injected.body ?? { message: `Injected failure ${injected.status}`, code: 0 } };
  }
  const global = globalLimited(s, req.path, req.at);
  if (global) return global;
  if (!bucket) return route(s, req);
  return withBucket(s, bucket, () => route(s, req));
}

async function parseBody(ct: string, raw: Buffer): Promise<{ json: unknown; files: RecordedFile[] }> {
  const files: RecordedFile[] = [];
  if (ct.startsWith('multipart/form-data')) {
    const fd = await new Request('http://local/', { method: 'POST', headers: { 'content-type': ct }, body: new Uint8Array(raw) }).formData();
    let json: unknown;
    for (const [k, v] of fd as unknown as Iterable<[string, string | File]>) {
      if (k === 'payload_json' && typeof v === 'string') json = JSON.parse(v);
      else if (typeof v !== 'string') files.push({ field: k, name: v.name, type: v.type, size: v.size, data: Buffer.from(await v.arrayBuffer()) });
    }
    return { json, files };
  }
  if (raw.length === 0) return { json: undefined, files };
  const text = raw.toString('utf8');
  return { json: ct.includes('json') ? JSON.parse(text) : text, files };
}

export async function startFakeDiscord(opts: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  const s = new FakeDiscordState(opts);

  const server = http.createServer(async (req, res) => {
    const at = Date.now();
    const from = req.socket.remoteAddress;
    const url = new URL(req.url ?? '/', 'http://local');
    const method = (req.method ?? 'GET').toUpperCase();
    let path: string;
    try { path = decodeURIComponent(url.pathname); } catch { path = url.pathname; } // discord.js sends @original as %40original
    const query = Object.fromEntries(url.searchParams);
    if (path.startsWith('/cdn/') || path.startsWith('/media/')) {
      const r = cdnRoute(s, method, path, query);
      res.writeHead(r.status, r.headers);
      res.end(r.body);
      s.record({ method, path, query, auth: req.headers.authorization, contentType: undefined, json: undefined, files: [], status: r.status, at, from });
      return;
    }

    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const ct = req.headers['content-type'] ?? '';
    const auth = req.headers.authorization;
    let result: ApiResponse | undefined;
    let json: unknown;
    let files: RecordedFile[] = [];
    const apiPath = path.startsWith('/api/v10/') ? path.slice('/api/v10'.length) : path;
    try {
      if (!path.startsWith('/api/v10/')) result = err(404, 0, 'fake discord only serves /api/v10');
      else if (raw.length > s.requestSizeLimit) result = err(413, 40005, 'Request entity too large');
      else {
        try { ({ json, files } = await parseBody(ct, raw)); } catch { json = undefined; result = err(400, 50109, 'The request body contains invalid JSON.'); }
        if (!result) result = handleApi(s, { method, path: apiPath, query, json, files, auth, at });
      }
    } catch (e) {
      result = { status: 500, body: { message: `fake discord crashed: ${(e as Error)?.stack ?? e}`, code: 0 } };
    }
    s.record({ method, path: apiPath, query, auth, contentType: ct || undefined, json, files, status: result.status, response: result.body, at, from });
    const hasBody = result.body !== undefined && result.status !== 204;
    res.writeHead(result.status, { ...(hasBody ? { 'content-type': 'application/json' } : {}), ...result.headers });
    res.end(hasBody ? JSON.stringify(result.body) : undefined);
  });
  const wss = attachGateway(s, server);

  await new Promise<void>((resolve) => server.listen(0, s.host, resolve));
  s.port = (server.address() as AddressInfo).port;
  return publicApi(s, server, wss);
}
