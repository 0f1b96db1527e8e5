// MJ_BACKENDS: several backends (relays, self-hosted proxies), a small JSON list. Each entry names
// the backend, where it is, its key and how the key is sent, the speeds it offers (each with its
// own base path or URL), its weight among the others for new jobs, and optionally the servers
// allowed to use it. Without MJ_BACKENDS, MJ_BASE_URL / MJ_API_KEY / MJ_AUTH_STYLE / MJ_MODES make
// one backend named `default` (backendsOf), so stores written before keep working.
//
// Mistakes are reported one line each, by position and field (`MJ_BACKENDS[1].baseUrl: …`), never
// with the value itself: a key or a URL with a password in it must not reach a log.
import { z } from 'zod';
import { DEFAULT_BACKEND } from './proxy/lanes.ts';
import { joinUrl, normaliseBase } from './proxy/routes.ts';

export type AuthStyle = 'bearer' | 'raw' | 'mj-api-secret';

/** One backend, as the pool uses it: every mode resolved to a full base URL. */
export interface BackendSpec {
  name: string;
  baseUrl: string;
  apiKey: string;
  authStyle: AuthStyle;
  /** Speed name → its base URL. */
  modes: Record<string, string>;
  /** Share of new jobs among the eligible backends; 0: no new jobs (its running jobs still finish). */
  weight: number;
  /** Servers allowed to use it; none: every server (and DMs). */
  guilds?: string[];
}

/** The name of the one backend of MJ_BASE_URL (and of old records without a backend). */
export const DEFAULT_BACKEND_NAME = DEFAULT_BACKEND;
export const MAX_BACKENDS = 16;
const NAME = /^[a-z][a-z0-9_-]{0,31}$/;
const MODE_NAME = /^[a-z][a-z0-9_-]{0,99}$/;
const SNOWFLAKE = /^\d{5,25}$/;
const FIELDS = new Set(['name', 'baseUrl', 'apiKey', 'authStyle', 'modes', 'weight', 'guilds']);
/** Discord's limit on a command option's choices: the speeds of all backends together. */
const MAX_MODES = 25;

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Checks one parsed JSON list; answers the backends, or the first mistake as `[i].field: why`. */
export function parseBackends(list: unknown): BackendSpec[] | string {
  if (!Array.isArray(list)) return ': expected a JSON list of backends, like [{"name":"a","baseUrl":"https://relay.example"}]';
  if (list.length === 0) return ': expected at least one backend';
  if (list.length > MAX_BACKENDS) return `: at most ${MAX_BACKENDS} backends`;
  const out: BackendSpec[] = [];
  const modes = new Set<string>();
  for (const [i, raw] of list.entries()) {
    const at = `[${i}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return `${at}: expected an object with name and baseUrl`;
    const o = raw as Record<string, unknown>;
    const unknown = Object.keys(o).find((k) => !FIELDS.has(k));
    if (unknown !== undefined) return `${at}: unknown field "${unknown.slice(0, 20)}" (known: ${[...FIELDS].join(', ')})`;
    if (typeof o.name !== 'string' || !NAME.test(o.name)) return `${at}.name: expected a short name of lower-case letters, digits, - or _ (starting with a letter)`;
    const name = o.name;
    if (out.some((b) => b.name === name)) return `${at}.name: "${name}" is given more than once`;
    if (typeof o.baseUrl !== 'string' || !isHttpUrl(o.baseUrl.trim())) return `${at}.baseUrl: expected an http(s) URL`;
    const baseUrl = o.baseUrl.trim();
    if (o.apiKey !== undefined && typeof o.apiKey !== 'string') return `${at}.apiKey: expected a string`;
    const authStyle = o.authStyle ?? 'bearer';
    if (authStyle !== 'bearer' && authStyle !== 'raw' && authStyle !== 'mj-api-secret') return `${at}.authStyle: expected bearer, raw or mj-api-secret`;
    const weight = o.weight ?? 1;
    if (typeof weight !== 'number' || !Number.isInteger(weight) || weight < 0 || weight > 1000) return `${at}.weight: expected a whole number from 0 to 1000`;
    let guilds: string[] | undefined;
    if (o.guilds !== undefined) {
      if (!Array.isArray(o.guilds) || o.guilds.length === 0 || !o.guilds.every((g) => typeof g === 'string' && SNOWFLAKE.test(g))) {
        return `${at}.guilds: expected a non-empty list of server ids (digits, as strings)`;
      }
      guilds = [...new Set(o.guilds as string[])];
    }
    const resolved: Record<string, string> = {};
    if (o.modes !== undefined) {
      if (typeof o.modes !== 'object' || o.modes === null || Array.isArray(o.modes)) return `${at}.modes: expected an object of speed name → base path or URL, like {"fast":"/mj-fast"}`;
      for (const [mode, where] of Object.entries(o.modes as Record<string, unknown>)) {
        if (!MODE_NAME.test(mode)) return `${at}.modes: "${mode.slice(0, 20)}" is not a speed name (lower-case letters, digits, - or _)`;
        if (typeof where !== 'string' || !(where.trim().startsWith('/') || isHttpUrl(where.trim()))) return `${at}.modes.${mode}: expected a base path (/mj-fast) or an http(s) URL`;
        const w = where.trim();
        resolved[mode] = w.startsWith('/') ? joinUrl(normaliseBase(baseUrl), w) : w;
        modes.add(mode);
      }
    }
    out.push({ name, baseUrl, apiKey: typeof o.apiKey === 'string' ? o.apiKey.trim() : '', authStyle, modes: resolved, weight, ...(guilds ? { guilds } : {}) });
  }
  if (modes.size > MAX_MODES) return `: at most ${MAX_MODES} speeds in all (Discord's limit on a command's choices)`;
  if (!out.some((b) => b.weight > 0)) return ': every backend has weight 0, so no new job could start';
  // Lane names (task-reader): the default backend's speeds are named bare, as they were before MJ_BACKENDS.
  const dflt = out.find((b) => b.name === DEFAULT_BACKEND_NAME);
  const clash = dflt && out.find((b) => Object.hasOwn(dflt.modes, b.name));
  if (clash) return `: backend "${clash.name}" has the name of a speed of backend "${DEFAULT_BACKEND_NAME}"; rename one`;
  return out;
}

/** The zod field of MJ_BACKENDS: unset, or a valid list. */
export const backendsField = z
  .string()
  .trim()
  .optional()
  .transform((s, ctx) => {
    if (!s) return undefined;
    let json: unknown;
    try {
      json = JSON.parse(s);
    } catch {
      ctx.addIssue({ code: 'custom', message: ': expected a JSON list of backends; this is not valid JSON' });
      return z.NEVER;
    }
    const parsed = parseBackends(json);
    if (typeof parsed === 'string') {
      ctx.addIssue({ code: 'custom', message: parsed });
      return z.NEVER;
    }
    return parsed;
  });

/** The speeds of every backend together, each with the first backend's URL (the command's choices). */
export function modesOf(backends: readonly BackendSpec[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const b of backends) for (const [m, url] of Object.entries(b.modes)) if (!Object.hasOwn(out, m)) out[m] = url;
  return out;
}

/** The configured backends: MJ_BACKENDS, or the one of MJ_BASE_URL named `default`. */
export function backendsOf(config: {
  MJ_BACKENDS?: readonly BackendSpec[] | undefined;
  MJ_BASE_URL?: string | undefined;
  MJ_API_KEY: string;
  MJ_AUTH_STYLE: AuthStyle;
  MJ_MODES: Record<string, string>;
}): BackendSpec[] {
  if (config.MJ_BACKENDS?.length) return [...config.MJ_BACKENDS];
  return [{ name: DEFAULT_BACKEND_NAME, baseUrl: config.MJ_BASE_URL ?? '', apiKey: config.MJ_API_KEY, authStyle: config.MJ_AUTH_STYLE, modes: { ...config.MJ_MODES }, weight: 1 }];
}
