// What people chose in /settings, kept per user, and what a server's admins chose for their server
// (its defaults, which speeds and model versions it offers, its gallery channel). One Keyv value
// per user (`user:<id>`) and per server (`server:<id>`), read on every use, never cached: a change
// takes effect at once, in every process sharing the store. A value is written whole after a
// read, so two changes at the very same moment keep the later one (a panel click is one person's).
// Everything read back is checked field by field: a stored value is untrusted like any input.
// Retention: a user's value lives the retention (DATA_RETENTION_DAYS) after its last write, and
// is written again (its clock restarted) when read more than a day after that, so an active
// user's settings stay; a server's are not personal data and do not expire.
import type { KeyValueRepository } from './key-value.ts';

export type Visibility = 'public' | 'private';
export type VariationMode = 'subtle' | 'strong';

/** A user's choices; a field left out falls back to the server's default, then to the operator's. */
export interface UserPrefs {
  /** A model version as the configured list names it ("7", "6.1", "niji 6"). */
  version?: string;
  /** --s: 50 (low), 100 (med), 250 (high), 750 (very high). */
  stylize?: number;
  /** --style raw. */
  raw?: boolean;
  /** The speed (a configured mode name: "fast", "relax", "turbo" …). */
  mode?: string;
  remix?: boolean;
  variation?: VariationMode;
  visibility?: Visibility;
  /** Appended to every prompt (like Midjourney's /prefer suffix). */
  suffix?: string;
}

/** A server's settings, set by members with Manage Server. */
export interface ServerPrefs {
  /** What a member who chose nothing gets. */
  defaults?: UserPrefs;
  /** The speeds offered in this server (a subset of the configured modes); none: all of them. */
  modes?: string[];
  /** The model versions offered in this server (a subset of the configured list); none: all. */
  versions?: string[];
  /** Where Share posts results. */
  galleryChannelId?: string;
  /** Limits for this server, within the operator's (USER_MAX_CONCURRENT, USER_MAX_DAILY as ceilings). */
  limits?: ServerLimits;
  /** Who may use the bot here: channels, roles, and this server's members from DMs / user installs. */
  access?: ServerAccess;
  /** What may not be prompted here, and who may not use the bot here. */
  moderation?: ServerModeration;
  /** Where a line per job and per admin change goes. */
  auditChannelId?: string;
  /** The language of the audit lines: the server's (Discord's guild locale) when the channel was chosen. */
  auditLocale?: 'en-US' | 'zh-CN';
}

export interface ServerLimits {
  /** Jobs one member may have running at once here (0: none at all). */
  running?: number;
  /** Jobs one member may start here per UTC day. */
  daily?: number;
  /** Jobs the whole server may start per UTC day. */
  serverDaily?: number;
}

export interface ServerAccess {
  /** Channels the bot may be used in (none: all). */
  channels?: string[];
  /** Roles of which a member needs one (none: everyone). */
  roles?: string[];
  /** false: this server's channels refuse interactions made through a member's personal install (ALLOW_USER_INSTALL on). */
  userInstall?: boolean;
}

export interface ServerModeration {
  /** Banned words and phrases (as admins typed them; compared case- and width-insensitively). */
  words?: string[];
  /** Members who may not use the bot here. */
  blocked?: string[];
}

export const WORDS_MAX = 500;
export const WORD_MAX = 100;

export const SUFFIX_MAX = 200;
const SNOWFLAKE = /^\d{17,20}$/;
const isString = (v: unknown, max = 40): v is string => typeof v === 'string' && v.length > 0 && v.length <= max;

/** The fields of a stored value that are what they claim to be; anything else is dropped. */
export function userPrefsOf(v: unknown): UserPrefs {
  const r = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
  const out: UserPrefs = {};
  if (isString(r.version)) out.version = r.version;
  if (typeof r.stylize === 'number' && Number.isInteger(r.stylize) && r.stylize >= 0 && r.stylize <= 1000) out.stylize = r.stylize;
  if (typeof r.raw === 'boolean') out.raw = r.raw;
  if (isString(r.mode)) out.mode = r.mode;
  if (typeof r.remix === 'boolean') out.remix = r.remix;
  if (r.variation === 'subtle' || r.variation === 'strong') out.variation = r.variation;
  if (r.visibility === 'public' || r.visibility === 'private') out.visibility = r.visibility;
  if (typeof r.suffix === 'string' && r.suffix.length <= SUFFIX_MAX) out.suffix = r.suffix;
  return out;
}

export function serverPrefsOf(v: unknown): ServerPrefs {
  const r = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
  const out: ServerPrefs = {};
  if (r.defaults !== undefined) out.defaults = userPrefsOf(r.defaults);
  const names = (x: unknown) => (Array.isArray(x) ? x.filter((n): n is string => isString(n)).slice(0, 25) : undefined);
  const modes = names(r.modes);
  if (modes) out.modes = modes;
  const versions = names(r.versions);
  if (versions) out.versions = versions;
  if (typeof r.galleryChannelId === 'string' && SNOWFLAKE.test(r.galleryChannelId)) out.galleryChannelId = r.galleryChannelId;
  if (typeof r.auditChannelId === 'string' && SNOWFLAKE.test(r.auditChannelId)) out.auditChannelId = r.auditChannelId;
  if (r.auditLocale === 'en-US' || r.auditLocale === 'zh-CN') out.auditLocale = r.auditLocale;
  const obj = (x: unknown) => (typeof x === 'object' && x !== null ? (x as Record<string, unknown>) : null);
  const count = (x: unknown) => (typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 1_000_000 ? x : undefined);
  const ids = (x: unknown) => (Array.isArray(x) ? x.filter((n): n is string => typeof n === 'string' && SNOWFLAKE.test(n)).slice(0, 100) : undefined);
  const limits = obj(r.limits);
  if (limits) out.limits = defined({ running: count(limits.running), daily: count(limits.daily), serverDaily: count(limits.serverDaily) });
  const access = obj(r.access);
  if (access) out.access = defined({ channels: ids(access.channels), roles: ids(access.roles), userInstall: typeof access.userInstall === 'boolean' ? access.userInstall : undefined });
  const moderation = obj(r.moderation);
  if (moderation) {
    const words = Array.isArray(moderation.words) ? moderation.words.filter((w): w is string => typeof w === 'string' && w.length > 0 && w.length <= WORD_MAX).slice(0, WORDS_MAX) : undefined;
    out.moderation = defined({ words, blocked: ids(moderation.blocked) });
  }
  return out;
}

/** `o` without its undefined fields. */
function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** `patch` over `base`: a field set to undefined is removed (back to the default). */
function merge<T extends object>(base: T, patch: Partial<T>): T {
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out as T;
}

/** A user's value read more than this long after its last write is written again (its retention restarts). */
const REFRESH_AFTER_MS = 24 * 3600_000;

export interface PreferenceOptions {
  /** How long a user's settings live after their last write (the retention); none: for ever. */
  userTtlMs?: number;
  now?: () => number;
}

export class PreferenceRepository {
  readonly #now: () => number;

  constructor(
    private readonly kv: KeyValueRepository<unknown>,
    private readonly opts: PreferenceOptions = {},
  ) {
    this.#now = opts.now ?? Date.now;
  }

  async user(userId: string): Promise<UserPrefs> {
    const stored = await this.kv.get(`user:${userId}`);
    const prefs = userPrefsOf(stored);
    // In use: its retention restarts (at most once a day; a failure only leaves the older expiry).
    const at = (stored as { at?: unknown } | undefined)?.at;
    if (stored !== undefined && this.opts.userTtlMs && (typeof at !== 'number' || this.#now() - at > REFRESH_AFTER_MS)) {
      await this.#write(userId, prefs).catch(() => undefined);
    }
    return prefs;
  }

  /** Whether anything is stored for the user (/privacy). */
  async hasUser(userId: string): Promise<boolean> {
    return (await this.kv.get(`user:${userId}`)) !== undefined;
  }

  /** Changes some of a user's choices (undefined: back to the default); returns what is stored now. */
  async setUser(userId: string, patch: Partial<UserPrefs>): Promise<UserPrefs> {
    const next = userPrefsOf(merge(await this.user(userId), patch));
    await this.#write(userId, next);
    return next;
  }

  /** Written with the time of the write, which the retention counts from. */
  #write(userId: string, prefs: UserPrefs): Promise<void> {
    return this.kv.set(`user:${userId}`, { ...prefs, at: this.#now() }, this.opts.userTtlMs);
  }

  async forgetUser(userId: string): Promise<void> {
    await this.kv.delete(`user:${userId}`);
  }

  async server(guildId: string): Promise<ServerPrefs> {
    return serverPrefsOf(await this.kv.get(`server:${guildId}`));
  }

  /** Changes some of a server's settings (undefined: back to the default); returns what is stored now. */
  async setServer(guildId: string, patch: Partial<ServerPrefs>): Promise<ServerPrefs> {
    const next = serverPrefsOf(merge(await this.server(guildId), patch));
    await this.kv.set(`server:${guildId}`, next);
    return next;
  }

  async clear(): Promise<void> {
    await this.kv.clear();
  }
}

/**
 * What applies to a user in a server: their own choices over the server's defaults, a speed or a
 * version the server does not offer left out (the operator's default applies). Outside a server
 * (`server` null): their own choices.
 */
export function resolvePrefs(user: UserPrefs, server: ServerPrefs | null): UserPrefs {
  const out: UserPrefs = { ...(server?.defaults ?? {}), ...user };
  if (out.mode !== undefined && server?.modes?.length && !server.modes.includes(out.mode)) delete out.mode;
  if (out.version !== undefined && server?.versions?.length && !server.versions.includes(out.version)) delete out.version;
  return out;
}
