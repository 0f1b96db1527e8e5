// The proxy's own words (failReasons, error descriptions) mapped to catalogue keys where known
// (api.md §7 appendix); unknown text is shown verbatim, as ux.md asks, and as plain text.
import { t, type MessageKey } from '../i18n/index.ts';
import { cutText } from '../util/text.ts';
import { plainText } from './plain-text.ts';

const FAIL_REASONS: [RegExp, MessageKey][] = [
  // Midjourney's red embeds arrive as "[<title>] <description>": the title decides, whatever the text after it says.
  [/^\s*\[internal (server )?error\]/i, 'fail.internal'],
  [/banned prompt|可能包含敏感词|敏感词|moderator/i, 'fail.banned'],
  [/image denied|image filter/i, 'fail.imageDenied'],
  [/invalid parameter/i, 'fail.invalidParameter'],
  [/invalid link/i, 'fail.invalidLink'],
  [/队列已满|queue (is )?full/i, 'proxy.QUEUE_FULL'],
  [/任务超时|执行超时|提交超时|超时，未找到消息|timed? ?out/i, 'fail.timeout'],
  [/取消任务|\bcancel/i, 'fail.cancelled'],
  [/internal (server )?error/i, 'fail.internal'],
  [/实例不可用|无可用的账号|账号不可用|account.*(unavailable|not available)/i, 'fail.noAccount'],
  [/so many ai images|making so many/i, 'fail.tooMany'],
  [/人工验证|verification|captcha|pending mod message|action needed to continue/i, 'fail.verification'],
  [/invalid form body/i, 'fail.outdated'],
  [/未找到父级任务|\bparent\b/i, 'fail.parentMissing'],
  [/不支持编辑|不支持重绘|服务不支持|not supported/i, 'proxy.UNSUPPORTED'],
  [/服务异常|failed to process|上传图片到加速站点异常/i, 'fail.serviceError'],
];

/** Whether the backend failed the job for a banned prompt (moderation counts these: src/jobs/screen.ts). */
export function isBannedFailReason(reason: string | null | undefined): boolean {
  const r = (reason ?? '').trim();
  return !!r && FAIL_REASONS.find(([re]) => re.test(r))?.[1] === 'fail.banned';
}

/** A failReason in the user's language, plus the original when it adds detail. */
export function explainFailReason(reason: string | null, locale: string): { text: string; original: string | null } {
  const r = (reason ?? '').trim();
  if (!r) return { text: t(locale, 'fail.unknown'), original: null };
  for (const [re, key] of FAIL_REASONS) if (re.test(r)) return { text: t(locale, key), original: r };
  return { text: plainText(r), original: null };
}

const DESCRIPTIONS: [RegExp, MessageKey][] = [
  [/prompt ?不能为空|prompt.*(empty|required)/i, 'proxyText.promptEmpty'],
  [/base64/i, 'proxyText.base64'],
  [/关联任务状态错误|parent.*status/i, 'proxyText.parentState'],
  [/关联任务不存在|已失效/, 'proxyText.parentMissing'],
  [/未知的 ?action|unknown_action/i, 'proxyText.unknownAction'],
  [/并发数已达上限/, 'proxyText.concurrency'],
  [/队列数已达上限/, 'proxyText.queueLimit'],
  [/今日绘图次数已达上限/, 'proxyText.dailyLimit'],
  [/临时封锁/, 'proxyText.locked'],
  [/quota_not_enough|余额不足|额度不足/i, 'proxyText.quota'],
  [/remix/i, 'proxyText.remixOff'],
  [/禁止上传/, 'proxyText.uploadOff'],
  [/服务暂不可用/, 'proxyText.unavailable'],
  // Code 4 wordings of novicezk/trueai and new-api relays (api.md §1.4).
  [/参数错误|不能为空|_is_required/i, 'proxyText.invalidParameter'],
  [/不允许执行变化/, 'proxyText.actionNotAllowed'],
  [/渠道已被禁用/, 'proxyText.channelDisabled'],
  [/系统异常/, 'proxyText.systemError'],
  [/^request too large$/, 'proxyText.tooLarge'],
];

/** A proxy error description in the user's language; unknown text verbatim (trimmed, short). */
export function explainDescription(description: string | undefined, locale: string): string {
  const d = (description ?? '').trim();
  for (const [re, key] of DESCRIPTIONS) if (re.test(d)) return t(locale, key);
  return plainText(cutText(d, 300)) || '—';
}
