// Wire and control types of the fake midjourney-proxy. Field names follow the seeds
// (/work/shared/seeds) and api.md §2; see fake-proxy.ts for the overview.

export type AuthStyle = 'bearer' | 'raw' | 'mj-api-secret';

/** How task timelines move. 'on-read': every fetch / list-by-condition returns the current
 * step and then moves the task one step on. 'manual': only `advance()` moves tasks.
 * `{ everyMs }`: every unfinished task moves one step every `everyMs` milliseconds. */
export type AdvanceMode = 'on-read' | 'manual' | { everyMs: number };

export interface FakeProxyOptions {
  /** Default 'test-key'. `null` or '' turns auth off. Requests without a matching header get 401 with an empty body (novicezk). */
  apiKey?: string | null;
  /** Accepted header styles, default all three. */
  authStyles?: AuthStyle[];
  advance?: AdvanceMode;
  /** Default 127.0.0.1 */
  host?: string;
  /** Default 0 (an ephemeral port). */
  port?: number;
  /** Result and preview images show the prompt and the grid position (the playground) instead of
   * being tiny solid squares (tests). Default false. */
  placeholders?: boolean;
}

export interface TaskButton {
  customId: string;
  /** The emoji *name*: a unicode char, '' or a bare custom-emoji name such as 'upscale_1'. */
  emoji: string;
  label: string;
  type: number;
  style: number;
}

export interface MediaUrl {
  url: string;
}

/** A task as the proxy serialises it (seed field set and order; VIDEO/EDITS add their media fields). */
export interface TaskJson {
  id: string;
  action: string;
  customId: string;
  botType: string;
  prompt: string;
  promptEn: string;
  description: string;
  state: string;
  /** Only present when the task was submitted under a mode path (and always on VIDEO, as in the seed). */
  mode?: string;
  proxy?: string;
  submitTime: number | null;
  startTime: number | null;
  finishTime: number | null;
  imageUrl: string | null;
  imageUrls?: MediaUrl[] | null;
  imageHeight?: number;
  imageWidth?: number;
  videoUrl?: string;
  videoUrls?: MediaUrl[] | null;
  status: string;
  progress: string | null;
  failReason: string;
  buttons: TaskButton[];
  maskBase64: string;
  properties: Record<string, unknown>;
}

export type TimelineSpec =
  /** SUBMITTED 0% → IN_PROGRESS 15%, 46%, 78% (with preview imageUrl for image jobs) → SUCCESS 100% with buttons */
  | 'success'
  /** SUBMITTED 0% → IN_PROGRESS 15% → FAILURE (progress "", failReason = DEFAULT_FAIL_REASON) */
  | 'failure'
  /** SUBMITTED 0% → IN_PROGRESS 15%, then stays there */
  | 'never'
  /** submit answers code 22 (numberOfQueues 2); NOT_START for 2 steps, then like 'success' */
  | 'queued'
  | {
      /** Patches applied one per step; steps[0] is the state right after submit. A step with
       * status SUCCESS gets the job's result (imageUrl, buttons, messageHash, …) merged in
       * under its own fields; a FAILURE step gets progress "" and `failReason`. */
      steps: Array<Partial<TaskJson>>;
      /** Code of the submit answer. 1, 21 and 22 create the task; any other code is an
       * error answer and creates nothing. */
      submitCode?: number;
      submitDescription?: string;
      /** failReason for FAILURE steps that don't carry one. */
      failReason?: string;
      /** properties.numberOfQueues for a code-22 answer (default: leading NOT_START steps, at least 1). */
      numberOfQueues?: number;
    };

export interface Quirks {
  /** Delay every response (API and media) by this many ms. */
  slowMs: number;
  /** Delay the answer of every submit (/submit/*, insight-face) by this many ms, after the task was
   * created: a proxy that took the job but answers too late. */
  slowSubmitMs: number;
  /** Answer every API request with this status and an HTML body (nginx style). */
  status5xx: number | null;
  /** Destroy the socket of every API request without answering. */
  resetConnection: boolean;
  /** Answer every API request with 200 and truncated JSON (no side effects). */
  malformedJson: boolean;
  /** Answer every API request with 200 and an empty body (no side effects). */
  emptyBody: boolean;
  /** 401 (empty body) for every API request, whatever the key. */
  unauthorized: boolean;
  /** true: every prompt is banned; a string: prompts containing that word (case-insensitive) are.
   * Prompts containing 'banned' are always banned. Answer: code 24 "可能包含敏感词" + properties.promptEn/bannedWord. */
  bannedPrompt: boolean | string;
  /** Submits answer code 23 "队列已满，请稍后尝试" (novicezk / plus). */
  queueFull: boolean;
  /** Submits answer code 9 "提交失败，队列已满，请稍后重试" (trueai). */
  queueFullTrueai: boolean;
  /** new-api: code 21 becomes 1 (description kept), except for Inpaint and CustomZoom. */
  relayRewrite21: boolean;
  /** code 22 becomes 1 with description 'In queue, there are N tasks ahead' (DMXAPI style). */
  relayRewrite22: boolean;
  /** The first read of every task returns status "" (new-api before its first sync) and does not advance it. */
  emptyStatusFirst: boolean;
  /** Task ids, submit `result`s and properties snowflakes serialised as JSON numbers. */
  numericIds: boolean;
  /** Fetch of an unknown id: novicezk 200 + empty body / trueai 204 / 404 + code 3 JSON / new-api 400. Default '204'. */
  unknownTaskStyle: 'empty200' | '204' | '404' | 'newapi400';
  /** POST /mj/task/list-by-condition (and list-by-ids) answer 404. */
  noListByCondition: boolean;
  /** GET /mj/task/list answers 404 (new-api relays do not pass it on; novicezk and trueai have it). */
  noTaskList: boolean;
  /** GET /mj/task/{id}/image-seed answers 404 (a backend without seeds: novicezk). */
  noImageSeed: boolean;
  /** POST /mj/submit/upload-discord-images answers 404 (novicezk has no such route). */
  noUploadImages: boolean;
  /** POST /mj/submit/video answers 404 (novicezk and plus have no video). */
  noVideo: boolean;
  /**
   * /mj/submit/action reads the customId as new-api's relay does (`CoverPlusActionToNormalAction`):
   * only upsample, variation, pan, reroll, Outpaint, CustomZoom and Inpaint pass; anything else
   * (animate_*, video_virtual_upscale, PicReader, Picread, PromptAnalyzer, BOOKMARK) answers HTTP 400
   * `{"description":"unknown_action:<customId> ","type":"upstream_error","code":4}` (api.md §3).
   */
  newApiActions: boolean;
  /** list-by-condition answers 400 (code 4) when given more ids than this. */
  listMax: number | null;
  /** Variation / reroll / pan / low_ and high_variation / animate answer code 21 (remix-on account). */
  remix: boolean;
  /** The account's Remix mode is off: an action with `enableRemix: true` answers code 4
   * "当前账号不支持 remix，请开启 remix 功能" (trueai on a Discord account, api.md §3). */
  remixOff: boolean;
  /** The backend does not know `enableRemix` (plus, a relay that drops the field): the action runs at once. */
  ignoreEnableRemix: boolean;
  /** POST /mj/task/{id}/cancel is not there: true, Spring's 404 (novicezk, plus); 'html', new-api's
   * NoRoute: 200 with its dashboard's index page (router/web-router.go; relays do not pass cancel on). */
  noCancel: boolean | 'html';
  /** customId substrings answered with code 4 "未知的 Action 类型" (e.g. 'BOOKMARK', 'PromptAnalyzer'). */
  rejectActions: string[];
  /** "properties": null in submit results. */
  nullProperties: boolean;
  /** submitTime/startTime/finishTime 0 instead of null (relay style). */
  zeroTimes: boolean;
  /** Media GETs (/cdn, /attachments, /mj/image) answer this status (e.g. 403, an expired Discord link). */
  imageStatus: number | null;
  /** Reads only (fetch, list-by-condition): 401 or 403 with an empty body, 'error-code' a 200 with an
   * auth filter's Result JSON `{"code":-1,"message":"请重新登录"}`, 'garbage' a 200 with truncated JSON.
   * What a key revoked or out of quota right after a submit produces. */
  readFault: 401 | 403 | 'error-code' | 'garbage' | null;
  /** Media GETs wait (unanswered) until this is switched off again, reset() or close(). */
  holdMedia: boolean;
  /** Reads (fetch, list-by-condition, list-by-ids) wait (recorded, unanswered) until this is switched off again,
   * reset() or close(). */
  holdReads: boolean;
}

export interface RecordedProxyRequest {
  method: string;
  /** URL path without the query, exactly as sent (mode prefix included). */
  path: string;
  /** The query string including '?', or ''. */
  query: string;
  /** The path with any mode prefix removed ('/mj/submit/imagine'); null for non-API paths. */
  route: string | null;
  /** 'FAST' | 'RELAX' | 'TURBO' when a mode prefix was used. */
  mode: string | null;
  headers: Record<string, string | undefined>;
  /** Parsed JSON, the raw string when it is not JSON, or undefined when there was no body. */
  body: any;
  /** The HTTP status answered; 0 when the connection was reset. */
  status: number;
  /** The address the request came from (the socket's remote address): which bot process polled. */
  from?: string;
}

export interface NotificationRecord {
  taskId: string;
  url: string;
  /** The task JSON that was POSTed. */
  body: any;
  /** The receiver's HTTP status, or null when the POST failed. */
  responseStatus: number | null;
  error?: string;
}

/** Which result a task produces on SUCCESS. */
export type ResultKind =
  | 'grid'
  | 'upscale'
  | 'upscale_hd'
  | 'describe'
  | 'shorten'
  | 'shorten_details'
  | 'video'
  | 'edits'
  | 'swap';

export type ModalKind = 'CustomZoom' | 'Inpaint' | 'PicReader' | 'PromptAnalyzer' | 'Remix';

export interface FakeTask {
  id: string;
  /** The current wire state (mutable: tests may poke it). */
  json: TaskJson;
  kind: ResultKind;
  /** Job hash of this task's result: properties.messageHash and {h} in its buttons once SUCCESS. */
  hash: string;
  /** Timeline patches; `step` is the index of the patch currently shown (-1: none applied). */
  steps: Array<Partial<TaskJson>>;
  step: number;
  failReason: string;
  /** How many times the task was returned by fetch / list-by-condition. */
  reads: number;
  notifyHook?: string;
  parentId?: string;
  /** Set on tasks created by a code-21 action; status stays MODAL until /submit/modal. */
  modal?: { kind: ModalKind; customId: string; submitted: boolean };
  /** Input image of describe / video / edits / swap, or the parent image of an upscale. */
  sourceUrl?: string;
  /** Grid index (1-4) for an upscale. */
  index?: number;
  /** Result texts for DESCRIBE (4 prompts) and SHORTEN (5 prompts). */
  resultPrompts?: string[];
  videoCount?: number;
}

export interface FakeProxy {
  /** 'http://127.0.0.1:PORT' (no trailing slash) */
  baseUrl: string;
  requests: RecordedProxyRequest[];
  /** Every notifyHook POST the fake made (reset() clears it). */
  notifications: NotificationRecord[];
  tasks: Map<string, FakeTask>;
  /** Media requests waiting under quirks.holdMedia. */
  readonly mediaHeld: number;
  /** Reads waiting under quirks.holdReads. */
  readonly readsHeld: number;
  /** Current quirks (read-only view; change them with setQuirks). */
  readonly quirks: Readonly<Quirks>;
  /** Timeline used for the NEXT submitted task(s) (a queue; falls back to 'success'). A MODAL
   * task takes its timeline when /submit/modal is called, not when the action creates it. */
  nextTimeline(t: TimelineSpec): void;
  /** Misbehaviour switches, merged into current quirks; reset() clears them. */
  setQuirks(q: Partial<Quirks>): void;
  /** Clears quirks, scripted timelines, requests and notifications (not tasks). */
  reset(): void;
  /** Drops the scripted timelines not used yet (the playground's other backend took the scripted job). */
  dropTimelines(): void;
  /**
   * Takes the proxy off the network (true: its listener closes and open connections are cut, so
   * connections are refused, as of a proxy that is down) or back on it, on the same port (false).
   * Its tasks stay and keep moving meanwhile.
   */
  setOffline(down: boolean): Promise<void>;
  /** Calls `fn` with every request recorded from now on; returns the way to stop. */
  onRequest(fn: (r: RecordedProxyRequest) => void): () => void;
  /** Whether setOffline(true) holds. */
  readonly offline: boolean;
  /** Move one task (or every unfinished task) `steps` steps along its timeline (default 1). */
  advance(id?: string, steps?: number): void;
  /** Move a task straight to the end of its timeline. */
  finish(id: string): void;
  /** Current wire JSON of a task (a copy, no quirks applied); undefined when unknown. */
  getTask(id: string): any;
  /** Create a task directly (no HTTP). Without a timeline it is SUCCESS at once. Returns its id. */
  addTask(init?: AddTaskInit): string;
  /** POST the task's current JSON to its notifyHook (if set), as the real proxy does. */
  notify(id: string): Promise<void>;
  /** Resolves with the first recorded request (already recorded or future) matching `pred`. Default timeout 2000 ms. */
  waitForRequest(pred: (r: RecordedProxyRequest) => boolean, timeoutMs?: number): Promise<RecordedProxyRequest>;
  /** Like waitForRequest but ignores requests recorded before the call. */
  nextRequest(pred: (r: RecordedProxyRequest) => boolean, timeoutMs?: number): Promise<RecordedProxyRequest>;
  close(): Promise<void>;
}

export interface AddTaskInit {
  /** Default 'IMAGINE'. One of IMAGINE, VARIATION, REROLL, PAN, ZOOM, BLEND, UPSCALE, UPSCALE_HD, DESCRIBE, SHORTEN, VIDEO, EDITS, SWAP_FACE. */
  action?: string;
  prompt?: string;
  state?: string;
  notifyHook?: string;
  mode?: string;
  /** Default: none, i.e. the task is SUCCESS immediately. */
  timeline?: TimelineSpec;
}
