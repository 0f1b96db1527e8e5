// Configuration from environment variables, validated whole at start-up with zod and frozen.
// Every problem is reported, one line per variable; secrets never appear in errors or logs.
import { isIP } from 'node:net';
import { z } from 'zod';
import { backendsField, modesOf } from './config-backends.ts';

const MiB = 1024 * 1024;

/** Defaults in one place, with units. */
export const DEFAULTS = {
  MJ_AUTH_STYLE: 'bearer',
  MJ_VERSIONS: '7,6.1,niji 6', // model versions /settings offers, newest first (--v 7, --v 6.1, --niji 6)
  STORE_URL: 'sqlite://data/mjbot.sqlite',
  POLL_INTERVAL_MS: 3_000, // ms between two polls of a task that moves
  POLL_QUEUED_INTERVAL_MS: 10_000, // ms between two polls of a task waiting, unchanged, in the proxy's queue
  POLL_PUSH_INTERVAL_MS: 15_000, // ms between two safety-net polls of a task whose notifyHook callbacks arrive
  POLL_BACKOFF_MAX_MS: 60_000, // longest ms between two reads of a task (or the backend) whose reads keep failing
  LEASE_TTL_MS: 30_000, // ms a process's claim on a task lasts without renewal (another process takes over after)
  NOTIFY_HOOK_HOST: '0.0.0.0',
  NOTIFY_HOOK_PORT: 8787,
  NOTIFY_HOOK_MAX_BYTES: 1 * MiB, // largest callback body read
  REST_PROXY_HOST: '127.0.0.1', // npm run rest-proxy listens here (compose: 0.0.0.0 on its private network)
  REST_PROXY_PORT: 8080,
  HEALTH_HOST: '127.0.0.1', // the health server (/healthz, /readyz, /metrics) listens here when HEALTH_PORT is set
  TASK_DEADLINE_MS: 15 * 60_000, // ms a task may take before we give up on it
  PROXY_TIMEOUT_MS: 15_000, // ms per proxy request
  PROXY_SUBMIT_TIMEOUT_MS: 60_000, // ms a submit (/submit/*, a button press) may take: a late answer may still mean the job runs
  LIST_BATCH_SIZE: 50, // task ids per list-by-condition call
  FETCH_CONCURRENCY: 8, // parallel fetches when list-by-condition is unsupported
  MAX_ATTACHMENT_BYTES: 10 * MiB, // largest user upload we accept
  RESULT_MAX_BYTES: 10 * MiB, // largest result we download and re-attach (Discord's default upload limit)
  EDIT_MIN_INTERVAL_MS: 1_000, // ms between two progress edits of one message
  DISCORD_CHANNEL_BUDGET: 47, // channel-route requests a second (every process together on Redis); capped at 49 in any 1,042 ms (budgetRate), under Discord's global 50: finals first
  BUTTONS_OWNER_ONLY: true,
  ALLOW_DMS: false, // commands in DMs with the bot (a server's allow-lists cannot follow a user there)
  ALLOW_USER_INSTALL: false, // users may install the bot to their account and use it where the server did not add it
  USER_MAX_CONCURRENT: 3, // jobs one user may have running at once (0 = no limit)
  USER_MAX_DAILY: 0, // jobs one user may start per UTC day (0 = no limit)
  DATA_RETENTION_DAYS: 30, // days job records, recent lists and user settings are kept after their last write
  LOG_LEVEL: 'info',
  LOG_FORMAT: 'json', // json: one JSON object a line (for collectors); pretty: readable lines for a terminal
  SHUTDOWN_GRACE_MS: 6_000, // ms a stopping bot waits for interactions in flight (under a container's 10 s stop timeout, with room for the rest)
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
      (out[m[1]!] ??= []).push(m[2]!);
    }
    return out;
  });

/** Node's timers hold at most 2^31-1 ms; a longer delay fires after 1 ms (and 5e9 throws), so no duration may exceed it. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A whole number from `min` to `max`, written in plain decimal digits: `1e3`, `0x10` or `1.5` are
 * typos, and a value out of range is refused, never coerced. One message per variable.
 */
const wholeNumber = (min: number, max: number, what: string) => {
  const message = `expected a whole number${what} from ${min} to ${max}`;
  return z
    .string()
    .trim()
    .refine((s) => /^\d{1,16}$/.test(s) && Number(s) >= min && Number(s) <= max, message)
    .transform(Number);
};
const intFrom = (min: number, max: number = Number.MAX_SAFE_INTEGER) => wholeNumber(min, max, '');
/** Milliseconds that a timer can hold: every duration goes through this. */
export const duration = (min: number, max: number) => wholeNumber(min, Math.min(max, MAX_TIMER_MS), ' of milliseconds');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const PORT_MAX = 65_535;

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
/** An address to listen on: an IPv4/IPv6 address or a DNS host name (RFC 1123 labels), nothing else. */
const listenHost = z
  .string()
  .trim()
  .refine(
    (s) => isIP(s) !== 0 || (s.length <= 253 && s.split('.').every((label) => /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(label))),
    'expected a host name or an IP address',
  );
/** sqlite://path (a file path, relative or absolute) or redis(s)://[user:pass@]host[:port][/db], as the store factory reads them. */
const storeUrl = z
  .string()
  .trim()
  .refine((s) => {
    if (s.startsWith('sqlite://')) return s.length > 'sqlite://'.length;
    try {
      const u = new URL(s);
      return (u.protocol === 'redis:' || u.protocol === 'rediss:') && u.hostname !== '' && u.port !== '0';
    } catch {
      return false;
    }
  }, 'expected sqlite://path or redis://host:port');
/** Discord's limits on a command option's choices: 25 at most, each name and value 1-100 characters. */
const MAX_MODES = 25;
const MODE_NAME_MAX = 100;

/** A model version as /settings offers it: "7", "6.1" (→ --v), "niji 6" (→ --niji); "v7" reads as "7". */
export const VERSION_ENTRY = /^(?:v\s*)?(\d{1,2}(?:\.\d{1,2})?)$|^niji\s*(\d{1,2}(?:\.\d{1,2})?)$/i;
const versionList = z
  .string()
  .trim()
  .optional()
  .transform((s, ctx) => {
    const out: string[] = [];
    for (const part of (s ?? DEFAULTS.MJ_VERSIONS).split(',').map((p) => p.trim()).filter(Boolean)) {
      const m = VERSION_ENTRY.exec(part);
      const name = m ? (m[1] ?? `niji ${m[2]}`) : null;
      if (!name) {
        ctx.addIssue({ code: 'custom', message: `expected versions like 7,6.1,niji 6 separated by commas; "${part.slice(0, 20)}" is not one` });
        return z.NEVER;
      }
      if (out.includes(name)) return (ctx.addIssue({ code: 'custom', message: `version "${name}" is given more than once` }), z.NEVER);
      out.push(name);
    }
    // Each is an option of a select menu: Discord allows 25.
    if (out.length > MAX_MODES) return (ctx.addIssue({ code: 'custom', message: `at most ${MAX_MODES} versions (Discord's limit on a select menu's options)` }), z.NEVER);
    return out;
  });

/** Discord has no documented ceiling on shards; this one only catches a typo (the largest bots run a few thousand). */
const MAX_SHARDS = 65_536;
/** 'auto' (the count Discord recommends, all in this process) or the total number of shards of every process. */
const shardCount = z
  .string()
  .trim()
  .transform((s, ctx) => {
    if (s.toLowerCase() === 'auto') return 'auto' as const;
    const n = /^\d{1,6}$/.test(s) ? Number(s) : NaN;
    if (n >= 1 && n <= MAX_SHARDS) return n;
    ctx.addIssue({ code: 'custom', message: `expected auto or a whole number from 1 to ${MAX_SHARDS}` });
    return z.NEVER;
  });
/** The shards this process runs: ids separated by commas, each below SHARD_COUNT (checked in loadConfig). */
const shardIds = z
  .string()
  .trim()
  .transform((s, ctx) => {
    const parts = s.split(',').map((p) => p.trim());
    if (parts.some((p) => !/^\d{1,6}$/.test(p))) return (ctx.addIssue({ code: 'custom', message: 'expected shard ids (whole numbers from 0) separated by commas, e.g. 0,1' }), z.NEVER);
    const ids = parts.map(Number);
    if (new Set(ids).size !== ids.length) return (ctx.addIssue({ code: 'custom', message: 'a shard id is given more than once' }), z.NEVER);
    return ids;
  });

const snowflake = z.string().trim().regex(/^\d{5,25}$/, 'expected a Discord id (digits)');

const schema = z.object({
  DISCORD_TOKEN: z.string().trim().min(1, 'missing'),
  DISCORD_APP_ID: snowflake,
  DISCORD_GUILD_ID: snowflake.optional(),
  DISCORD_API_URL: httpUrl.optional(),
  SHARD_COUNT: shardCount.optional(),
  SHARD_IDS: shardIds.optional(),
  // npm run rest-proxy (src/rest-proxy.ts): @discordjs/proxy, one rate-limit queue for every process of the bot.
  REST_PROXY_HOST: listenHost.default(DEFAULTS.REST_PROXY_HOST),
  REST_PROXY_PORT: intFrom(1, PORT_MAX).default(DEFAULTS.REST_PROXY_PORT),
  // Required unless MJ_BACKENDS lists the backends (loadConfig checks the pair).
  MJ_BASE_URL: httpUrl.optional(),
  MJ_API_KEY: z.string().trim().default(''),
  MJ_AUTH_STYLE: z.enum(['bearer', 'raw', 'mj-api-secret']).default(DEFAULTS.MJ_AUTH_STYLE),
  MJ_MODES: z
    .string()
    .trim()
    .optional()
    .transform((s, ctx) => {
      const out: Record<string, string> = {};
      if (!s) return out;
      for (const [n, part] of s.split(',').map((p) => p.trim()).filter(Boolean).entries()) {
        // The URL may itself hold "=" (a query string): only the first one separates the name.
        const at = part.indexOf('=');
        const name = at < 0 ? '' : part.slice(0, at).trim();
        const url = at < 0 ? '' : part.slice(at + 1).trim();
        const fail = (message: string) => {
          ctx.addIssue({ code: 'custom', message });
          return z.NEVER;
        };
        if (!name || !url || !/^[a-z][a-z0-9_-]*$/.test(name) || !httpUrl.safeParse(url).success) {
          // Named by position and name only: the rest may be a URL with a password in it.
          return fail(`expected name=http(s)-url pairs separated by commas; pair ${n + 1} ("${(part.split(/[=:]/)[0] ?? '').slice(0, 20)}") is not`);
        }
        // Each name becomes a command choice's name and value.
        if (name.length > MODE_NAME_MAX) return fail(`mode name "${name.slice(0, 20)}…" is longer than ${MODE_NAME_MAX} characters`);
        if (Object.hasOwn(out, name)) return fail(`mode "${name}" is given more than once`);
        out[name] = url;
      }
      if (Object.keys(out).length > MAX_MODES) return (ctx.addIssue({ code: 'custom', message: `at most ${MAX_MODES} modes (Discord's limit on a command's choices)` }), z.NEVER);
      return out;
    }),
  MJ_BACKENDS: backendsField,
  MJ_VERSIONS: versionList,
  STORE_URL: storeUrl.default(DEFAULTS.STORE_URL),
  POLL_INTERVAL_MS: duration(200, 10 * MINUTE).default(DEFAULTS.POLL_INTERVAL_MS),
  POLL_QUEUED_INTERVAL_MS: duration(200, 10 * MINUTE).default(DEFAULTS.POLL_QUEUED_INTERVAL_MS),
  POLL_PUSH_INTERVAL_MS: duration(200, 10 * MINUTE).default(DEFAULTS.POLL_PUSH_INTERVAL_MS),
  POLL_BACKOFF_MAX_MS: duration(200, HOUR).default(DEFAULTS.POLL_BACKOFF_MAX_MS),
  LEASE_TTL_MS: duration(100, HOUR).default(DEFAULTS.LEASE_TTL_MS),
  NOTIFY_HOOK_URL: httpUrl.optional(),
  NOTIFY_HOOK_SECRET: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]{16,200}$/, 'expected 16 or more letters, digits, - or _')
    .optional(),
  NOTIFY_HOOK_HOST: listenHost.default(DEFAULTS.NOTIFY_HOOK_HOST),
  // Not 0 ("any free port"): the proxy calls back on a port the operator fixed.
  NOTIFY_HOOK_PORT: intFrom(1, PORT_MAX).default(DEFAULTS.NOTIFY_HOOK_PORT),
  NOTIFY_HOOK_MAX_BYTES: intFrom(1024, 64 * MiB).default(DEFAULTS.NOTIFY_HOOK_MAX_BYTES),
  HEALTH_HOST: listenHost.default(DEFAULTS.HEALTH_HOST),
  // Off unless set; 0: any free port (the log and the playground name it).
  HEALTH_PORT: intFrom(0, PORT_MAX).optional(),
  // Required for /metrics on an address others can reach (see src/health/health-server.ts).
  METRICS_TOKEN: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9._~+/=-]{16,200}$/, 'expected 16 or more letters, digits or -._~+/=')
    .optional(),
  TASK_DEADLINE_MS: duration(10_000, 24 * HOUR).default(DEFAULTS.TASK_DEADLINE_MS),
  PROXY_TIMEOUT_MS: duration(500, 10 * MINUTE).default(DEFAULTS.PROXY_TIMEOUT_MS),
  PROXY_SUBMIT_TIMEOUT_MS: duration(100, 10 * MINUTE).default(DEFAULTS.PROXY_SUBMIT_TIMEOUT_MS),
  LIST_BATCH_SIZE: intFrom(1, 1000).default(DEFAULTS.LIST_BATCH_SIZE),
  FETCH_CONCURRENCY: intFrom(1, 256).default(DEFAULTS.FETCH_CONCURRENCY),
  MAX_ATTACHMENT_BYTES: intFrom(1, 1024 * MiB).default(DEFAULTS.MAX_ATTACHMENT_BYTES),
  RESULT_MAX_BYTES: intFrom(0, 1024 * MiB).default(DEFAULTS.RESULT_MAX_BYTES),
  EDIT_MIN_INTERVAL_MS: duration(0, MINUTE).default(DEFAULTS.EDIT_MIN_INTERVAL_MS),
  DISCORD_CHANNEL_BUDGET: intFrom(1, 10_000).default(DEFAULTS.DISCORD_CHANNEL_BUDGET),
  BUTTONS_OWNER_ONLY: bool.default(DEFAULTS.BUTTONS_OWNER_ONLY),
  USER_MAX_CONCURRENT: intFrom(0, 1000).default(DEFAULTS.USER_MAX_CONCURRENT),
  USER_MAX_DAILY: intFrom(0, 1_000_000).default(DEFAULTS.USER_MAX_DAILY),
  DATA_RETENTION_DAYS: intFrom(1, 3650).default(DEFAULTS.DATA_RETENTION_DAYS),
  ALLOWED_CHANNELS: guildLists,
  ALLOWED_ROLES: guildLists,
  ALLOW_DMS: bool.default(DEFAULTS.ALLOW_DMS),
  ALLOW_USER_INSTALL: bool.default(DEFAULTS.ALLOW_USER_INSTALL),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default(DEFAULTS.LOG_LEVEL),
  LOG_FORMAT: z.enum(['json', 'pretty']).default(DEFAULTS.LOG_FORMAT),
  SHUTDOWN_GRACE_MS: duration(0, 10 * MINUTE).default(DEFAULTS.SHUTDOWN_GRACE_MS),
});

/** Keys the config reads; `.env.example` lists exactly these (a test compares them). */
export const CONFIG_KEYS = Object.keys(schema.shape) as ConfigKey[];
export type ConfigKey = keyof typeof schema.shape;

export type Config = Readonly<z.output<typeof schema>>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

/**
 * Reads and validates the environment; throws ConfigError listing every bad variable. The bot reads
 * it whole; a tool reads only the keys it uses (`npm run invite` needs DISCORD_APP_ID alone), checked
 * by the same schema, so a variable means the same thing to every entry point.
 */
export function loadConfig(env: Record<string, string | undefined>): Config;
export function loadConfig<K extends ConfigKey>(env: Record<string, string | undefined>, keys: readonly K[]): Readonly<Pick<Config, K>>;
export function loadConfig(env: Record<string, string | undefined>, keys: readonly ConfigKey[] = CONFIG_KEYS): Partial<Config> {
  // An empty variable counts as unset, as in most .env tooling.
  const input: Record<string, string | undefined> = Object.fromEntries(keys.map((k) => [k, env[k]?.trim() === '' ? undefined : env[k]]));
  const parsed = schema.pick(Object.fromEntries(keys.map((k) => [k, true])) as Record<ConfigKey, true>).safeParse(input);
  // One line per variable: the first problem found with it says enough.
  const byKey = new Map<string, string>();
  for (const i of parsed.success ? [] : parsed.error.issues) {
    const key = String(i.path[0] ?? '?');
    const msg = input[key] === undefined && !i.message.startsWith('expected') ? 'missing' : i.message;
    // MJ_BACKENDS names the entry and field itself: `MJ_BACKENDS[1].baseUrl: …`.
    if (!byKey.has(key)) byKey.set(key, /^[[:]/.test(msg) ? `${key}${msg}` : `${key}: ${msg}`);
  }
  const problems = [...byKey.values()];
  // One backend (MJ_BASE_URL and its kin) or a list of them (MJ_BACKENDS), not both.
  if (keys.includes('MJ_BASE_URL') && keys.includes('MJ_BACKENDS') && !byKey.has('MJ_BACKENDS')) {
    const list = input.MJ_BACKENDS !== undefined;
    if (!list && input.MJ_BASE_URL === undefined && !byKey.has('MJ_BASE_URL')) problems.push('MJ_BASE_URL: missing (or list the backends in MJ_BACKENDS)');
    for (const k of ['MJ_BASE_URL', 'MJ_API_KEY', 'MJ_MODES'] as const) {
      if (list && input[k] !== undefined) problems.push(`${k}: not used with MJ_BACKENDS (give each backend its own in the list); unset it`);
    }
  }
  // The secret is what keeps strangers from the receiver: push needs both or neither.
  if (keys.includes('NOTIFY_HOOK_SECRET') && input.NOTIFY_HOOK_URL !== undefined && input.NOTIFY_HOOK_SECRET === undefined) problems.push('NOTIFY_HOOK_SECRET: missing (required with NOTIFY_HOOK_URL)');
  // One port, one server: the health endpoints and the receiver share it only on the same address.
  const d = parsed.data;
  if (d?.NOTIFY_HOOK_URL && d.HEALTH_PORT === d.NOTIFY_HOOK_PORT && d.HEALTH_HOST !== d.NOTIFY_HOOK_HOST) {
    problems.push(`HEALTH_HOST: must be NOTIFY_HOOK_HOST (${d.NOTIFY_HOOK_HOST}) when HEALTH_PORT is NOTIFY_HOOK_PORT; or pick another HEALTH_PORT`);
  }
  // A process runs some of SHARD_COUNT's shards: the ids must exist.
  if (d?.SHARD_IDS && d.SHARD_COUNT === 'auto') problems.push('SHARD_IDS: not used with SHARD_COUNT=auto (one process runs every shard); give SHARD_COUNT as a number');
  else if (d?.SHARD_IDS && typeof d.SHARD_COUNT !== 'number') problems.push('SHARD_IDS: needs SHARD_COUNT, the number of shards of all processes together');
  else if (d?.SHARD_IDS && typeof d.SHARD_COUNT === 'number' && d.SHARD_IDS.some((id) => id >= (d.SHARD_COUNT as number))) {
    problems.push(`SHARD_IDS: every id must be below SHARD_COUNT (${d.SHARD_COUNT}): shards are numbered from 0`);
  }
  if (!parsed.success || problems.length) throw new ConfigError([...new Set(problems)]);
  // With several backends, the speeds offered (the commands' choices) are all of theirs together.
  if (parsed.data.MJ_BACKENDS) return Object.freeze({ ...parsed.data, MJ_MODES: modesOf(parsed.data.MJ_BACKENDS) });
  return Object.freeze(parsed.data);
}

/** The config with secrets masked, for a start-up log line: every URL may carry user:pass@ or a ?key=. */
export function redacted(config: Config): Record<string, unknown> {
  return {
    ...config,
    DISCORD_TOKEN: '***',
    MJ_API_KEY: config.MJ_API_KEY ? '***' : '',
    NOTIFY_HOOK_SECRET: config.NOTIFY_HOOK_SECRET ? '***' : undefined,
    METRICS_TOKEN: config.METRICS_TOKEN ? '***' : undefined,
    DISCORD_API_URL: config.DISCORD_API_URL && maskUrl(config.DISCORD_API_URL),
    MJ_BASE_URL: config.MJ_BASE_URL && maskUrl(config.MJ_BASE_URL),
    MJ_BACKENDS: config.MJ_BACKENDS?.map((b) => ({
      ...b,
      baseUrl: maskUrl(b.baseUrl),
      apiKey: b.apiKey ? '***' : '',
      modes: Object.fromEntries(Object.entries(b.modes).map(([name, url]) => [name, maskUrl(url)])),
    })),
    MJ_MODES: Object.fromEntries(Object.entries(config.MJ_MODES).map(([name, url]) => [name, maskUrl(url)])),
    NOTIFY_HOOK_URL: config.NOTIFY_HOOK_URL && maskUrl(config.NOTIFY_HOOK_URL),
    STORE_URL: maskUrl(config.STORE_URL),
  };
}

/**
 * The URL as written, with its user info, query values and fragment masked. Done on the text, not
 * through `URL`, so the rest reads exactly as configured; the user info runs to the last "@" of the
 * authority, as WHATWG URL parsing reads it.
 */
export function maskUrl(url: string): string {
  const [beforeHash = '', ...hash] = url.split('#');
  const [beforeQuery = '', ...query] = beforeHash.split('?');
  const masked = beforeQuery.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1***@');
  const params = query.length
    ? '?' + query.join('?').split('&').map((p) => (p.includes('=') ? `${p.slice(0, p.indexOf('='))}=***` : p && '***')).join('&')
    : '';
  return masked + params + (hash.length ? '#***' : '');
}
