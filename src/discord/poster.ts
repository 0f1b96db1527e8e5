// Puts a rendered view on Discord for a tracked task. While the interaction token lives, the
// reply is edited through the webhook route; after it (15 minutes), through the bot's own channel
// access; when the message cannot be edited, a final result is posted anew in the channel with
// the requester mentioned. "Gone" errors are expected events here, not crashes.
import { DiscordAPIError, Routes, type REST, type RawFile } from 'discord.js';
import { t } from '../i18n/index.ts';
import type { Logger } from '../logger.ts';
import { messageBody, type MessageView } from '../render/task-view.ts';
import { hasEnded, type TaskRecord } from '../store/tasks.ts';
import type { PublishResult, ResultFile, TaskPublisher } from '../tasks/publisher.ts';
import { TOKEN_LIFETIME_MS } from './token.ts';
import type { Dispatcher } from 'undici';
import { download, mediaTypeOf } from '../media/download.ts';
import { createLimiter } from '../util/limiter.ts';
import { isGone, isTooLarge } from './errors.ts';
import { messageLink } from '../render/task-list.ts';
import { cutText } from '../util/text.ts';
import { SHED, editLane, postLane, type ChannelQueue, type Priority } from './channel-queue.ts';

/** Result files of one job downloaded at once. */
export const RESULT_DOWNLOADS_PER_JOB = 3;
/** Result files downloaded at once, all jobs together. */
export const RESULT_DOWNLOADS_AT_ONCE = 6;
/** Leave a minute of margin before the 15-minute token lifetime. */
const TOKEN_MARGIN_MS = 60_000;

export type { PublishResult };


export interface PosterOptions {
  rest: REST;
  /** For the interaction-token routes (not bound by the global limit; see rest-agent.ts); default `rest`. */
  interactionRest?: REST;
  applicationId: string;
  logger: Logger;
  now: () => number;
  resultMaxBytes: number;
  downloadTimeoutMs: number;
  dispatcher?: Dispatcher;
  /** Channel-route requests (bound by Discord's global limit) go through this: finals first, progress coalesced. */
  queue?: ChannelQueue;
}


export class Poster implements TaskPublisher {
  constructor(private readonly o: PosterOptions) {}

  readonly tokenLifetimeMs = TOKEN_LIFETIME_MS;

  get #tokenRest(): REST {
    return this.o.interactionRest ?? this.o.rest;
  }

  /** Result downloads in flight, all jobs together. */
  readonly #downloads = createLimiter(RESULT_DOWNLOADS_AT_ONCE);
  /** Pings on their way (not awaited by the result's publish: they wait behind the other finals). */
  readonly #pings = new Set<Promise<void>>();

  /**
   * Downloads the view's results, a few at a time per job and overall (a video job has up to ten
   * files); returns the files, or null when any of them could not be had.
   */
  async fetchFiles(view: MessageView): Promise<ResultFile[] | null> {
    if (view.files.length === 0) return [];
    if (this.o.resultMaxBytes <= 0) return null;
    const job = createLimiter(RESULT_DOWNLOADS_PER_JOB);
    let failed = false;
    let total = 0;
    const got = await Promise.all(
      view.files.map((f) =>
        job.run(() =>
          this.#downloads.run(async (): Promise<ResultFile | null> => {
            // One file failed or the job is already too large: the message gets links; do not fetch the rest.
            if (failed) return null;
            const res = await download(f.url, { maxBytes: this.o.resultMaxBytes, timeoutMs: this.o.downloadTimeoutMs, dispatcher: this.o.dispatcher });
            if ('error' in res) {
              if (!failed) this.o.logger.warn('result download failed', { reason: res.error });
              failed = true;
              return null;
            }
            total += res.data.length;
            if (total > this.o.resultMaxBytes) failed = true;
            // Attached only when the bytes are the media the name claims.
            const contentType = mediaTypeOf(res.data, f.name);
            if (!contentType) failed = true;
            return contentType ? { name: f.name, data: res.data, contentType } : null;
          }),
        ),
      ),
    );
    return failed ? null : (got as ResultFile[]);
  }

  /** Shows the view for the record; `files` replace the message's attachments when given. */
  async publish(record: TaskRecord, view: MessageView, files: RawFile[] | undefined, final: boolean): Promise<PublishResult> {
    const body = messageBody(view, files?.map((f) => f.name));
    const restFiles = files?.length ? files : undefined;

    const tokenAlive = this.#tokenAlive(record);
    if (tokenAlive) {
      const r = await this.#try(record, () =>
        this.#tokenRest.patch(Routes.webhookMessage(this.o.applicationId, record.interactionToken!, record.messageId ?? '@original'), { body, files: restFiles, auth: false }),
      );
      if (r.ok) return { ok: true, messageId: r.id ?? record.messageId ?? '' };
      if (r.reason !== 'gone') return r;
    }
    if (record.private || record.noChannel) {
      // No channel route reaches this reply (ephemeral, or a server that did not add the bot): the
      // job is followed on, and its result goes to the requester by DM.
      return final && hasEnded(record.status) ? this.#direct(record, view, restFiles) : { ok: true, messageId: '' };
    }
    if (record.messageId) {
      const r = await this.#try(record, () => this.#channel(final ? 'final' : 'progress', record.taskId, editLane(record.channelId), () => this.o.rest.patch(Routes.channelMessage(record.channelId, record.messageId!), { body, files: restFiles })));
      if (r.ok) {
        // An edit made after the token expired notifies nobody: ping the requester once, briefly. Not
        // awaited: the result is shown, and the ping (a notice) waits until no final does in the channel
        // queue (awaited, each final held its poll slot until its ping went: pings and finals took turns).
        if (final && (record.status === 'SUCCESS' || record.status === 'FAILURE')) {
          const ping = this.#ping(record)
            .catch((err: unknown) => this.o.logger.warn('ping failed', { taskId: record.taskId, err }))
            .finally(() => this.#pings.delete(ping));
          this.#pings.add(ping);
        }
        return { ok: true, messageId: r.id ?? record.messageId };
      }
      if (r.reason !== 'gone') return r;
    }
    if (!final) return { ok: false, reason: 'gone' };
    // The original cannot be edited: post the result anew, mentioning the requester.
    const fresh = { ...body, content: view.content };
    const r = await this.#try(record, () => this.#channel('final', record.taskId, postLane(record.channelId), () => this.o.rest.post(Routes.channelMessages(record.channelId), { body: fresh, files: restFiles })));
    if (r.ok) return { ok: true, messageId: r.id ?? '' };
    return { ok: false, reason: r.reason };
  }

  /**
   * The final view by DM, without buttons (a click in a DM is another place, which the operator may
   * not allow), with a line saying how to see the job again. A closed DM (50007) is 'gone': the job
   * stays reachable through /task and /tasks.
   */
  async #direct(record: TaskRecord, view: MessageView, files: RawFile[] | undefined): Promise<PublishResult> {
    const dm = await this.#try(record, () => this.#channel('final', record.taskId, null, () => this.o.rest.post(Routes.userChannels(), { body: { recipient_id: record.ownerId } })));
    let r: Awaited<ReturnType<Poster['post']>> = dm.ok ? { ok: true, messageId: '' } : { ok: false, reason: dm.reason === 'refused' ? 'gone' : dm.reason };
    if (dm.ok) {
      const note = t(record.locale, 'dm.delivered', { id: record.taskId });
      const body = { ...messageBody({ ...view, components: [] }, files?.map((f) => f.name)), content: cutText(`${view.content}\n${note}`, 2000) };
      const sent = await this.#try(record, () => this.#channel('final', record.taskId, postLane(dm.id!), () => this.o.rest.post(Routes.channelMessages(dm.id!), { body, files })));
      r = sent.ok ? { ok: true, messageId: '' } : { ok: false, reason: sent.reason };
    }
    // Their DMs are closed to the bot (Discord: 403, 50007): nothing more to try; /task and /tasks still show the job.
    if (!r.ok && r.reason === 'gone') this.o.logger.info('the result could not be sent by DM; the job stays in /tasks', { taskId: record.taskId });
    return r;
  }

  /** Posts a new message of the bot's own in a channel. */
  async post(channelId: string, view: MessageView, files: ResultFile[] | undefined): Promise<PublishResult> {
    const body = messageBody(view, files?.map((f) => f.name));
    const where = { taskId: `post:${channelId}` } as TaskRecord;
    const r = await this.#try(where, () => this.#channel('other', null, postLane(channelId), () => this.o.rest.post(Routes.channelMessages(channelId), { body, files: files?.length ? files : undefined })));
    return r.ok ? { ok: true, messageId: r.id ?? '' } : { ok: false, reason: r.reason };
  }

  /**
   * One line of text of the bot's own in a channel (the audit channel), pinging nobody. 'unreachable':
   * the channel is gone or closed to the bot (10003, 50001, 50013, or any 403/404).
   */
  async postLine(channelId: string, content: string): Promise<'ok' | 'unreachable' | 'failed'> {
    try {
      await this.#channel('notice', null, postLane(channelId), () => this.o.rest.post(Routes.channelMessages(channelId), { body: { content: cutText(content, 2000), allowed_mentions: { parse: [] } } }));
      return 'ok';
    } catch (err) {
      if (isGone(err)) {
        this.o.logger.debug('discord route gone', { channelId, err });
        return 'unreachable';
      }
      this.o.logger.warn('discord post failed', { channelId, err });
      return 'failed';
    }
  }

  /** Resolves when the pings on their way now have been sent (or refused). */
  async pingsOut(): Promise<void> {
    while (this.#pings.size) await Promise.allSettled([...this.#pings]);
  }

  async #ping(record: TaskRecord): Promise<void> {
    const link = messageLink(record);
    const body = {
      content: t(record.locale, 'done.ping', { user: record.ownerId, link }),
      allowed_mentions: { parse: [], users: [record.ownerId] },
      message_reference: { message_id: record.messageId, channel_id: record.channelId, fail_if_not_exists: false },
    };
    await this.#try(record, () => this.#channel('notice', null, postLane(record.channelId), () => this.o.rest.post(Routes.channelMessages(record.channelId), { body })));
  }

  /** Changes only the buttons of a message (marking a pressed button green keeps its attachments). */
  async editComponents(record: TaskRecord, components: unknown[]): Promise<boolean> {
    const body = { components };
    const tokenAlive = this.#tokenAlive(record);
    if (tokenAlive) {
      const r = await this.#try(record, () => this.#tokenRest.patch(Routes.webhookMessage(this.o.applicationId, record.interactionToken!, record.messageId ?? '@original'), { body, auth: false }));
      if (r.ok) return true;
    }
    if (!record.messageId) return false;
    const r = await this.#try(record, () => this.#channel('other', null, editLane(record.channelId), () => this.o.rest.patch(Routes.channelMessage(record.channelId, record.messageId!), { body })));
    return r.ok;
  }

  /** Resolves when the channel queue has room for `record`'s final result (ChannelQueue.room), at once when it will not go there. */
  roomForFinal(record: TaskRecord): Promise<void> {
    return this.o.queue && !this.#tokenAlive(record) ? this.o.queue.room(editLane(record.channelId)) : Promise.resolve();
  }

  /** Whether a progress edit of `record` would wait in the channel queue behind final results now. */
  progressHeld(record: TaskRecord): boolean {
    return !!this.o.queue?.holdsProgress && !this.#tokenAlive(record) && !record.private && !record.noChannel;
  }

  #tokenAlive(record: TaskRecord): boolean {
    return !!record.interactionToken && this.o.now() < record.tokenExpiresAt - TOKEN_MARGIN_MS;
  }

  /**
   * A view of `job` is on its way: its progress edit still waiting in the channel queue is dropped (see
   * TaskPublisher); the final result of a job still running, which will go through the queue (its token
   * expired), is expected there.
   */
  supersede(job: string, final: boolean, record?: TaskRecord): void {
    this.o.queue?.supersede(job, final);
    if (final && record && !hasEnded(record.status) && !this.#tokenAlive(record)) this.o.queue?.expect(job);
  }

  /** A request through the bot's own channel access: through the queue (finals first, each lane at its pace) when there is one. */
  #channel<T>(priority: Priority, job: string | null, lane: string | null, call: () => Promise<T>): Promise<T | typeof SHED> {
    return this.o.queue ? this.o.queue.run(priority, job, lane, call) : call();
  }

  /** One call about `record`'s job; a failure is logged with the job and Discord's answer (code, status, method, route without the token). */
  async #try(record: TaskRecord, call: () => Promise<unknown>): Promise<{ ok: true; id?: string } | { ok: false; reason: 'gone' | 'error' | 'too-large' | 'refused' | 'shed' }> {
    try {
      const got = await call();
      // A newer view of the job took this progress edit's place in the channel queue.
      if (got === SHED) return { ok: false, reason: 'shed' };
      const res = got as { id?: string } | undefined;
      return { ok: true, id: res?.id };
    } catch (err) {
      if (isTooLarge(err)) {
        this.o.logger.info('discord refused the upload size; sending links', { taskId: record.taskId, err });
        return { ok: false, reason: 'too-large' };
      }
      if (isGone(err)) {
        // Expected (a deleted message, an expired token): the next route is tried.
        this.o.logger.debug('discord route gone', { taskId: record.taskId, err });
        return { ok: false, reason: 'gone' };
      }
      this.o.logger.warn('discord edit failed', { taskId: record.taskId, err });
      return { ok: false, reason: err instanceof DiscordAPIError && err.status === 400 ? 'refused' : 'error' };
    }
  }
}
