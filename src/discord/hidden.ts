// Buttons a backend does not offer (backends differ: api.md §0). A button whose action the
// backend refused as unknown, or the 🌱 seed button when it has no image-seed endpoint, is
// remembered for that backend in the store and left out of every message of that backend's jobs
// rendered afterwards.
import type { AppContext } from '../context.ts';

/** The part of a customId that names the action, without the job's hash or index. */
export function hiddenPattern(customId: string): string {
  const parts = customId.split('::');
  const keep: string[] = [];
  for (const p of parts) {
    if (/^\d+$/.test(p) || /^[0-9a-f]{8}-[0-9a-f-]{27,}$/i.test(p) || p === 'SOLO') break;
    keep.push(p);
  }
  return keep.join('::');
}

/** `backend`: its configured name (`backendOf(record)`). The tracker gets the backend's whole list, other processes' patterns included. */
export async function rememberHidden(ctx: AppContext, backend: string, pattern: string): Promise<void> {
  if (!pattern) return;
  ctx.tracker.setHiddenButtons(backend, await ctx.stores.hidden.add(backend, pattern));
}
