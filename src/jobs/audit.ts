// The audit channel: a server's admins may choose a channel (/settings, server, "What the server
// offers") where the bot posts one line per job that ends and one per change of the server's
// settings. Posting never slows or breaks a job: a line is queued (fire and forget) and one worker
// posts them in turn through Discord's REST client, which waits out rate limits. The server's audit
// channel is read from the store for every line (no cache: a change applies at once, in every
// process). A channel the bot cannot reach (deleted: 10003, no access: 50001, no permission:
// 50013) is logged once and left alone for an hour, or until an admin chooses it again.
// Every line is scrubbed of the app's secrets; mentions in it ping nobody (allowed_mentions parse []).
import type { FinishedEvent } from '../events.ts';
import type { Logger } from '../logger.ts';
import { renderAuditChange, renderAuditJob, renderAuditRefusal, type AuditJob } from '../render/audit-line.ts';
import type { Scrub } from '../secrets.ts';
import type { ServerPrefs } from '../store/preferences.ts';

/** Lines waiting to be posted, all servers together; more are dropped (with one warning) until the queue drains. */
export const AUDIT_QUEUE_MAX = 200;
/** How long an unreachable audit channel is left alone. */
export const AUDIT_DEAD_MS = 3600_000;

/** 'unreachable': the channel is gone or closed to the bot; 'failed': anything else (already retried by the REST client). */
export type AuditPostResult = 'ok' | 'unreachable' | 'failed';

export interface AuditOptions {
  /** The server's settings, as stored now. */
  server: (guildId: string) => Promise<ServerPrefs>;
  /** Posts one line in a channel, with allowed_mentions parse []. */
  post: (channelId: string, content: string) => Promise<AuditPostResult>;
  logger: Logger;
  scrub: Scrub;
  now: () => number;
}

interface Line {
  guildId: string;
  /** The line, in the server's audit language. */
  render: (locale: string) => string;
  /** Where it goes when not the server's audit channel (the change of the audit channel itself, to the old one when cleared). */
  channelId?: string;
}

/** The kinds of job that are not a new job of their own: /task following an existing one. */
const NOT_A_JOB = new Set(['show']);

export class Audit {
  readonly #queue: Line[] = [];
  readonly #dead = new Map<string, number>();
  #running: Promise<void> | null = null;
  #overflowing = false;
  #stopped = false;

  constructor(private readonly o: AuditOptions) {}

  /** A job ended (or stopped being followed): a line in its server's audit channel, if it has one. */
  jobFinished(e: FinishedEvent): void {
    if (!e.guildId || NOT_A_JOB.has(e.kind)) return;
    const job: AuditJob = { ...e, prompt: this.o.scrub(e.prompt), label: e.label === null ? null : this.o.scrub(e.label), failReason: e.failReason === null ? null : this.o.scrub(e.failReason) };
    this.#push({ guildId: e.guildId, render: (locale) => renderAuditJob(job, locale) });
  }

  /** A job refused before it was sent (a banned word, a blocked member, the backend's refusal): one line, no link. */
  jobRefused(guildId: string | null, userId: string, command: string, prompt: string, reason: string): void {
    if (!guildId) return;
    const r = { userId, command, prompt: this.o.scrub(prompt), reason: this.o.scrub(reason) };
    this.#push({ guildId, render: (locale) => renderAuditRefusal(r, locale) });
  }

  /**
   * An admin changed one of the server's settings (`what`: its dotted path, as in ServerPrefs:
   * "defaults.stylize", "limits.daily", "moderation.words" …). The banned-word list is shown by its
   * size only.
   */
  settingChanged(guildId: string, userId: string, what: string, before: unknown, after: unknown): void {
    if (what === 'auditChannelId') {
      if (typeof after === 'string') this.channelChosen(after);
      // Cleared: the last line goes to the channel that stops receiving them.
      if (after === undefined && typeof before === 'string') {
        this.#push({ guildId, channelId: before, render: (locale) => renderAuditChange({ userId, what, before, after }, locale) });
        return;
      }
    }
    if (what === 'auditLocale') return;
    this.#push({ guildId, render: (locale) => renderAuditChange({ userId, what, before, after }, locale) });
  }

  /** An admin chose `channelId` as the audit channel (anew, or the same again): one left alone for being unreachable is tried again. */
  channelChosen(channelId: string): void {
    this.#dead.delete(channelId);
  }

  /** Every setting that differs between `before` and `after` (a server's settings before and after a change), one line each. */
  serverChanged(guildId: string, userId: string, before: ServerPrefs, after: ServerPrefs): void {
    for (const c of serverChanges(before, after)) this.settingChanged(guildId, userId, c.what, c.before, c.after);
  }

  /** Resolves once every queued line was posted or dropped (tests, and a stopping app). */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  /** Takes no more lines; those queued go out (the app bounds the wait). */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.idle();
  }

  #push(line: Line): void {
    if (this.#stopped) return;
    if (this.#queue.length >= AUDIT_QUEUE_MAX) {
      if (!this.#overflowing) this.o.logger.warn('audit lines dropped: too many waiting', { waiting: this.#queue.length });
      this.#overflowing = true;
      return;
    }
    this.#queue.push(line);
    this.#kick();
  }

  /** Starts the worker unless it runs; a line queued while it was ending starts it again. */
  #kick(): void {
    if (this.#running || this.#queue.length === 0) return;
    this.#running = this.#drain().finally(() => {
      this.#running = null;
      this.#kick();
    });
  }

  async #drain(): Promise<void> {
    for (let line = this.#queue.shift(); line; line = this.#queue.shift()) {
      try {
        await this.#post(line);
      } catch (err) {
        // A line is never worth more than the job it describes: logged, and the next one goes on.
        this.o.logger.warn('audit line not posted', { guildId: line.guildId, err });
      }
      if (this.#queue.length === 0) this.#overflowing = false;
    }
  }

  async #post(line: Line): Promise<void> {
    const server = await this.o.server(line.guildId);
    const channelId = line.channelId ?? server.auditChannelId;
    if (!channelId) return;
    const until = this.#dead.get(channelId);
    if (until !== undefined) {
      if (this.o.now() < until) return;
      this.#dead.delete(channelId);
    }
    const content = this.o.scrub(line.render(server.auditLocale ?? 'en-US'));
    const res = await this.o.post(channelId, content);
    if (res === 'unreachable') {
      this.#dead.set(channelId, this.o.now() + AUDIT_DEAD_MS);
      this.o.logger.warn('the audit channel cannot be posted in (deleted, or the bot may not see it or send there); its lines are dropped for an hour or until an admin chooses it again', { guildId: line.guildId, channelId });
    } else if (res === 'failed') {
      this.o.logger.warn('audit line not posted', { guildId: line.guildId, channelId });
    }
  }
}

export interface SettingChange {
  what: string;
  before: unknown;
  after: unknown;
}

/** The server settings grouped one level down (each field its own line). */
const GROUPS = new Set(['defaults', 'limits', 'access', 'moderation']);

/** The settings that differ, as dotted paths ("defaults.stylize", "galleryChannelId", "moderation.words"). */
export function serverChanges(before: ServerPrefs, after: ServerPrefs): SettingChange[] {
  const out: SettingChange[] = [];
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const b = before as Record<string, unknown>;
  const a = after as Record<string, unknown>;
  for (const key of new Set([...Object.keys(b), ...Object.keys(a)])) {
    if (GROUPS.has(key)) {
      const bg = (b[key] ?? {}) as Record<string, unknown>;
      const ag = (a[key] ?? {}) as Record<string, unknown>;
      for (const sub of new Set([...Object.keys(bg), ...Object.keys(ag)])) {
        if (!same(bg[sub], ag[sub])) out.push({ what: `${key}.${sub}`, before: bg[sub], after: ag[sub] });
      }
    } else if (!same(b[key], a[key])) {
      out.push({ what: key, before: b[key], after: a[key] });
    }
  }
  return out;
}
