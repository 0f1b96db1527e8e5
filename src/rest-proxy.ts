// npm run rest-proxy: one Discord REST queue for every process of the bot. @discordjs/proxy (what discord.js
// documents for this) on an HTTP server: each process points DISCORD_API_URL at it, and its one @discordjs/rest
// instance keeps Discord's token buckets (per route, learned from Discord's X-RateLimit headers) and the global
// limit (50 requests a second), retrying a 429 itself, for all of them together. It holds no token: each request
// carries the bot's own Authorization header, so it must only be reachable by the bot's processes (compose: its
// private network, no published port). DISCORD_API_URL, read here, is where it sends requests (default: Discord).
//
// Two @discordjs/rest instances, not one: @discordjs/rest counts every request but an interaction callback against
// its 50 a second, the webhook-token edits of a job's reply too (`/webhooks/:id/:token/...`), which Discord does
// not count against the global limit. With one instance, every process's token edits would take their turn in the
// proxy's global count before the channel routes the limit does bind. So the interaction-token routes go to an
// instance with that count lifted (each token's own route bucket still holds), the rest to the usual one: the same
// split the bot makes in each process (discord/rest-agent.ts createInteractionRest).
//
// Discord counts the global limit where requests arrive, and this proxy is the last hop before it: the bots'
// shared budget (discord/budget.ts, 47 a second) paces and orders what they hand it, but a bot whose event
// loop is busy hands a few over late, together with the next ones, and a second at Discord then held 51-53
// (the scale bench's burst, two bots at a full core each). So what goes out on the global-bound routes is
// spread once more here: 49 in 1,020 ms (p-throttle's strict mode, a sliding window, timed by its timers; the 20 ms
// for the wire), which at the budget's 47 a second holds a request back only when others bunch up ahead of it.
//
// The request body is read whole before it is queued (@discordjs/proxy's proxyRequests hands the incoming stream
// on): @discordjs/rest retries a 429 or a 5xx itself, and a stream already sent once goes out empty the second
// time, which Discord refuses (400, 50109 invalid JSON): a rate limit at the proxy became a lost edit.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DefaultRestOptions, REST, type RESTOptions } from 'discord.js';
import pThrottle from 'p-throttle';
import { populateErrorResponse, populateSuccessfulResponse } from '@discordjs/proxy';
import { createInteractionRest } from './discord/rest-agent.ts';
import { loadEntryConfig } from './env-file.ts';
import { isMain } from './util/is-main.ts';

export interface RestProxy {
  /** What the bot's DISCORD_API_URL is set to: http://host:port/api */
  readonly url: string;
  /** The routes bound by Discord's global limit (everything but the interaction-token ones). */
  readonly rest: REST;
  /** The interaction-token routes, without @discordjs/rest's global count. */
  readonly tokenRest: REST;
  close(): Promise<void>;
}

export async function startRestProxy(o: { api?: string; host: string; port: number; onError?: (err: unknown) => void; makeRequest?: RESTOptions['makeRequest'] }): Promise<RestProxy> {
  // Retries and timeout as discord.js's defaults; a 429 is waited out, never handed on (rejectOnRateLimit: null).
  // makeRequest: a test's way to see each request as it leaves.
  const options: Partial<RESTOptions> = { ...(o.api ? { api: o.api } : {}), ...(o.makeRequest ? { makeRequest: o.makeRequest } : {}), rejectOnRateLimit: null };
  const rest = new REST({ ...options, makeRequest: spreadOut(o.makeRequest ?? DefaultRestOptions.makeRequest) });
  const tokenRest = createInteractionRest(options);
  const [handler, tokenHandler] = [forward(rest), forward(tokenRest)];
  const server = http.createServer((req, res) => {
    // Answered here, never forwarded: the container's health check.
    if (req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    }
    // What a client sees when Discord could not be reached at all: proxyRequests ends the response
    // itself and sets a status only for Discord's answers and its own timeout.
    res.statusCode = 502;
    // Chosen inside the promise: a request line that is no URL must end in a 502, not throw out of the listener.
    Promise.resolve()
      .then(() => (isTokenRoute(req.url ?? '') ? tokenHandler : handler)(req, res))
      .catch((err: unknown) => {
        o.onError?.(err);
        if (!res.writableEnded) res.end();
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}/api`,
    rest,
    tokenRest,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

/** Discord's global limit a second, and the most this proxy sends in any `GLOBAL_GATE.perMs` under it (see the top). */
export const GLOBAL_GATE = { limit: DefaultRestOptions.globalRequestsPerSecond - 1, perMs: 1_020 } as const;

/** `makeRequest`, at most GLOBAL_GATE.limit calls in any GLOBAL_GATE.perMs (first come, first served). */
function spreadOut(makeRequest: RESTOptions['makeRequest']): RESTOptions['makeRequest'] {
  return pThrottle({ limit: GLOBAL_GATE.limit, interval: GLOBAL_GATE.perMs, strict: true })(makeRequest);
}

/**
 * Whether a request to the proxy (`/api/v10/...`, as proxyRequests reads it) is an interaction-token route, which
 * Discord does not count against the global limit: an interaction's callback, and any `/webhooks/:id/:token…`
 * (the reply and its follow-ups). `/webhooks/:id` alone is the bot's own webhook management, bound by the limit.
 */
export function isTokenRoute(url: string): boolean {
  const path = new URL(url, 'http://noop').pathname.replace(/^\/api(\/v\d+)?/, '');
  return /^\/interactions\/\d+\/[^/]+\/callback\/?$/.test(path) || /^\/webhooks\/\d+\/[^/]+(\/|$)/.test(path);
}

/**
 * @discordjs/proxy's proxyRequests, with the body read whole first so a retry sends it again (see the top):
 * the route, the query, the bot's Authorization, Content-Type and an audit-log reason passed on as it does;
 * Discord's answer (or its error, a rate limit handed on, a timeout) written back with its helpers.
 */
function forward(rest: REST): (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void> {
  return async (req, res) => {
    const parsed = new URL(req.url ?? '/', 'http://noop');
    const fullRoute = parsed.pathname.replace(/^\/api(\/v\d+)?/, '') as `/${string}`;
    const headers: Record<string, string> = {};
    if (req.headers['content-type']) headers['Content-Type'] = req.headers['content-type'];
    if (req.headers.authorization) headers.authorization = req.headers.authorization;
    const reason = req.headers['x-audit-log-reason'];
    if (typeof reason === 'string') headers['x-audit-log-reason'] = reason;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = chunks.length ? Buffer.concat(chunks) : undefined;
    try {
      // Discord answers a method it does not know with 405 itself; auth: false, the bot's own header goes on.
      const answer = await rest.queueRequest({ body, fullRoute, method: req.method as never, auth: false, passThroughBody: true, query: parsed.searchParams, headers });
      await populateSuccessfulResponse(res, answer);
    } catch (err) {
      if (!populateErrorResponse(res, err)) throw err;
    } finally {
      res.end();
    }
  };
}

/**
 * Whether `api` is this proxy's own address: a shared .env sets the bots' DISCORD_API_URL to the
 * proxy, and the proxy would then send every request to itself.
 */
export function pointsAtItself(api: string | undefined, host: string, port: number): boolean {
  if (!api) return false;
  const u = new URL(api);
  const loopback = (h: string) => ['localhost', '127.0.0.1', '[::1]', '::1', '0.0.0.0', '[::]', '::'].includes(h);
  const samePort = Number(u.port || (u.protocol === 'https:' ? 443 : 80)) === port;
  return samePort && (u.hostname === host || (loopback(u.hostname) && loopback(host)) || (loopback(u.hostname) && (host === '0.0.0.0' || host === '::')));
}

if (isMain(import.meta.url)) {
  const config = loadEntryConfig(['DISCORD_API_URL', 'REST_PROXY_HOST', 'REST_PROXY_PORT']);
  if (pointsAtItself(config.DISCORD_API_URL, config.REST_PROXY_HOST, config.REST_PROXY_PORT)) {
    console.error('config error: DISCORD_API_URL points at this REST proxy itself; for the proxy it is where it sends (leave it empty for Discord), the bots point theirs at the proxy');
    process.exit(1);
  }
  // Nothing of a request (its token) is logged: only that one failed.
  const proxy = await startRestProxy({
    api: config.DISCORD_API_URL, host: config.REST_PROXY_HOST, port: config.REST_PROXY_PORT,
    onError: (err) => console.error(`rest-proxy: a request failed: ${err instanceof Error ? err.name : 'error'}`),
  });
  console.log(`rest-proxy: listening on ${proxy.url} (set the bot's DISCORD_API_URL to it), sending to ${config.DISCORD_API_URL ?? 'https://discord.com/api'}`);
  const stop = () => void proxy.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
