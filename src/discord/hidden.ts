// Buttons this backend does not offer (backends differ: api.md §0). A button whose action the
// backend refused as unknown, or the 🌱 seed button when it has no image-seed endpoint, is
// remembered in the settings and left out of every message rendered afterwards.
import type { AppContext } from '../context.ts';
import { parseButton } from '../proxy/buttons.ts';

export const HIDDEN_BUTTONS_KEY = 'hidden-buttons';

/** The part of a customId that names the action, without the job's hash or index (the stored form). */
export function hiddenPattern(customId: string): string {
  return parseButton(customId).pattern;
}

export async function rememberHidden(ctx: AppContext, pattern: string): Promise<void> {
  const list = ((await ctx.stores.settings.get(HIDDEN_BUTTONS_KEY)) as string[] | undefined) ?? [];
  if (!pattern || list.includes(pattern)) return;
  await ctx.stores.settings.set(HIDDEN_BUTTONS_KEY, [...list, pattern]);
  ctx.tracker.setHiddenButtons([...list, pattern]);
}
