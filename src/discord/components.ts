// Buttons and modals: permanent handlers (parse → run) that find everything they need in the
// store, so they keep working after a restart. A click on a proxy button posts /submit/action;
// buttons that always need input (Custom Zoom, Vary (Region), a describe/shorten pick) open our
// modal first and then do action → modal in one go.
import { MessageFlags, type ButtonInteraction, type ModalSubmitInteraction } from 'discord.js';
import type { AppContext } from '../context.ts';
import { resolveLocale, t } from '../i18n/index.ts';
import { UserInputError, ProxyError } from '../proxy/errors.ts';
import type { SubmitOutcome, TaskButton } from '../proxy/types.ts';
import { parseButton } from '../proxy/buttons.ts';
import { actionLabel } from '../render/action-label.ts';
import { effectiveButtons, modalKindOf } from '../render/buttons.ts';
import { buildModal, INPUT_MASK, INPUT_PROMPT, withZoom, zoomValue, type ModalPurpose } from '../render/modals.ts';
import { describeText, numberedPrompts, shortenOptions, shortenText } from '../render/prompts.ts';
import { backendOf, type RecordStatus, type TaskRecord } from '../store/tasks.ts';
import { mayAct, type Who } from './ownership.ts';
import { checkImage, readImage } from './attachments.ts';
import { customIds, type ParsedCustomId } from '../custom-id.ts';
import { jobState } from './jobs.ts';
import { checkQuota } from './guard.ts';
import { addRecent } from './recent.ts';
import { hiddenPattern, rememberHidden } from './hidden.ts';
import { seedPlan } from './seed.ts';
import type { Plan } from './answer.ts';
import { checkPrompt, checkPromptLength } from './prompt.ts';


/** What a custom_id kind asks of the user and of the job, checked the same way for every kind. */
interface Rule {
  who: Who;
  /** The record states in which the message offers this control; any other is a stale or forged id. */
  states: readonly RecordStatus[];
  /** The control sits on the job's own message only (not on a copy shown by /task). */
  ownMessage?: boolean;
}

/** Proxy buttons and their modals: the owner's (BUTTONS_OWNER_ONLY=false: anyone who sees the job). */
const pressRule = (ctx: AppContext): Rule => ({ who: ctx.config.BUTTONS_OWNER_ONLY ? 'owner' : 'viewer', states: ['SUCCESS'] });
const RULES = {
  /** Remix input for a job waiting in MODAL: only its owner can give it. */
  editor: { who: 'owner', states: ['MODAL'] },
  /** A seed starts nothing: whoever sees the job may ask. */
  seed: { who: 'viewer', states: ['SUCCESS'] },
  /** "Check again" re-points the job's updates to the clicked message: that message only. */
  check: { who: 'admin', states: ['TIMEOUT', 'LOST'], ownMessage: true },
} as const satisfies Record<string, Rule>;

/** The record behind a custom_id, checked for existence, who may use it, and the job's state. */
async function loadRecord(ctx: AppContext, taskId: string, interaction: ButtonInteraction | ModalSubmitInteraction, rule: Rule): Promise<TaskRecord> {
  // A record the store could not write yet lives in the tracker until it can.
  const record = ctx.tracker.unsaved(taskId) ?? (await ctx.stores.tasks.get(taskId));
  if (!record) throw new UserInputError('EXPIRED');
  if (!mayAct(record, interaction, rule.who)) throw new UserInputError('NOT_OWNER');
  if (!rule.states.includes(record.status)) throw new UserInputError('EXPIRED');
  if (rule.ownMessage && record.messageId && interaction.message?.id !== record.messageId) throw new UserInputError('EXPIRED');
  return record;
}

/** The button at `index` as the message shows it (synthesized describe/shorten picks included). */
function buttonAt(record: TaskRecord, index: number): TaskButton {
  const b = effectiveButtons(record.task, record.locale)[index];
  if (!b) throw new UserInputError('EXPIRED');
  return b;
}

/** The prompt a job came from, as the proxy knows it best. */
function parentPrompt(record: TaskRecord): string {
  return record.task?.properties.finalPrompt || record.task?.prompt || record.prompt;
}

/** What the new message calls the job relative to its parent: "Image #2", "Pan Left" … (every action names itself). */
const labelFor = actionLabel;

/** The text a modal is pre-filled with for a button that always asks for input. */
function prefillFor(record: TaskRecord, button: TaskButton, purpose: ModalPurpose): string {
  if (purpose === 'zoom') return withZoom(parentPrompt(record));
  if (purpose === 'region') return parentPrompt(record);
  const b = parseButton(button.customId);
  if (b.action === 'shorten-pick') return shortenPrompts(record)[b.index - 1] ?? '';
  return b.action === 'describe-pick' ? (describePrompts(record)[b.index - 1] ?? '') : '';
}

/** The four prompts of a DESCRIBE result (api.md §2.4: where the text sits differs by backend). */
function describePrompts(record: TaskRecord): string[] {
  return record.task ? numberedPrompts(describeText(record.task)) : [];
}

/** The shortened options of a SHORTEN result. */
function shortenPrompts(record: TaskRecord): string[] {
  return record.task ? shortenOptions(shortenText(record.task)) : [];
}

/** /submit/action for a button of `record`'s task; a backend that does not know it stops being offered it. */
async function submitAction(ctx: AppContext, record: TaskRecord, button: TaskButton, state: string): Promise<SubmitOutcome> {
  try {
    return await ctx.proxy.submitAction({ taskId: record.taskId, customId: button.customId, state }, { mode: record.mode });
  } catch (err) {
    if (err instanceof ProxyError && err.code === 'UNSUPPORTED') await rememberHidden(ctx, backendOf(record), hiddenPattern(button.customId));
    throw err;
  }
}

/** Follows the answer of an action or modal submit as a new job shown in this interaction's reply. */
async function trackReply(
  interaction: ButtonInteraction | ModalSubmitInteraction,
  ctx: AppContext,
  outcome: SubmitOutcome,
  parent: TaskRecord,
  label: string,
  prompt: string,
  kind = 'action',
  inReply = true,
): Promise<void> {
  await ctx.tracker.track({
    outcome,
    kind,
    prompt,
    ownerId: interaction.user.id,
    locale: resolveLocale(interaction.locale),
    guildId: interaction.guildId,
    channelId: interaction.channelId ?? parent.channelId,
    // A job that is not shown in this interaction's reply gets a channel message of its own.
    interactionToken: inReply ? interaction.token : null,
    interactionAt: ctx.now(),
    messageId: null,
    parentTaskId: parent.taskId,
    label,
    mode: parent.mode,
  });
  await addRecent(ctx, interaction.user.id, outcome.taskIds.map((taskId) => ({ taskId, prompt: label ? `${prompt} (${label})` : prompt, at: ctx.now() })));
}

/** What a click does, checked before anything is sent; the router answers as the plan says, then runs it. */
export async function planButton(interaction: ButtonInteraction, parsed: ParsedCustomId, ctx: AppContext): Promise<Plan> {
  const locale = resolveLocale(interaction.locale);
  switch (parsed.kind) {
    case 'button': {
      const record = await loadRecord(ctx, parsed.taskId, interaction, pressRule(ctx));
      const button = buttonAt(record, parsed.index);
      const purpose = modalKindOf(button.customId);
      if (purpose) {
        // The modal must be the first answer to the click: no proxy call before it.
        const p: ModalPurpose = purpose === 'prompt' ? 'imagine' : purpose;
        return { answer: { kind: 'modal', modal: buildModal(customIds.modal(record.taskId, parsed.index), p, prefillFor(record, button, p), locale) } };
      }
      const all = parseButton(button.customId).action === 'describe-all';
      const prompts = all ? describePrompts(record).slice(0, 4) : [];
      if (all && prompts.length === 0) throw new UserInputError('EXPIRED');
      if (all) return imagineAll(interaction, ctx, record, button, prompts);
      return {
        answer: { kind: 'public', line: { prompt: record.prompt, label: labelFor(button, locale) } },
        ticket: await checkQuota(interaction.user.id, ctx),
        async run(_, started) {
          const outcome = await submitAction(ctx, record, button, jobState(interaction));
          started(outcome.taskIds.length);
          await trackReply(interaction, ctx, outcome, record, labelFor(button, locale), record.prompt);
        },
        after: () => ctx.tracker.markPressed(record.taskId, button.customId),
      };
    }
    case 'editor': {
      const record = await loadRecord(ctx, parsed.taskId, interaction, RULES.editor);
      const prefill = record.modal?.finalPrompt || parentPrompt(record);
      return { answer: { kind: 'modal', modal: buildModal(customIds.modal(record.taskId, null), 'remix', prefill, locale) } };
    }
    case 'seed': {
      const record = await loadRecord(ctx, parsed.taskId, interaction, RULES.seed);
      return seedPlan(interaction, ctx, record.taskId, record.mode);
    }
    case 'check': {
      const record = await loadRecord(ctx, parsed.taskId, interaction, RULES.check);
      // Followed again, the job counts for its owner again: the same check as a new job.
      return {
        answer: { kind: 'update' },
        ticket: await checkQuota(record.ownerId, ctx, { replacing: record.taskId }),
        async run() {
          await ctx.tracker.retarget(record.taskId, { token: interaction.token, messageId: interaction.message.id });
        },
        async after() {
          const read = await ctx.reader.readTasks(ctx.reader.backendOf(record.mode), [record.taskId]);
          const task = read.found.get(record.taskId);
          if (task) await ctx.tracker.update(record.taskId, task);
          else if (read.unknown.has(record.taskId)) await ctx.tracker.lose(record.taskId);
        },
      };
    }
    default:
      throw new UserInputError('EXPIRED');
  }
}

/** What a modal's input does, checked before anything is sent; the router answers as the plan says, then runs it. */
export async function planModalSubmit(interaction: ModalSubmitInteraction, parsed: ParsedCustomId, ctx: AppContext): Promise<Plan> {
  if (parsed.kind !== 'modal') throw new UserInputError('EXPIRED');
  const locale = resolveLocale(interaction.locale);
  const prompt = (interaction.fields.getTextInputValue(INPUT_PROMPT) ?? '').trim();
  // Before anything else, on every modal path (remix editor, zoom, region, picks).
  checkPromptLength(prompt);

  if (parsed.index === null) {
    // The remix editor of a task waiting in status MODAL.
    const record = await loadRecord(ctx, parsed.taskId, interaction, RULES.editor);
    if (!prompt) throw new UserInputError('PROMPT_EMPTY');
    // The task waiting for input counts already (until its deadline): it is not counted twice.
    return {
      answer: { kind: 'update' },
      ticket: await checkQuota(record.ownerId, ctx, { replacing: record.taskId }),
      async run() {
        await ctx.proxy.submitModal({ taskId: record.taskId, prompt }, { mode: record.mode });
        await ctx.tracker.resubmit(record.taskId, { prompt, token: interaction.token });
      },
    };
  }

  // A button that always needs input: check the input, then action → modal in one go.
  const parent = await loadRecord(ctx, parsed.taskId, interaction, pressRule(ctx));
  const button = buttonAt(parent, parsed.index);
  const purpose = modalKindOf(button.customId);
  if (purpose === 'zoom' && zoomValue(prompt) === null) throw new UserInputError('ZOOM_MISSING');
  if (purpose === 'prompt') {
    // A describe or shorten pick: the edited prompt runs as a new /imagine on any backend.
    checkPrompt(prompt);
    return {
      answer: { kind: 'public', line: { prompt } },
      ticket: await checkQuota(interaction.user.id, ctx),
      async run(_, started) {
        const outcome = await ctx.proxy.submitImagine({ prompt, state: jobState(interaction) }, { mode: parent.mode });
        started(outcome.taskIds.length);
        await trackReply(interaction, ctx, outcome, parent, '', prompt, 'imagine');
      },
      after: () => ctx.tracker.markPressed(parent.taskId, button.customId),
    };
  }
  let mask: { name: string; size: number; url: string; contentType: string | null } | undefined;
  if (purpose === 'region') {
    const files = interaction.fields.getUploadedFiles(INPUT_MASK, false);
    mask = files?.first();
    if (!mask) throw new UserInputError('MASK_MISSING');
    checkImage(mask, ctx.config.MAX_ATTACHMENT_BYTES);
  }
  return {
    answer: { kind: 'public', line: { prompt: prompt || parentPrompt(parent), label: labelFor(button, locale) } },
    ticket: await checkQuota(interaction.user.id, ctx),
    async run(_, started) {
      const outcome = await actionThenModal(interaction, ctx, parent, button, prompt, mask);
      started(outcome.taskIds.length);
      await trackReply(interaction, ctx, outcome, parent, labelFor(button, locale), prompt || parentPrompt(parent));
    },
    after: () => ctx.tracker.markPressed(parent.taskId, button.customId),
  };
}

const KEYCAPS = ['1️⃣', '2️⃣', '3️⃣', '4️⃣'];

/**
 * "Imagine all": the describe result's prompts as /imagine jobs of our own (every backend has
 * /imagine), as many as the user's limits allow now; the user is told, privately and plainly,
 * which prompts were not started (their numbered buttons start them later).
 */
async function imagineAll(interaction: ButtonInteraction, ctx: AppContext, record: TaskRecord, button: TaskButton, prompts: string[]): Promise<Plan> {
  for (const prompt of prompts) checkPrompt(prompt);
  const ticket = await checkQuota(interaction.user.id, ctx, { count: prompts.length, min: 1 });
  return {
    answer: { kind: 'public' },
    ticket,
    async run(_, started) {
      for (const [i, prompt] of prompts.slice(0, ticket.granted).entries()) {
        const outcome = await ctx.proxy.submitImagine({ prompt, state: jobState(interaction) }, { mode: record.mode });
        started(outcome.taskIds.length);
        await trackReply(interaction, ctx, outcome, record, '', prompt, 'imagine', i === 0);
      }
    },
    async after() {
      await ctx.tracker.markPressed(record.taskId, button.customId);
      if (ticket.granted < prompts.length) {
        const locale = resolveLocale(interaction.locale);
        const limit = ticket.cutBy === 'daily' ? ctx.config.USER_MAX_DAILY : ctx.config.USER_MAX_CONCURRENT;
        const rest = KEYCAPS.slice(ticket.granted, prompts.length).join(' ');
        const key = ticket.cutBy === 'daily' ? 'quota.partialDaily' : 'quota.partialRunning';
        await interaction.followUp({ content: t(locale, key, { started: ticket.granted, total: prompts.length, limit, rest }), flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
      }
    },
  };
}

/** Vary (Region), Custom Zoom and the like: /submit/action, then /submit/modal on the MODAL task it makes. */
async function actionThenModal(
  interaction: ModalSubmitInteraction,
  ctx: AppContext,
  parent: TaskRecord,
  button: TaskButton,
  prompt: string,
  mask: { name: string; size: number; url: string; contentType: string | null } | undefined,
): Promise<SubmitOutcome> {
  const maskBase64 = mask ? await readImage(mask, ctx.config.MAX_ATTACHMENT_BYTES, { timeoutMs: ctx.config.PROXY_TIMEOUT_MS, dispatcher: ctx.downloads }) : undefined;
  if (maskBase64 && !maskBase64.startsWith('data:image/png;')) throw new UserInputError('MASK_MISSING');
  const outcome = await submitAction(ctx, parent, button, jobState(interaction));
  let modalTaskId: string | null = outcome.kind === 'modal' ? outcome.taskId : null;
  if (!modalTaskId) {
    // Relays rewrite code 21 to 1: the task itself says whether it waits for input.
    const task = await ctx.proxy.fetchTask(outcome.taskId, { mode: parent.mode }).catch(() => null);
    if (task?.status === 'MODAL') modalTaskId = task.id;
  }
  if (!modalTaskId) return outcome;
  // Some backends refuse an empty prompt here (trueai: code 4): the job's own prompt stands in.
  const text = prompt || parent.modal?.finalPrompt || parentPrompt(parent);
  const submitted = await ctx.proxy.submitModal({ taskId: modalTaskId, prompt: text, ...(maskBase64 ? { maskBase64 } : {}) }, { mode: parent.mode });
  // /submit/modal answers with the same task id, which now runs.
  return submitted.kind === 'modal' ? { kind: 'accepted', taskId: modalTaskId, taskIds: [modalTaskId], raw: submitted.raw } : submitted;
}
