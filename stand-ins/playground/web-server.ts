// The playground's web server (node:http, on 127.0.0.1 unless told otherwise): the page (plain files from web/, no build
// step), the JSON control API over Control, and a server-sent event stream of the channels.
// docs/playground.md documents the API.
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { LOCALES } from '../../src/i18n/index.ts';
import { BadRequest, type Control, type ControlEvent } from './control.ts';

const WEB_DIR = new URL('./web/', import.meta.url);
const STATIC: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/markdown.js': { file: 'markdown.js', type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
};
const MAX_BODY = 25 * 1024 * 1024; // Discord's whole-request limit

export interface WebServerOptions {
  control: Control;
  port: number;
  /** Address to listen on. Default 127.0.0.1; a container sets 0.0.0.0 and publishes the port on the host's loopback. */
  host?: string;
  restart: () => Promise<void>;
  status: () => string;
  /** 'simulated', or the real backend's base URL (shown on the page). */
  backend: string;
}

export interface WebServer {
  url: string;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, 'body too large (25 MiB at most)');
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

/** JSON bodies must say so: a page on another site cannot send that without a CORS preflight, which this server never grants. */
async function readJson(req: http.IncomingMessage): Promise<any> {
  if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) throw new HttpError(415, 'send Content-Type: application/json');
  const raw = await readBody(req);
  if (raw.length === 0) return {};
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new HttpError(400, 'the body is not valid JSON');
  }
}

export async function startWebServer(o: WebServerOptions): Promise<WebServer> {
  const { control } = o;
  let port = 0;
  const streams = new Set<http.ServerResponse>();

  function state() {
    const d = control.discord;
    return {
      bot: { ...d.botUser },
      users: control.users(),
      actors: [d.users.alice.username, d.users.bob.username],
      locales: LOCALES,
      guild: { id: d.guildId, name: 'Fake Guild' },
      channel: { id: d.channelId, name: 'general' },
      // What a channel select lists (all of the server's channels), and the sidebar: the text channels, then "Direct messages".
      channels: d.channelList(),
      sidebar: control.channels().map((c) => (c.dm ? { ...c, id: 'dm' } : c)),
      roles: d.roleList(),
      status: o.status(),
      backend: o.backend,
      simulation: (o.backend === 'simulated' && control.simulation()) || null,
    };
  }

  function events(req: http.IncomingMessage, res: http.ServerResponse, user: string | null): void {
    const u = control.user(user ?? undefined);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    const send = (e: unknown) => res.write(`data: ${JSON.stringify(e)}\n\n`);
    // Every channel's messages the user can see (and their DMs): the page shows one channel at a time.
    send({ kind: 'snapshot', messages: control.allMessages(u.id), status: o.status() });
    const off = control.on((e: ControlEvent) => {
      if ((e.kind === 'message' || e.kind === 'delete') && !control.visibleTo(e.message, u.id)) return;
      send(e.kind === 'delete' ? { kind: 'delete', id: e.message.id } : e);
    });
    const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
    streams.add(res);
    const end = () => {
      off();
      clearInterval(ping);
      streams.delete(res);
    };
    req.on('close', end);
    res.on('error', end);
  }

  async function api(method: string, path: string, url: URL, req: http.IncomingMessage): Promise<unknown> {
    const route = `${method} ${path}`;
    switch (route) {
      case 'GET /api/state':
        return state();
      case 'GET /api/commands':
        return control.commands();
      case 'GET /api/messages':
        return control.messages(url.searchParams.get('user') ?? undefined, url.searchParams.get('channel') ?? undefined);
      case 'POST /api/messages':
        return control.say(await readJson(req));
      case 'POST /api/interactions/command':
        return control.runCommand(await readJson(req));
      case 'POST /api/interactions/autocomplete':
        return control.autocomplete(await readJson(req));
      case 'POST /api/interactions/button':
        return control.click(await readJson(req));
      case 'POST /api/interactions/select':
        return control.select(await readJson(req));
      case 'POST /api/interactions/modal':
        return control.submitModal(await readJson(req));
      case 'POST /api/attachments': {
        // The file's bytes as the body; its name in X-Filename (a header no other site's page can send without a preflight).
        const name = req.headers['x-filename'];
        if (typeof name !== 'string' || !name) throw new HttpError(400, 'send the file name in an X-Filename header');
        const type = String(req.headers['content-type'] ?? '') || undefined;
        return control.upload(await readBody(req), decodeURIComponent(name), type);
      }
      case 'POST /api/restart':
        await o.restart();
        return { status: o.status() };
      case 'POST /api/simulate':
        return control.simulate(await readJson(req));
    }
    const [, messageId] = /^\/api\/messages\/(\d+)$/.exec(path) ?? [];
    if (messageId !== undefined && method === 'GET') return control.message(messageId);
    throw new HttpError(404, `no route ${route}; see docs/playground.md`);
  }

  const server = http.createServer(async (req, res) => {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    // Only our own name: a site that points its DNS name at 127.0.0.1 gets nothing.
    const host = String(req.headers.host ?? '');
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
      res.writeHead(421, { 'content-type': 'text/plain' });
      res.end('use http://127.0.0.1 to reach the playground');
      return;
    }
    try {
      const file = STATIC[url.pathname];
      if (file && method === 'GET') {
        const body = await readFile(new URL(file.file, WEB_DIR));
        res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' });
        res.end(body);
        return;
      }
      if (url.pathname === '/api/events' && method === 'GET') {
        events(req, res, url.searchParams.get('user'));
        return;
      }
      if (!url.pathname.startsWith('/api/')) throw new HttpError(404, 'not found');
      const out = await api(method, url.pathname, url, req);
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      res.end(JSON.stringify(out ?? null));
    } catch (err) {
      const status = err instanceof HttpError ? err.status : err instanceof BadRequest ? 400 : 500;
      const message = err instanceof Error ? err.message : String(err);
      if (!res.headersSent) res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ error: message }));
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    async close() {
      for (const s of streams) s.end();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
