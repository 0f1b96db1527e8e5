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
  return { title: t(loc, 'info.title'), description: `${head}\n${list}`, color: COLORS.progress };
}
