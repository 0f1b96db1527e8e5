// Whether a new job's submit surely did not reach work at its backend, so that it may be sent to
// the next backend at once without being paid twice. An allow-list: only answers that say the
// backend did not take the job. Everything else (a 5xx, a timeout or a dropped connection after
// the body was written, a body that cannot be read, POSSIBLY_TAKEN) may have been taken, and is
// never sent elsewhere; a banned prompt (code 24) is the user's answer, not the backend's trouble.
import { ProxyError } from './errors.ts';

/** Why a submit may go to the next backend; null: it must not. */
export type FailoverReason = 'not-sent' | 'rate-limited' | 'no-account' | 'queue-full' | 'backend-limit';

/**
 * Code 4 texts that name the backend's own limits, not the request's fault (api.md §1.4): trueai's
 * concurrency, queue and daily limits of the key's user (or guests), "service unavailable", a
 * relay's quota of this key. Not "账号已被临时封锁" (a lock for banned words: the prompt's answer).
 */
const BACKEND_LIMIT_WORDS = /并发数已达上限|队列数已达上限|今日绘图次数已达上限|队列已满|服务暂不可用|quota_not_enough|余额不足|额度不足|额度已用尽|无可用的?账号|no available account/i;
/** trueai's code 9 for a full queue (A and B say 23). */
const QUEUE_FULL_WORDS = /队列已满|queue is full/i;

export function failoverReason(err: unknown): FailoverReason | null {
  if (!(err instanceof ProxyError)) return null;
  const c = err.context;
  if (err.code === 'BANNED_PROMPT' || c.proxyCode === 24) return null;
  // A 5xx may have taken the job, whatever its body says; so may a submit answered after it was sent and lost.
  if ((c.status !== undefined && c.status >= 500) || err.code === 'POSSIBLY_TAKEN') return null;
  // No answer, and not a byte of the body written (connection refused, DNS, a connect timeout).
  if ((err.code === 'UNAVAILABLE' || err.code === 'TIMEOUT') && c.unsent === true && c.status === undefined) return 'not-sent';
  if (c.status === 429) return 'rate-limited';
  switch (c.proxyCode) {
    // A new job has no parent: code 3 is "no available account" (无可用的账号实例).
    case 3:
      return 'no-account';
    case 23:
      return 'queue-full';
    case 30:
      return 'rate-limited';
    case 9:
      return QUEUE_FULL_WORDS.test(c.description ?? '') ? 'queue-full' : null;
    case 4:
      return BACKEND_LIMIT_WORDS.test(c.description ?? '') ? 'backend-limit' : null;
    default:
      return null;
  }
}
