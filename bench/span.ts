// The bot's own span of a push, measured inside the bot process (bench/bot.ts), with no change to
// src/: from the notifyHook callback's arrival (the receiver handing the task id to the poller,
// app.poller.hint) to the Discord edit leaving the bot (undici's `undici:client:sendHeaders`, the
// moment the PATCH's headers are written to the socket). Both undici copies (7 for the proxy
// client and downloads, 6 inside discord.js) publish on the same named diagnostics channels.
// Split into: gathering the hints until the read-back is sent, the read-back at the proxy (request
// created → its answer complete: the fake proxy's time plus socket waits), and the rest (render,
// store writes, the result's download for a final state, discord.js's queue) until the edit left.
import diagnostics from 'node:diagnostics_channel';
import { performance } from 'node:perf_hooks';

/** Wall-clock ms with sub-ms precision, comparable across processes of this machine. */
export const nowMs = () => performance.timeOrigin + performance.now();

export interface SpanSample {
  /** hint → edit headers written (ms). */
  total: number;
  /** hint → the first read-back request created after it. */
  gather: number;
  /** That read-back: created → answer complete. */
  read: number;
  /** Answer complete → edit headers written (render, store, download, discord.js queue). */
  after: number;
  /** Of `after`: downloads from the proxy's media URLs that ran in that window. */
  download: number;
  /** When the hint arrived (ms, wall clock). */
  hintAt: number;
  taskId: string;
}

interface Req {
  origin?: string;
  method?: string;
  path?: string;
  body?: unknown;
}
interface Timed {
  created: number;
  done: number;
}

export class SpanProbe {
  readonly samples: SpanSample[] = [];
  /** Every hint's arrival (ms), per task: the benchmark matches them to the states it produced. */
  readonly hints = new Map<string, number[]>();
  readonly #pending = new Map<string, number>();
  readonly #taskOfToken = new Map<string, string>();
  readonly #reads: Timed[] = [];
  readonly #downloads: Timed[] = [];
  readonly #timed = new WeakMap<object, Timed>();
  #on = false;
  /** Discord requests written per route kind (method and first path segment), while measuring. */
  readonly discordSent = new Map<string, number>();
  /** Interaction-token edits: discord.js handed them to undici → their headers written (queue wait in undici). */
  readonly patchSocketWait: number[] = [];
  readonly #patchCreated = new WeakMap<object, number>();

  constructor(poller: { hint(taskId: string, relayed?: boolean): void }) {
    const hint = poller.hint.bind(poller);
    poller.hint = (taskId: string, relayed = false) => {
      if (this.#on && !relayed) {
        const at = nowMs();
        if (!this.#pending.has(taskId)) this.#pending.set(taskId, at);
        let list = this.hints.get(taskId);
        if (!list) this.hints.set(taskId, (list = []));
        list.push(at);
      }
      hint(taskId, relayed);
    };
    diagnostics.subscribe('undici:request:create', (m) => this.#create((m as { request: Req }).request));
    diagnostics.subscribe('undici:request:trailers', (m) => {
      const t = this.#timed.get((m as { request: object }).request);
      if (t) t.done = nowMs();
    });
    diagnostics.subscribe('undici:client:sendHeaders', (m) => this.#sent((m as { request: Req }).request));
  }

  watch(token: string, taskId: string): void {
    this.#taskOfToken.set(token, taskId);
  }

  start(): void {
    this.samples.length = 0;
    this.hints.clear();
    this.#pending.clear();
    this.#reads.length = 0;
    this.#downloads.length = 0;
    this.discordSent.clear();
    this.patchSocketWait.length = 0;
    this.#on = true;
  }

  stop(): void {
    this.#on = false;
  }

  #create(r: Req): void {
    if (!this.#on) return;
    const path = r.path ?? '';
    if (r.method === 'PATCH' && path.includes('/webhooks/')) this.#patchCreated.set(r, nowMs());
    const t: Timed = { created: nowMs(), done: Infinity };
    if (path.includes('/mj/task/list-by-condition') || /\/mj\/task\/[^/]+\/fetch/.test(path)) this.#reads.push(t);
    else if (r.method === 'GET' && !/\/webhooks\/|\/channels\//.test(path)) this.#downloads.push(t);
    else return;
    this.#timed.set(r, t);
  }

  #sent(r: Req): void {
    if (!this.#on) return;
    const api = /\/api\/v\d+\/([a-z]+)(\/\d+\/[^/?]+\/messages)?/.exec(r.path ?? '');
    if (api) {
      const kind = `${r.method} /${api[1]}${api[2] ? '/:id/:token/messages' : ''}`;
      this.discordSent.set(kind, (this.discordSent.get(kind) ?? 0) + 1);
    }
    const created = this.#patchCreated.get(r);
    if (created !== undefined) this.patchSocketWait.push(nowMs() - created);
    if (r.method !== 'PATCH') return;
    const token = /\/webhooks\/\d+\/([^/?]+)\/messages\//.exec(r.path ?? '')?.[1];
    const taskId = token && this.#taskOfToken.get(decodeURIComponent(token));
    if (!taskId) return;
    const hintAt = this.#pending.get(taskId);
    if (hintAt === undefined) return;
    this.#pending.delete(taskId);
    const at = nowMs();
    const read = this.#reads.find((x) => x.created >= hintAt && x.created <= at);
    const readDone = read && read.done <= at ? read.done : at;
    const download = this.#downloads.filter((d) => d.created >= readDone && d.done <= at).reduce((s, d) => s + (d.done - d.created), 0);
    this.samples.push({
      total: at - hintAt,
      gather: (read?.created ?? at) - hintAt,
      read: read ? readDone - read.created : 0,
      after: at - readDone,
      download,
      hintAt,
      taskId,
    });
  }
}
