// The midjourney-proxy HTTP client: one method per endpoint, mirroring the wire (api.md §1).
// Every call has a timeout, every body is consumed, and both the HTTP status and the proxy's
// `code` are checked. Failures become ProxyError; nothing here ever reports a header.
import { Readable } from 'node:stream';
import { Agent, request, type Dispatcher } from 'undici';
import { ProxyError, codeFromProxy, type ProxyErrorCode } from './errors.ts';
import { ProxyHealth } from './health.ts';
import { discard } from '../media/download.ts';
import { parseSubmitResult, parseTask, parseTaskList, submitOutcome } from './parse.ts';
import { createScrubber, type Scrub } from '../secrets.ts';
import type {
  ActionRequest,
  BlendRequest,
  ChangeRequest,
  DescribeRequest,
  EditsRequest,
  ImagineRequest,
  ModalRequest,
  ShortenRequest,
  SimpleChangeRequest,
  SubmitOutcome,
  SubmitResult,
  SwapFaceRequest,
  Task,
  UploadImagesRequest,
  VideoRequest,
} from './types.ts';

export type AuthStyle = 'bearer' | 'raw' | 'mj-api-secret';

export interface ProxyClientOptions {
  /** Service root, possibly with a mode prefix: `https://relay.example/mj-fast`. A trailing `/mj` (the
   * API prefix itself, as some vendors print their "接口地址") is dropped: routes carry it. */
  baseUrl: string;
  apiKey: string;
  authStyle: AuthStyle;
  /** Per-request timeout (ms). */
  timeoutMs: number;
  /** Timeout of a submit (ms): longer, because a submit that times out after it was sent may still run. Default 60 s. */
  submitTimeoutMs?: number;
  /** Mode name → base URL, for the `mode` option of commands (`fast` → `https://relay.example/mj-fast`). */
  modeBaseUrls?: Record<string, string>;
  /** Largest response body read (bytes); a bigger one is MALFORMED. */
  maxBodyBytes?: number;
  /** Waits before each retry (ms). Reads retry on transient errors; submits only when the proxy surely did not take the job.
   * Also the waits between two searches for a submit that may have been taken. */
  retryDelaysMs?: number[];
  health?: ProxyHealth;
  dispatcher?: Dispatcher;
  /** The notifyHook URL every submit carries unless its body names one (push, api.md §4). */
  notifyHook?: string;
  /**
   * The app's scrubber (src/secrets.ts, built from every configured secret): everything the proxy
   * answers passes it before anything else sees it. Without one, the client's own key and hook.
   */
  scrub?: Scrub;
}

export interface CallOptions {
  mode?: string;
  /** Overrides the client's timeout (image-seed may block for up to 60 s on trueai). */
  timeoutMs?: number;
}

/** Path builders: joined onto the base by string concatenation, because relays put modes in the base path. */
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

interface RawResponse {
  status: number;
  text: string;
}

export class ProxyClient {
  readonly #opts: Required<Omit<ProxyClientOptions, 'dispatcher' | 'modeBaseUrls' | 'health' | 'notifyHook' | 'scrub'>> & { modeBaseUrls: Record<string, string> };
  readonly #notifyHook: string | undefined;
  readonly #scrub: (s: string) => string;
  /** The backend's health, fed by every request. */
  readonly health: ProxyHealth;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  /** Whether the backend has GET /mj/task/list (to find a job by the `state` it was sent with); null until asked. */
  #canList: boolean | null = null;

  constructor(opts: ProxyClientOptions) {
    this.#opts = {
      baseUrl: normaliseBase(opts.baseUrl),
      apiKey: opts.apiKey,
      authStyle: opts.authStyle,
      timeoutMs: opts.timeoutMs,
      submitTimeoutMs: opts.submitTimeoutMs ?? 60_000,
      maxBodyBytes: opts.maxBodyBytes ?? 20 * 1024 * 1024,
      retryDelaysMs: opts.retryDelaysMs ?? [300, 1500],
      modeBaseUrls: Object.fromEntries(Object.entries(opts.modeBaseUrls ?? {}).map(([k, v]) => [k, normaliseBase(v)])),
    };
    this.health = opts.health ?? new ProxyHealth();
    this.#notifyHook = opts.notifyHook;
    this.#scrub = opts.scrub ?? createScrubber([opts.apiKey, opts.apiKey.replace(/^bearer\s+/i, ''), opts.notifyHook, opts.notifyHook?.split('/').pop()]);
    this.#ownsDispatcher = !opts.dispatcher;
    this.#dispatcher = opts.dispatcher ?? new Agent({ keepAliveTimeout: 10_000, connections: 32 });
  }

  /** The backend's host, for log lines about it (never its path or query, which may carry a key). */
  get host(): string {
    return hostOf(this.#opts.baseUrl);
  }

  /** How the key is sent (a refused key is often the wrong style). */
  get authStyle(): AuthStyle {
    return this.#opts.authStyle;
  }

  /** Modes the operator configured (for the `mode` command option). */
  get modes(): string[] {
    return Object.keys(this.#opts.modeBaseUrls);
  }

  async close(): Promise<void> {
    if (this.#ownsDispatcher) await this.#dispatcher.close();
  }

  // --- submit endpoints -------------------------------------------------------------------

  submitImagine(body: ImagineRequest, o?: CallOptions): Promise<SubmitOutcome> {
    return this.#submit(routes.imagine(), body, o);
  }
  submitAction(body: ActionRequest, o?: CallOptions): Promise<SubmitOutcome> {
    return this.#submit(routes.action(), body, o);
  }
  submitModal(body: ModalRequest, o?: CallOptions): Promise<SubmitOutcome> {
    return this.#submit(routes.modal(), body, o);
  }
  submitBlend(body: BlendRequest, o?: CallOptions): Promise<SubmitOutcome> {
    return this.#submit(routes.blend(), body, o);
  }
  submitDescribe(body: DescribeRequest, o?: CallOptions): Promise<SubmitOutcome> {
    return this.#submit(routes.describe(), body, o);
  }
  submitShorten(body: ShortenRequest, o?: CallOptions): Promise<SubmitOutcome> {
    return this.#submit(routes.shorten(), body, o);
  }
  submitVideo(body: VideoRequest, o?: CallOptions): Promise<SubmitOutcome> {
    return this.#submit(routes.video(), body, o);
  }
  submitEdits(body: EditsRequest, o?: CallOptions): Promise<SubmitOutcome> {
    return this.#submit(routes.edits(), body, o);
  }
  /** trueai's RETEXTURE: the edits body on its own route. */
  submitRetexture(body: EditsRequest, o?: CallOptions): Promise<SubmitOutcome> {
    return this.#submit(routes.retexture(), body, o);
  }
  submitSwapFace(body: SwapFaceRequest, o?: CallOptions): Promise<SubmitOutcome> {
    return this.#submit(routes.swapFace(), body, o);
  }
  /** novicezk's U/V/R (relays accept it too); plus-era backends prefer submitAction. */
  submitChange(body: ChangeRequest, o?: CallOptions): Promise<SubmitOutcome> {
    return this.#submit(routes.change(), body, o);
  }
  submitSimpleChange(body: SimpleChangeRequest, o?: CallOptions): Promise<SubmitOutcome> {
    return this.#submit(routes.simpleChange(), body, o);
  }

  /** Uploads images to the account's Discord channel; the answer's `result` is the list of their URLs. */
  async uploadDiscordImages(body: UploadImagesRequest, o?: CallOptions): Promise<string[]> {
    const route = routes.uploadDiscordImages();
    const res = await this.#send('POST', route, body, o);
    const sr = this.#result(route, res);
    const raw = (JSON.parse(res.text) as { result?: unknown }).result;
    const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : [];
    const urls = list.filter((u): u is string => typeof u === 'string').map((u) => this.#scrub(u.trim())).filter(Boolean);
    if (urls.length === 0) throw new ProxyError('MALFORMED', { route, status: res.status, proxyCode: sr.code });
    return urls;
  }

  // --- task endpoints ---------------------------------------------------------------------

  /** The task, or null when the proxy does not know it (empty 200, 204, 404, `null`, new-api's 400 task_no_found). */
  async fetchTask(id: string, o?: CallOptions): Promise<Task | null> {
    const route = routes.fetch(id);
    const res = await this.#send('GET', route, undefined, o);
    if (res.status === 204 || res.status === 404) return null;
    if (res.status === 200 && res.text.trim() === '') return null;
    const json = this.#json(route, res);
    if (res.status >= 400) {
      const sr = parseSubmitResult(json, this.#scrub);
      if (sr && codeFromProxy(sr.code, sr.description) === 'NOT_FOUND') return null;
      throw this.#httpError(route, res, json);
    }
    // A serialised null: an ASP.NET or Go backend without a 204 filter.
    if (json === null) return null;
    const task = parseTask(json, this.#scrub);
    if (!task) {
      // A SubmitResultVO in place of a task: an error in the proxy's words.
      const sr = parseSubmitResult(json, this.#scrub);
      if (sr && sr.code !== 1) {
        const err = this.#proxyError(route, res, sr);
        if (err.code === 'NOT_FOUND') return null;
        throw err;
      }
      throw new ProxyError('MALFORMED', { route, status: res.status });
    }
    return task;
  }

  /** Many tasks in one call; unknown ids are omitted. Throws UNSUPPORTED when the backend has no such endpoint. */
  async listTasks(ids: string[], o?: CallOptions): Promise<Task[]> {
    const route = routes.listByCondition();
    if (ids.length === 0) return [];
    const res = await this.#send('POST', route, { ids }, o);
    if (res.status === 404 || res.status === 405) throw new ProxyError('UNSUPPORTED', { route, status: res.status });
    const json = this.#json(route, res);
    if (res.status >= 400) throw this.#httpError(route, res, json);
    if (json === null) return [];
    const list = parseTaskList(json, this.#scrub);
    if (!list) {
      // An error answered with 200 (`{"code":4,"description":"ids数量不能超过20"}`, an auth filter's Result JSON).
      const sr = parseSubmitResult(json, this.#scrub);
      if (sr && sr.code !== 1) throw this.#proxyError(route, res, sr);
      throw new ProxyError('MALFORMED', { route, status: res.status });
    }
    return list;
  }

  /**
   * The backend's newest tasks (GET /mj/task/list). Throws UNSUPPORTED where there is no such list
   * (new-api relays and their kin, api.md 2026 update), and remembers that.
   */
  async listRecentTasks(o?: CallOptions): Promise<Task[]> {
    const route = routes.list();
    const res = await this.#send('GET', route, undefined, o);
    if (res.status === 404 || res.status === 405) {
      this.#canList = false;
      throw new ProxyError('UNSUPPORTED', { route, status: res.status });
    }
    const json = this.#json(route, res);
    if (res.status >= 400) throw this.#httpError(route, res, json);
    const list = parseTaskList(json, this.#scrub);
    if (!list) throw new ProxyError('MALFORMED', { route, status: res.status });
    this.#canList = true;
    return list;
  }

  /** False once the backend showed it cannot list its tasks, so cannot find a job by its `state`. */
  get canFindByState(): boolean {
    return this.#canList !== false;
  }

  /** The newest task submitted with exactly this `state`, or null; UNSUPPORTED where the backend cannot tell. */
  async findTaskByState(state: string, o?: CallOptions): Promise<Task | null> {
    if (!state) return null;
    const matches = (await this.listRecentTasks(o)).filter((t) => t.state === state);
    return matches.sort((a, b) => (b.submitTime ?? 0) - (a.submitTime ?? 0))[0] ?? null;
  }

  /** The image seed of a finished task. */
  async fetchImageSeed(id: string, o?: CallOptions): Promise<string> {
    const route = routes.imageSeed(id);
    const res = await this.#send('GET', route, undefined, { timeoutMs: Math.max(this.#opts.timeoutMs, 60_000), ...o });
    if (res.status === 404 && res.text.trim() === '') throw new ProxyError('UNSUPPORTED', { route, status: 404 });
    if (res.status < 300) {
      // Some relays document (and may answer) the task object here instead of a SubmitResultVO:
      // trueai serialises the seed as a top-level `seed`.
      const json = this.#json(route, res);
      if (parseSubmitResult(json, this.#scrub) === null) {
        const seed = seedOf(json);
        if (seed) return seed;
        throw new ProxyError('MALFORMED', { route, status: res.status });
      }
    }
    const sr = this.#result(route, res);
    if (!sr.result) throw new ProxyError('MALFORMED', { route, status: res.status });
    return sr.result;
  }

  /**
   * Cancels a task. trueai answers `200 OK` with an empty body (also for an id it does not know);
   * a SubmitResultVO with an error code, or an HTTP error, is an error.
   */
  async cancelTask(id: string, o?: CallOptions): Promise<void> {
    const route = routes.cancel(id);
    const res = await this.#send('POST', route, {}, o);
    if (res.status === 404 && res.text.trim() === '') throw new ProxyError('UNSUPPORTED', { route, status: 404 });
    if (res.status >= 200 && res.status < 300) {
      if (res.text.trim() === '') return;
      const json = this.#json(route, res);
      const sr = parseSubmitResult(json, this.#scrub);
      if (sr === null) return; // `{"success":true}`, or the cancelled task itself
      if (sr.code === 1 || sr.code === 21 || sr.code === 22) return;
      throw this.#proxyError(route, res, sr);
    }
    this.#result(route, res);
  }

  // --- plumbing ---------------------------------------------------------------------------

  async #submit(route: string, body: object, o?: CallOptions): Promise<SubmitOutcome> {
    if (this.#notifyHook && !(body as { notifyHook?: string }).notifyHook) body = { ...body, notifyHook: this.#notifyHook };
    const sent = { written: false };
    let res: RawResponse;
    try {
      res = await this.#send('POST', route, body, { timeoutMs: this.#opts.submitTimeoutMs, ...o }, sent);
    } catch (err) {
      // Sent, then no answer in time (or the connection dropped): the proxy may have taken the job.
      if (sent.written && err instanceof ProxyError && (err.code === 'TIMEOUT' || err.code === 'UNAVAILABLE')) return this.#recover(route, body, o, err);
      throw err;
    }
    // A gateway that gave up waiting for the proxy behind it: the proxy may have taken the job too.
    if (res.status === 504) return this.#recover(route, body, o, new ProxyError('HTTP_5XX', { route, status: 504 }));
    const sr = this.#result(route, res);
    const outcome = submitOutcome(sr);
    if (!outcome) throw new ProxyError('MALFORMED', { route, status: res.status, proxyCode: sr.code, description: sr.description });
    return outcome;
  }

  /**
   * A submit that may have been taken: never sent again (that could run, and cost, twice). A modal
   * submit names its task, which is followed (it shows whether it runs or still waits for input);
   * any other job is looked for by the unique `state` it was sent with, where the backend can list
   * its tasks. Otherwise POSSIBLY_TAKEN, saying whether a search was possible.
   */
  async #recover(route: string, body: object, o: CallOptions | undefined, cause: ProxyError): Promise<SubmitOutcome> {
    const { taskId, state } = body as { taskId?: unknown; state?: unknown };
    if (route === routes.modal() && typeof taskId === 'string' && taskId) return followedOutcome(taskId, 'accepted', null);
    let searched = false;
    if (typeof state === 'string' && state) {
      for (const delay of [0, ...this.#opts.retryDelaysMs]) {
        if (!this.canFindByState) break;
        if (delay) await sleep(delay);
        try {
          const task = await this.findTaskByState(state, { mode: o?.mode });
          searched = true;
          if (task) return followedOutcome(task.id, task.status === 'MODAL' ? 'modal' : 'accepted', task.properties.finalPrompt ?? null);
        } catch (err) {
          if (!(err instanceof ProxyError)) throw err;
        }
      }
    }
    throw new ProxyError('POSSIBLY_TAKEN', { route, status: cause.context.status, searchable: searched || (this.canFindByState && typeof state === 'string' && !!state) }, { cause: { name: cause.name, code: cause.code } });
  }

  /** A SubmitResultVO with a success code, or the matching ProxyError. */
  #result(route: string, res: RawResponse): SubmitResult {
    if (res.status === 404 && res.text.trim() === '') throw new ProxyError('UNSUPPORTED', { route, status: 404 });
    const json = this.#json(route, res);
    if (res.status >= 400) throw this.#httpError(route, res, json);
    const sr = parseSubmitResult(json, this.#scrub);
    if (!sr) throw new ProxyError('MALFORMED', { route, status: res.status });
    if (sr.code === 1 || sr.code === 21 || sr.code === 22) return sr;
    throw this.#proxyError(route, res, sr);
  }

  /** The proxy's own error code, in our words. */
  #proxyError(route: string, res: RawResponse, sr: SubmitResult): ProxyError {
    // Both already scrubbed: parseSubmitResult is the boundary.
    const bannedWord = typeof sr.properties.bannedWord === 'string' ? sr.properties.bannedWord : undefined;
    const description = sr.description;
    return new ProxyError(codeFromProxy(sr.code, description), {
      route,
      status: res.status,
      proxyCode: sr.code,
      description,
      bannedWord,
    });
  }

  #json(route: string, res: RawResponse): unknown {
    if (res.text.trim() === '') {
      if (res.status >= 400) throw this.#httpError(route, res, undefined);
      throw new ProxyError('MALFORMED', { route, status: res.status });
    }
    try {
      return JSON.parse(res.text);
    } catch {
      if (res.status >= 400) throw this.#httpError(route, res, undefined);
      throw new ProxyError('MALFORMED', { route, status: res.status });
    }
  }

  #httpError(route: string, res: RawResponse, json: unknown): ProxyError {
    // trueai's auth filters answer 401/403 with a JSON Result {"code":-1,"message":"请重新登录"} (api.md §1.4):
    // the status decides, whatever the body's code says.
    if (res.status === 401 || res.status === 403) return new ProxyError('UNAUTHORIZED', { route, status: res.status });
    const sr = parseSubmitResult(json, this.#scrub);
    if (sr && sr.code !== 1 && sr.code !== 21 && sr.code !== 22) return this.#proxyError(route, res, sr);
    let code: ProxyErrorCode;
    if (res.status === 429) code = 'RATE_LIMITED';
    else if (res.status >= 500) code = 'HTTP_5XX';
    else if (res.status === 404) code = 'UNSUPPORTED';
    else if (res.status === 402) code = 'QUOTA'; // vendors' "payment required": the balance is used up
    else if (res.status === 413) code = 'VALIDATION'; // a gateway's body-size limit (large images)
    else code = 'FAILURE';
    // A short plain-text answer is the backend's own words (trueai `BadRequest("演示模式，禁止操作")`);
    // an HTML page (nginx, Cloudflare) is not.
    const text = res.text.trim();
    const description =
      res.status === 413 ? 'request too large' : json === undefined && text && text.length <= 300 && !/^</.test(text) ? this.#scrub(text) : undefined;
    return new ProxyError(code, { route, status: res.status, ...(description ? { description } : {}) });
  }

  #base(mode: string | undefined): string {
    if (mode && this.#opts.modeBaseUrls[mode]) return this.#opts.modeBaseUrls[mode];
    return this.#opts.baseUrl;
  }

  #headers(hasBody: boolean): Record<string, string> {
    const h: Record<string, string> = { accept: 'application/json' };
    if (hasBody) h['content-type'] = 'application/json';
    const key = this.#opts.apiKey;
    if (key) {
      // An operator who pasted "Bearer sk-…" as the key must not send "Bearer Bearer sk-…".
      if (this.#opts.authStyle === 'bearer') h.authorization = /^bearer\s+/i.test(key) ? `Bearer ${key.replace(/^bearer\s+/i, '')}` : `Bearer ${key}`;
      else if (this.#opts.authStyle === 'raw') h.authorization = key;
      else h['mj-api-secret'] = key;
    }
    return h;
  }

  /**
   * Sends with retries: a read (GET, list) retries on transient failures; a submit only when the
   * proxy surely did not take the job (connection refused, queue full, 429), never after a reset
   * or a timeout, which may have reached it.
   */
  async #send(method: 'GET' | 'POST', route: string, body: object | undefined, o?: CallOptions, sent?: { written: boolean }): Promise<RawResponse> {
    const read = method === 'GET' || route === routes.listByCondition();
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await this.#sendOnce(method, route, body, o, sent);
        if (res.status >= 500 || res.status === 401 || res.status === 403) this.health.fail();
        else this.health.ok();
        const retryStatus = res.status >= 500 || res.status === 429 ? (read ? true : res.status === 429) : false;
        const queueFull = !read && res.status < 500 && /"code"\s*:\s*(23|30)\b|队列已满/.test(res.text.slice(0, 500));
        const delay = this.#opts.retryDelaysMs[attempt];
        if ((retryStatus || queueFull) && delay !== undefined) {
          await sleep(delay);
          continue;
        }
        return res;
      } catch (err) {
        if (err instanceof ProxyError && (err.code === 'UNAVAILABLE' || err.code === 'TIMEOUT')) this.health.fail();
        const refused = (err as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED';
        const delay = this.#opts.retryDelaysMs[attempt];
        const retry = err instanceof ProxyError && (read ? err.code === 'UNAVAILABLE' || err.code === 'TIMEOUT' : refused);
        if (!retry || delay === undefined) throw err;
        await sleep(delay);
      }
    }
  }

  async #sendOnce(method: 'GET' | 'POST', route: string, body: object | undefined, o?: CallOptions, sent?: { written: boolean }): Promise<RawResponse> {
    const url = joinUrl(this.#base(o?.mode), route);
    const timeoutMs = o?.timeoutMs ?? this.#opts.timeoutMs;
    const signal = AbortSignal.timeout(timeoutMs);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    try {
      const res = await request(url, {
        method,
        headers: { ...this.#headers(body !== undefined), ...(payload && sent ? { 'content-length': String(payload.length) } : {}) },
        body: payload && sent ? Readable.from(announcing(payload, sent), { objectMode: false }) : payload,
        dispatcher: this.#dispatcher,
        signal,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      let size = 0;
      const chunks: Buffer[] = [];
      for await (const chunk of res.body) {
        size += chunk.length;
        if (size > this.#opts.maxBodyBytes) {
          discard(res.body);
          throw new ProxyError('MALFORMED', { route, status: res.statusCode, description: 'response too large' });
        }
        chunks.push(chunk as Buffer);
      }
      return { status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') };
    } catch (err) {
      if (err instanceof ProxyError) throw err;
      const detail = this.#scrub(transportDetail(err));
      throw new ProxyError(isTimeout(err, signal) ? 'TIMEOUT' : 'UNAVAILABLE', { route, host: hostOf(url), ...(detail ? { detail } : {}) }, { cause: scrub(err) });
    }
  }
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
  const path = m[2].replace(/\/+$/, '').replace(/\/mj$/i, '').replace(/\/+$/, '');
  return m[1] + path + (query === '?' ? '' : query);
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
}

/** base + route, with a query string of the base (`?channel=…`) kept after the path. */
export function joinUrl(base: string, route: string): string {
  const q = base.indexOf('?');
  return q === -1 ? base + route : base.slice(0, q) + route + base.slice(q);
}

/** A seed out of a task object (top-level `seed`, or in `properties`), when a relay answers image-seed with one. */
function seedOf(json: unknown): string | null {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return null;
  const o = json as Record<string, unknown>;
  const props = typeof o.properties === 'object' && o.properties !== null ? (o.properties as Record<string, unknown>) : {};
  for (const v of [o.seed, props.seed]) {
    if (typeof v === 'string' && /^\d{1,20}$/.test(v.trim())) return v.trim();
    if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v);
  }
  return null;
}

/**
 * The body as a one-chunk stream that notes when undici reads it: undici reads a body only once
 * the connection is up and the headers are written, so from then on the proxy may have the request.
 */
async function* announcing(payload: Buffer, sent: { written: boolean }): AsyncGenerator<Buffer> {
  sent.written = true;
  yield payload;
}

/** The outcome of a submit whose answer was lost but whose task is known. */
function followedOutcome(taskId: string, kind: 'accepted' | 'modal', finalPrompt: string | null): SubmitOutcome {
  const raw: SubmitResult = { code: kind === 'modal' ? 21 : 1, description: '', result: taskId, properties: {} };
  return kind === 'modal' ? { kind, taskId, taskIds: [taskId], finalPrompt, raw } : { kind, taskId, taskIds: [taskId], raw };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function isTimeout(err: unknown, signal: AbortSignal): boolean {
  if (signal.aborted) return true;
  const code = (err as { code?: string } | null)?.code ?? '';
  const name = (err as { name?: string } | null)?.name ?? '';
  return /TIMEOUT/i.test(code) || name === 'TimeoutError' || name === 'AbortError';
}

/**
 * What went wrong on the wire, from the error's structured fields (never its request options):
 * `ECONNREFUSED connect 127.0.0.1:9`, `ENOTFOUND getaddrinfo relay.example`, undici's own fixed
 * messages (`UND_ERR_SOCKET other side closed`). Happy-eyeballs failures nest one error per address.
 */
function transportDetail(err: unknown): string {
  const e = err as { code?: unknown; syscall?: unknown; hostname?: unknown; address?: unknown; port?: unknown; message?: unknown; errors?: unknown; cause?: unknown } | null;
  if (!e || typeof e !== 'object') return '';
  const str = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');
  const code = str(e.code);
  const where = str(e.hostname) || (str(e.address) && (str(e.port) ? `${str(e.address)}:${str(e.port)}` : str(e.address)));
  const undiciMessage = code.startsWith('UND_ERR_') ? str(e.message).slice(0, 100) : '';
  const own = [code, str(e.syscall), where, undiciMessage].filter(Boolean).join(' ');
  const nested = Array.isArray(e.errors) && e.errors.length ? transportDetail(e.errors[0]) : e.cause ? transportDetail(e.cause) : '';
  return own && nested && !nested.startsWith(code) ? `${own}; ${nested}` : own || nested;
}

/** Keep only the error's name and code as the cause: undici errors may carry request options. */
function scrub(err: unknown): { name: string; code?: string } {
  const e = err as { name?: string; code?: string } | null;
  return { name: e?.name ?? 'Error', code: e?.code };
}

