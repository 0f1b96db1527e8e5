// Buttons and modals: permanent handlers (parse → run) that find everything they need in the
// store, so they keep working after a restart. A click on a proxy button posts /submit/action;
// buttons that always need input (Custom Zoom, Vary (Region), a describe/shorten pick), and with
// remix mode on V1–V4, 🔄, Vary and the pans, open our modal first and then do action → modal in one go.
import type { ButtonInteraction, ModalSubmitInteraction } from 'discord.js';
import type { HandlerContext } from '../jobs/handler-context.ts';
import { parentPrompt } from '../jobs/jobs.ts';
import { resolveLocale } from '../i18n/index.ts';
import { UserInputError } from '../proxy/errors.ts';
import type { TaskButton } from '../proxy/types.ts';
import { parseButton } from '../proxy/buttons.ts';
import { actionLabel } from '../render/action-label.ts';
import { effectiveButtons, modalKindOf } from '../render/buttons.ts';
import { buildModal, INPUT_MASK, INPUT_PROMPT, withZoom, zoomValue, type ModalPurpose } from '../render/modals.ts';
import { describeText, numberedPrompts, shortenOptions, shortenText } from '../render/prompts.ts';
import type { RecordStatus, TaskRecord } from '../store/tasks.ts';
import { mayAct, type Who } from '../jobs/ownership.ts';
import { checkImage } from '../media/attachments.ts';
import { customIds, type ParsedCustomId } from '../custom-id.ts';
import type { Plan } from '../jobs/plan.ts';
import { checkPrompt, checkPromptLength } from './prompt.ts';
import { isRemixable } from '../jobs/remix.ts';


/** What a custom_id kind asks of the user and of the job, checked the same way for every kind. */
interface Rule {
  who: Who;
  /** The record states in which the message offers this control; any other is a stale or forged id. */
  states: readonly RecordStatus[];
  /** The control sits on the job's own message only (not on a copy shown by /task). */
  ownMessage?: boolean;
}

/** Proxy buttons and their modals: the owner's (BUTTONS_OWNER_ONLY=false: anyone who sees the job). */
const pressRule = (ctx: HandlerContext): Rule => ({ who: ctx.config.BUTTONS_OWNER_ONLY ? 'owner' : 'viewer', states: ['SUCCESS'] });
const RULES = {
  /** Remix input for a job waiting in MODAL: only its owner can give it. */
  editor: { who: 'owner', states: ['MODAL'] },
  /** A seed starts nothing: whoever sees the job may ask. */
  seed: { who: 'viewer', states: ['SUCCESS'] },
  /** "Check again" re-points the job's updates to the clicked message: that message only. */
  check: { who: 'admin', states: ['TIMEOUT', 'LOST'], ownMessage: true },
  /** ❌ cancels a job under way: its owner's alone, on the job's own message. */
  cancel: { who: 'owner', states: ['NOT_START', 'SUBMITTED', 'IN_PROGRESS'], ownMessage: true },
  /** Share posts the requester's result in the gallery: theirs alone. */
  share: { who: 'owner', states: ['SUCCESS'] },
  /** 🗑 removes the job's own message: its requester, or a moderator of its server (Manage Messages). */
  delete: { who: 'moderator', states: ['SUCCESS'], ownMessage: true },
} as const satisfies Record<string, Rule>;

/** The record behind a custom_id, checked for existence, who may use it, and the job's state. */
async function loadRecord(ctx: HandlerContext, taskId: string, interaction: ButtonInteraction | ModalSubmitInteraction, rule: Rule): Promise<TaskRecord> {
  const record = await ctx.jobs.record(taskId);
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

/** What a click does, checked before anything is sent; the router answers as the plan says, then runs it. */
export async function planButton(interaction: ButtonInteraction, parsed: ParsedCustomId, ctx: HandlerContext): Promise<Plan> {
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
      // Remix mode: the prompt editor first, pre-filled with the job's prompt (still no proxy call before it).
      if (await ctx.jobs.remixAtOnce(interaction, record, button)) {
        return { answer: { kind: 'modal', modal: buildModal(customIds.modal(record.taskId, parsed.index), 'remix', parentPrompt(record), locale) } };
      }
      const all = parseButton(button.customId).action === 'describe-all';
      const prompts = all ? describePrompts(record).slice(0, 4) : [];
      if (all && prompts.length === 0) throw new UserInputError('EXPIRED');
      if (all) return ctx.jobs.imagineAll(interaction, record, button, prompts);
      return ctx.jobs.action(interaction, record, button, labelFor(button, locale));
    }
    case 'editor': {
      const record = await loadRecord(ctx, parsed.taskId, interaction, RULES.editor);
      const prefill = record.modal?.finalPrompt || parentPrompt(record);
      return { answer: { kind: 'modal', modal: buildModal(customIds.modal(record.taskId, null), 'remix', prefill, locale) } };
    }
    case 'seed': {
      const record = await loadRecord(ctx, parsed.taskId, interaction, RULES.seed);
      return ctx.jobs.seed(interaction, record.taskId, record);
    }
    case 'share': {
      const record = await loadRecord(ctx, parsed.taskId, interaction, RULES.share);
      return ctx.jobs.share(interaction, record);
    }
    case 'delete': {
      const record = await loadRecord(ctx, parsed.taskId, interaction, RULES.delete);
      return ctx.jobs.remove(interaction, record);
    }
    case 'check': {
      const record = await loadRecord(ctx, parsed.taskId, interaction, RULES.check);
      return ctx.jobs.retarget(interaction, record);
    }
    case 'cancel': {
      const record = await loadRecord(ctx, parsed.taskId, interaction, RULES.cancel);
      return ctx.jobs.cancel(record);
    }
    case 'privacy':
      // Acts on the clicker's own data, or (Manage Server, checked on the click) a member's in this server.
      return ctx.jobs.privacy.click(interaction, parsed.action, parsed.action === 'del' ? parsed.userId : undefined);
    default:
      throw new UserInputError('EXPIRED');
  }
}

/** What a modal's input does, checked before anything is sent; the router answers as the plan says, then runs it. */
export async function planModalSubmit(interaction: ModalSubmitInteraction, parsed: ParsedCustomId, ctx: HandlerContext): Promise<Plan> {
  if (parsed.kind !== 'modal') throw new UserInputError('EXPIRED');
  const locale = resolveLocale(interaction.locale);
  const prompt = (interaction.fields.getTextInputValue(INPUT_PROMPT) ?? '').trim();
  // Before anything else, on every modal path (remix editor, zoom, region, picks).
  checkPromptLength(prompt);

  if (parsed.index === null) {
    // The remix editor of a task waiting in status MODAL.
    const record = await loadRecord(ctx, parsed.taskId, interaction, RULES.editor);
    if (!prompt) throw new UserInputError('PROMPT_EMPTY');
    return ctx.jobs.remix(interaction, record, prompt);
  }

  // A button that always needs input: check the input, then action → modal in one go.
  const parent = await loadRecord(ctx, parsed.taskId, interaction, pressRule(ctx));
  const button = buttonAt(parent, parsed.index);
  const purpose = modalKindOf(button.customId);
  if (purpose === 'zoom' && zoomValue(prompt) === null) throw new UserInputError('ZOOM_MISSING');
  if (purpose === null) {
    // The remix editor remix mode opened at once: only for the buttons Midjourney remixes, with a prompt.
    if (!isRemixable(button.customId)) throw new UserInputError('EXPIRED');
    checkPrompt(prompt);
    return ctx.jobs.actionWithInput(interaction, parent, button, { prompt, shown: prompt, label: labelFor(button, locale), remix: true });
  }
  if (purpose === 'prompt') {
    // A describe or shorten pick: the edited prompt runs as a new /imagine on any backend.
    checkPrompt(prompt);
    return ctx.jobs.pick(interaction, parent, button, prompt);
  }
  let mask: { name: string; size: number; url: string; contentType: string | null } | undefined;
  if (purpose === 'region') {
    const files = interaction.fields.getUploadedFiles(INPUT_MASK, false);
    mask = files?.first();
    if (!mask) throw new UserInputError('MASK_MISSING');
    checkImage(mask, ctx.config.MAX_ATTACHMENT_BYTES);
  }
  return ctx.jobs.actionWithInput(interaction, parent, button, { prompt, shown: prompt || parentPrompt(parent), label: labelFor(button, locale), mask });
}
