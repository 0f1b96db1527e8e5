// The secrets the bot holds and the one scrubber that takes them out of text. Backends echo what
// they were sent (a refused key in a failReason, the notifyHook URL in a description), sometimes
// encoded (a URL's query, a Basic header's base64, a key "…ending in 3f9a2b1c7d"): every configured
// secret is masked in its raw, URL-encoded and base64/base64url forms and in any long fragment,
// wherever it stands. Logs, proxy data (src/proxy/parse.ts) and error messages share it.
import type { Config } from './config.ts';

export type Scrub = (s: string) => string;

/** What a masked secret reads as. */
export const MASK = '***';
/** Shorter secrets are not masked: "test" or "abc" would tear ordinary words apart. */
const MIN_SECRET = 4;
/** Any run of this many characters of a secret (or of one of its encodings) is masked. */
const FRAGMENT = 10;
/** Query values and user names shorter than this are settings ("mode=fast") or account names, not credentials. */
const MIN_URL_SECRET = 8;
/** Config keys whose value is itself a secret. */
const SECRET_KEY = /(?:KEY|TOKEN|SECRET|PASSWORD)$|[a-z](?:Key|Token|Secret|Password)$/;

/** The credentials a URL carries: its password, and a user name or query values long enough to be tokens. */
export function credentialsOf(url: string): string[] {
  const out: string[] = [];
  try {
    const u = new URL(url);
    if (u.password) out.push(u.password, safeDecode(u.password));
    if (u.username.length >= MIN_URL_SECRET) out.push(u.username, safeDecode(u.username));
    for (const [, value] of u.searchParams) if (value.length >= MIN_URL_SECRET) out.push(value);
  } catch {
    const m = /\/\/([^/@\s]*)@/.exec(url);
    if (m) out.push(...m[1]!.split(':').filter(Boolean));
  }
  return out;
}

/**
 * Every secret in the configuration: each *_KEY / *_TOKEN / *_SECRET / *_PASSWORD value (the proxy
 * key with and without a pasted "Bearer "), and the credentials inside every configured URL
 * (MJ_BASE_URL, each MJ_MODES URL, NOTIFY_HOOK_URL, STORE_URL, DISCORD_API_URL …); in MJ_BACKENDS,
 * each backend's `apiKey` and URLs. Read from the
 * whole config, so a variable added later is covered without a change here.
 */
export function secretsOf(config: Config | Readonly<Record<string, unknown>>): string[] {
  const out: string[] = [];
  const visit = (key: string, value: unknown): void => {
    if (typeof value === 'string') {
      if (SECRET_KEY.test(key)) out.push(value, value.replace(/^bearer\s+/i, ''));
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) out.push(...credentialsOf(value));
    } else if (typeof value === 'object' && value !== null) {
      for (const [k, v] of Object.entries(value)) visit(SECRET_KEY.test(key) ? key : k, v);
    }
  };
  for (const [k, v] of Object.entries(config)) visit(k, v);
  return [...new Set(out.filter((s) => s.length >= MIN_SECRET))];
}

/**
 * The base64 text that stands for `s` wherever it sits in a longer encoded string: for each of
 * the three byte alignments, the characters that depend on the secret's bytes alone.
 */
function base64Cores(s: string): string[] {
  const bytes = Buffer.from(s, 'utf8');
  const out: string[] = [];
  for (const pad of [0, 1, 2]) {
    const b64 = Buffer.concat([Buffer.alloc(pad), bytes]).toString('base64').replace(/=+$/, '');
    const skip = [0, 2, 3][pad];
    const partialEnd = (pad + bytes.length) % 3 !== 0;
    const core = b64.slice(skip, partialEnd ? -1 : undefined);
    out.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return out;
}

/** The forms a secret may be echoed in. */
function formsOf(secret: string): string[] {
  const url = encodeURIComponent(secret);
  const forms = [secret, url, url.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()), url.replace(/%20/g, '+')];
  if (secret.length >= 8) forms.push(...base64Cores(secret));
  return [...new Set(forms.filter((f) => f.length >= MIN_SECRET))];
}

const B = 31;
const BUCKETS = 1 << 16;

function bucketOf(h: number): number {
  return (h ^ (h >>> 16)) & (BUCKETS - 1);
}

/** Polynomial hash of s[from, from + FRAGMENT). */
function hashAt(s: string, from: number): number {
  let h = 0;
  for (let i = from; i < from + FRAGMENT; i++) h = (Math.imul(h, B) + s.charCodeAt(i)) >>> 0;
  return h;
}

/**
 * A scrubber for these secrets. Long forms are found by their FRAGMENT-character pieces (a rolling
 * hash over the text, so the cost is one pass whatever the number of secrets); short forms whole.
 * Each covered run becomes one MASK.
 */
export function createScrubber(secrets: readonly (string | null | undefined)[]): Scrub {
  const grams = new Set<string>();
  // A bit per hash bucket: most positions of a text are ruled out by one array read.
  const buckets = new Uint32Array(BUCKETS / 32);
  const whole: string[] = [];
  for (const secret of new Set(secrets)) {
    if (!secret || secret.length < MIN_SECRET) continue;
    for (const form of formsOf(secret)) {
      if (form.length < FRAGMENT) {
        whole.push(form);
        continue;
      }
      for (let i = 0; i + FRAGMENT <= form.length; i++) {
        const gram = form.slice(i, i + FRAGMENT);
        const b = bucketOf(hashAt(gram, 0));
        buckets[b >>> 5]! |= 1 << (b & 31);
        grams.add(gram);
      }
    }
  }
  if (grams.size === 0 && whole.length === 0) return (s) => s;
  let top = 1;
  for (let i = 1; i < FRAGMENT; i++) top = Math.imul(top, B) >>> 0;

  return (s) => {
    if (typeof s !== 'string' || s.length < MIN_SECRET) return s;
    let covered: Uint8Array | null = null;
    if (grams.size && s.length >= FRAGMENT) {
      let h = hashAt(s, 0);
      for (let i = 0; ; i++) {
        const b = (h ^ (h >>> 16)) & (BUCKETS - 1);
        if (buckets[b >>> 5]! & (1 << (b & 31)) && grams.has(s.slice(i, i + FRAGMENT))) (covered ??= new Uint8Array(s.length)).fill(1, i, i + FRAGMENT);
        if (i + FRAGMENT >= s.length) break;
        h = (Math.imul((h - Math.imul(s.charCodeAt(i), top)) >>> 0, B) + s.charCodeAt(i + FRAGMENT)) >>> 0;
      }
    }
    for (const w of whole) {
      for (let at = s.indexOf(w); at !== -1; at = s.indexOf(w, at + 1)) (covered ??= new Uint8Array(s.length)).fill(1, at, at + w.length);
    }
    return covered ? masked(s, covered) : s;
  };
}

/** `s` with each run of covered characters replaced by one MASK. */
function masked(s: string, covered: Uint8Array): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < s.length; ) {
    if (!covered[i]) {
      i++;
      continue;
    }
    out += s.slice(from, i) + MASK;
    while (i < s.length && covered[i]) i++;
    from = i;
  }
  return out + s.slice(from);
}

/** A path segment this long that is not a number is a credential (an id is a snowflake of digits). */
const TOKEN_SEGMENT = 40;

/**
 * The path of a request URL as a log may show it, for the secrets no configuration names: a
 * Discord interaction's or webhook's token is a path segment (`/webhooks/{app}/{token}/messages/…`,
 * `/interactions/{id}/{token}/callback`), and becomes `:token`, as does any long segment that is
 * not a number; the origin, the API version prefix and the query (which may carry a key) are left out.
 */
export function pathWithoutTokens(url: string): string {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    path = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '').replace(/[?#].*$/, '');
  }
  return path
    .replace(/^.*?\/v\d+(?=\/)/, '')
    .replace(/\/(webhooks|interactions)\/([^/]+)\/[^/]+/g, '/$1/$2/:token')
    .split('/')
    .map((seg) => (seg.length >= TOKEN_SEGMENT && !/^\d+$/.test(seg) ? ':token' : safeDecode(seg)))
    .join('/');
}

/**
 * A JSON-like value with every string (keys too) scrubbed: a copy of what held a secret (the parts
 * that did not are shared with `value`), `value` itself when nothing did. Every task the proxy
 * answers passes here twice (proxy/parse.ts): copying them whole, secret or not, was most of the
 * garbage of a pass over 10,000 tasks.
 */
export function scrubDeep<T>(value: T, scrub: Scrub): T {
  if (typeof value === 'string') return scrub(value) as T;
  if (Array.isArray(value)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const v = scrubDeep(value[i], scrub);
      if (!out && v !== value[i]) out = value.slice(0, i);
      out?.push(v);
    }
    return (out ?? value) as T;
  }
  if (typeof value === 'object' && value !== null) {
    const from = value as Record<string, unknown>;
    const keys = Object.keys(from);
    let out: Record<string, unknown> | null = null;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!, v = scrubDeep(from[k], scrub);
      // JSON may carry a "__proto__" key: kept as data (and as it is), never as the copy's prototype.
      const key = k === '__proto__' ? k : scrub(k);
      if (!out && (v !== from[k] || key !== k)) {
        out = {};
        for (let j = 0; j < i; j++) put(out, keys[j]!, from[keys[j]!]);
      }
      if (out) put(out, key, v);
    }
    return (out ?? value) as T;
  }
  return value;
}

function put(out: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  else out[k] = v;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
