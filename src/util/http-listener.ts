// A small node:http server that listens on one address and closes at once: the notifyHook
// receiver and the health endpoints run on it (alone, or together on one port). Short timeouts:
// its callers (the proxy, a probe, a scraper) send small requests.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type RequestHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export class HttpListener {
  readonly #server: http.Server;

  constructor(
    private readonly host: string,
    /** 0: an ephemeral port (tests). */
    private readonly wanted: number,
    handler: RequestHandler,
  ) {
    this.#server = http.createServer(handler);
    this.#server.requestTimeout = 10_000;
    this.#server.headersTimeout = 5_000;
    this.#server.keepAliveTimeout = 5_000;
  }

  /** The port it listens on (0 before listen()). */
  get port(): number {
    return (this.#server.address() as AddressInfo | null)?.port ?? 0;
  }

  get listening(): boolean {
    return this.#server.listening;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.wanted, this.host, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    if (!this.#server.listening) return;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }
}
