// The audit channel's lines: one per job (who, the command or button, the prompt, the outcome, a
// jump link) and one per admin change (who changed which setting, from what to what). Pure: plain
// data in (already scrubbed of secrets by the caller), one line of text out, within Discord's
// 2000 characters. Everything from outside is plain text; people, roles and channels are written
// as mentions, which the message's allowed_mentions (parse: []) keeps from pinging anyone.
import { t, type MessageKey } from '../i18n/index.ts';
import { cutText } from '../util/text.ts';
import { plainText } from './plain-text.ts';
import { explainFailReason } from './reasons.ts';
import { versionLabel } from './settings-view.ts';
import { LIMITS, safeText } from './task-view.ts';
import { messageLink } from './task-list.ts';

/** How long the prompt may be in a line. */
const PROMPT_MAX = 300;
/** How many ids a changed list shows before "+N". */
const LIST_MAX = 10;

export interface AuditJob {
  ownerId: string;
  guildId: string | null;
  channelId: string;
  messageId: string | null;
  kind: string;
  label: string | null;
  prompt: string;
  private: boolean;
  /** SUCCESS, FAILURE, CANCEL, TIMEOUT, LOST, or a status the job stopped being followed in. */
  status: string;
  failReason: string | null;
}

function outcome(job: AuditJob, locale: string): string {
  switch (job.status) {
    case 'SUCCESS':
      return t(locale, 'audit.outcome.done');
    case 'FAILURE':
      return t(locale, 'audit.outcome.failed', { reason: explainFailReason(job.failReason, locale).text });
    case 'CANCEL':
      return t(locale, 'audit.outcome.cancelled');
    case 'TIMEOUT':
      return t(locale, 'audit.outcome.timeout');
    case 'LOST':
      return t(locale, 'audit.outcome.lost');
    default:
      return t(locale, 'audit.outcome.stopped');
  }
}

/** What the job was started with: the command (`/imagine`), or the button's label. */
function commandOf(job: AuditJob): string {
  if ((job.kind === 'action' || job.kind === 'modal') && job.label) return plainText(cutText(job.label, 80));
  return `/${plainText(cutText(job.kind, 40))}`;
}

export function renderAuditJob(job: AuditJob, locale: string): string {
  const where = job.private
    ? t(locale, 'audit.private')
    : job.messageId
      ? messageLink({ guildId: job.guildId, channelId: job.channelId, messageId: job.messageId })
      : t(locale, 'audit.noMessage');
  const line = t(locale, 'audit.job', {
    user: `<@${job.ownerId}>`,
    command: commandOf(job),
    prompt: safeText(job.prompt, PROMPT_MAX) || '—',
    outcome: outcome(job, locale),
    where,
  });
  return cutText(line, LIMITS.content);
}

export interface AuditRefusal {
  userId: string;
  /** The command's name, or 'action' for a button. */
  command: string;
  prompt: string;
  /** Why: an error code (BANNED_PROMPT, QUEUE_FULL …) or words (made plain here). */
  reason: string;
}

export function renderAuditRefusal(r: AuditRefusal, locale: string): string {
  const line = t(locale, 'audit.job', {
    user: `<@${r.userId}>`,
    command: r.command === 'action' ? t(locale, 'button.action') : `/${plainText(cutText(r.command, 40))}`,
    prompt: safeText(r.prompt, PROMPT_MAX) || '—',
    outcome: t(locale, 'audit.outcome.refused', { reason: plainText(cutText(r.reason, 200)) }),
    where: t(locale, 'audit.noMessage'),
  });
  return cutText(line, LIMITS.content);
}

export interface AuditChange {
  userId: string;
  /** The setting, as a dotted path into the server's settings ("defaults.stylize", "galleryChannelId", "moderation.words" …). */
  what: string;
  before: unknown;
  after: unknown;
}

/** The settings' names; a path not listed here is shown as it is. */
const NAMES: Record<string, MessageKey> = {
  'defaults.version': 'settings.label.version',
  'defaults.stylize': 'settings.label.stylize',
  'defaults.raw': 'settings.label.raw',
  'defaults.mode': 'settings.label.mode',
  'defaults.remix': 'settings.label.remix',
  'defaults.variation': 'settings.label.variation',
  'defaults.visibility': 'settings.label.visibility',
  'defaults.suffix': 'settings.label.suffix',
  versions: 'settings.label.versions',
  modes: 'settings.label.modes',
  galleryChannelId: 'settings.label.gallery',
  auditChannelId: 'settings.label.audit',
  'limits.running': 'audit.setting.running',
  'limits.daily': 'audit.setting.daily',
  'limits.serverDaily': 'audit.setting.serverDaily',
  'access.channels': 'audit.setting.channels',
  'access.roles': 'audit.setting.roles',
  'access.userInstall': 'audit.setting.userInstall',
  'moderation.words': 'audit.setting.words',
  'moderation.blocked': 'audit.setting.blocked',
};

function settingName(what: string, locale: string): string {
  const key = NAMES[what];
  const name = key ? t(locale, key) : plainText(cutText(what, 80));
  return what.startsWith('defaults.') ? t(locale, 'audit.setting.default', { name }) : name;
}

/** Ids shown as mentions (inert: the line's allowed_mentions parse nothing), at most LIST_MAX of them. */
function mentions(ids: readonly unknown[], wrap: (id: string) => string): string {
  const shown = ids.filter((id): id is string => typeof id === 'string' && /^\d{1,20}$/.test(id)).slice(0, LIST_MAX).map(wrap);
  return ids.length > LIST_MAX ? `${shown.join(', ')} +${ids.length - LIST_MAX}` : shown.join(', ');
}

function value(what: string, v: unknown, locale: string): string {
  const empty = what === 'versions' || what === 'modes' || what.startsWith('access.') ? 'settings.value.all' : what.endsWith('ChannelId') ? 'settings.value.none' : 'settings.value.default';
  if (v === undefined || v === null || (Array.isArray(v) && v.length === 0)) return t(locale, empty);
  if (what.endsWith('ChannelId') || what === 'access.channels') return mentions([v].flat(), (id) => `<#${id}>`);
  if (what === 'access.roles') return mentions([v].flat(), (id) => `<@&${id}>`);
  if (what === 'moderation.blocked') return mentions([v].flat(), (id) => `<@${id}>`);
  if (typeof v === 'boolean') return t(locale, v ? 'settings.value.on' : 'settings.value.off');
  if (what === 'defaults.version') return plainText(versionLabel(cutText(String(v), 40)));
  if (what === 'versions' && Array.isArray(v)) return v.map((x) => plainText(versionLabel(cutText(String(x), 40)))).join(', ');
  if (Array.isArray(v)) return safeText(v.map(String).join(', '), 200);
  if (typeof v === 'object') return '…';
  return safeText(String(v), 200) || '“”';
}

export function renderAuditChange(c: AuditChange, locale: string): string {
  const setting = settingName(c.what, locale);
  // The banned words are never printed (the audit channel is read by more people than the list's authors): their count only.
  const line = c.what === 'moderation.words'
    ? t(locale, 'audit.wordsChanged', { user: `<@${c.userId}>`, setting, count: Array.isArray(c.after) ? c.after.length : 0 })
    : t(locale, 'audit.changed', { user: `<@${c.userId}>`, setting, before: value(c.what, c.before, locale), after: value(c.what, c.after, locale) });
  return cutText(line, LIMITS.content);
}
