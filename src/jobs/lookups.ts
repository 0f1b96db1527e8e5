// The jobs facade's look-ups: /task (a job shown here, followed if the bot did not know it),
// /tasks (a private list), a job's seed (/seed and the 🌱 button) and the user's recent jobs.
// Nothing here counts towards the user's limits.
import type { ButtonInteraction, ChatInputCommandInteraction } from 'discord.js';
import type { JobsContext } from '../context.ts';
import { resolveLocale, t } from '../i18n/index.ts';
import { ProxyError, UserInputError } from '../proxy/errors.ts';
import { DEFAULT_BACKEND, type JobPlace } from '../proxy/task-reader.ts';
import type { Task } from '../proxy/types.ts';
import { renderTaskList, type TaskListEntry } from '../render/task-list.ts';
import { renderTaskView, SEED_HIDDEN, type MessageView } from '../render/task-view.ts';
import { mayAct } from './ownership.ts';
import { jobCall } from './job-call.ts';
import { reachesChannel } from './delivery.ts';
import { rememberHidden } from './hidden.ts';
import { addRecent, listRecent, recentChoices, type RecentJob } from './recent.ts';
import type { Plan } from './plan.ts';

export class Lookups {
  constructor(protected readonly ctx: JobsContext) {}

  /** Where a job started by `interaction` is shown: its reply, which already shows `waiting` (`privately`: an ephemeral one). */
  protected inReply(interaction: ChatInputCommandInteraction, messageId: string | null, waiting: MessageView, privately = false) {
    return {
      private: privately,
      noChannel: !reachesChannel(interaction),
      ownerId: interaction.user.id,
      locale: resolveLocale(interaction.locale),
      guildId: interaction.guildId,
      channelId: interaction.channelId,
      interactionToken: interaction.token,
      interactionAt: this.ctx.now(),
      messageId,
      shown: waiting,
    };
  }

  /**
   * /task: a job this bot already shows somewhere gets a copy here (its buttons still the owner's);
   * a job started elsewhere (another bot, the proxy's own UI) is followed from here on, as the caller's.
   */
  async show(interaction: ChatInputCommandInteraction, id: string): Promise<Plan> {
    const ctx = this.ctx;
    const existing = await ctx.stores.tasks.get(id);
    // A job the bot tracks for someone else (perhaps from a DM): theirs to show, not the caller's.
    if (existing && !mayAct(existing, interaction, 'admin')) throw new UserInputError('NOT_YOUR_TASK');
    const locale = resolveLocale(interaction.locale);
    if (existing) {
      return {
        // A private job is shown privately again.
        answer: existing.private ? { kind: 'ephemeral' } : { kind: 'public' },
        run: async () => {
          const found = await this.#readOne(ctx.reader.backendOf(existing), id);
          await ctx.tracker.showCopy(id, found, { token: interaction.token, channelId: interaction.channelId, locale });
        },
      };
    }
    const waiting = ctx.tracker.waitingView({ locale, ownerId: interaction.user.id, prompt: '' });
    return {
      answer: { kind: 'reply-first', view: waiting, line: { prompt: '' } },
      run: async ({ messageId }) => {
        // A job the bot does not track: asked of each backend in turn, and followed on the one that knows it.
        const { found, backend } = await this.#findAnywhere(id);
        // The prompt the proxy knows: the reply could not say it before the read.
        const prompt = found.prompt || found.promptEn;
        await ctx.tracker.track({ outcome: { kind: 'accepted', taskIds: [id], backend }, kind: 'show', prompt, first: found, ...this.inReply(interaction, messageId, waiting) });
        await addRecent(ctx, interaction.user.id, [{ taskId: id, prompt, at: ctx.now() }]);
      },
    };
  }

  /** /tasks: the named jobs (or the user's recent ones) read from their backends, privately. */
  async list(interaction: ChatInputCommandInteraction, named: readonly string[]): Promise<Plan> {
    const ctx = this.ctx;
    const ids = named.length ? [...named] : (await this.recent(interaction.user.id)).slice(0, 10).map((j) => j.taskId);
    return {
      answer: { kind: 'ephemeral' },
      run: async () => {
        const records = await ctx.stores.tasks.getMany(ids);
        // Each job is read from the backend it runs on (ids the bot does not track: the default one, or the first configured).
        const byId = new Map<string, Task>();
        const untracked = ctx.proxy.member(DEFAULT_BACKEND) ? DEFAULT_BACKEND : ctx.proxy.names[0];
        for (const [backend, some] of ctx.reader.byBackend(ids.map((taskId, i) => ({ taskId, mode: records[i]?.mode, backend: records[i] ? records[i].backend : untracked })))) {
          const read = await ctx.reader.readTasks(backend, some);
          // Nothing got an answer: the proxy is unwell, and the reply says so rather than a list of dashes
          // (jobs of a backend no longer configured are listed without their state).
          if (!read.answered && read.error && !(read.error instanceof ProxyError && read.error.code === 'BACKEND_GONE')) throw read.error;
          for (const [id, task] of read.found) byId.set(id, task);
        }
        const entries = ids.map((id, i): TaskListEntry => {
          const rec = records[i];
          if (rec && !mayAct(rec, interaction, 'admin')) return { id, notYours: true };
          const message = rec?.messageId && !rec.private ? { guildId: rec.guildId, channelId: rec.channelId, messageId: rec.messageId } : null;
          return { id, task: byId.get(id), prompt: rec?.prompt ?? '', message };
        });
        await interaction.editReply({ embeds: [renderTaskList(entries, interaction.locale)], allowedMentions: { parse: [] } });
      },
    };
  }

  /** A job's seed, privately, answered at once: trueai may block up to a minute while it asks Discord. */
  seed(interaction: ChatInputCommandInteraction | ButtonInteraction, taskId: string, place: JobPlace = {}): Plan {
    const ctx = this.ctx;
    return {
      answer: { kind: 'ephemeral' },
      async run() {
        let value: string;
        try {
          value = await ctx.proxy.fetchImageSeed(taskId, jobCall(place));
        } catch (err) {
          // A backend without that endpoint is remembered, and the 🌱 button is no longer offered.
          if (err instanceof ProxyError && err.code === 'UNSUPPORTED') await rememberHidden(ctx, ctx.reader.backendOf(place), SEED_HIDDEN);
          throw err;
        }
        await interaction.editReply({ content: t(interaction.locale, 'view.seed', { id: taskId, seed: value }), allowedMentions: { parse: [] } });
      },
    };
  }

  /** /seed by id: the job's backend when the bot tracks it; a private job's seed is its requester's alone. */
  async seedOf(interaction: ChatInputCommandInteraction, taskId: string): Promise<Plan> {
    const record = await this.ctx.stores.tasks.get(taskId);
    if (record?.private && !mayAct(record, interaction, 'admin')) throw new UserInputError('NOT_YOUR_TASK');
    return this.seed(interaction, taskId, record ?? {});
  }

  recent(userId: string): Promise<RecentJob[]> {
    return listRecent(this.ctx, userId);
  }

  /** Autocomplete choices over the user's recent jobs. */
  recentChoices(userId: string, typed: string): Promise<{ name: string; value: string }[]> {
    return recentChoices(this.ctx, userId, typed);
  }

  /** The task, or the reason it cannot be shown: the proxy does not know it, or could not be asked. */
  /** A task by id from whichever backend knows it (the default one first), and that backend's name. */
  async #findAnywhere(id: string): Promise<{ found: Task; backend: string }> {
    const names = [...this.ctx.proxy.names].sort((a, b) => Number(b === DEFAULT_BACKEND) - Number(a === DEFAULT_BACKEND));
    let error: unknown;
    for (const backend of names) {
      try {
        return { found: await this.#readOne(this.ctx.reader.backendOf({ backend }), id), backend };
      } catch (err) {
        if (!(err instanceof UserInputError)) error = err;
      }
    }
    // No backend knows it; or some could not be asked: then that is the answer.
    throw error ?? new UserInputError('UNKNOWN_TASK', { id });
  }

  async #readOne(backend: string, id: string): Promise<Task> {
    const read = await this.ctx.reader.readTasks(backend, [id]);
    const task = read.found.get(id);
    if (task) return task;
    if (!read.unknown.has(id) && read.error) throw read.error;
    throw new UserInputError('UNKNOWN_TASK', { id });
  }
}
