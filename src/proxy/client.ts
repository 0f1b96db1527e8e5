// The midjourney-proxy HTTP client: one method per endpoint, mirroring the wire (api.md §1).
// Every call has a timeout, every body is consumed, and both the HTTP status and the proxy's
// `code` are checked. Failures become ProxyError; nothing here ever reports a header.
import { Agent, type Dispatcher } from 'undici';
import { ProxyError, codeFromProxy, isAccepted } from './errors.ts';
import { ProxyHealth } from './health.ts';
import { parseSubmitResult, parseTask, parseTaskList, submitOutcome } from './parse.ts';
import { recoverSubmit } from './recover.ts';
import { httpError, jsonOf, proxyError, submitResultOf, type RawResponse } from './response.ts';
import { hostOf, normaliseBase, routes } from './routes.ts';
import { Transport, type AuthStyle, type CallOptions, type ProxyRequestEvent, type SentFlag } from './transport.ts';
import { createScrubber } from '../secrets.ts';
import type { Scrub } from '../secrets.ts';
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

export { joinUrl, normaliseBase, routes } from './routes.ts';
export type { AuthStyle, CallOptions, ProxyRequestEvent } from './transport.ts';

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
  /** Told of every request sent (the metrics). */
  observe?: (e: ProxyRequestEvent) => void;
}

export class ProxyClient {
  readonly #baseUrl: string;
  readonly #modes: string[];
  readonly #timeoutMs: number;
  readonly #submitTimeoutMs: number;
  readonly #retryDelaysMs: number[];
  readonly #authStyle: AuthStyle;
  readonly #notifyHook: string | undefined;
  readonly #scrub: (s: string) => string;
  readonly #transport: Transport;
  /** The backend's health, fed by every request. */
  readonly health: ProxyHealth;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  /** Whether the backend has GET /mj/task/list (to find a job by the `state` it was sent with); null until asked. */
  #canList: boolean | null = null;
  /** Aborted by interrupt(): the bot is stopping. */
  readonly #stop = new AbortController();

  constructor(opts: ProxyClientOptions) {
    this.#baseUrl = normaliseBase(opts.baseUrl);
    const modeBaseUrls = Object.fromEntries(Object.entries(opts.modeBaseUrls ?? {}).map(([k, v]) => [k, normaliseBase(v)]));
    this.#modes = Object.keys(modeBaseUrls);
    this.#timeoutMs = opts.timeoutMs;
    this.#submitTimeoutMs = opts.submitTimeoutMs ?? 60_000;
    this.#retryDelaysMs = opts.retryDelaysMs ?? [300, 1500];
    this.#authStyle = opts.authStyle;
    this.health = opts.health ?? new ProxyHealth();
    this.#notifyHook = opts.notifyHook;
    this.#scrub = opts.scrub ?? createScrubber([opts.apiKey, opts.apiKey.replace(/^bearer\s+/i, ''), opts.notifyHook, opts.notifyHook?.split('/').pop()]);
    this.#ownsDispatcher = !opts.dispatcher;
    this.#dispatcher = opts.dispatcher ?? new Agent({ keepAliveTimeout: 10_000, connections: 32 });
    this.#transport = new Transport({
      baseUrl: this.#baseUrl,
      modeBaseUrls,
      apiKey: opts.apiKey,
      authStyle: opts.authStyle,
      timeoutMs: opts.timeoutMs,
      maxBodyBytes: opts.maxBodyBytes ?? 20 * 1024 * 1024,
      retryDelaysMs: this.#retryDelaysMs,
      health: this.health,
      dispatcher: this.#dispatcher,
      scrub: this.#scrub,
      observe: opts.observe,
      stop: this.#stop.signal,
    });
  }

  /** The backend's host, for log lines about it (never its path or query, which may carry a key). */
  get host(): string {
    return hostOf(this.#baseUrl);
  }

  /** How the key is sent (a refused key is often the wrong style). */
  get authStyle(): AuthStyle {
    return this.#authStyle;
  }

  /** Modes the operator configured (for the `mode` command option). */
  get modes(): string[] {
    return this.#modes;
  }

  /**
   * The bot is stopping: calls in flight are cut off and later ones are not made (INTERRUPTED); a
   * submit already sent becomes POSSIBLY_TAKEN (interrupted), never "failed".
   */
  interrupt(): void {
    this.#stop.abort();
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
    return this.#located(o, {}, async () => {
      const route = routes.uploadDiscordImages();
      const res = await this.#send('POST', route, body, o);
      const sr = this.#result(route, res);
      const raw = (JSON.parse(res.text) as { result?: unknown }).result;
      const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : [];
      const urls = list.filter((u): u is string => typeof u === 'string').map((u) => this.#scrub(u.trim())).filter(Boolean);
      if (urls.length === 0) throw new ProxyError('MALFORMED', { route, status: res.status, proxyCode: sr.code });
      return urls;
    });
  }

  // --- task endpoints ---------------------------------------------------------------------

  /** The task, or null when the proxy does not know it (empty 200, 204, 404, `null`, new-api's 400 task_no_found). */
  async fetchTask(id: string, o?: CallOptions): Promise<Task | null> {
    return this.#located(o, { taskId: id }, async () => {
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
    });
  }

  /** Many tasks in one call; unknown ids are omitted. Throws UNSUPPORTED when the backend has no such endpoint. */
  async listTasks(ids: string[], o?: CallOptions): Promise<Task[]> {
    return this.#located(o, { taskIds: ids }, async () => {
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
    });
  }

  /**
   * The backend's newest tasks (GET /mj/task/list). Throws UNSUPPORTED where there is no such list
   * (new-api relays and their kin, api.md 2026 update), and remembers that.
   */
  async listRecentTasks(o?: CallOptions): Promise<Task[]> {
    return this.#located(o, {}, async () => {
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
    });
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
    return this.#located(o, { taskId: id }, async () => {
      const route = routes.imageSeed(id);
      const res = await this.#send('GET', route, undefined, { timeoutMs: Math.max(this.#timeoutMs, 60_000), ...o });
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
    });
  }

  /**
   * Cancels a task. trueai answers `200 OK` with an empty body (also for an id it does not know);
   * a SubmitResultVO with an error code, or an HTTP error, is an error.
   */
  async cancelTask(id: string, o?: CallOptions): Promise<void> {
    return this.#located(o, { taskId: id }, async () => {
      const route = routes.cancel(id);
      const res = await this.#send('POST', route, {}, o);
      // new-api relays do not pass the route on: their dashboard's NoRoute answers 200 with its HTML page.
      if ((res.status === 404 && res.text.trim() === '') || (res.status < 300 && /^\s*</.test(res.text))) throw new ProxyError('UNSUPPORTED', { route, status: res.status });
      if (res.status >= 200 && res.status < 300) {
        if (res.text.trim() === '') return;
        const json = this.#json(route, res);
        const sr = parseSubmitResult(json, this.#scrub);
        if (sr === null) return; // `{"success":true}`, or the cancelled task itself
        if (isAccepted(sr.code)) return;
        throw this.#proxyError(route, res, sr);
      }
      this.#result(route, res);
    });
  }

  // --- plumbing ---------------------------------------------------------------------------

  #submit(route: string, body: object, o?: CallOptions): Promise<SubmitOutcome> {
    const { taskId } = body as { taskId?: unknown };
    return this.#located(o, typeof taskId === 'string' && taskId ? { taskId } : {}, () => this.#submitOnce(route, body, o));
  }

  async #submitOnce(route: string, body: object, o?: CallOptions): Promise<SubmitOutcome> {
    if (this.#notifyHook && !(body as { notifyHook?: string }).notifyHook) body = { ...body, notifyHook: this.#notifyHook };
    const sent: SentFlag = { written: false };
    let res: RawResponse;
    try {
      res = await this.#send('POST', route, body, { timeoutMs: this.#submitTimeoutMs, ...o }, sent);
    } catch (err) {
      // Sent, and the bot stops before the answer: the job may run, and nobody looks for it now.
      if (sent.written && err instanceof ProxyError && err.code === 'INTERRUPTED') throw new ProxyError('POSSIBLY_TAKEN', { route, interrupted: true, searchable: false }, { cause: { name: err.name, code: err.code } });
      // Sent, then no answer in time (or the connection dropped): the proxy may have taken the job.
      if (sent.written && err instanceof ProxyError && (err.code === 'TIMEOUT' || err.code === 'UNAVAILABLE')) return this.#recover(route, body, o, err);
      if (err instanceof ProxyError && !sent.written) err.context.unsent = true;
      throw err;
    }
    // A gateway that gave up waiting for the proxy behind it: the proxy may have taken the job too.
    if (res.status === 504) return this.#recover(route, body, o, new ProxyError('HTTP_5XX', { route, status: 504 }));
    const sr = this.#result(route, res);
    const outcome = submitOutcome(sr);
    if (!outcome) throw new ProxyError('MALFORMED', { route, status: res.status, proxyCode: sr.code, description: sr.description });
    return outcome;
  }

  /** Runs a call; its ProxyError says which backend host it went to and which jobs it was about. */
  async #located<T>(o: CallOptions | undefined, jobs: { taskId?: string; taskIds?: string[] }, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (err instanceof ProxyError) err.locate({ host: hostOf(this.#transport.baseOf(o?.mode)), ...jobs });
      throw err;
    }
  }

  #send(method: 'GET' | 'POST', route: string, body: object | undefined, o?: CallOptions, sent?: SentFlag): Promise<RawResponse> {
    return this.#transport.send(method, route, body, o, sent);
  }

  #recover(route: string, body: object, o: CallOptions | undefined, cause: ProxyError): Promise<SubmitOutcome> {
    return recoverSubmit(this, route, body, o, cause, this.#retryDelaysMs);
  }

  #result(route: string, res: RawResponse): SubmitResult {
    return submitResultOf(route, res, this.#scrub);
  }

  #proxyError(route: string, res: RawResponse, sr: SubmitResult): ProxyError {
    return proxyError(route, res, sr);
  }

  #json(route: string, res: RawResponse): unknown {
    return jsonOf(route, res, this.#scrub);
  }

  #httpError(route: string, res: RawResponse, json: unknown): ProxyError {
    return httpError(route, res, json, this.#scrub);
  }
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
