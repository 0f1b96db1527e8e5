// How reads of the backend are going. A read that fails puts its task off exponentially (with
// jitter, up to POLL_BACKOFF_MAX_MS), and an answer that the key was refused (401/403, quota, rate
// limit) puts the whole backend off the same way: a backend that refuses every read fast is asked
// a handful of times a minute, not hundreds of times a second. The log says when reads start
// failing (naming the cause) and when they work again, not every failed request; after
// OUTAGE_AFTER failed passes in a row the replies say the service cannot be reached, until a read
// works again.
import type { Logger } from '../logger.ts';
import { ProxyError } from '../proxy/errors.ts';
import type { ReadFailure } from '../proxy/pool.ts';

/** Failed passes in a row after which the replies say the service cannot be reached (a blip is not an outage). */
export const OUTAGE_AFTER = 3;
/** Errors that concern the key or the account, not one task: the whole backend is put off. */
const BACKEND_CODES: ReadonlySet<string> = new Set(['UNAUTHORIZED', 'QUOTA', 'RATE_LIMITED']);

export interface ReadHealthOptions {
  logger: Logger;
  /** Named in the log lines. */
  proxy: { host: string; authStyle: string };
  /** The first retry's wait (the moving poll interval); doubled each time. */
  baseMs: number;
  /** Longest wait between two reads of a task (or the backend) whose reads fail. */
  maxMs: number;
  /** Jitter source, [0, 1). Default Math.random. */
  random?: () => number;
  /** The replies start (true) or stop (false) saying the service cannot be reached. */
  onOutage: (down: boolean) => void;
  /** The backend (lane) whose reads these are, named in the log lines (several backends). */
  backend?: string;
}

export class ReadHealth {
  /** Passes in a row in which no read got an answer. */
  #failures = 0;
  /** The failing state's cause as logged (a change of cause is logged again). */
  #cause: string | null = null;
  #failure: Omit<ReadFailure, 'since' | 'outage'> | null = null;
  #since = 0;
  #until = -Infinity;
  #outage = false;

  constructor(private readonly o: ReadHealthOptions) {}

  /** Why reads fail now, and since when; null while they work. */
  get failure(): ReadFailure | null {
    if (this.#cause === null || !this.#failure) return null;
    return { ...this.#failure, since: this.#since, outage: this.#outage };
  }

  /** No timer pass reads before this (key refused, quota, rate limit). */
  get until(): number {
    return this.#until;
  }

  /** Wait before the n-th retry: the base doubled each time, ±20 %, at most the cap. */
  backoff(n: number): number {
    const base = this.o.baseMs * 2 ** Math.min(n - 1, 30);
    const jitter = 0.8 + 0.4 * (this.o.random ?? Math.random)();
    return Math.min(this.o.maxMs, base * jitter);
  }

  /** A pass in which no read got an answer. */
  failed(now: number, err: unknown): void {
    // The bot is stopping and cut its own reads off: the backend did nothing wrong.
    if (err instanceof ProxyError && err.code === 'INTERRUPTED') return;
    this.#failures++;
    const code = err instanceof ProxyError ? err.code : 'ERROR';
    if (BACKEND_CODES.has(code)) this.#until = now + this.backoff(this.#failures);
    const cause = err instanceof ProxyError ? `${err.code}:${err.context.status ?? ''}:${err.context.proxyCode ?? ''}` : String(err);
    const status = err instanceof ProxyError ? err.context.status : undefined;
    const proxyCode = err instanceof ProxyError ? err.context.proxyCode : undefined;
    this.#failure = { code, ...(typeof status === 'number' ? { status } : {}), ...(typeof proxyCode === 'number' ? { proxyCode } : {}) };
    if (this.#cause !== cause) {
      if (this.#cause === null) this.#since = now;
      this.#cause = cause;
      const fields = { backend: this.o.backend, host: this.o.proxy.host, err, retry: 'with backoff' };
      if (code === 'UNAUTHORIZED') {
        this.o.logger.warn(`the proxy refuses the key on reads; check MJ_API_KEY and MJ_AUTH_STYLE (now ${this.o.proxy.authStyle})`, fields);
      } else {
        this.o.logger.warn('proxy reads fail; retrying with backoff', fields);
      }
    }
    if (this.#failures >= OUTAGE_AFTER && !this.#outage) {
      this.#outage = true;
      this.o.logger.info('telling users the service cannot be reached', { backend: this.o.backend, host: this.o.proxy.host });
      this.o.onOutage(true);
    }
  }

  /** A pass in which some read got an answer. */
  worked(now: number): void {
    if (this.#failures === 0 && this.#cause === null) return;
    if (this.#cause !== null) this.o.logger.info('proxy reads work again', { backend: this.o.backend, host: this.o.proxy.host, failedPasses: this.#failures, forMs: now - this.#since });
    const outage = this.#outage;
    this.#failures = 0;
    this.#cause = null;
    this.#failure = null;
    this.#until = -Infinity;
    this.#outage = false;
    if (outage) this.o.onOutage(false);
  }
}

/** Options of the per-backend health: each backend's own host and key style in its log lines, its own outage. */
export interface BackendsReadHealthOptions extends Omit<ReadHealthOptions, 'onOutage' | 'backend' | 'proxy'> {
  /** The backends (the pool): named in the log lines; `watchReads` is given the failures, for /info's admin listing. */
  proxy: { host: string; authStyle: string; about?(backend: string): { host: string; authStyle: string }; watchReads?(failures: () => Map<string, ReadFailure>): void };
  onOutage: (backend: string, down: boolean) => void;
}

/**
 * Read health per backend (lane): a backend that refuses reads is put off alone, and only its jobs
 * say it cannot be reached; the others are read as usual.
 */
export class BackendsReadHealth {
  readonly #by = new Map<string, ReadHealth>();
  readonly #backoff: ReadHealth;

  constructor(private readonly o: BackendsReadHealthOptions) {
    this.#backoff = new ReadHealth({ ...o, onOutage: () => undefined });
    o.proxy.watchReads?.(() => this.failures());
  }

  #of(backend: string): ReadHealth {
    let h = this.#by.get(backend);
    if (!h) {
      const proxy = this.o.proxy.about?.(backend) ?? this.o.proxy;
      h = new ReadHealth({ ...this.o, proxy, backend, onOutage: (down) => this.o.onOutage(backend, down) });
      this.#by.set(backend, h);
    }
    return h;
  }

  /** No timer pass reads `backend` before this; without one, the earliest time any backend may be read. */
  until(backend?: string): number {
    if (backend !== undefined) return this.#by.get(backend)?.until ?? -Infinity;
    let min = Infinity;
    for (const h of this.#by.values()) min = Math.min(min, h.until);
    return this.#by.size ? min : -Infinity;
  }

  backoff(n: number): number {
    return this.#backoff.backoff(n);
  }

  /** The lanes whose reads fail now, and why (an admin listing; this process's reads). */
  failures(): Map<string, ReadFailure> {
    const out = new Map<string, ReadFailure>();
    for (const [lane, h] of this.#by) {
      const f = h.failure;
      if (f) out.set(lane, f);
    }
    return out;
  }

  failed(backend: string, now: number, err: unknown): void {
    this.#of(backend).failed(now, err);
  }

  worked(backend: string, now: number): void {
    this.#by.get(backend)?.worked(now);
  }
}
