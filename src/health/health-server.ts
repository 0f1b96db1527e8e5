// The health endpoints, on a small server of their own (HEALTH_HOST:HEALTH_PORT) or on the
// notifyHook receiver's port when HEALTH_PORT is NOTIFY_HOOK_PORT (other paths go to the receiver):
//   GET /healthz  200 while the process runs (a container's HEALTHCHECK, a liveness probe)
//   GET /readyz   200 or 503, with each check in the JSON body (readiness.ts)
//   GET /metrics  Prometheus text (metrics.ts), as `metricsAccess` allows
//
// /metrics tells how busy the bot is and which backends it uses, so it is not served to whoever can
// reach the port: with METRICS_TOKEN set it needs `Authorization: Bearer <token>`; without one it
// is served only on a loopback address of its own (HEALTH_HOST 127.0.0.1, ::1, localhost). A port
// shared with the receiver counts as public whatever its address, since the proxy must reach it and
// a reverse proxy usually stands in front of it.
import type http from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { HttpListener, type RequestHandler } from '../util/http-listener.ts';
import type { Metrics } from './metrics.ts';
import type { Readiness } from './readiness.ts';

/** open: anyone who reaches the port; token: with the bearer token; off: 404. */
export type MetricsAccess = 'open' | 'token' | 'off';

export function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

/** Who may read /metrics (see the top of this file). */
export function metricsAccess(o: { host: string; token?: string; sharedWithReceiver: boolean }): MetricsAccess {
  if (o.token) return 'token';
  return !o.sharedWithReceiver && isLoopback(o.host) ? 'open' : 'off';
}

export interface HealthServerOptions {
  host: string;
  /** 0: any free port. */
  port: number;
  metrics: Metrics;
  readiness: () => Promise<Readiness>;
  access: MetricsAccess;
  /** METRICS_TOKEN, with access 'token'. */
  token?: string;
  /** The requests that are not ours: the notifyHook receiver's, on a shared port. */
  others?: RequestHandler;
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

export class HealthServer {
  readonly #listener: HttpListener;
  readonly #token: Buffer | null;

  constructor(private readonly o: HealthServerOptions) {
    this.#token = o.access === 'token' && o.token ? Buffer.from(o.token) : null;
    this.#listener = new HttpListener(o.host, o.port, (req, res) => this.#handle(req, res));
  }

  get port(): number {
    return this.#listener.port;
  }

  /** http://host:port, once listening. */
  get url(): string {
    const host = isIP(this.o.host) === 6 ? `[${this.o.host}]` : this.o.host;
    return `http://${host}:${this.port}`;
  }

  get access(): MetricsAccess {
    return this.o.access;
  }

  /** Whether the notifyHook receiver is served here too (it then has no server of its own). */
  get servesReceiver(): boolean {
    return this.o.others !== undefined;
  }

  listen(): Promise<void> {
    return this.#listener.listen();
  }

  close(): Promise<void> {
    return this.#listener.close();
  }

  #handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = (req.url ?? '').split('?')[0];
    const route = path === '/healthz' ? healthz : path === '/readyz' ? () => this.#readyz() : path === '/metrics' ? () => this.#metrics(req) : null;
    if (!route) {
      if (this.o.others) return this.o.others(req, res);
      req.resume();
      res.writeHead(404).end();
      return;
    }
    req.resume();
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    void route()
      .catch(() => ({ status: 500, headers: JSON_HEADERS, body: '{"error":"internal"}' }))
      .then(({ status, headers, body }) => res.writeHead(status, headers).end(req.method === 'HEAD' ? undefined : body));
  }

  async #readyz(): Promise<Answer> {
    const r = await this.o.readiness();
    return { status: r.ready ? 200 : 503, headers: JSON_HEADERS, body: JSON.stringify(r) };
  }

  async #metrics(req: http.IncomingMessage): Promise<Answer> {
    if (this.o.access === 'off') return { status: 404, headers: {}, body: '' };
    if (this.#token && !this.#authorised(req.headers.authorization)) {
      return { status: 401, headers: { 'www-authenticate': 'Bearer realm="metrics"' }, body: '' };
    }
    const { body, contentType } = await this.o.metrics.text();
    return { status: 200, headers: { 'content-type': contentType, 'cache-control': 'no-store' }, body };
  }

  #authorised(header: string | undefined): boolean {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    if (!m || !this.#token) return false;
    const given = Buffer.from(m[1]!);
    return given.length === this.#token.length && timingSafeEqual(given, this.#token);
  }
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

async function healthz(): Promise<Answer> {
  return { status: 200, headers: JSON_HEADERS, body: '{"status":"ok"}' };
}
