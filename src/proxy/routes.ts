// Where each endpoint lives (api.md §1). Paths are joined onto the base by string concatenation,
// because relays put modes in the base path (`https://relay.example/mj-fast`).

/** Path builders, one per endpoint. */
export const routes = {
  imagine: () => '/mj/submit/imagine',
  action: () => '/mj/submit/action',
  modal: () => '/mj/submit/modal',
  blend: () => '/mj/submit/blend',
  describe: () => '/mj/submit/describe',
  shorten: () => '/mj/submit/shorten',
  video: () => '/mj/submit/video',
  edits: () => '/mj/submit/edits',
  retexture: () => '/mj/submit/retexture',
  change: () => '/mj/submit/change',
  simpleChange: () => '/mj/submit/simple-change',
  uploadDiscordImages: () => '/mj/submit/upload-discord-images',
  swapFace: () => '/mj/insight-face/swap',
  fetch: (id: string) => `/mj/task/${encodeURIComponent(id)}/fetch`,
  listByCondition: () => '/mj/task/list-by-condition',
  /** The newest tasks, unfiltered (novicezk: all it holds; trueai: the latest 100); relays do not pass it on. */
  list: () => '/mj/task/list',
  imageSeed: (id: string) => `/mj/task/${encodeURIComponent(id)}/image-seed`,
  cancel: (id: string) => `/mj/task/${encodeURIComponent(id)}/cancel`,
} as const;

/** The routes that carry no id, as sent. */
const FIXED_ROUTES: ReadonlySet<string> = new Set(Object.values(routes).flatMap((r) => (r.length === 0 ? [(r as () => string)()] : [])));

/** A route as a metrics label: ids become `{id}` (`/mj/task/{id}/fetch`), and anything unknown is `other`. */
export function routeLabel(route: string): string {
  const m = /^\/mj\/task\/[^/]+\/(fetch|image-seed|cancel)$/.exec(route);
  if (m) return `/mj/task/{id}/${m[1]}`;
  return FIXED_ROUTES.has(route) ? route : 'other';
}

/**
 * A base URL ready for routes to be appended: no trailing slash, no query (kept apart by joinUrl),
 * and no trailing `/mj`, which every route already starts with (`https://relay/mj` → `https://relay`;
 * a backend that really lives under `/mj/mj` is configured as `https://host/mj/mj`).
 */
export function normaliseBase(url: string): string {
  const u = url.trim();
  const q = u.search(/[?#]/);
  const query = q === -1 ? '' : u.slice(q).replace(/#.*$/, '');
  const m = /^([a-z][a-z0-9+.-]*:\/\/[^/]*)(.*)$/i.exec(q === -1 ? u : u.slice(0, q));
  if (!m) return u.replace(/\/+$/, '');
  const path = m[2]!.replace(/\/+$/, '').replace(/\/mj$/i, '').replace(/\/+$/, '');
  return m[1] + path + (query === '?' ? '' : query);
}

/** base + route, with a query string of the base (`?channel=…`) kept after the path. */
export function joinUrl(base: string, route: string): string {
  const q = base.indexOf('?');
  return q === -1 ? base + route : base.slice(0, q) + route + base.slice(q);
}

/** The host of a URL, for log lines (never its path or query, which may carry a key). */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
}
