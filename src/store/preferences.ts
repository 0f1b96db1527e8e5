// What people chose in /settings, kept per user, and what a server's admins chose for their server
// (its defaults, which speeds and model versions it offers, its gallery channel). One Keyv value
// per user (`user:<id>`) and per server (`server:<id>`), read on every use, never cached: a change
// takes effect at once, in every process sharing the store. A value is written whole after a
// read, so two changes at the very same moment keep the later one (a panel click is one person's).
// Everything read back is checked field by field: a stored value is untrusted like any input.
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
}

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
  return out;
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

export class PreferenceRepository {
  constructor(private readonly kv: KeyValueRepository<unknown>) {}

  async user(userId: string): Promise<UserPrefs> {
    return userPrefsOf(await this.kv.get(`user:${userId}`));
  }

  /** Changes some of a user's choices (undefined: back to the default); returns what is stored now. */
  async setUser(userId: string, patch: Partial<UserPrefs>): Promise<UserPrefs> {
    const next = userPrefsOf(merge(await this.user(userId), patch));
    await this.kv.set(`user:${userId}`, next);
    return next;
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
