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
  | 'FAILURE'; // code 9 and anything else the proxy calls an error

const RETRYABLE: ReadonlySet<ProxyErrorCode> = new Set(['UNAVAILABLE', 'TIMEOUT', 'HTTP_5XX', 'RATE_LIMITED', 'QUEUE_FULL']);

export interface ProxyErrorContext {
  route: string;
  status?: number;
  proxyCode?: number;
  /** The proxy's own description (its words, shown to users translated when known). */
  description?: string;
  bannedWord?: string;
}

export class ProxyError extends Error {
  override readonly name = 'ProxyError';
  readonly code: ProxyErrorCode;
  readonly context: ProxyErrorContext;

  constructor(code: ProxyErrorCode, context: ProxyErrorContext, options?: { cause?: unknown }) {
    const bits = [context.route, context.status && `HTTP ${context.status}`, context.proxyCode !== undefined && `code ${context.proxyCode}`];
    super(`${code} (${bits.filter(Boolean).join(', ')})${context.description ? `: ${context.description}` : ''}`, options);
    this.code = code;
    this.context = context;
  }

  /** A retry is safe only for reads, or when the proxy surely did not take the job. */
  get retryable(): boolean {
    return RETRYABLE.has(this.code);
  }
}

/** Maps the proxy's `code` plus description to our code (api.md §1.4). */
export function codeFromProxy(code: number, description: string): ProxyErrorCode {
  const d = description.toLowerCase();
  switch (code) {
    case 3:
      return /无可用的账号|账号不可用|no available account|instance/i.test(description) ? 'NO_ACCOUNT' : 'NOT_FOUND';
    case 4:
      if (/unknown_action|未知的 ?action|不支持|not support/i.test(description)) return 'UNSUPPORTED';
      if (/task_no_?t?_?found|task_not_found|不存在|已失效/i.test(description)) return 'NOT_FOUND';
      if (/临时封锁|敏感词|banned/i.test(description)) return 'BANNED_PROMPT';
      if (/上限|quota|余额|额度|limit/i.test(d)) return 'QUOTA';
      if (/队列已满/.test(description)) return 'QUEUE_FULL';
      return 'VALIDATION';
    case 5:
      return 'UNAVAILABLE';
    case 9:
      return /队列已满|queue is full/i.test(description) ? 'QUEUE_FULL' : 'FAILURE';
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
  | 'PROMPT_EMPTY'
  | 'PROMPT_TOO_LONG'
  | 'UNKNOWN_TASK'
  | 'EXPIRED'
  | 'NOT_OWNER'
  | 'ZOOM_MISSING'
  | 'MASK_MISSING'
  | 'TASK_NOT_READY'
  | 'LINK_INVALID'
  | 'INPUT_MISSING'
  | 'NOT_ALLOWED_CHANNEL'
  | 'NOT_ALLOWED_ROLE'
  | 'QUOTA_RUNNING'
  | 'QUOTA_DAILY';

export class UserInputError extends Error {
  override readonly name = 'UserInputError';
  constructor(
    readonly code: UserInputErrorCode,
    readonly vars: Record<string, string | number> = {},
  ) {
    super(code);
  }
}
