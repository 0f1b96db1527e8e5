// Starting a job from a slash command: the limits are checked, then the router answers publicly
// at once (inside Discord's 3 s window) with the "Waiting to start" line this plan renders, then
// the slow work (downloads, the submit) runs and the accepted job goes to the tracker. Any error
// removes the public line and answers privately.
import { randomBytes } from 'node:crypto';
import type { ChatInputCommandInteraction } from 'discord.js';
import type { AppContext } from '../context.ts';
import type { SubmitOutcome } from '../proxy/types.ts';
import { resolveLocale } from '../i18n/index.ts';
import { renderTaskView } from '../render/task-view.ts';
import { viewHash } from '../tasks/lifecycle.ts';
import { checkQuota } from './guard.ts';
import { addRecent } from './recent.ts';
import type { Plan } from './answer.ts';

export interface JobSpec {
  kind: string;
  /** What the message shows as the job's prompt. */
  prompt: string;
  mode?: string;
  /** False for a look-up (/task): no job is started, so no limit applies. Default true. */
  countsAsJob?: boolean;
  /** Downloads inputs and submits; runs after the public acknowledgement. */
  submit: () => Promise<SubmitOutcome>;
}

/**
 * `state` echoed by the proxy on the task: where the job came from, plus a nonce that makes it
 * unique per request, so a submit whose answer was lost can be found by it (≤ 255 chars).
 */
export function jobState(i: { guildId: string | null; channelId: string | null; user: { id: string } }): string {
  return `discord:${i.guildId ?? 'dm'}:${i.channelId ?? ''}:${i.user.id}:${randomBytes(6).toString('base64url')}`.slice(-255);
}

/** Checks the user's limits (nothing is sent yet) and plans the job: the waiting line first, then `spec.submit`. */
export async function planJob(interaction: ChatInputCommandInteraction, ctx: AppContext, spec: JobSpec): Promise<Plan> {
  const ticket = spec.countsAsJob === false ? undefined : await checkQuota(interaction.user.id, ctx);
  const locale = resolveLocale(interaction.locale);
  const waiting = renderTaskView(null, { locale, ownerId: interaction.user.id, prompt: spec.prompt });
  return {
    answer: { kind: 'reply-first', view: waiting, line: { prompt: spec.prompt } },
    ticket,
    async run({ messageId }, started) {
      const outcome = await spec.submit();
      started(outcome.taskIds.length);
      // Followed first: the backend took the job, and it must not be lost to a failure after this.
      await ctx.tracker.track({
        outcome,
        kind: spec.kind,
        prompt: spec.prompt,
        ownerId: interaction.user.id,
        locale,
        guildId: interaction.guildId,
        channelId: interaction.channelId,
        interactionToken: interaction.token,
        interactionAt: ctx.now(),
        messageId,
        mode: spec.mode,
        shownHash: viewHash(waiting),
      });
      await addRecent(ctx, interaction.user.id, outcome.taskIds.map((taskId) => ({ taskId, prompt: spec.prompt, at: ctx.now() })));
    },
  };
}
