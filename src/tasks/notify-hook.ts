// The receiver of the proxy's notifyHook callbacks (api.md §4), on a small node:http server
// (util/http-listener.ts) of its own or, when HEALTH_PORT is NOTIFY_HOOK_PORT, the health server's. A
// callback carries the whole task, but nothing proves it came from the proxy (no signature), so
// it is only a hint: the task id goes to the poller, which re-fetches the task from the API
// (batched with other hints) before anything is shown. The URL's last path segment is a secret
// token; any other path gets 404. Bodies are capped; the answer (204) goes out as soon as the
// body is read, because the proxy sends from a small thread pool and never retries.
import type http from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { Logger } from '../logger.ts';
import { HttpListener } from '../util/http-listener.ts';

export interface NotifyHookOptions {
  host: string;
  /** 0: an ephemeral port (tests). */
  port: number;
  /** The path token; callbacks whose last path segment is not this get 404. */
  secret: string;
  maxBodyBytes: number;
  logger: Logger;
  /** A callback named this task. */
  onTask: (taskId: string) => void;
}

/** The notifyHook URL submits carry: the public prefix plus the secret token. */
export function notifyHookUrl(publicUrl: string, secret: string): string {
  const u = new URL(publicUrl);
  u.pathname = `${u.pathname.replace(/\/+$/, '')}/${encodeURIComponent(secret)}`;
  return u.toString();
}

/** The task id of a callback body: read from the text, so a numeric id keeps all its digits. */
export function taskIdOf(body: string): string | null {
  // Proxies serialise `id` first; read its digits before JSON.parse can round a large number.
  const first = /^\s*\{\s*"id"\s*:\s*"?([0-9A-Za-z_-]{1,64})"?\s*[,}]/.exec(body);
  if (first) return first[1]!;
  try {
    const json = JSON.parse(body) as { id?: unknown };
    if (typeof json.id === 'string' && json.id.trim()) return json.id.trim();
    if (typeof json.id === 'number' && Number.isSafeInteger(json.id)) return String(json.id);
  } catch {
    // A body cut at the size cap: the regex above was the only chance.
  }
  return null;
}

export interface NotifyHookStats {
  accepted: number;
  rejected: number;
}

export class NotifyHookServer {
  readonly stats: NotifyHookStats = { accepted: 0, rejected: 0 };
  readonly #listener: HttpListener;
  readonly #secret: Buffer;

  constructor(private readonly o: NotifyHookOptions) {
    this.#secret = Buffer.from(o.secret);
    this.#listener = new HttpListener(o.host, o.port, (req, res) => this.handle(req, res));
  }

  /** The port its own server listens on (0 when it is not listening: it may share the health server's). */
  get port(): number {
    return this.#listener.port;
  }

  listen(): Promise<void> {
    return this.#listener.listen();
  }

  close(): Promise<void> {
    return this.#listener.close();
  }

  #authorised(url: string | undefined): boolean {
    const path = (url ?? '').split('?')[0] ?? '';
    let token: Buffer;
    try {
      token = Buffer.from(decodeURIComponent(path.split('/').filter(Boolean).pop() ?? ''));
    } catch {
      return false;
    }
    return token.length === this.#secret.length && timingSafeEqual(token, this.#secret);
  }

  /** One request to the receiver (its own server's, or a server it shares). */
  handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (req.method !== 'POST' || !this.#authorised(req.url)) {
      this.stats.rejected++;
      req.resume();
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > this.o.maxBodyBytes) {
        over = true;
        chunks.push(chunk.subarray(0, Math.max(0, chunk.length - (size - this.o.maxBodyBytes))));
        // Enough read: answer, and read no more of it.
        res.writeHead(413, { connection: 'close' }).end();
        this.#hint(Buffer.concat(chunks).toString('utf8'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (over) return;
      res.writeHead(204).end();
      this.#hint(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', () => undefined);
  }

  #hint(body: string): void {
    const id = taskIdOf(body);
    if (!id) {
      this.stats.rejected++;
      this.o.logger.debug('notifyHook callback without a task id');
      return;
    }
    this.stats.accepted++;
    this.o.onTask(id);
  }
}
