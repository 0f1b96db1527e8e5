// A job's seed, privately (/seed and the 🌱 button): GET /mj/task/{id}/image-seed. A backend
// without that endpoint is remembered, and the 🌱 button is no longer offered.
import type { ButtonInteraction, ChatInputCommandInteraction } from 'discord.js';
import type { AppContext } from '../context.ts';
import { t } from '../i18n/index.ts';
import { ProxyError } from '../proxy/errors.ts';
import { SEED_HIDDEN } from '../render/task-view.ts';
import { backendOf } from '../store/tasks.ts';
import { rememberHidden } from './hidden.ts';
import type { Plan } from './answer.ts';

/** Answered privately at once: trueai may block up to a minute while it asks Discord. */
export function seedPlan(interaction: ChatInputCommandInteraction | ButtonInteraction, ctx: AppContext, taskId: string, mode?: string): Plan {
  return {
    answer: { kind: 'ephemeral' },
    async run() {
      let value: string;
      try {
        value = await ctx.proxy.fetchImageSeed(taskId, { mode });
      } catch (err) {
        if (err instanceof ProxyError && err.code === 'UNSUPPORTED') await rememberHidden(ctx, backendOf({ mode }), SEED_HIDDEN);
        throw err;
      }
      await interaction.editReply({ content: t(interaction.locale, 'view.seed', { id: taskId, seed: value }), allowedMentions: { parse: [] } });
    },
  };
}
