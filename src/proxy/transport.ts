// One request to the proxy on the wire: the URL (mode bases), the key in the configured style, a
// timeout on every call, a cap on every body (always consumed), and the retry policy of
// errors.ts. Failures on the wire become ProxyError with the transport's own words, never a header.
import { Readable } from 'node:stream';
import { request, type Dispatcher } from 'undici';
import { ProxyError, mayRetry, type RequestKind } from './errors.ts';
import type { ProxyHealth } from './health.ts';
import { failureOf, type RawResponse } from './response.ts';
import { hostOf, joinUrl, routeLabel, routes } from './routes.ts';
import { DEFAULT_BACKEND, laneOf } from './lanes.ts';
import { discard } from '../media/download.ts';
import { errorCode } from '../util/error-code.ts';

export type AuthStyle = 'bearer' | 'raw' | 'mj-api-secret';

export interface CallOptions {
  mode?: string;
  /** The configured backend the call is for (several backends: the pool routes by it; a job's own calls name its backend). */
  backend?: string;
  /** A new job's server (a backend may be limited to some servers). */
  guildId?: string | null;
  /** Another backend can take this submit if it is refused: no retries here, the pool moves on at once. */
  failover?: boolean;
  /** Overrides the client's timeout (image-seed may block for up to 60 s on trueai). */
  timeoutMs?: number;
}

/** One request on the wire, as the metrics count it: no id, no URL, no body. */
export interface ProxyRequestEvent {
  /** The route with ids as `{id}` (routes.ts routeLabel). */
  route: string;
  /** The lane's name (lanes.ts): the backend, or its speed's lane (`default`, `fast`, `b/fast`). */
  backend: string;
  seconds: number;
  /** Why it failed (a ProxyError code), or null: answered, and not with an error. */
  error: string | null;
}

export interface TransportOptions {
  /** Normalised (routes.ts normaliseBase). */
  baseUrl: string;
  /** Mode name → normalised base URL. */
  modeBaseUrls: Record<string, string>;
  apiKey: string;
  authStyle: AuthStyle;
  timeoutMs: number;
  maxBodyBytes: number;
  /** Waits before each retry (ms). */
  retryDelaysMs: number[];
  health: ProxyHealth;
  dispatcher: Dispatcher;
  scrub: (s: string) => string;
  /** Told of every request sent (each attempt). */
  observe?: (e: ProxyRequestEvent) => void;
  /** Aborted when the bot stops: calls in flight are cut off, and none is made after (INTERRUPTED). */
  stop: AbortSignal;
}

/** Set once undici starts writing a submit's body: from then on the proxy may have the job. */
export interface SentFlag {
  written: boolean;
}

export class Transport {
  constructor(private readonly o: TransportOptions) {}

  /** Reads change nothing at the proxy; list-by-condition is a POST that only reads. */
  static kindOf(method: 'GET' | 'POST', route: string): RequestKind {
    return method === 'GET' || route === routes.listByCondition() ? 'read' : 'submit';
  }

  /** Sends, retrying as `mayRetry` allows, with the configured waits between attempts. */
  async send(method: 'GET' | 'POST', route: string, body: object | undefined, o?: CallOptions, sent?: SentFlag): Promise<RawResponse> {
    const kind = Transport.kindOf(method, route);
    for (let attempt = 0; ; attempt++) {
      const delay = kind === 'submit' && o?.failover ? undefined : this.o.retryDelaysMs[attempt];
      const started = performance.now();
      try {
        const res = await this.#sendOnce(method, route, body, o, sent);
        if (res.status >= 500 || res.status === 401 || res.status === 403) this.o.health.fail();
        else this.o.health.ok();
        const failure = failureOf(route, res);
        this.#observe(route, o, started, failure?.code ?? (res.status === 401 || res.status === 403 ? 'UNAUTHORIZED' : res.status >= 400 ? 'HTTP_4XX' : null));
        if (failure && mayRetry(failure, kind) && delay !== undefined) {
          await sleep(delay);
          continue;
        }
        return res;
      } catch (err) {
        this.#observe(route, o, started, err instanceof ProxyError ? err.code : 'ERROR');
        if (err instanceof ProxyError && (err.code === 'UNAVAILABLE' || err.code === 'TIMEOUT')) this.o.health.fail();
        if (!(err instanceof ProxyError) || !mayRetry(err, kind) || delay === undefined) throw err;
        await sleep(delay);
      }
    }
  }

  #observe(route: string, o: CallOptions | undefined, started: number, error: string | null): void {
    // As the default backend names its lanes; the pool names another backend's (pool.ts).
    const backend = laneOf(DEFAULT_BACKEND, o?.mode, Object.keys(this.o.modeBaseUrls));
    this.o.observe?.({ route: routeLabel(route), backend, seconds: (performance.now() - started) / 1000, error });
  }

  /** The base URL calls in this mode go to. */
  baseOf(mode: string | undefined): string {
    if (mode && this.o.modeBaseUrls[mode]) return this.o.modeBaseUrls[mode];
    return this.o.baseUrl;
  }

  #headers(hasBody: boolean): Record<string, string> {
    const h: Record<string, string> = { accept: 'application/json' };
    if (hasBody) h['content-type'] = 'application/json';
    const key = this.o.apiKey;
    if (key) {
      // An operator who pasted "Bearer sk-…" as the key must not send "Bearer Bearer sk-…".
      if (this.o.authStyle === 'bearer') h.authorization = /^bearer\s+/i.test(key) ? `Bearer ${key.replace(/^bearer\s+/i, '')}` : `Bearer ${key}`;
      else if (this.o.authStyle === 'raw') h.authorization = key;
      else h['mj-api-secret'] = key;
    }
    return h;
  }

  async #sendOnce(method: 'GET' | 'POST', route: string, body: object | undefined, o?: CallOptions, sent?: SentFlag): Promise<RawResponse> {
    const url = joinUrl(this.baseOf(o?.mode), route);
    const stop = this.o.stop;
    if (stop.aborted) throw new ProxyError('INTERRUPTED', { route, host: hostOf(url) });
    const timeoutMs = o?.timeoutMs ?? this.o.timeoutMs;
    const signal = AbortSignal.any([AbortSignal.timeout(timeoutMs), stop]);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    try {
      const res = await request(url, {
        method,
        headers: { ...this.#headers(body !== undefined), ...(payload && sent ? { 'content-length': String(payload.length) } : {}) },
        body: payload && sent ? Readable.from(announcing(payload, sent), { objectMode: false }) : payload,
        dispatcher: this.o.dispatcher,
        signal,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      let size = 0;
      const chunks: Buffer[] = [];
      for await (const chunk of res.body) {
        size += chunk.length;
        if (size > this.o.maxBodyBytes) {
          discard(res.body);
          throw new ProxyError('MALFORMED', { route, status: res.statusCode, description: 'response too large' });
        }
        chunks.push(chunk as Buffer);
      }
      return { status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') };
    } catch (err) {
      if (err instanceof ProxyError) throw err;
      if (stop.aborted) throw new ProxyError('INTERRUPTED', { route, host: hostOf(url) });
      const detail = this.o.scrub(transportDetail(err));
      throw new ProxyError(isTimeout(err, signal) ? 'TIMEOUT' : 'UNAVAILABLE', { route, host: hostOf(url), ...(detail ? { detail } : {}) }, { cause: causeOf(err) });
    }
  }
}

/**
 * The body as a one-chunk stream that notes when undici reads it: undici reads a body only once
 * the connection is up and the headers are written, so from then on the proxy may have the request.
 */
async function* announcing(payload: Buffer, sent: SentFlag): AsyncGenerator<Buffer> {
  sent.written = true;
  yield payload;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function isTimeout(err: unknown, signal: AbortSignal): boolean {
  if (signal.aborted) return true;
  const code = (err as { code?: string } | null)?.code ?? '';
  const name = (err as { name?: string } | null)?.name ?? '';
  return /TIMEOUT/i.test(code) || name === 'TimeoutError' || name === 'AbortError';
}

/**
 * What went wrong on the wire, from the error's structured fields (never its request options):
 * `ECONNREFUSED connect 127.0.0.1:9`, `ENOTFOUND getaddrinfo relay.example`, undici's own fixed
 * messages (`UND_ERR_SOCKET other side closed`). Happy-eyeballs failures nest one error per address.
 */
function transportDetail(err: unknown): string {
  const e = err as { code?: unknown; syscall?: unknown; hostname?: unknown; address?: unknown; port?: unknown; message?: unknown; errors?: unknown; cause?: unknown } | null;
  if (!e || typeof e !== 'object') return '';
  const str = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');
  const code = str(e.code);
  const where = str(e.hostname) || (str(e.address) && (str(e.port) ? `${str(e.address)}:${str(e.port)}` : str(e.address)));
  const undiciMessage = code.startsWith('UND_ERR_') ? str(e.message).slice(0, 100) : '';
  const own = [code, str(e.syscall), where, undiciMessage].filter(Boolean).join(' ');
  const nested = Array.isArray(e.errors) && e.errors.length ? transportDetail(e.errors[0]) : e.cause ? transportDetail(e.cause) : '';
  return own && nested && !nested.startsWith(code) ? `${own}; ${nested}` : own || nested;
}

/** Keep only the error's name and code as the cause: undici errors may carry request options. */
function causeOf(err: unknown): { name: string; code?: string } {
  const e = err as { name?: string } | null;
  return { name: e?.name ?? 'Error', code: errorCode(err) };
}
