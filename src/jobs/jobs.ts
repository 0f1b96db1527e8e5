// The jobs facade: the only thing command, button and modal handlers call. Each method checks the
// server's moderation (screen.ts) and the user's limits (nothing sent yet) and returns the Plan the
// router carries out: its first answer, the limit reservation held until the record is saved, the
// submit, the hand-over to the tracker and the user's recent list. Look-ups (/task, /tasks, /seed, autocomplete) are in lookups.ts.
import { randomBytes } from 'node:crypto';
import { MessageFlags, type ButtonInteraction, type ChatInputCommandInteraction, type ModalSubmitInteraction } from 'discord.js';
import type { JobsContext } from '../context.ts';
import { resolveLocale, t } from '../i18n/index.ts';
import { ProxyError, UserInputError } from '../proxy/errors.ts';
import type { SubmitOutcome, TaskButton } from '../proxy/types.ts';
import type { TaskRecord } from '../store/tasks.ts';
import { resolvePrefs, type PreferenceRepository, type UserPrefs } from '../store/preferences.ts';
import { readImage } from '../media/attachments.ts';
import { plainText } from '../render/plain-text.ts';
import { checkQuota, serverDailyKey } from './quota.ts';
import { hiddenPattern, rememberHidden } from './hidden.ts';
import { addRecent } from './recent.ts';
import type { Plan } from './plan.ts';
import { Lookups } from './lookups.ts';
import { helpPlan, infoPlan } from './info.ts';
import { submitRequest, type JobRequest, type Upload } from './requests.ts';
import { actionExtras, isRemixable, isRemixRefusal, rememberRemix, remixSupport } from './remix.ts';
import { cancelJob } from './cancel.ts';
import { jobCall } from './job-call.ts';
import type { ActionRequest } from '../proxy/types.ts';
import { applyPrefs } from './apply-prefs.ts';
import { withSettings, type StartSpec } from './start-settings.ts';
import type { Audit } from './audit.ts';
import { referenceUrls } from './references.ts';
import { isAnimate, submitAnimate } from './animate.ts';
import { planRemove, planShare } from './sharing.ts';
import { reachesChannel } from './delivery.ts';
import { Privacy } from './privacy.ts';
import { screenJob } from './screen.ts';

export type { JobRequest, Upload } from './requests.ts';

export type { StartSpec } from './start-settings.ts';

/**
 * `state` echoed by the proxy on the task: where the job came from, plus a nonce that makes it
 * unique per request, so a submit whose answer was lost can be found by it (≤ 255 chars).
 */
export function jobState(i: { guildId: string | null; channelId: string | null; user: { id: string } }): string {
  return `discord:${i.guildId ?? 'dm'}:${i.channelId ?? ''}:${i.user.id}:${randomBytes(6).toString('base64url')}`.slice(-255);
}

const KEYCAPS = ['1️⃣', '2️⃣', '3️⃣', '4️⃣'];

export class Jobs extends Lookups {
  constructor(ctx: JobsContext) {
    super(ctx);
  }

  /** /settings: each user's choices and each server's settings (read on every use: changes apply at once). */
  get prefs(): PreferenceRepository {
    return this.ctx.stores.prefs;
  }

  /** The audit channel: `audit.serverChanged(…)` / `settingChanged(…)` after an admin's change. */
  get audit(): Audit {
    return this.ctx.audit;
  }

  /** A server's jobs today, as its daily budget counts them. */
  serverJobsToday(guildId: string): Promise<number> {
    return this.ctx.stores.counters.get(serverDailyKey(guildId, this.ctx.now()));
  }

  /** What applies to this user where they are: their choices over their server's defaults. */
  async prefsFor(i: { user: { id: string }; guildId: string | null }): Promise<UserPrefs> {
    const prefs = this.ctx.stores.prefs;
    const [user, server] = await Promise.all([prefs.user(i.user.id), i.guildId ? prefs.server(i.guildId) : null]);
    return resolvePrefs(user, server);
  }

  /** /info: the user's running jobs, today's count and the limits, their settings, the service's state; privately. */
  info(interaction: ChatInputCommandInteraction): Plan {
    return infoPlan(this.ctx, interaction, () => this.prefsFor(interaction));
  }

  /** /privacy: what the bot keeps about a user, Forget me, an admin's delete of a member's data (privacy.ts). */
  get privacy(): Privacy {
    return new Privacy(this.ctx);
  }

  /** /help: what each command and button does, privately, with the server's gallery. */
  help(interaction: ChatInputCommandInteraction): Plan {
    return helpPlan(this.ctx, interaction);
  }

  /** The record behind a button or modal (one the store could not write yet lives in the tracker). */
  async record(taskId: string): Promise<TaskRecord | undefined> {
    return this.ctx.tracker.unsaved(taskId) ?? (await this.ctx.stores.tasks.get(taskId)) ?? undefined;
  }

  /** The user's version, stylize, RAW and suffix on a prompt of theirs (a describe or shorten pick, Imagine all). */
  async #withPromptSettings(interaction: ButtonInteraction | ModalSubmitInteraction, prompts: string[]): Promise<string[]> {
    const prefs = await this.prefsFor(interaction);
    return prompts.map((p) => applyPrefs(p, prefs, { versions: this.ctx.config.MJ_VERSIONS }));
  }

  /** A slash command's job: the waiting line first, then the request's downloads and submit, then the tracker. */
  async start(interaction: ChatInputCommandInteraction, given: StartSpec): Promise<Plan> {
    const ctx = this.ctx;
    const spec = await withSettings(this.ctx, interaction, given);
    await screenJob(ctx, interaction, 'prompt' in spec.request ? [spec.request.prompt] : []);
    // Read before the limits are taken: a failure after checkQuota would keep its reservation.
    const privately = await this.#private(interaction);
    const ticket = await checkQuota(interaction.user.id, ctx, { guildId: interaction.guildId });
    const locale = resolveLocale(interaction.locale);
    const waiting = ctx.tracker.waitingView({ locale, ownerId: interaction.user.id, prompt: spec.prompt });
    return {
      answer: { kind: 'reply-first', view: waiting, line: { prompt: spec.prompt }, private: privately },
      ticket,
      run: async ({ messageId }, started) => {
        const io = {
          proxy: ctx.proxy,
          state: jobState(interaction),
          mode: spec.mode,
          guildId: interaction.guildId,
          limit: spec.limit ?? ctx.config.MAX_ATTACHMENT_BYTES,
          readImage: (f: Upload, limit: number) => this.readImage(f, limit),
          referenceUrls: (files: readonly Upload[], data: string[]) => referenceUrls(ctx, files, data, spec.mode, interaction.guildId),
        };
        const outcome = await submitRequest(spec.request, io);
        await started(outcome.taskIds);
        // Followed first: the backend took the job, and it must not be lost to a failure after this.
        await ctx.tracker.track({ outcome, kind: spec.request.kind, prompt: spec.prompt, mode: spec.mode, ...this.inReply(interaction, messageId, waiting, privately) });
        await this.#remember(interaction.user.id, outcome, spec.prompt);
      },
    };
  }

  /** Remix mode: whether a click on `button` opens the prompt editor first (the user's setting, the button, what the backend does). */
  async remixAtOnce(interaction: ButtonInteraction, record: TaskRecord, button: TaskButton): Promise<boolean> {
    if (!isRemixable(button.customId) || !(await this.prefsFor(interaction)).remix) return false;
    return (await remixSupport(this.ctx, this.ctx.reader.backendOf(record))) === undefined;
  }

  /** A proxy button pressed: /submit/action, the new job shown in this interaction's reply. */
  async action(interaction: ButtonInteraction, record: TaskRecord, button: TaskButton, label: string): Promise<Plan> {
    await screenJob(this.ctx, interaction, []);
    const prefs = await this.prefsFor(interaction);
    // Remix on, but this backend gives the editor no place: the button runs as it is, and the user hears why.
    const noRemix = !!prefs.remix && isRemixable(button.customId) && (await remixSupport(this.ctx, this.ctx.reader.backendOf(record))) !== undefined;
    const privately = await this.#private(interaction, record);
    return {
      answer: { kind: 'public', line: { prompt: record.prompt, label }, private: privately },
      ticket: await checkQuota(interaction.user.id, this.ctx, { guildId: interaction.guildId }),
      run: async (_, started) => {
        const outcome = await this.#submitAction(record, button, jobState(interaction), actionExtras(button.customId, prefs, false));
        await started(outcome.taskIds);
        await this.#follow(interaction, outcome, record, label, record.prompt, privately);
      },
      after: async () => {
        await this.ctx.tracker.markPressed(record.taskId, button.customId);
        if (noRemix) await this.#tell(interaction, 'remix.unavailable', label);
      },
    };
  }

  /** ❌ on a job under way: cancelled at its backend, and ended here at once. */
  cancel(record: TaskRecord): Plan {
    return { answer: { kind: 'update' }, run: () => cancelJob(this.ctx, record) };
  }

  /**
   * "Imagine all": the describe result's prompts as /imagine jobs of our own (every backend has
   * /imagine), as many as the user's limits allow now; the user is told, privately and plainly,
   * which prompts were not started (their numbered buttons start them later).
   */
  async imagineAll(interaction: ButtonInteraction, record: TaskRecord, button: TaskButton, given: string[]): Promise<Plan> {
    const ctx = this.ctx;
    const prompts = await this.#withPromptSettings(interaction, given);
    await screenJob(ctx, interaction, prompts);
    const privately = await this.#private(interaction, record);
    const ticket = await checkQuota(interaction.user.id, ctx, { count: prompts.length, min: 1, guildId: interaction.guildId });
    return {
      answer: { kind: 'public', private: privately },
      ticket,
      run: async (_, started) => {
        for (const [i, prompt] of prompts.slice(0, ticket.granted).entries()) {
          const outcome = await ctx.proxy.submitImagine({ prompt, state: jobState(interaction) }, { mode: record.mode, guildId: interaction.guildId });
          await started(outcome.taskIds);
          await this.#follow(interaction, outcome, record, '', prompt, privately, 'imagine', i === 0);
        }
      },
      after: async () => {
        await ctx.tracker.markPressed(record.taskId, button.customId);
        if (ticket.granted < prompts.length) {
          const locale = resolveLocale(interaction.locale);
          const limit = ticket.cutLimit ?? (ticket.cutBy === 'daily' ? ctx.config.USER_MAX_DAILY : ctx.config.USER_MAX_CONCURRENT);
          const rest = KEYCAPS.slice(ticket.granted, prompts.length).join(' ');
          const key = ticket.cutBy === 'daily' ? 'quota.partialDaily' : 'quota.partialRunning';
          await interaction.followUp({ content: t(locale, key, { started: ticket.granted, total: prompts.length, limit, rest }), flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
        }
      },
    };
  }

  /** A describe or shorten pick, edited in its modal: a new /imagine, routed like any new job (its speed is the parent's). */
  async pick(interaction: ModalSubmitInteraction, parent: TaskRecord, button: TaskButton, edited: string): Promise<Plan> {
    const [prompt = edited] = await this.#withPromptSettings(interaction, [edited]);
    await screenJob(this.ctx, interaction, [prompt]);
    const privately = await this.#private(interaction, parent);
    return {
      answer: { kind: 'public', line: { prompt }, private: privately },
      ticket: await checkQuota(interaction.user.id, this.ctx, { guildId: interaction.guildId }),
      run: async (_, started) => {
        const outcome = await this.ctx.proxy.submitImagine({ prompt, state: jobState(interaction) }, { mode: parent.mode, guildId: interaction.guildId });
        await started(outcome.taskIds);
        await this.#follow(interaction, outcome, parent, '', prompt, privately, 'imagine');
      },
      after: () => this.ctx.tracker.markPressed(parent.taskId, button.customId),
    };
  }

  /**
   * Vary (Region), Custom Zoom and the like, and the remix editor of remix mode (`remix`), their input
   * given: /submit/action, then /submit/modal on the MODAL task it makes. A remix the backend ran
   * without asking for the prompt is shown with the prompt it ran with, and the user is told.
   */
  async actionWithInput(interaction: ModalSubmitInteraction, parent: TaskRecord, button: TaskButton, input: { prompt: string; shown: string; label: string; mask?: Upload; remix?: boolean }): Promise<Plan> {
    await screenJob(this.ctx, interaction, [input.prompt]);
    const prefs = await this.prefsFor(interaction);
    let unused = false;
    const privately = await this.#private(interaction, parent);
    return {
      answer: { kind: 'public', line: { prompt: input.shown, label: input.label }, private: privately },
      ticket: await checkQuota(interaction.user.id, this.ctx, { guildId: interaction.guildId }),
      run: async (_, started) => {
        const extras = actionExtras(button.customId, prefs, !!input.remix);
        const { outcome, modal } = await this.#actionThenModal(interaction, parent, button, input.prompt, input.mask, extras);
        unused = !!input.remix && !modal;
        await started(outcome.taskIds);
        await this.#follow(interaction, outcome, parent, input.label, unused ? parent.prompt : input.shown, privately);
      },
      after: async () => {
        await this.ctx.tracker.markPressed(parent.taskId, button.customId);
        if (unused) await this.#tell(interaction, 'remix.promptNotUsed', input.label);
      },
    };
  }

  /** The remix editor of a task waiting in MODAL was submitted: it counts already, so it is not counted twice. */
  async remix(interaction: ModalSubmitInteraction, record: TaskRecord, prompt: string): Promise<Plan> {
    await screenJob(this.ctx, interaction, [prompt]);
    return {
      answer: { kind: 'update' },
      ticket: await checkQuota(record.ownerId, this.ctx, { replacing: record.taskId, guildId: record.guildId }),
      run: async () => {
        await this.ctx.proxy.submitModal({ taskId: record.taskId, prompt }, jobCall(record));
        await this.ctx.tracker.resubmit(record.taskId, { prompt, token: interaction.token });
      },
    };
  }

  /** "Check again": followed again from the clicked message, counting for its owner again, then read once. */
  async retarget(interaction: ButtonInteraction, record: TaskRecord): Promise<Plan> {
    const ctx = this.ctx;
    return {
      answer: { kind: 'update' },
      ticket: await checkQuota(record.ownerId, ctx, { replacing: record.taskId, guildId: record.guildId }),
      run: async () => {
        await ctx.tracker.retarget(record.taskId, { token: interaction.token, messageId: interaction.message.id });
      },
      after: async () => {
        const read = await ctx.reader.readTasks(ctx.reader.backendOf(record), [record.taskId]);
        const task = read.found.get(record.taskId);
        if (task) await ctx.tracker.update(record.taskId, task);
        else if (read.unknown.has(record.taskId)) await ctx.tracker.lose(record.taskId);
      },
    };
  }

  /** Share: the result posted in the server's gallery (sharing.ts). */
  share(interaction: ButtonInteraction, record: TaskRecord): Promise<Plan> {
    return planShare(this.ctx, interaction, record);
  }

  /** 🗑: the job forgotten and its message removed (sharing.ts). */
  remove(interaction: ButtonInteraction, record: TaskRecord): Plan {
    return planRemove(this.ctx, interaction, record);
  }

  readImage(file: Upload, limit: number): Promise<string> {
    return readImage(file, limit, { timeoutMs: this.ctx.config.PROXY_TIMEOUT_MS, dispatcher: this.ctx.downloads });
  }

  // --- the shared steps --------------------------------------------------------------------

  /** Whether a new job is shown to its requester alone: their /settings, or a private job it came from (U/V on a private grid). */
  async #private(interaction: ChatInputCommandInteraction | ButtonInteraction | ModalSubmitInteraction, parent?: TaskRecord): Promise<boolean> {
    return !!parent?.private || (await this.prefsFor(interaction)).visibility === 'private';
  }

  #remember(userId: string, outcome: SubmitOutcome, prompt: string): Promise<void> {
    return addRecent(this.ctx, userId, outcome.taskIds.map((taskId) => ({ taskId, prompt, at: this.ctx.now() })));
  }

  /** Hands a job made from `parent` to the tracker (shown in this interaction's reply, or a message of its own) and lists it. */
  async #follow(interaction: ButtonInteraction | ModalSubmitInteraction, outcome: SubmitOutcome, parent: TaskRecord, label: string, prompt: string, privately: boolean, kind = 'action', inReply = true): Promise<void> {
    const ctx = this.ctx;
    await ctx.tracker.track({
      private: privately,
      noChannel: !reachesChannel(interaction),
      // A job made from a job runs where its parent ran, unless the pool said where (a new /imagine).
      outcome: outcome.backend || !parent.backend ? outcome : { ...outcome, backend: parent.backend },
      kind,
      prompt,
      ownerId: interaction.user.id,
      locale: resolveLocale(interaction.locale),
      guildId: interaction.guildId,
      channelId: interaction.channelId ?? parent.channelId,
      interactionToken: inReply ? interaction.token : null,
      interactionAt: ctx.now(),
      messageId: null,
      parentTaskId: parent.taskId,
      label,
      mode: parent.mode,
    });
    await this.#remember(interaction.user.id, outcome, label ? `${prompt} (${label})` : prompt);
  }

  /** A private note to whoever pressed a button or submitted a modal, once the job was handed over. */
  async #tell(interaction: ButtonInteraction | ModalSubmitInteraction, key: 'remix.unavailable' | 'remix.promptNotUsed', label: string): Promise<void> {
    const locale = resolveLocale(interaction.locale);
    const content = t(locale, key, { label: plainText(label) || t(locale, 'button.action') });
    await interaction.followUp({ content, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
  }

  /** /submit/action for a button of `record`'s task; a backend that does not know it stops being offered it. */
  async #submitAction(record: TaskRecord, button: TaskButton, state: string, extras: Pick<ActionRequest, 'enableRemix' | 'strong'> = {}): Promise<SubmitOutcome> {
    // Animate and Extend: through /submit/video where a relay refuses them here (animate.ts).
    if (isAnimate(button)) return submitAnimate(this.ctx, record, button, state);
    try {
      return await this.ctx.proxy.submitAction({ taskId: record.taskId, customId: button.customId, state, ...extras }, jobCall(record));
    } catch (err) {
      if (err instanceof ProxyError && err.code === 'UNSUPPORTED') await rememberHidden(this.ctx, this.ctx.reader.backendOf(record), hiddenPattern(button.customId));
      throw err;
    }
  }

  /** `modal`: whether the backend asked for the input (a MODAL task), so the prompt was used. */
  async #actionThenModal(interaction: ModalSubmitInteraction, parent: TaskRecord, button: TaskButton, prompt: string, mask: Upload | undefined, extras: Pick<ActionRequest, 'enableRemix' | 'strong'>): Promise<{ outcome: SubmitOutcome; modal: boolean }> {
    const ctx = this.ctx;
    const backend = ctx.reader.backendOf(parent);
    const maskBase64 = mask ? await this.readImage(mask, ctx.config.MAX_ATTACHMENT_BYTES) : undefined;
    if (maskBase64 && !maskBase64.startsWith('data:image/png;')) throw new UserInputError('MASK_MISSING');
    let outcome: SubmitOutcome;
    try {
      outcome = await this.#submitAction(parent, button, jobState(interaction), extras);
    } catch (err) {
      // The account's Remix mode is off: nothing ran; the next press of this backend's buttons runs them directly.
      if (extras.enableRemix && isRemixRefusal(err)) {
        await rememberRemix(ctx, backend, 'off');
        throw new UserInputError('REMIX_OFF');
      }
      throw err;
    }
    let modalTaskId: string | null = outcome.kind === 'modal' ? outcome.taskId : null;
    if (!modalTaskId) {
      // Relays rewrite code 21 to 1: the task itself says whether it waits for input.
      const task = await ctx.proxy.fetchTask(outcome.taskId, jobCall(parent)).catch(() => null);
      if (task?.status === 'MODAL') modalTaskId = task.id;
      // It ran without the prompt: this backend does not honour enableRemix (a relay that shows the
      // MODAL later still gets the prompt through "Open editor").
      else if (task && extras.enableRemix) await rememberRemix(ctx, backend, 'ignored');
    }
    if (!modalTaskId) return { outcome, modal: false };
    // Some backends refuse an empty prompt here (trueai: code 4): the job's own prompt stands in.
    const text = prompt || parent.modal?.finalPrompt || parentPrompt(parent);
    const submitted = await ctx.proxy.submitModal({ taskId: modalTaskId, prompt: text, ...(maskBase64 ? { maskBase64 } : {}) }, jobCall(parent));
    // /submit/modal answers with the same task id, which now runs.
    const accepted: SubmitOutcome = { kind: 'accepted', taskId: modalTaskId, taskIds: [modalTaskId], raw: submitted.raw, ...(submitted.backend ? { backend: submitted.backend } : {}) };
    return { outcome: submitted.kind === 'modal' ? accepted : submitted, modal: true };
  }
}

/** The prompt a job came from, as the proxy knows it best. */
export function parentPrompt(record: TaskRecord): string {
  return record.task?.properties.finalPrompt || record.task?.prompt || record.prompt;
}
