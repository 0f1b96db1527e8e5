// Configuration from environment variables, validated whole at start-up with zod and frozen.
// Every problem is reported, one line per variable; secrets never appear in errors or logs.
import { z } from 'zod';

const MiB = 1024 * 1024;

/** Defaults in one place, with units. */
export const DEFAULTS = {
  MJ_AUTH_STYLE: 'bearer',
  STORE_URL: 'sqlite://data/mjbot.sqlite',
  POLL_INTERVAL_MS: 3_000, // ms between two polls of a task that moves
  POLL_QUEUED_INTERVAL_MS: 10_000, // ms between two polls of a task waiting, unchanged, in the proxy's queue
  POLL_PUSH_INTERVAL_MS: 15_000, // ms between two safety-net polls of a task whose notifyHook callbacks arrive
  POLL_BACKOFF_MAX_MS: 60_000, // longest ms between two reads of a task (or the backend) whose reads keep failing
  LEASE_TTL_MS: 30_000, // ms a process's claim on a task lasts without renewal (another process takes over after)
  NOTIFY_HOOK_HOST: '0.0.0.0',
  NOTIFY_HOOK_PORT: 8787,
  NOTIFY_HOOK_MAX_BYTES: 1 * MiB, // largest callback body read
  TASK_DEADLINE_MS: 15 * 60_000, // ms a task may take before we give up on it
  PROXY_TIMEOUT_MS: 15_000, // ms per proxy request
  LIST_BATCH_SIZE: 50, // task ids per list-by-condition call
  FETCH_CONCURRENCY: 8, // parallel fetches when list-by-condition is unsupported
  MAX_ATTACHMENT_BYTES: 10 * MiB, // largest user upload we accept
  RESULT_MAX_BYTES: 10 * MiB, // largest result we download and re-attach (Discord's default upload limit)
  EDIT_MIN_INTERVAL_MS: 1_000, // ms between two progress edits of one message
  BUTTONS_OWNER_ONLY: true,
  USER_MAX_CONCURRENT: 3, // jobs one user may have running at once (0 = no limit)
  USER_MAX_DAILY: 0, // jobs one user may start per UTC day (0 = no limit)
  LOG_LEVEL: 'info',
} as const;

/** "guild/id,guild/id" → guild id → allowed ids (a guild that is not listed is not restricted). */
const guildLists = z
  .string()
  .trim()
  .optional()
  .transform((s, ctx) => {
    const out: Record<string, string[]> = {};
    for (const part of (s ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
      const m = /^(\d{5,25})\/(\d{5,25})$/.exec(part);
      if (!m) {
        ctx.addIssue({ code: 'custom', message: `expected guildId/id pairs separated by commas, got "${part}"` });
        return z.NEVER;
      }
      (out[m[1]] ??= []).push(m[2]);
    }
    return out;
  });

const intFrom = (min: number) => z.coerce.number().int().min(min);
const bool = z
  .string()
  .trim()
  .toLowerCase()
  .refine((s) => ['true', 'false', '1', '0', 'yes', 'no'].includes(s), 'expected true or false')
  .transform((s) => ['true', '1', 'yes'].includes(s));
const httpUrl = z
  .string()
  .trim()
  .refine((s) => {
    try {
      const u = new URL(s);
      return u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'expected an http(s) URL');
const snowflake = z.string().trim().regex(/^\d{5,25}$/, 'expected a Discord id (digits)');

const schema = z.object({
  DISCORD_TOKEN: z.string().trim().min(1, 'missing'),
  DISCORD_APP_ID: snowflake,
  DISCORD_GUILD_ID: snowflake.optional(),
  DISCORD_API_URL: httpUrl.optional(),
  MJ_BASE_URL: httpUrl,
  MJ_API_KEY: z.string().trim().default(''),
  MJ_AUTH_STYLE: z.enum(['bearer', 'raw', 'mj-api-secret']).default(DEFAULTS.MJ_AUTH_STYLE),
  MJ_MODES: z
    .string()
    .trim()
    .optional()
    .transform((s, ctx) => {
      const out: Record<string, string> = {};
      if (!s) return out;
      for (const part of s.split(',').map((p) => p.trim()).filter(Boolean)) {
        const [name, url] = part.split('=').map((x) => x.trim());
        if (!name || !url || !/^[a-z][a-z0-9_-]*$/.test(name) || !httpUrl.safeParse(url).success) {
          ctx.addIssue({ code: 'custom', message: `expected name=http(s)-url pairs separated by commas, got "${part}"` });
          return z.NEVER;
        }
        out[name] = url;
      }
      return out;
    }),
  STORE_URL: z
    .string()
    .trim()
    .default(DEFAULTS.STORE_URL)
    .refine((s) => /^(sqlite|redis|rediss):\/\/.+/.test(s), 'expected sqlite://path or redis://host:port'),
  POLL_INTERVAL_MS: intFrom(200).default(DEFAULTS.POLL_INTERVAL_MS),
  POLL_QUEUED_INTERVAL_MS: intFrom(200).default(DEFAULTS.POLL_QUEUED_INTERVAL_MS),
  POLL_PUSH_INTERVAL_MS: intFrom(200).default(DEFAULTS.POLL_PUSH_INTERVAL_MS),
  POLL_BACKOFF_MAX_MS: intFrom(200).default(DEFAULTS.POLL_BACKOFF_MAX_MS),
  LEASE_TTL_MS: intFrom(100).default(DEFAULTS.LEASE_TTL_MS),
  NOTIFY_HOOK_URL: httpUrl.optional(),
  NOTIFY_HOOK_SECRET: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]{16,200}$/, 'expected 16 or more letters, digits, - or _')
    .optional(),
  NOTIFY_HOOK_HOST: z.string().trim().min(1).default(DEFAULTS.NOTIFY_HOOK_HOST),
  NOTIFY_HOOK_PORT: intFrom(0).max(65_535).default(DEFAULTS.NOTIFY_HOOK_PORT),
  NOTIFY_HOOK_MAX_BYTES: intFrom(1024).default(DEFAULTS.NOTIFY_HOOK_MAX_BYTES),
  TASK_DEADLINE_MS: intFrom(10_000).default(DEFAULTS.TASK_DEADLINE_MS),
  PROXY_TIMEOUT_MS: intFrom(500).default(DEFAULTS.PROXY_TIMEOUT_MS),
  LIST_BATCH_SIZE: intFrom(1).default(DEFAULTS.LIST_BATCH_SIZE),
  FETCH_CONCURRENCY: intFrom(1).default(DEFAULTS.FETCH_CONCURRENCY),
  MAX_ATTACHMENT_BYTES: intFrom(1).default(DEFAULTS.MAX_ATTACHMENT_BYTES),
  RESULT_MAX_BYTES: intFrom(0).default(DEFAULTS.RESULT_MAX_BYTES),
  EDIT_MIN_INTERVAL_MS: intFrom(0).default(DEFAULTS.EDIT_MIN_INTERVAL_MS),
  BUTTONS_OWNER_ONLY: bool.default(DEFAULTS.BUTTONS_OWNER_ONLY),
  USER_MAX_CONCURRENT: intFrom(0).default(DEFAULTS.USER_MAX_CONCURRENT),
  USER_MAX_DAILY: intFrom(0).default(DEFAULTS.USER_MAX_DAILY),
  ALLOWED_CHANNELS: guildLists,
  ALLOWED_ROLES: guildLists,
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default(DEFAULTS.LOG_LEVEL),
});

/** Keys the config reads; `.env.example` lists exactly these (a test compares them). */
export const CONFIG_KEYS = Object.keys(schema.shape) as (keyof typeof schema.shape)[];

export type Config = Readonly<z.output<typeof schema>>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

/** Reads and validates the whole environment; throws ConfigError listing every bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  // An empty variable counts as unset, as in most .env tooling.
  const input = Object.fromEntries(CONFIG_KEYS.map((k) => [k, env[k]?.trim() === '' ? undefined : env[k]]));
  const parsed = schema.safeParse(input);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((i) => {
        const key = String(i.path[0] ?? '?');
        const msg = input[key] === undefined && !i.message.startsWith('expected') ? 'missing' : i.message;
        return `${key}: ${msg}`;
      });
  // The secret is what keeps strangers from the receiver: push needs both or neither.
  if (input.NOTIFY_HOOK_URL !== undefined && input.NOTIFY_HOOK_SECRET === undefined) problems.push('NOTIFY_HOOK_SECRET: missing (required with NOTIFY_HOOK_URL)');
  if (!parsed.success || problems.length) throw new ConfigError([...new Set(problems)]);
  return Object.freeze(parsed.data);
}

/** The config with secrets masked, for a start-up log line. */
export function redacted(config: Config): Record<string, unknown> {
  return {
    ...config,
    DISCORD_TOKEN: '***',
    MJ_API_KEY: config.MJ_API_KEY ? '***' : '',
    NOTIFY_HOOK_SECRET: config.NOTIFY_HOOK_SECRET ? '***' : undefined,
    STORE_URL: config.STORE_URL.replace(/\/\/[^@/]*@/, '//***@'),
  };
}
