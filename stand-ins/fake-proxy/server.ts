// The fake midjourney-proxy HTTP server (node:http only, no test framework: a playground runs it too).
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import {
  DISCORD_CHANNEL_ID,
  DISCORD_INSTANCE_ID,
  describePrompts,
  newJobHash,
  newTaskId,
  seedFor,
  shortenResult,
} from './content.ts';
import { MP4_STUB, WEBP_1X1, colorFor, encodePng, extensionForMime, isHttpUrl, parseImageDataUrl } from './media.ts';
import { gridPng, singlePng } from './placeholder.ts';
import { TERMINAL_STATUSES, applyStep, buildSteps, failReasonOf, newTaskJson, submitInfo } from './tasks.ts';
import type { NewTaskInit, TaskContext } from './tasks.ts';
import type {
  AddTaskInit,
  AdvanceMode,
  AuthStyle,
  FakeProxy,
  FakeProxyOptions,
  FakeTask,
  ModalKind,
  NotificationRecord,
  Quirks,
  RecordedProxyRequest,
  ResultKind,
  TaskJson,
  TimelineSpec,
} from './types.ts';

export const DEFAULT_QUIRKS: Readonly<Quirks> = Object.freeze({
  slowMs: 0,
  slowSubmitMs: 0,
  status5xx: null,
  resetConnection: false,
  malformedJson: false,
  emptyBody: false,
  unauthorized: false,
  bannedPrompt: false,
  queueFull: false,
  queueFullTrueai: false,
  relayRewrite21: false,
  relayRewrite22: false,
  emptyStatusFirst: false,
  numericIds: false,
  unknownTaskStyle: '204',
  noListByCondition: false,
  noTaskList: false,
  noImageSeed: false,
  listMax: null,
  remix: false,
  rejectActions: [] as string[],
  nullProperties: false,
  zeroTimes: false,
  imageStatus: null,
  readFault: null,
  holdMedia: false,
});

export const MAX_BODY_BYTES = 50 * 1024 * 1024;

/** Path speed modes (api.md §5): trueai's /mj-fast etc., vendors' /fast etc. */
const MODE_SEGMENTS: Record<string, string> = {
  'mj-fast': 'FAST',
  'mj-relax': 'RELAX',
  'mj-turbo': 'TURBO',
  fast: 'FAST',
  relax: 'RELAX',
  turbo: 'TURBO',
};
const API_PATH = /^\/(?:([a-z-]+)\/)?mj(\/.*)?$/;

/** Keys serialised as JSON numbers under quirks.numericIds. */
const SUBMIT_NUMERIC_KEYS = ['result', 'discordInstanceId', 'discordChannelId'];
const TASK_NUMERIC_KEYS = ['id', 'discordInstanceId', 'discordChannelId', 'messageId', 'progressMessageId'];

interface SubmitResult {
  code: number;
  description: string;
  result?: unknown;
  properties?: Record<string, unknown> | null;
}

interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** Reset the connection instead of answering. */
  destroy?: boolean;
}

interface Ctx {
  method: string;
  /** Route without the mode prefix: '/mj/submit/imagine'. */
  route: string;
  mode: string | null;
  body: any;
}

/** How an action customId behaves (api.md §3). */
interface ActionPlan {
  action: string;
  kind: ResultKind | 'bookmark' | 'imagine-all';
  /** Always answers code 21. */
  modal?: ModalKind;
  /** Answers code 21 with quirks.remix or enableRemix. */
  remixable?: boolean;
  index?: number;
  /** For new-api's rewrite: Inpaint and CustomZoom keep code 21. */
  keep21?: boolean;
}

function planAction(customId: string, parent: FakeTask): ActionPlan | null {
  let m: RegExpExecArray | null;
  if ((m = /^MJ::JOB::upsample::(\d+)::/.exec(customId))) return { action: 'UPSCALE', kind: 'upscale', index: Number(m[1]) };
  if (/^MJ::JOB::upsample_/.test(customId)) return { action: 'UPSCALE_HD', kind: 'upscale_hd' };
  if ((m = /^MJ::JOB::variation::(\d+)::/.exec(customId)))
    return { action: 'VARIATION', kind: 'grid', remixable: true, index: Number(m[1]) };
  if (/^MJ::JOB::(low|high)_variation::/.test(customId)) return { action: 'VARIATION', kind: 'grid', remixable: true };
  if (/^MJ::JOB::reroll::/.test(customId)) return { action: 'REROLL', kind: 'grid', remixable: true };
  if (/^MJ::JOB::pan_(left|right|up|down)::/.test(customId)) return { action: 'PAN', kind: 'grid', remixable: true };
  if (/^MJ::Outpaint::/.test(customId)) return { action: 'ZOOM', kind: 'grid' };
  if (/^MJ::CustomZoom::/.test(customId)) return { action: 'ZOOM', kind: 'grid', modal: 'CustomZoom', keep21: true };
  if (/^MJ::Inpaint::/.test(customId)) return { action: 'VARIATION', kind: 'grid', modal: 'Inpaint', keep21: true };
  if (/^MJ::JOB::animate_(high|low)_extend::/.test(customId)) return { action: 'VIDEO', kind: 'video' };
  if (/^MJ::JOB::animate_(high|low)::/.test(customId)) return { action: 'VIDEO', kind: 'video', remixable: true };
  if (/^MJ::JOB::video_virtual_upscale::/.test(customId)) return { action: 'UPSCALE', kind: 'video' };
  if (/^MJ::BOOKMARK::/.test(customId)) return { action: parent.json.action, kind: 'bookmark' };
  if (customId === 'MJ::Job::PicReader::all') return { action: 'IMAGINE', kind: 'imagine-all' };
  if ((m = /^MJ::Job::PicReader::(\d+)$/.exec(customId)))
    return { action: 'IMAGINE', kind: 'grid', modal: 'PicReader', index: Number(m[1]) };
  if (customId === 'MJ::Picread::Retry') return { action: 'DESCRIBE', kind: 'describe' };
  if ((m = /^MJ::Job::PromptAnalyzer::(\d+)$/.exec(customId)))
    return { action: 'IMAGINE', kind: 'grid', modal: 'PromptAnalyzer', index: Number(m[1]) };
  if (/^MJ::Job::PromptAnalyzerExtended/.test(customId)) return { action: 'SHORTEN', kind: 'shorten_details' };
  return null;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

function normaliseBotType(v: unknown): string {
  const s = str(v);
  if (s.toLowerCase() === 'mj') return 'MID_JOURNEY';
  if (s.toLowerCase() === 'niji') return 'NIJI_JOURNEY';
  return s;
}

const fail = (code: number, description: string, properties: Record<string, unknown> = {}): SubmitResult => ({
  code,
  description,
  result: null,
  properties,
});

function serialise(value: unknown, numericKeys: string[] | null): string {
  let s = JSON.stringify(value);
  if (numericKeys && numericKeys.length) {
    // JSON numbers written with all their digits, as a Java/Go relay would: a JS client parsing
    // them loses precision on the 19-digit snowflakes, which is the point of the quirk.
    const re = new RegExp(`"(${numericKeys.join('|')})":"(\\d+)"`, 'g');
    s = s.replace(re, '"$1":$2');
  }
  return s;
}

const jsonReply = (status: number, value: unknown, numericKeys: string[] | null = null): Reply => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: serialise(value, numericKeys),
});

const springError = (status: number, error: string, path: string): Reply =>
  jsonReply(status, { timestamp: new Date().toISOString(), status, error, path });

const htmlError = (status: number): Reply => {
  const text = `${status} ${http.STATUS_CODES[status] ?? 'Error'}`;
  return {
    status,
    headers: { 'content-type': 'text/html' },
    body: `<html>\r\n<head><title>${text}</title></head>\r\n<body>\r\n<center><h1>${text}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`,
  };
};

function headerValue(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

interface Waiter {
  pred: (r: RecordedProxyRequest) => boolean;
  resolve: (r: RecordedProxyRequest) => void;
}

class FakeProxyServer implements FakeProxy {
  baseUrl = '';
  requests: RecordedProxyRequest[] = [];
  notifications: NotificationRecord[] = [];
  tasks = new Map<string, FakeTask>();

  private currentQuirks: Quirks = { ...DEFAULT_QUIRKS, rejectActions: [] };
  private timelines: TimelineSpec[] = [];
  private waiters = new Set<Waiter>();
  private pendingNotifies = new Set<Promise<void>>();
  private sleeps = new Set<{ timer: NodeJS.Timeout; done: () => void }>();
  /** Media answers held back by quirks.holdMedia. */
  private heldMedia = new Set<() => void>();
  private uploads = new Map<string, { mime: string; bytes: Buffer }>();
  private uploadSeq = 0;
  private ticker: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly server: http.Server;
  private readonly apiKey: string | null;
  private readonly authStyles: AuthStyle[];
  private readonly advanceMode: AdvanceMode;
  private readonly placeholders: boolean;
  private readonly pictures = new Map<string, Buffer>();

  constructor(options: FakeProxyOptions) {
    this.apiKey = options.apiKey === undefined ? 'test-key' : options.apiKey || null;
    this.authStyles = options.authStyles ?? ['bearer', 'raw', 'mj-api-secret'];
    this.advanceMode = options.advance ?? 'on-read';
    this.placeholders = options.placeholders ?? false;
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        // A bug in the fake: answer 500 rather than hang, and say so.
        console.error('[fake-proxy] internal error', err);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end('{"success":false,"message":"操作失败"}');
      });
    });
  }

  get mediaHeld(): number {
    return this.heldMedia.size;
  }

  get quirks(): Readonly<Quirks> {
    return this.currentQuirks;
  }

  async listen(host: string, port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const addr = this.server.address() as AddressInfo;
    const h = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    this.baseUrl = `http://${h}:${addr.port}`;
    if (typeof this.advanceMode === 'object') {
      this.ticker = setInterval(() => this.advance(), Math.max(1, this.advanceMode.everyMs));
      this.ticker.unref();
    }
  }

  // ───────────────────────── control API ─────────────────────────

  nextTimeline(t: TimelineSpec): void {
    this.timelines.push(t);
  }

  setQuirks(q: Partial<Quirks>): void {
    this.currentQuirks = { ...this.currentQuirks, ...q };
    if (!this.currentQuirks.holdMedia) this.releaseMedia();
  }

  reset(): void {
    this.currentQuirks = { ...DEFAULT_QUIRKS, rejectActions: [] };
    this.releaseMedia();
    this.timelines = [];
    this.requests = [];
    this.notifications = [];
  }

  advance(id?: string, steps = 1): void {
    if (id !== undefined) {
      const t = this.tasks.get(id);
      if (!t) throw new Error(`fake-proxy: no task ${id}`);
      this.step(t, steps);
      return;
    }
    for (const t of [...this.tasks.values()]) {
      if (!TERMINAL_STATUSES.has(t.json.status)) this.step(t, steps);
    }
  }

  finish(id: string): void {
    const t = this.tasks.get(id);
    if (!t) throw new Error(`fake-proxy: no task ${id}`);
    this.step(t, t.steps.length);
  }

  getTask(id: string): any {
    const t = this.tasks.get(id);
    return t ? structuredClone(t.json) : undefined;
  }

  addTask(init: AddTaskInit = {}): string {
    const action = init.action ?? 'IMAGINE';
    const kinds: Record<string, ResultKind> = {
      UPSCALE: 'upscale',
      UPSCALE_HD: 'upscale_hd',
      DESCRIBE: 'describe',
      SHORTEN: 'shorten',
      VIDEO: 'video',
      EDITS: 'edits',
      EDIT: 'edits',
      SWAP_FACE: 'swap',
    };
    const kind = kinds[action] ?? 'grid';
    const prompt = init.prompt ?? (kind === 'describe' ? '' : 'a red apple on a table --v 7');
    const task = this.createTask(
      {
        action,
        kind,
        prompt,
        promptEn: prompt,
        finalPrompt: prompt,
        state: init.state ?? '',
        botType: action === 'SWAP_FACE' ? 'INSIGHT_FACE' : '',
        mode: init.mode,
        notifyHook: init.notifyHook,
      },
      {
        index: kind === 'upscale' ? 1 : undefined,
        resultPrompts: kind === 'describe' ? describePrompts() : undefined,
        sourceUrl: kind === 'describe' ? this.mediaUrl('upload/source.png') : undefined,
      },
    );
    this.startTimeline(task, init.timeline ?? 'success');
    if (!init.timeline) this.step(task, task.steps.length, false);
    return task.id;
  }

  async notify(id: string): Promise<void> {
    const t = this.tasks.get(id);
    if (!t) throw new Error(`fake-proxy: no task ${id}`);
    await this.sendNotify(t);
  }

  waitForRequest(pred: (r: RecordedProxyRequest) => boolean, timeoutMs = 2000): Promise<RecordedProxyRequest> {
    const seen = this.requests.find(pred);
    if (seen) return Promise.resolve(seen);
    return this.nextRequest(pred, timeoutMs);
  }

  nextRequest(pred: (r: RecordedProxyRequest) => boolean, timeoutMs = 2000): Promise<RecordedProxyRequest> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        pred,
        resolve: (r) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(r);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        const seen = this.requests.slice(-10).map((r) => `${r.method} ${r.path} → ${r.status}`);
        reject(new Error(`fake-proxy: no matching request within ${timeoutMs} ms; last requests:\n  ${seen.join('\n  ') || '(none)'}`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  private releaseMedia(): void {
    for (const release of this.heldMedia) release();
    this.heldMedia.clear();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.releaseMedia();
    if (this.ticker) clearInterval(this.ticker);
    for (const s of this.sleeps) {
      clearTimeout(s.timer);
      s.done();
    }
    this.sleeps.clear();
    const closing = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closing;
    await Promise.allSettled([...this.pendingNotifies]);
  }

  // ───────────────────────── tasks and timelines ─────────────────────────

  private ctx(): TaskContext {
    return { baseUrl: this.baseUrl };
  }

  private takeTimeline(): TimelineSpec {
    return this.timelines.shift() ?? 'success';
  }

  private createTask(
    init: Omit<NewTaskInit, 'id' | 'hash'>,
    extra: Partial<Pick<FakeTask, 'parentId' | 'modal' | 'sourceUrl' | 'index' | 'resultPrompts' | 'videoCount'>> = {},
  ): FakeTask {
    const id = newTaskId();
    const hash = newJobHash();
    const task: FakeTask = {
      id,
      json: newTaskJson({ ...init, id, hash }, Date.now()),
      kind: init.kind,
      hash,
      steps: [],
      step: -1,
      failReason: '',
      reads: 0,
      notifyHook: init.notifyHook || undefined,
      ...extra,
    };
    this.tasks.set(id, task);
    return task;
  }

  /** Gives the task its timeline and shows step 0 (notifying, as a proxy does on SUBMITTED). */
  private startTimeline(task: FakeTask, spec: TimelineSpec): void {
    task.steps = buildSteps(spec, task, this.ctx());
    task.failReason = failReasonOf(spec);
    task.step = -1;
    if (task.steps.length) this.step(task, 1, false);
    else if (task.json.status === 'MODAL') task.json.status = 'SUBMITTED';
    this.fireNotify(task); // the first callback: SUBMITTED 0% (or NOT_START)
  }

  private step(task: FakeTask, n: number, notify = true): void {
    for (let i = 0; i < n && task.step + 1 < task.steps.length; i++) {
      task.step++;
      const changed = applyStep(task, task.steps[task.step], this.ctx(), Date.now());
      if (changed && notify) this.fireNotify(task);
    }
  }

  /** The task as the wire shows it, with the serialisation quirks. */
  private wire(task: FakeTask, emptyStatus = false): TaskJson {
    const j = structuredClone(task.json);
    if (this.currentQuirks.zeroTimes) {
      j.submitTime ??= 0;
      j.startTime ??= 0;
      j.finishTime ??= 0;
    }
    if (emptyStatus) j.status = '';
    return j;
  }

  /** Returns a task to a reader (fetch / list) and, in 'on-read' mode, moves it on afterwards. */
  private read(task: FakeTask): TaskJson {
    const emptyStatus = this.currentQuirks.emptyStatusFirst && task.reads === 0;
    const json = this.wire(task, emptyStatus);
    task.reads++;
    if (this.advanceMode === 'on-read' && !emptyStatus) this.step(task, 1);
    return json;
  }

  private fireNotify(task: FakeTask): void {
    if (!task.notifyHook || task.json.status === 'MODAL') return;
    void this.sendNotify(task);
  }

  /** POSTs the task JSON to its hook: fire-and-forget, no retries, errors only recorded (api.md §4). */
  private sendNotify(task: FakeTask): Promise<void> {
    const url = task.notifyHook;
    if (!url) return Promise.resolve();
    const text = serialise(this.wire(task), this.numericTaskKeys());
    const body = JSON.parse(text);
    const payload = Buffer.from(text);
    const record: NotificationRecord = { taskId: task.id, url, body, responseStatus: null };
    this.notifications.push(record);
    const p = new Promise<void>((resolve) => {
      let target: URL;
      try {
        target = new URL(url);
      } catch {
        record.error = 'invalid URL';
        resolve();
        return;
      }
      const lib = target.protocol === 'https:' ? https : http;
      const req = lib.request(
        target,
        {
          method: 'POST',
          agent: false,
          timeout: 5000,
          headers: { 'content-type': 'application/json', 'content-length': String(payload.length) },
        },
        (res) => {
          record.responseStatus = res.statusCode ?? null;
          res.resume();
          res.on('end', resolve);
          res.on('error', resolve);
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (err) => {
        record.error = err.message;
        resolve();
      });
      req.end(payload);
    });
    this.pendingNotifies.add(p);
    void p.finally(() => this.pendingNotifies.delete(p));
    return p;
  }

  // ───────────────────────── HTTP plumbing ─────────────────────────

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const { buf, tooLarge, aborted } = await readBody(req, MAX_BODY_BYTES);
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = (req.method ?? 'GET').toUpperCase();
    const headers: Record<string, string | undefined> = {};
    for (const name of Object.keys(req.headers)) headers[name] = headerValue(req, name);

    let body: any = undefined;
    let badJson = false;
    if (buf.length && !tooLarge) {
      const text = buf.toString('utf8');
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
        badJson = true;
      }
    }
    const m = API_PATH.exec(url.pathname);
    const mode = m && m[1] !== undefined ? (MODE_SEGMENTS[m[1]] ?? null) : null;
    const route = m && (m[1] === undefined || mode) ? `/mj${m[2] ?? ''}` : null;
    const record: RecordedProxyRequest = { method, path: url.pathname, query: url.search, route, mode, headers, body, status: 0 };
    if (aborted) return;

    let reply: Reply;
    try {
      reply = this.route(req, method, url.pathname, route, mode, body, { tooLarge, badJson });
    } catch (err) {
      console.error('[fake-proxy] internal error', err);
      reply = jsonReply(500, { success: false, message: '操作失败' });
    }
    if (this.currentQuirks.slowMs > 0) await this.sleep(this.currentQuirks.slowMs);
    // The task exists already (route() created it); only the answer comes late.
    if (this.currentQuirks.slowSubmitMs > 0 && method === 'POST' && /^\/mj\/(submit|insight-face)\//.test(route ?? '')) await this.sleep(this.currentQuirks.slowSubmitMs);
    const media = (method === 'GET' || method === 'HEAD') && (url.pathname.startsWith('/cdn/') || url.pathname.startsWith('/attachments/') || !!route?.startsWith('/mj/image/'));
    if (media && this.currentQuirks.holdMedia && !this.closed) await new Promise<void>((resolve) => this.heldMedia.add(resolve));

    if (reply.destroy || this.closed) {
      req.socket.destroy();
    } else {
      const payload = reply.body === undefined ? undefined : Buffer.isBuffer(reply.body) ? reply.body : Buffer.from(reply.body);
      const h: Record<string, string> = { ...reply.headers };
      if (reply.status !== 204 && reply.status !== 304) h['content-length'] = String(payload?.length ?? 0);
      if (tooLarge) h.connection = 'close';
      res.writeHead(reply.status, h);
      res.end(method === 'HEAD' || reply.status === 204 ? undefined : payload);
      record.status = reply.status;
    }
    this.record(record);
  }

  private record(r: RecordedProxyRequest): void {
    this.requests.push(r);
    for (const w of [...this.waiters]) if (w.pred(r)) w.resolve(r);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.sleeps.delete(entry);
          resolve();
        }, ms),
        done: resolve,
      };
      this.sleeps.add(entry);
    });
  }

  private authorized(req: http.IncomingMessage): boolean {
    const key = this.apiKey;
    if (!key) return true;
    const styles = this.authStyles;
    const auth = headerValue(req, 'authorization');
    if (auth) {
      const bearer = /^bearer\s+(.*)$/i.exec(auth);
      if (styles.includes('bearer') && bearer && bearer[1] === key) return true;
      if (styles.includes('raw') && auth === key) return true;
      // trueai: a present Authorization header wins and is compared raw (api.md §5).
      if (styles.includes('raw') && !styles.includes('bearer')) return false;
    }
    return styles.includes('mj-api-secret') && headerValue(req, 'mj-api-secret') === key;
  }

  private route(
    req: http.IncomingMessage,
    method: string,
    path: string,
    route: string | null,
    mode: string | null,
    body: any,
    flags: { tooLarge: boolean; badJson: boolean },
  ): Reply {
    const q = this.currentQuirks;
    if ((method === 'GET' || method === 'HEAD') && (path.startsWith('/cdn/') || path.startsWith('/attachments/'))) {
      return this.media(path);
    }
    if (!route) return springError(404, 'Not Found', path);
    if ((method === 'GET' || method === 'HEAD') && route.startsWith('/mj/image/')) return this.media(path);

    // Transport-level misbehaviour (a gateway in front of the proxy): no side effects.
    if (q.resetConnection) return { status: 0, destroy: true };
    if (q.status5xx) return htmlError(q.status5xx);
    if (q.unauthorized || !this.authorized(req)) return { status: 401, body: '' };
    if (q.emptyBody) return { status: 200, headers: { 'content-type': 'application/json' }, body: '' };
    if (q.malformedJson) return { status: 200, headers: { 'content-type': 'application/json' }, body: truncatedBodyFor(route) };
    if (q.readFault !== null && (route === '/mj/task/list-by-condition' || route === '/mj/task/list-by-ids' || /^\/mj\/task\/[^/]+\/fetch$/.test(route))) {
      if (q.readFault === 'error-code') return jsonReply(200, { code: -1, message: '请重新登录' });
      if (q.readFault === 'garbage') return { status: 200, headers: { 'content-type': 'application/json' }, body: truncatedBodyFor(route) };
      return { status: q.readFault, body: '' };
    }

    if (flags.tooLarge) return jsonReply(413, fail(4, '请求体过大'));
    if (method === 'POST' && flags.badJson) return jsonReply(400, fail(4, '请求体不是合法的 JSON'));
    const ctx: Ctx = { method, route, mode, body: body !== null && typeof body === 'object' ? body : {} };

    const post = (handler: (c: Ctx) => Reply): Reply => (method === 'POST' ? handler(ctx) : springError(405, 'Method Not Allowed', path));
    const get = (handler: () => Reply): Reply =>
      method === 'GET' || method === 'HEAD' ? handler() : springError(405, 'Method Not Allowed', path);

    switch (route) {
      case '/mj/submit/imagine':
        return post((c) => this.submit(this.imagine(c)));
      case '/mj/submit/action':
        return post((c) => this.action(c));
      case '/mj/submit/modal':
        return post((c) => this.modal(c));
      case '/mj/submit/blend':
        return post((c) => this.submit(this.blend(c)));
      case '/mj/submit/describe':
        return post((c) => this.submit(this.describe(c)));
      case '/mj/submit/shorten':
        return post((c) => this.submit(this.shorten(c)));
      case '/mj/submit/video':
        return post((c) => this.video(c));
      case '/mj/submit/edits':
      case '/mj/submit/edit':
      case '/mj/submit/retexture':
        return post((c) => this.submit(this.edits(c)));
      case '/mj/insight-face/swap':
        return post((c) => this.submit(this.swap(c)));
      case '/mj/submit/change':
        return post((c) => this.change(c));
      case '/mj/submit/simple-change':
        return post((c) => this.simpleChange(c));
      case '/mj/submit/upload-discord-images':
        return post((c) => this.submit(this.uploadImages(c)));
      case '/mj/task/list-by-condition':
      case '/mj/task/list-by-ids':
        return post((c) => this.list(c));
      case '/mj/task/list':
        // trueai's shape: the latest 100 tasks, newest first, whoever submitted them.
        if (q.noTaskList) return springError(404, 'Not Found', path);
        return get(() => jsonReply(200, [...this.tasks.values()].reverse().slice(0, 100).map((t) => this.wire(t)), this.numericTaskKeys()));
    }
    let m: RegExpExecArray | null;
    if ((m = /^\/mj\/task\/([^/]+)\/fetch$/.exec(route))) return get(() => this.fetchTask(decodeURIComponent(m![1])));
    if ((m = /^\/mj\/task\/([^/]+)\/image-seed$/.exec(route))) return get(() => this.imageSeed(decodeURIComponent(m![1])));
    if ((m = /^\/mj\/task\/([^/]+)\/cancel$/.exec(route))) return post(() => this.cancel(decodeURIComponent(m![1])));
    return springError(404, 'Not Found', path);
  }

  private numericTaskKeys(): string[] | null {
    return this.currentQuirks.numericIds ? TASK_NUMERIC_KEYS : null;
  }

  /** Sends a SubmitResultVO with the relay rewrites and serialisation quirks. */
  private submit(r: SubmitResult, opts: { httpStatus?: number; keep21?: boolean } = {}): Reply {
    const q = this.currentQuirks;
    let out: SubmitResult = { ...r };
    if (out.code === 21 && q.relayRewrite21 && !opts.keep21) out.code = 1;
    if (out.code === 22 && q.relayRewrite22) {
      const n = (out.properties?.numberOfQueues as number | undefined) ?? 1;
      out = { ...out, code: 1, description: `In queue, there are ${n} tasks ahead` };
    }
    if (q.nullProperties && 'properties' in out) out.properties = null;
    const status = opts.httpStatus ?? (out.code === 30 ? 429 : 200);
    return jsonReply(status, out, q.numericIds ? SUBMIT_NUMERIC_KEYS : null);
  }

  private instanceProps(): Record<string, unknown> {
    return { discordInstanceId: DISCORD_INSTANCE_ID, discordChannelId: DISCORD_CHANNEL_ID };
  }

  /** Common gates of every submit that creates work: banned words, then queue limits. */
  private gate(prompt?: string): SubmitResult | null {
    const q = this.currentQuirks;
    if (prompt) {
      const word = bannedWord(prompt, q.bannedPrompt);
      if (word) return fail(24, '可能包含敏感词', { promptEn: prompt, bannedWord: word });
    }
    if (q.queueFull) return fail(23, '队列已满，请稍后尝试');
    if (q.queueFullTrueai) return fail(9, '提交失败，队列已满，请稍后重试');
    return null;
  }

  /** Takes the next timeline, creates the task and answers like the proxy (1 / 22 / scripted code). */
  private launch(
    init: Omit<NewTaskInit, 'id' | 'hash'>,
    extra: Parameters<FakeProxyServer['createTask']>[1] = {},
    opts: { okDescription?: string; withProperties?: boolean } = {},
  ): SubmitResult {
    const spec = this.takeTimeline();
    const info = submitInfo(spec);
    if (![1, 21, 22].includes(info.code)) return fail(info.code, info.description ?? defaultDescription(info.code));
    const task = this.createTask(init, extra);
    this.startTimeline(task, spec);
    return this.accepted(task.id, info, opts);
  }

  private accepted(
    result: unknown,
    info: { code: number; description?: string; numberOfQueues?: number },
    opts: { okDescription?: string; withProperties?: boolean } = {},
  ): SubmitResult {
    const description =
      info.description ?? (info.code === 22 ? `排队中，前面还有${info.numberOfQueues ?? 1}个任务` : (opts.okDescription ?? 'Submit success'));
    const out: SubmitResult = { code: info.code, description, result };
    if (opts.withProperties !== false || info.code === 22) {
      out.properties = { ...this.instanceProps(), ...(info.code === 22 ? { numberOfQueues: info.numberOfQueues ?? 1 } : {}) };
    }
    return out;
  }

  private common(c: Ctx): Pick<NewTaskInit, 'state' | 'botType' | 'mode' | 'notifyHook'> {
    return {
      state: str(c.body.state),
      botType: normaliseBotType(c.body.botType),
      mode: c.mode ?? undefined,
      notifyHook: str(c.body.notifyHook) || undefined,
    };
  }

  /** Stores an uploaded data URL and returns the URL the fake serves it at. */
  private storeUpload(img: { mime: string; bytes: Buffer }): string {
    const name = `${++this.uploadSeq}/upload_${Date.now()}.${extensionForMime(img.mime)}`;
    this.uploads.set(name, img);
    return `${this.baseUrl}/attachments/${name}`;
  }

  private mediaUrl(file: string): string {
    return `${this.baseUrl}/cdn/${file}`;
  }

  // ───────────────────────── submit endpoints ─────────────────────────

  private imagine(c: Ctx): SubmitResult {
    const prompt = str(c.body.prompt).trim();
    if (!prompt) return fail(4, 'prompt不能为空');
    if (str(c.body.state).length > 255) return fail(4, 'state长度不能超过255');
    const list: unknown[] = Array.isArray(c.body.base64Array) ? [...c.body.base64Array] : [];
    if (c.body.base64Array !== undefined && c.body.base64Array !== null && !Array.isArray(c.body.base64Array))
      return fail(4, 'base64格式错误');
    if (c.body.base64) list.push(c.body.base64);
    const images = list.map(parseImageDataUrl);
    if (images.some((i) => i === null)) return fail(4, 'base64格式错误');
    const blocked = this.gate(prompt);
    if (blocked) return blocked;
    const urls = images.map((i) => this.storeUpload(i!));
    const finalPrompt = [...urls.map((u) => `<${u}>`), prompt].join(' ');
    const isVideo = /(^|\s)--video\b/.test(prompt); // trueai: --video in the prompt makes a VIDEO task
    return this.launch({
      action: isVideo ? 'VIDEO' : 'IMAGINE',
      kind: isVideo ? 'video' : 'grid',
      prompt,
      promptEn: prompt,
      finalPrompt,
      ...this.common(c),
    });
  }

  private blend(c: Ctx): SubmitResult {
    const list = c.body.base64Array;
    if (!Array.isArray(list) || list.length < 2 || list.length > 5) return fail(4, 'base64List参数错误');
    const images = list.map(parseImageDataUrl);
    if (images.some((i) => i === null)) return fail(4, 'base64格式错误');
    const dims = c.body.dimensions === undefined || c.body.dimensions === null || c.body.dimensions === '' ? 'SQUARE' : str(c.body.dimensions);
    const ratios: Record<string, string> = { PORTRAIT: '2:3', SQUARE: '1:1', LANDSCAPE: '3:2' };
    if (!ratios[dims]) return fail(4, 'dimensions参数错误');
    const blocked = this.gate();
    if (blocked) return blocked;
    const urls = images.map((i) => this.storeUpload(i!));
    const finalPrompt = `${urls.map((u) => `<${u}>`).join(' ')} --ar ${ratios[dims]}`;
    return this.launch({ action: 'BLEND', kind: 'grid', prompt: '', promptEn: finalPrompt, finalPrompt, ...this.common(c) });
  }

  private describe(c: Ctx): SubmitResult {
    let source: string;
    if (c.body.base64) {
      const img = parseImageDataUrl(c.body.base64);
      if (!img) return fail(4, 'base64格式错误');
      source = this.storeUpload(img);
    } else if (c.body.link) {
      if (!isHttpUrl(c.body.link)) return fail(4, 'link格式错误');
      source = str(c.body.link).trim();
    } else return fail(4, 'base64不能为空');
    const blocked = this.gate();
    if (blocked) return blocked;
    return this.launch(
      { action: 'DESCRIBE', kind: 'describe', prompt: '', promptEn: '', finalPrompt: '', ...this.common(c) },
      { sourceUrl: source, resultPrompts: describePrompts() },
    );
  }

  private shorten(c: Ctx): SubmitResult {
    const prompt = str(c.body.prompt).trim();
    if (!prompt) return fail(4, 'prompt不能为空');
    const blocked = this.gate(prompt);
    if (blocked) return blocked;
    return this.launch(
      { action: 'SHORTEN', kind: 'shorten', prompt, promptEn: prompt, finalPrompt: prompt, ...this.common(c) },
      { resultPrompts: shortenResult(prompt).prompts },
    );
  }

  /** Resolves an image given as data URL or http(s) URL (raw base64 too when `allowRaw`). */
  private imageInput(v: unknown, allowRaw = false): string | null {
    if (isHttpUrl(v)) return v.trim();
    const img = parseImageDataUrl(v);
    if (img) return this.storeUpload(img);
    if (allowRaw && typeof v === 'string' && /^[a-z0-9+/=\s]{8,}$/i.test(v)) {
      const bytes = Buffer.from(v, 'base64');
      if (bytes.length) return this.storeUpload({ mime: 'image/png', bytes });
    }
    return null;
  }

  private video(c: Ctx): Reply {
    const b = c.body;
    const motion = b.motion === undefined || b.motion === null || b.motion === '' ? 'low' : str(b.motion);
    if (motion !== 'low' && motion !== 'high') return this.submit(fail(4, 'motion参数错误'));
    const batch = b.batchSize === undefined || b.batchSize === null ? 4 : Number(b.batchSize);
    if (![1, 2, 4].includes(batch)) return this.submit(fail(4, 'batchSize参数错误'));
    const opts = { okDescription: 'Submit Success', withProperties: false };
    if (str(b.action).toLowerCase() === 'extend') {
      const parent = this.tasks.get(str(b.taskId));
      if (!str(b.taskId)) return this.submit(fail(4, 'taskId不能为空'));
      if (!parent) return this.submit(fail(3, '关联任务不存在或已失效'), { httpStatus: 404 });
      if (parent.kind !== 'video' || parent.json.status !== 'SUCCESS') return this.submit(fail(4, '关联任务状态错误'));
      const blocked = this.gate(str(b.prompt));
      if (blocked) return this.submit(blocked);
      const prompt = str(b.prompt).trim() || parent.json.prompt;
      return this.submit(
        this.launch(
          { action: 'VIDEO', kind: 'video', prompt, promptEn: '', finalPrompt: `${prompt} --motion ${motion} --video 1`, ...this.common(c) },
          { parentId: parent.id, sourceUrl: parent.json.imageUrl ?? undefined, videoCount: batch },
          opts,
        ),
      );
    }
    const prompt = str(b.prompt).trim();
    if (!prompt) return this.submit(fail(4, 'prompt不能为空'));
    if (b.image === undefined || b.image === null || b.image === '') return this.submit(fail(4, 'image不能为空'));
    const image = this.imageInput(b.image);
    if (!image) return this.submit(fail(4, 'image格式错误'));
    if (b.endImage && !this.imageInput(b.endImage)) return this.submit(fail(4, 'endImage格式错误'));
    const blocked = this.gate(prompt);
    if (blocked) return this.submit(blocked);
    return this.submit(
      this.launch(
        {
          action: 'VIDEO',
          kind: 'video',
          prompt,
          promptEn: '',
          finalPrompt: `${image} ${prompt} --motion ${motion} --video 1 --ar 1:1 --v 7`,
          ...this.common(c),
        },
        { sourceUrl: image, videoCount: batch },
        opts,
      ),
    );
  }

  private edits(c: Ctx): SubmitResult {
    const prompt = str(c.body.prompt).trim();
    if (!prompt) return fail(4, 'prompt不能为空');
    if (c.body.image === undefined || c.body.image === null || c.body.image === '') return fail(4, 'image不能为空');
    const image = this.imageInput(c.body.image, true);
    if (!image) return fail(4, 'image格式错误');
    const blocked = this.gate(prompt);
    if (blocked) return blocked;
    return this.launch(
      {
        action: 'EDITS',
        kind: 'edits',
        prompt,
        promptEn: prompt,
        finalPrompt: `${prompt} --ar 1:1 --v 7 --dref ${image}`,
        ...this.common(c),
      },
      { sourceUrl: image },
      { okDescription: 'Submit Success', withProperties: false },
    );
  }

  private swap(c: Ctx): SubmitResult {
    const b = c.body;
    const source = b.sourceBase64 ? this.imageInput(b.sourceBase64) : b.sourceUrl ? this.imageInput(b.sourceUrl) : null;
    if (!source) return fail(4, 'sourceBase64参数错误');
    const target = b.targetBase64 ? this.imageInput(b.targetBase64) : b.targetUrl ? this.imageInput(b.targetUrl) : null;
    if (!target) return fail(4, 'targetBase64参数错误');
    const blocked = this.gate();
    if (blocked) return blocked;
    return this.launch(
      { action: 'SWAP_FACE', kind: 'swap', prompt: '', promptEn: '', finalPrompt: '', ...this.common(c), botType: 'INSIGHT_FACE' },
      { sourceUrl: target },
    );
  }

  private uploadImages(c: Ctx): SubmitResult {
    const list = c.body.base64Array;
    if (!Array.isArray(list) || list.length === 0) return fail(4, 'base64List参数错误');
    const images = list.map(parseImageDataUrl);
    if (images.some((i) => i === null)) return fail(4, 'base64格式错误');
    return { code: 1, description: '上传成功', result: images.map((i) => this.storeUpload(i!)) };
  }

  // ───────────────────────── actions and modals ─────────────────────────

  private action(c: Ctx): Reply {
    const taskId = str(c.body.taskId);
    const customId = str(c.body.customId);
    if (!taskId) return this.submit(fail(4, 'taskId不能为空'));
    if (!customId) return this.submit(fail(4, 'customId不能为空'));
    const parent = this.tasks.get(taskId);
    if (!parent) return this.submit(fail(3, '关联任务不存在或已失效'), { httpStatus: 404 });
    return this.doAction(c, parent, customId);
  }

  /** POST /mj/submit/change {taskId, action, index} (novicezk): mapped onto the parent's buttons. */
  private change(c: Ctx): Reply {
    const taskId = str(c.body.taskId);
    const act = str(c.body.action).toUpperCase();
    const index = Number(c.body.index);
    if (!taskId) return this.submit(fail(4, 'taskId不能为空'));
    if (!['UPSCALE', 'VARIATION', 'REROLL'].includes(act)) return this.submit(fail(4, 'action参数错误'));
    if (act !== 'REROLL' && !(index >= 1 && index <= 4)) return this.submit(fail(4, 'index参数错误'));
    return this.changeTo(c, taskId, act, index);
  }

  /** POST /mj/submit/simple-change {content:"<taskId> U2"} (novicezk). */
  private simpleChange(c: Ctx): Reply {
    const m = /^\s*(\S+)\s+([UV])([1-4])\s*$|^\s*(\S+)\s+R\s*$/i.exec(str(c.body.content));
    if (!m) return this.submit(fail(4, 'content参数错误'));
    if (m[4]) return this.changeTo(c, m[4], 'REROLL', 0);
    return this.changeTo(c, m[1], m[2].toUpperCase() === 'U' ? 'UPSCALE' : 'VARIATION', Number(m[3]));
  }

  private changeTo(c: Ctx, taskId: string, act: string, index: number): Reply {
    const parent = this.tasks.get(taskId);
    if (!parent) return this.submit(fail(3, '关联任务不存在或已失效'));
    const prefix = act === 'UPSCALE' ? `MJ::JOB::upsample::${index}::` : act === 'VARIATION' ? `MJ::JOB::variation::${index}::` : 'MJ::JOB::reroll::';
    const button = parent.json.buttons.find((b) => b.customId.startsWith(prefix));
    if (parent.json.status === 'SUCCESS' && !button) return this.submit(fail(4, '关联任务不允许执行变化'));
    return this.doAction(c, parent, button?.customId ?? prefix);
  }

  private doAction(c: Ctx, parent: FakeTask, customId: string): Reply {
    const q = this.currentQuirks;
    if (parent.json.status !== 'SUCCESS') return this.submit(fail(4, '关联任务状态错误'));
    if (q.rejectActions.some((s) => s && customId.includes(s))) return this.submit(fail(4, '未知的 Action 类型'));
    if (!parent.json.buttons.some((b) => b.customId === customId)) return this.submit(fail(4, '未知的 Action 类型'));
    const plan = planAction(customId, parent);
    if (!plan) return this.submit(fail(4, '未知的 Action 类型'));
    const blocked = this.gate();
    if (blocked) return this.submit(blocked);

    const common = { ...this.common(c), botType: parent.json.botType, mode: c.mode ?? parent.json.mode ?? undefined };
    const parentFinal = str(parent.json.properties.finalPrompt) || parent.json.prompt;

    if (plan.kind === 'bookmark') {
      // Older trueai: code 1 with result = the parent, no new task (current trueai: rejectActions 'BOOKMARK').
      return this.submit({ code: 1, description: 'Submit success', result: parent.id, properties: this.instanceProps() });
    }
    if (plan.kind === 'imagine-all') {
      const prompts = parent.resultPrompts ?? [];
      const ids: string[] = [];
      for (const p of prompts) {
        const spec = this.takeTimeline();
        const t = this.createTask({ action: 'IMAGINE', kind: 'grid', prompt: p, promptEn: p, finalPrompt: p, customId, ...common }, { parentId: parent.id });
        this.startTimeline(t, spec);
        ids.push(t.id);
      }
      return this.submit({ code: 1, description: 'Submit success', result: ids.join(','), properties: this.instanceProps() });
    }

    const kind = plan.kind;
    const extra = {
      parentId: parent.id,
      index: plan.index,
      sourceUrl: kind === 'describe' ? parent.sourceUrl : (parent.json.imageUrl ?? undefined),
      resultPrompts: kind === 'describe' ? describePrompts() : undefined,
    };
    const modalKind: ModalKind | undefined = plan.modal ?? (plan.remixable && (q.remix || c.body.enableRemix === true) ? 'Remix' : undefined);
    if (modalKind) {
      let finalPrompt = parentFinal;
      if (modalKind === 'PicReader' || modalKind === 'PromptAnalyzer') finalPrompt = parent.resultPrompts?.[(plan.index ?? 1) - 1] ?? '';
      const prompt = modalKind === 'Inpaint' ? '' : modalKind === 'PicReader' || modalKind === 'PromptAnalyzer' ? finalPrompt : parent.json.prompt;
      const t = this.createTask(
        { action: plan.action, kind, prompt, promptEn: prompt, finalPrompt, customId, ...common, status: 'MODAL' },
        { ...extra, modal: { kind: modalKind, customId, submitted: false } },
      );
      return this.submit(
        {
          code: 21,
          description: 'Waiting for window confirm',
          result: t.id,
          properties: { ...this.instanceProps(), finalPrompt, remix: true },
        },
        { keep21: plan.keep21 },
      );
    }
    const promptEn = parentFinal.replace(/\s--(fast|relax|turbo)\b/g, '');
    const isShorten = kind === 'shorten_details';
    return this.submit(
      this.launch(
        {
          action: plan.action,
          kind,
          prompt: parent.json.prompt,
          promptEn: kind === 'describe' ? '' : promptEn,
          finalPrompt: kind === 'describe' ? '' : promptEn,
          customId,
          ...common,
        },
        { ...extra, resultPrompts: isShorten ? parent.resultPrompts : extra.resultPrompts, videoCount: kind === 'video' ? 4 : undefined },
      ),
    );
  }

  private modal(c: Ctx): Reply {
    const taskId = str(c.body.taskId);
    if (!taskId) return this.submit(fail(4, 'taskId不能为空'));
    const t = this.tasks.get(taskId);
    if (!t) return this.submit(fail(3, '关联任务不存在或已失效'), { httpStatus: 404 });
    if (t.json.status !== 'MODAL' || !t.modal) return this.submit(fail(4, '关联任务状态错误'));
    const kind = t.modal.kind;
    const prompt = str(c.body.prompt).trim() || str(t.json.properties.finalPrompt) || t.json.prompt;
    let mask = '';
    if (kind === 'Inpaint') {
      if (!parseImageDataUrl(c.body.maskBase64)) return this.submit(fail(4, 'maskBase64参数错误'));
      mask = str(c.body.maskBase64);
    }
    if (kind === 'CustomZoom') {
      const zoom = /(?:^|\s)--zoom\s+([0-9.]+)/.exec(prompt);
      if (!zoom) return this.submit(fail(4, 'prompt需要包含 --zoom 参数'));
      const z = Number(zoom[1]);
      if (!(z >= 1 && z <= 2)) return this.submit(fail(4, '--zoom 参数错误，取值 1.0 - 2.0'));
    }
    const blocked = this.gate(prompt);
    if (blocked) return this.submit(blocked);
    const spec = this.takeTimeline();
    const info = submitInfo(spec);
    if (![1, 21, 22].includes(info.code)) return this.submit(fail(info.code, info.description ?? defaultDescription(info.code)));
    t.modal.submitted = true;
    t.json.prompt = prompt;
    t.json.promptEn = prompt;
    t.json.maskBase64 = mask;
    t.json.properties = { ...t.json.properties, finalPrompt: prompt };
    if (t.kind === 'grid' && (kind === 'PicReader' || kind === 'PromptAnalyzer')) t.json.action = 'IMAGINE';
    this.startTimeline(t, spec);
    return this.submit(this.accepted(t.id, info));
  }

  // ───────────────────────── task endpoints ─────────────────────────

  private fetchTask(id: string): Reply {
    const t = this.tasks.get(id);
    if (!t) {
      switch (this.currentQuirks.unknownTaskStyle) {
        case 'empty200':
          return { status: 200, headers: { 'content-type': 'application/json' }, body: '' };
        case '404':
          return jsonReply(404, fail(3, '任务不存在'));
        case 'newapi400':
          return jsonReply(400, { description: 'task_no_found ', type: 'upstream_error', code: 4 });
        default:
          return { status: 204 };
      }
    }
    return jsonReply(200, this.read(t), this.numericTaskKeys());
  }

  private list(c: Ctx): Reply {
    const q = this.currentQuirks;
    if (q.noListByCondition) return springError(404, 'Not Found', c.route);
    const ids: string[] = Array.isArray(c.body.ids) ? c.body.ids.map(str).filter(Boolean) : [];
    if (q.listMax !== null && ids.length > q.listMax) return jsonReply(400, fail(4, `ids数量不能超过${q.listMax}`));
    const out: TaskJson[] = [];
    for (const id of new Set(ids)) {
      const t = this.tasks.get(id);
      if (t) out.push(this.read(t));
    }
    return jsonReply(200, out, this.numericTaskKeys());
  }

  private imageSeed(id: string): Reply {
    if (this.currentQuirks.noImageSeed) return springError(404, 'Not Found', `/mj/task/${id}/image-seed`);
    const t = this.tasks.get(id);
    if (!t) return jsonReply(404, fail(3, '任务不存在'));
    const hash = str(t.json.properties.messageHash);
    const imageJob = !['describe', 'shorten', 'shorten_details', 'swap'].includes(t.kind);
    if (t.json.status !== 'SUCCESS' || !hash || !imageJob) return jsonReply(400, fail(4, '任务未完成或没有图片 hash'));
    return jsonReply(200, { code: 1, description: '成功', result: seedFor(hash) });
  }

  private cancel(id: string): Reply {
    const t = this.tasks.get(id);
    if (!t) return jsonReply(404, fail(3, '任务不存在'));
    if (TERMINAL_STATUSES.has(t.json.status)) return jsonReply(200, fail(4, '任务已结束，无法取消'));
    t.steps = t.steps.slice(0, t.step + 1);
    t.failReason = '取消任务';
    applyStep(t, { status: 'FAILURE', failReason: '取消任务' }, this.ctx(), Date.now());
    this.fireNotify(t);
    return jsonReply(200, { code: 1, description: '成功', result: t.id });
  }

  // ───────────────────────── media (no auth, like CDN links) ─────────────────────────

  private media(path: string): Reply {
    const status = this.currentQuirks.imageStatus;
    if (status) return { status, headers: { 'content-type': 'text/plain' }, body: 'This content is no longer available.' };
    if (path.startsWith('/attachments/')) {
      const up = this.uploads.get(path.slice('/attachments/'.length));
      if (up) return { status: 200, headers: { 'content-type': up.mime }, body: up.bytes };
      return { status: 404, headers: { 'content-type': 'text/plain' }, body: 'Not Found' };
    }
    const picture = this.placeholders ? this.placeholder(path) : null;
    if (picture) return { status: 200, headers: { 'content-type': 'image/png' }, body: picture };
    const ext = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase();
    if (ext === 'webp') return { status: 200, headers: { 'content-type': 'image/webp' }, body: WEBP_1X1 };
    if (ext === 'mp4') return { status: 200, headers: { 'content-type': 'video/mp4' }, body: MP4_STUB };
    if (ext === 'png' || (ext === undefined && path.includes('/mj/image/'))) {
      return { status: 200, headers: { 'content-type': 'image/png' }, body: encodePng(colorFor(path)) };
    }
    return { status: 404, headers: { 'content-type': 'text/plain' }, body: 'Not Found' };
  }

  /** A picture of what the task at `/cdn/<hash>/<file>` made (cached; previews per progress). */
  private placeholder(path: string): Buffer | null {
    const m = /^\/cdn\/([0-9a-f-]{36})\/([^/?]+)$/.exec(path);
    const task = m ? [...this.tasks.values()].find((t) => t.hash === m[1]) : undefined;
    if (!m || !task) return null;
    const file = m[2];
    const prompt = task.json.prompt || task.json.promptEn || task.json.action;
    const cacheKey = `${path}#${file.endsWith('.webp') ? task.json.progress : ''}`;
    const cached = this.pictures.get(cacheKey);
    if (cached) return cached;
    const parent = task.parentId ? this.tasks.get(task.parentId) : undefined;
    let png: Buffer | null = null;
    let n: RegExpExecArray | null;
    if (file.endsWith('_grid_0.webp')) png = gridPng({ prompt, key: task.hash, progress: task.json.progress || '0%' });
    else if (file === 'grid_0.png') png = gridPng({ prompt, key: task.hash });
    else if ((n = /^0_(\d)\.png$/.exec(file))) {
      const position = task.kind === 'upscale' ? (task.index ?? Number(n[1]) + 1) : Number(n[1]) + 1;
      const key = task.kind === 'upscale' && parent ? parent.hash : task.hash;
      png = singlePng({ prompt, key, position, label: `#${position}` });
    } else if (file === 'upscaled_2x.png') {
      // An HD upscale repaints the upscale it came from: that upscale's grid cell, larger.
      const grid = parent?.parentId ? this.tasks.get(parent.parentId) : undefined;
      const position = parent?.index ?? 1;
      png = singlePng({ prompt, key: grid?.hash ?? task.hash, position, label: `#${position} 2x` });
    } else if (file === 'frame_0.png') png = singlePng({ prompt, key: task.hash, position: 0, label: 'VIDEO' });
    else if (file === 'swap_0.png') png = singlePng({ prompt: prompt || 'face swap', key: task.hash, position: 0, label: 'SWAP' });
    if (!png) return null;
    if (this.pictures.size >= 200) this.pictures.delete(this.pictures.keys().next().value!);
    this.pictures.set(cacheKey, png);
    return png;
  }
}

function defaultDescription(code: number): string {
  const known: Record<number, string> = {
    1: 'Submit success',
    3: '无可用的账号实例',
    4: '参数错误',
    9: '提交失败，系统异常',
    22: '排队中',
    23: '队列已满，请稍后尝试',
    24: '可能包含敏感词',
    30: '当前分组负载已饱和',
  };
  return known[code] ?? 'error';
}

function bannedWord(prompt: string, quirk: boolean | string): string | null {
  if (/banned/i.test(prompt)) return 'banned';
  if (typeof quirk === 'string' && quirk && prompt.toLowerCase().includes(quirk.toLowerCase())) return quirk;
  if (quirk === true) return prompt.split(/\s+/)[0] ?? prompt;
  return null;
}

function truncatedBodyFor(route: string): string {
  if (/\/fetch$/.test(route)) return '{"id":"1730621826053455","action":"IMAGINE","status":"IN_PROG';
  if (/\/list-by-(condition|ids)$/.test(route)) return '[{"id":"1730621826053455","action":"IMA';
  return '{"code":1,"description":"Submit suc';
}

function readBody(req: http.IncomingMessage, limit: number): Promise<{ buf: Buffer; tooLarge: boolean; aborted: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        tooLarge = true; // keep consuming, drop the bytes
        chunks.length = 0;
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve({ buf: Buffer.concat(chunks), tooLarge, aborted: false }));
    req.on('error', () => resolve({ buf: Buffer.alloc(0), tooLarge, aborted: true }));
    req.on('aborted', () => resolve({ buf: Buffer.alloc(0), tooLarge, aborted: true }));
  });
}

/** Starts a fake proxy on 127.0.0.1:0 (by default). */
export async function startFakeProxy(options: FakeProxyOptions = {}): Promise<FakeProxy> {
  const fake = new FakeProxyServer(options);
  await fake.listen(options.host ?? '127.0.0.1', options.port ?? 0);
  return fake;
}
