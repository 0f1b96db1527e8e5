// A small JSON-lines logger. Every line passes through `scrub` (src/secrets.ts), which masks each
// configured secret in any form it appears in, so a secret cannot reach a log by accident.
import { createScrubber, type Scrub } from './secrets.ts';

export { createScrubber };
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Errors become `{name, code, message}`: no stack traces, no request objects. */
export function describeError(err: unknown): Record<string, unknown> {
  if (err instanceof Error) {
    const e = err as Error & { code?: unknown; status?: unknown };
    return { name: e.name, code: e.code, status: e.status, message: e.message };
  }
  return { message: String(err) };
}

/** `scrub` (the app's one scrubber) wins over `secrets` (a scrubber built here for them). */
export function createLogger(opts: { level?: LogLevel; secrets?: (string | undefined)[]; scrub?: Scrub; write?: (line: string) => void } = {}): Logger {
  const min = ORDER[opts.level ?? 'info'];
  const scrub = opts.scrub ?? createScrubber(opts.secrets ?? []);
  const write = opts.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const log = (level: LogLevel) => (msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[level] < min) return;
    const rec: Record<string, unknown> = { t: new Date().toISOString(), level, msg };
    for (const [k, v] of Object.entries(fields ?? {})) rec[k] = v instanceof Error ? describeError(v) : v;
    let line: string;
    try {
      line = JSON.stringify(rec);
    } catch {
      line = JSON.stringify({ t: rec.t, level, msg });
    }
    write(scrub(line));
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}
