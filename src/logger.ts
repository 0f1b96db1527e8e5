// Logs through pino: one JSON object a line by default, pino-pretty's lines for a terminal when
// asked (LOG_FORMAT=pretty). Two guarantees on top of pino, which its path-based `redact` cannot
// give: no configured secret is ever written, in any form (the message, every field, error
// messages: scrubbed as values before pino sees them, and every finished line once more through the
// same scrubber, src/secrets.ts), and an error is logged as its name, code, message and cause
// (what failed where), never as a stack trace or a request object.
import { pino } from 'pino';
import { prettyFactory } from 'pino-pretty';
import { createScrubber, pathWithoutTokens, scrubDeep, type Scrub } from './secrets.ts';
import { errorCode } from './util/error-code.ts';

export { createScrubber };
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'json' | 'pretty';

/** What the code logs with: a message, then its fields (pino's own order is the reverse). */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** Longest error message logged: a backend's description can be a whole HTML page. */
const MESSAGE_MAX = 500;
/** How deep fields are searched for errors to describe (pino's own depth limit is 5). */
const DEPTH_MAX = 6;

const cut = (s: string, max: number) => (s.length > max ? `${s.slice(0, max)}…` : s);

/**
 * An error as a log shows it: `{name, code, status, message}`, the code of what caused it (a
 * socket's ECONNREFUSED), the method and token-free route of a failed HTTP call (@discordjs/rest's
 * DiscordAPIError and HTTPError carry `method` and `url`), and the fields our own errors give
 * through `logFields()` (ProxyError: route, host, status, the proxy's code and description, task).
 * No stack trace, no request or response object.
 */
export function describeError(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { message: cut(String(err), MESSAGE_MAX) };
  const e = err as Error & { code?: unknown; status?: unknown; method?: unknown; url?: unknown; logFields?: () => Record<string, unknown> };
  const out: Record<string, unknown> = { name: e.name, code: e.code, status: e.status, message: cut(e.message, MESSAGE_MAX) };
  if (typeof e.method === 'string' && typeof e.url === 'string') {
    out.method = e.method;
    out.route = pathWithoutTokens(e.url);
  }
  const cause = errorCode(e.cause);
  if (cause) out.cause = cause;
  if (typeof e.logFields === 'function') Object.assign(out, e.logFields());
  return out;
}

/**
 * Fields as logged: every error in them described (at any depth pino would print), every string
 * and key scrubbed. Other objects (a Date, a Map) go to pino as they are: the line scrub covers them.
 */
function prepare(value: unknown, scrub: Scrub, depth = 0): unknown {
  if (value instanceof Error) return scrubDeep(describeError(value), scrub);
  if (typeof value === 'string') return scrub(value);
  if (depth >= DEPTH_MAX || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((v) => prepare(v, scrub, depth + 1));
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value)) {
    // Kept as data, never as the copy's prototype.
    Object.defineProperty(out, scrub(k), { value: prepare((value as Record<string, unknown>)[k], scrub, depth + 1), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** json (default): one JSON object a line; pretty: pino-pretty's readable lines. */
  format?: LogFormat;
  /** The app's one scrubber; wins over `secrets`, from which one is built here otherwise. */
  scrub?: Scrub;
  secrets?: (string | undefined)[];
  /** Where each finished line goes, without its newline (tests collect them). Default stderr. */
  write?: (line: string) => void;
  /** pretty: colours (default: when stderr is a terminal). */
  colorize?: boolean;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const scrub = opts.scrub ?? createScrubber(opts.secrets ?? []);
  const write = opts.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const pretty = opts.format === 'pretty' ? prettyFactory({ colorize: opts.colorize ?? Boolean(process.stderr.isTTY), translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }) : null;
  // A synchronous destination: a line is out before the next statement runs, so nothing is lost
  // when the process exits right after a log call (SIGTERM, a fatal start-up error).
  const destination = {
    write(line: string) {
      const clean = scrub(line.endsWith('\n') ? line.slice(0, -1) : line);
      write(pretty ? pretty(clean).replace(/\n$/, '') : clean);
    },
  };
  const log = pino(
    {
      level: opts.level ?? 'info',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // Fields arrive described (prepare): pino's own error serializer would add the stack.
      serializers: { err: (v: unknown) => v },
    },
    destination,
  );
  const at = (level: LogLevel) => (msg: string, fields?: Record<string, unknown>) => {
    if (!log.isLevelEnabled(level)) return;
    log[level](prepare(fields ?? {}, scrub) as Record<string, unknown>, scrub(msg));
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
