// Buttons a backend does not offer (backends differ: api.md §0). A button whose action the
// backend refused as unknown, or the 🌱 seed button when it has no image-seed endpoint, is
// remembered for that backend in the store and left out of every message of that backend's jobs
// rendered afterwards.
import type { JobsContext } from '../context.ts';
import { parseButton } from '../proxy/buttons.ts';

/** The part of a customId that names the action, without the job's hash or index. */
export function hiddenPattern(customId: string): string {
  return parseButton(customId).pattern;
}

/** `backend`: its configured name (`reader.backendOf(record.mode)`). The tracker gets the backend's whole list, other processes' patterns included. */
export async function rememberHidden(ctx: JobsContext, backend: string, pattern: string): Promise<void> {
  if (!pattern) return;
  ctx.tracker.setHiddenButtons(backend, await ctx.stores.hidden.add(backend, pattern));
}
