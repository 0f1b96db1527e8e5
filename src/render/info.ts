// The private /info panel, laid out like Midjourney's "Your info": the settings that apply to the
// user's next job, today's count and the limits, one line on the service, then the user's running
// and queued jobs with a jump to each. Pure: the jobs layer gathers the facts (src/jobs/info.ts).
import type { APIEmbed } from 'discord.js';
import { modeLabel, t, type MessageKey } from '../i18n/index.ts';
import type { CircuitState } from '../proxy/health.ts';
import type { Task } from '../proxy/types.ts';
import { cutLines } from '../util/text.ts';
import { messageLink } from './task-list.ts';
import { COLORS, safeText, statusText, type ViewStatus } from './task-view.ts';
import type { Choices } from './settings-view.ts';

/** The settings shown (the resolved /settings choices; a field left out is the default). */
export type InfoSettings = Choices;

export interface InfoJob {
  id: string;
  prompt: string;
  label?: string;
  /** The record's status (our own TIMEOUT/LOST included) and the last task seen. */
  status: ViewStatus;
  task: Task | null;
  queuePosition: number | null;
  /** The message that shows it, when known. */
  message: { guildId: string | null; channelId: string; messageId: string } | null;
}

export interface InfoData {
  settings: InfoSettings;
  /** Jobs counted against the running-jobs limit now; `maxRunning` 0 = no limit. */
  running: number;
  maxRunning: number;
  /** Jobs started today (UTC): exact under a daily limit, else at least this many (from the recent list). */
  today: number;
  maxDaily: number;
  jobs: readonly InfoJob[];
  service: { circuit: CircuitState; activeJobs: number };
  /** For members with Manage Server only: the backends that serve this server. */
  backends?: readonly InfoBackend[];
}

/** One backend as an admin reads it: its name and state, never its URL, host or key. */
export interface InfoBackend {
  name: string;
  weight: number;
  circuit: CircuitState;
  /** When its breaker opened, while it is not closed. */
  openSince: number | null;
  /** Its reads failing in this process: since when, the error's code (and HTTP status, backend code), whether its jobs say so. */
  reads: { since: number; code: string; status?: number; proxyCode?: number; outage: boolean } | null;
  /** The last failed call's code and when. */
  lastError: { code: string; at: number } | null;
  /** Its jobs running or waiting for input (the store's active records). */
  running: number;
}

/** The jobs listed at most (more are counted in the running line). */
export const INFO_MAX_JOBS = 10;

const STYLIZE_NAMES: Record<number, MessageKey> = { 50: 'info.stylize.50', 100: 'info.stylize.100', 250: 'info.stylize.250', 750: 'info.stylize.750' };

function settingLines(s: InfoSettings, loc: string): string[] {
  const dflt = t(loc, 'info.default');
  const onOff = (v: boolean | undefined) => (v === undefined ? dflt : t(loc, v ? 'info.on' : 'info.off'));
  const stylizeName = s.stylize === undefined ? undefined : STYLIZE_NAMES[s.stylize];
  const row = (key: MessageKey, value: string) => t(loc, 'info.row', { label: t(loc, key), value });
  return [
    row('info.jobMode', s.mode ? safeText(modeLabel(loc, s.mode), 40) : dflt),
    row('info.visibility', s.visibility ? t(loc, s.visibility === 'public' ? 'info.public' : 'info.private') : dflt),
    row('info.version', s.version ? safeText(s.version, 40) : dflt),
    row('info.stylize', s.stylize === undefined ? dflt : stylizeName ? `${t(loc, stylizeName)} (${s.stylize})` : String(s.stylize)),
    row('info.raw', onOff(s.raw)),
    row('info.remix', onOff(s.remix)),
    row('info.variation', s.variation ? t(loc, s.variation === 'subtle' ? 'info.subtle' : 'info.strong') : dflt),
    row('info.suffix', s.suffix ? safeText(s.suffix, 200) : dflt),
  ];
}

function serviceLine(service: InfoData['service'], loc: string): string {
  const state = service.circuit === 'open' ? 'info.serviceDown' : service.circuit === 'half-open' ? 'info.serviceRecovering' : 'info.serviceUp';
  const load = service.activeJobs > 0 ? t(loc, 'info.busy', { n: service.activeJobs }) : t(loc, 'info.quiet');
  return t(loc, 'info.row', { label: t(loc, 'info.service'), value: `${t(loc, state)} · ${load}` });
}

/** Discord's relative timestamp. */
const relative = (ms: number) => `<t:${Math.floor(ms / 1000)}:R>`;
/** An error code as shown: our own codes are `A_Z`, anything else is cut to that alphabet. */
const codeText = (code: string) => code.replace(/[^A-Z0-9_]/gi, '').slice(0, 40) || 'ERROR';

function backendLine(b: InfoBackend, loc: string): string {
  const bits: string[] = [];
  if (b.circuit === 'open') bits.push(t(loc, 'info.backendOpen', { since: relative(b.openSince ?? 0) }));
  else if (b.circuit === 'half-open') bits.push(t(loc, 'info.backendHalfOpen', { since: relative(b.openSince ?? 0) }));
  if (b.reads) {
    const cause = [codeText(b.reads.code), b.reads.status !== undefined && `HTTP ${Math.trunc(b.reads.status)}`, b.reads.proxyCode !== undefined && `code ${Math.trunc(b.reads.proxyCode)}`].filter(Boolean).join(', ');
    bits.push(t(loc, 'info.backendReadsFailing', { since: relative(b.reads.since), cause }) + (b.reads.outage ? `; ${t(loc, 'info.backendUnreachable')}` : ''));
  }
  if (!bits.length) bits.push(t(loc, 'info.backendHealthy'));
  if (b.weight === 0) bits.push(t(loc, 'info.backendNoNewJobs'));
  if (b.lastError) bits.push(t(loc, 'info.backendLastError', { code: `\`${codeText(b.lastError.code)}\``, at: relative(b.lastError.at) }));
  bits.push(t(loc, 'info.backendJobs', { n: b.running }));
  return `**${safeText(b.name, 40)}** · ${bits.join(' · ')}`;
}

function jobLine(job: InfoJob, loc: string): string {
  const { status } = statusText(job.task, { locale: loc, ownerId: '', prompt: job.prompt, queuePosition: job.queuePosition, status: job.status });
  const prompt = safeText(job.label ? `${job.prompt} (${job.label})` : job.prompt, 60);
  const jump = job.message ? ` · [${t(loc, 'info.jump')} ↗](${messageLink(job.message)})` : '';
  return `\`${job.id}\` · **${status}** · ${prompt || '…'}${jump}`;
}

export function renderInfo(data: InfoData, locale: string): APIEmbed {
  const loc = locale;
  const count = (n: number, limit: number, none: MessageKey) => (limit > 0 ? t(loc, 'info.ofLimit', { n, limit }) : t(loc, none, { n }));
  const today = data.maxDaily > 0 ? `${count(data.today, data.maxDaily, 'info.noLimit')} (${t(loc, 'info.resets')})` : t(loc, 'info.todayAtLeast', { n: data.today });
  const jobs = data.jobs.slice(0, INFO_MAX_JOBS).map((j) => jobLine(j, loc));
  const head = [
    ...settingLines(data.settings, loc),
    '',
    t(loc, 'info.row', { label: t(loc, 'info.today'), value: today }),
    t(loc, 'info.row', { label: t(loc, 'info.running'), value: count(data.running, data.maxRunning, 'info.noLimit') }),
    serviceLine(data.service, loc),
    '',
    t(loc, 'info.row', { label: t(loc, 'info.yourJobs'), value: '' }).trimEnd(),
  ].join('\n');
  // The head is short and bounded (every user value in it is cut); the job lines take what is left, whole.
  const list = jobs.length ? cutLines(jobs, 4096 - head.length - 1) : t(loc, 'info.noJobs');
  const embed: APIEmbed = { title: t(loc, 'info.title'), description: `${head}\n${list}`, color: COLORS.progress };
  // Admins: a field of its own (1024 characters), one whole line per backend.
  if (data.backends?.length) embed.fields = [{ name: t(loc, 'info.backends'), value: cutLines(data.backends.map((b) => backendLine(b, loc)), 1024) }];
  return embed;
}
