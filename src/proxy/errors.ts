// The proxy's failures, as a small set of stable codes. A ProxyError carries enough context for a
// log line (route, HTTP status, the proxy's own code and description) and never a header or a body.

export type ProxyErrorCode =
  | 'UNAVAILABLE' // connection refused / reset, DNS, relay transport error (code 5)
  | 'TIMEOUT'
  | 'HTTP_5XX'
  | 'UNAUTHORIZED' // 401 / 403
  | 'RATE_LIMITED' // HTTP 429, relay code 30
  | 'MALFORMED' // unparsable or empty body where JSON was due
  | 'BANNED_PROMPT' // code 24, or a lock for banned words
  | 'QUEUE_FULL' // code 23, trueai code 9 "队列已满"
  | 'NO_ACCOUNT' // code 3 "无可用的账号实例" / "账号不可用"
  | 'NOT_FOUND' // code 3 for a parent task, unknown task
  | 'VALIDATION' // code 4, parameters
  | 'QUOTA' // code 4 for user/guest limits, relay quota
  | 'UNSUPPORTED' // endpoint missing (404 without a body) or "unknown action"
  | 'POSSIBLY_TAKEN' // a submit sent but not answered in time: the job may run, and was not found
  | 'INTERRUPTED' // the bot is stopping: the call was cut off (or never made); nothing was started
  | 'BACKEND_GONE' // the job's backend is no longer configured (several backends)
  | 'NO_BACKEND' // no configured backend may take this job here (the server is not allowed, or none offers the speed)
  | 'FAILURE'; // code 9 and anything else the proxy calls an error


export interface ProxyErrorContext {
  route: string;
  /** The backend's host, when the request did not get an answer. */
  host?: string;
  /** Why it did not (a DNS or socket error: `ENOTFOUND getaddrinfo relay.example`), for the log. */
  detail?: string;
  status?: number;
  proxyCode?: number;
  /** The proxy's own description (its words, shown to users translated when known). */
  description?: string;
  bannedWord?: string;
  /** POSSIBLY_TAKEN: whether the backend could be searched for the job (by the `state` it was sent with). */
  searchable?: boolean;
  /** POSSIBLY_TAKEN: the bot stopped before the answer came (a shutdown), so it did not look for the job. */
  interrupted?: boolean;
  /** A submit that failed before undici wrote a byte of its body: the backend surely did not take it (failover.ts). */
  unsent?: boolean;
  /** The configured backend the call went to (several backends: the pool names it). */
  backend?: string;
  /** The job the call was about (a fetch, a button's parent task, a modal's task). */
  taskId?: string;
  /** The jobs a batched read asked about. */
  taskIds?: string[];
}

/** Longest description a log line shows (a backend may answer a whole page). */
const DESCRIPTION_LOG_MAX = 200;
/** Ids of a batched read a log line names. */
const TASK_IDS_LOG_MAX = 5;

export class ProxyError extends Error {
  override readonly name = 'ProxyError';
  readonly code: ProxyErrorCode;
  readonly context: ProxyErrorContext;

  constructor(code: ProxyErrorCode, context: ProxyErrorContext, options?: { cause?: unknown }) {
    super(messageOf(code, context), options);
    this.code = code;
    this.context = context;
  }

  /** Adds where the call went (the backend's host) and what job it was about, when not known yet. */
  locate(where: { host?: string; backend?: string; taskId?: string; taskIds?: string[] }): this {
    const c = this.context;
    if (where.host && !c.host) c.host = where.host;
    if (where.backend && !c.backend) c.backend = where.backend;
    if (where.taskId && !c.taskId) c.taskId = where.taskId;
    if (where.taskIds?.length && !c.taskIds && !c.taskId) c.taskIds = where.taskIds;
    this.message = messageOf(this.code, c);
    return this;
  }

  /** What a log line shows of it (src/logger.ts describeError): the context's facts, the description cut; never a header or a body. */
  logFields(): Record<string, unknown> {
    const c = this.context;
    const ids = c.taskIds && (c.taskIds.length > TASK_IDS_LOG_MAX ? [...c.taskIds.slice(0, TASK_IDS_LOG_MAX), `…${c.taskIds.length - TASK_IDS_LOG_MAX} more`] : c.taskIds);
    return {
      route: c.route,
      backend: c.backend,
      host: c.host,
      status: c.status,
      proxyCode: c.proxyCode,
      description: c.description && (c.description.length > DESCRIPTION_LOG_MAX ? `${c.description.slice(0, DESCRIPTION_LOG_MAX)}…` : c.description),
      detail: c.detail,
      taskId: c.taskId,
      taskIds: ids,
    };
  }
}

function messageOf(code: ProxyErrorCode, c: ProxyErrorContext): string {
  const bits = [c.route, c.host, c.status && `HTTP ${c.status}`, c.proxyCode !== undefined && `code ${c.proxyCode}`, c.detail];
  return `${code} (${bits.filter(Boolean).join(', ')})${c.description ? `: ${c.description}` : ''}`;
}

/** Transient failures: a read is sent again after any of them. */
const READ_RETRY: ReadonlySet<ProxyErrorCode> = new Set(['UNAVAILABLE', 'TIMEOUT', 'HTTP_5XX', 'RATE_LIMITED']);

/** A read (GET, list-by-condition) changes nothing at the proxy; a submit may start (and cost) a job. */
export type RequestKind = 'read' | 'submit';

/**
 * The retry policy, the one the transport follows: a read is retried after any transient failure;
 * a submit only when the proxy surely did not take the job (it said its queue is full or we send
 * too fast, or the connection was refused), never after a 5xx, a reset or a timeout, which may
 * have reached it.
 */
export function mayRetry(err: ProxyError, kind: RequestKind): boolean {
  if (kind === 'read') return READ_RETRY.has(err.code);
  const refused = (err.cause as { code?: string } | undefined)?.code === 'ECONNREFUSED';
  return err.code === 'RATE_LIMITED' || err.code === 'QUEUE_FULL' || (err.code === 'UNAVAILABLE' && refused);
}

/** The proxy's success codes: 1 (accepted), 21 (waits for modal input), 22 (queued) (api.md §1.4). */
export function isAccepted(code: number): boolean {
  return code === 1 || code === 21 || code === 22;
}

/** An auth filter's words (trueai's Result JSON `{"code":-1,"message":"请重新登录"}`, new-api token errors): the key was refused. */
const AUTH_WORDS = /请重新登录|无权限访问|您无权限|账号无权限|未登录|账号已禁用|authorization header missing|无效的令牌|令牌.*(无效|已过期)|invalid (api )?(key|token)|unauthori[sz]ed/i;
/** The service has no account or channel to run the job (api.md §7.5): not the user's fault. */
const NO_ACCOUNT_WORDS = /无可用的?账号|账号不可用|实例不存在或不可用|实例不可用|渠道已被禁用|no available account|no account/i;

/** The codes midjourney-proxy and relays define (api.md §1.4). */
const PROXY_CODES: ReadonlySet<number> = new Set([1, 3, 4, 5, 9, 21, 22, 23, 24, 30]);

/** Maps the proxy's `code` plus description to our code (api.md §1.4). */
export function codeFromProxy(code: number, description: string): ProxyErrorCode {
  const d = description.toLowerCase();
  // An auth filter's Result JSON (`code: -1`, or an HTTP-like 401/403) may arrive with HTTP 200. Only
  // outside the proxy's own codes: "401: Unauthorized" under code 9 is Discord refusing the *account*.
  if (!PROXY_CODES.has(code) && AUTH_WORDS.test(description)) return 'UNAUTHORIZED';
  switch (code) {
    case 3:
      return NO_ACCOUNT_WORDS.test(description) || /instance/i.test(description) ? 'NO_ACCOUNT' : 'NOT_FOUND';
    case 4:
      // Before "不支持": "当前账号不支持 remix" is one account's setting, not a button the backend lacks
      // (an UNSUPPORTED action hides that button for good).
      if (/remix/i.test(description)) return 'VALIDATION';
      if (NO_ACCOUNT_WORDS.test(description)) return 'NO_ACCOUNT';
      if (/unknown_action|未知的 ?action|不支持|not support/i.test(description)) return 'UNSUPPORTED';
      if (/task_no_?t?_?found|task_not_found|不存在|已失效/i.test(description)) return 'NOT_FOUND';
      if (/临时封锁|敏感词|banned/i.test(description)) return 'BANNED_PROMPT';
      if (/上限|quota|余额|额度|limit/i.test(d)) return 'QUOTA';
      if (/队列已满/.test(description)) return 'QUEUE_FULL';
      return 'VALIDATION';
    case 5:
      return 'UNAVAILABLE';
    case 9:
      if (/队列已满|queue is full/i.test(description)) return 'QUEUE_FULL';
      return NO_ACCOUNT_WORDS.test(description) ? 'NO_ACCOUNT' : 'FAILURE';
    case 23:
      return 'QUEUE_FULL';
    case 24:
      return 'BANNED_PROMPT';
    case 30:
      return 'RATE_LIMITED';
    default:
      return 'FAILURE';
  }
}

/** Input the user got wrong; becomes a localized ephemeral message. */
export type UserInputErrorCode =
  | 'ATTACHMENT_TYPE'
  | 'ATTACHMENT_TOO_LARGE'
  | 'ATTACHMENT_EMPTY'
  | 'ATTACHMENT_COUNT'
  | 'ATTACHMENT_UNREADABLE'
  | 'ATTACHMENT_PRIVATE'
  | 'PROMPT_EMPTY'
  | 'PROMPT_TOO_LONG'
  | 'UNKNOWN_TASK'
  | 'EXPIRED'
  | 'NOT_OWNER'
  | 'NOT_YOUR_TASK'
  | 'ZOOM_MISSING'
  | 'MASK_MISSING'
  | 'REMIX_OFF'
  | 'TASK_NOT_READY'
  | 'LINK_INVALID'
  | 'LINK_UNREADABLE'
  | 'INPUT_MISSING'
  | 'NOT_ALLOWED_CHANNEL'
  | 'NOT_ALLOWED_ROLE'
  | 'NOT_ALLOWED_DM'
  | 'NOT_ALLOWED_USER_INSTALL'
  | 'QUOTA_RUNNING'
  | 'QUOTA_DAILY'
  | 'QUOTA_SERVER_RUNNING'
  | 'QUOTA_SERVER_MEMBER_DAILY'
  | 'QUOTA_SERVER_DAILY'
  | 'LIMIT_INVALID'
  | 'LIMIT_ABOVE_CEILING'
  | 'ACCESS_CHANNEL_TYPE'
  | 'ACCESS_CHANNEL_OPERATOR'
  | 'ACCESS_ROLE_OPERATOR'
  | 'NOT_ALLOWED_USER_INSTALL_SERVER'
  | 'MODE_NOT_OFFERED'
  | 'SETTINGS_ADMIN_ONLY'
  | 'SETTINGS_NOT_YOURS'
  | 'SETTINGS_SERVER_ONLY'
  | 'SUFFIX_TOO_LONG'
  | 'SETTINGS_GALLERY_TYPE'
  | 'SETTINGS_AUDIT_TYPE'
  | 'REFERENCE_WEIGHT_ALONE'
  | 'REFERENCE_TOO_OLD'
  | 'REFERENCE_CREF_V7'
  | 'REFERENCE_OREF_V6'
  | 'NO_GALLERY'
  | 'GALLERY_UNREACHABLE'
  | 'SHARE_FAILED'
  | 'SHARE_BUSY'
  | 'PRIVACY_ADMIN_ONLY'
  | 'PRIVACY_SERVER_ONLY'
  | 'PRIVACY_NOT_YOURS'
  | 'MOD_BANNED_WORD'
  | 'MOD_BLOCKED'
  | 'MOD_COOLDOWN'
  | 'MOD_WORD_TOO_LONG'
  | 'MOD_TOO_MANY_WORDS';

export class UserInputError extends Error {
  override readonly name = 'UserInputError';
  constructor(
    readonly code: UserInputErrorCode,
    readonly vars: Record<string, string | number> = {},
  ) {
    super(code);
  }
}
