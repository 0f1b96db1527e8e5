// Remix mode at once (a user's /settings choice): V1–V4, 🔄, Vary (Subtle/Strong) and the pans open
// the prompt editor on the first click, and its submit sends /submit/action with `enableRemix: true`
// and then /submit/modal, as Midjourney's own bot does with Remix on. Remix belongs to the backend's
// Midjourney account, so what a backend does with `enableRemix` is learnt per backend (api.md §3):
// trueai answers code 21 (a MODAL task), or code 4 "当前账号不支持 remix…" on an account whose Remix
// mode is off; a backend that does not know the field (plus, relays that drop it) runs the action
// at once. Where it does not give the editor's prompt a place, the buttons run directly and the
// user is told; a backend that asks for the prompt afterwards still gets it through "Open editor".
import type { JobsContext } from '../context.ts';
import { ProxyError } from '../proxy/errors.ts';
import { parseButton } from '../proxy/buttons.ts';
import type { ActionRequest } from '../proxy/types.ts';
import type { UserPrefs } from '../store/preferences.ts';

/** What a backend turned out to do with `enableRemix`: 'off' (its account's Remix mode is off), 'ignored' (it ran the action). */
export type RemixSupport = 'off' | 'ignored';

const KEY = 'capability:remix-at-once';
/** How long a learnt answer is trusted: an admin may turn Remix on, a relay may be upgraded. */
const REMIX_TTL_MS = 6 * 3600_000;

/** The buttons Midjourney opens the Remix editor for (api.md §3: variation, low/high variation, pan, reroll). */
export function isRemixable(customId: string): boolean {
  const a = parseButton(customId).action;
  return a === 'variation' || a === 'reroll' || a === 'vary' || a === 'pan';
}

/** What `backend` was seen to do with `enableRemix`; undefined while it has not said otherwise. */
export async function remixSupport(ctx: JobsContext, backend: string): Promise<RemixSupport | undefined> {
  const v = await ctx.stores.capabilities.forBackend(backend).get(KEY);
  return v === 'off' || v === 'ignored' ? v : undefined;
}

export async function rememberRemix(ctx: JobsContext, backend: string, support: RemixSupport): Promise<void> {
  await ctx.stores.capabilities.forBackend(backend).set(KEY, support, REMIX_TTL_MS);
}

/** The account refused `enableRemix` (trueai code 4 "当前账号不支持 remix，请开启 remix 功能"). */
export function isRemixRefusal(err: unknown): boolean {
  return err instanceof ProxyError && err.code === 'VALIDATION' && /remix/i.test(err.context.description ?? '');
}

/**
 * The extra fields of /submit/action for a user's settings: `enableRemix` for the editor's submit,
 * and `strong` (trueai: "V1–V4 变化强度", low by default) for a V button when the user chose a
 * variation mode. Sent only then: old deployments may refuse fields they do not know (api.md §7.8).
 */
export function actionExtras(customId: string, prefs: UserPrefs, remix: boolean): Pick<ActionRequest, 'enableRemix' | 'strong'> {
  const out: Pick<ActionRequest, 'enableRemix' | 'strong'> = {};
  if (remix) out.enableRemix = true;
  if (prefs.variation && parseButton(customId).action === 'variation') out.strong = prefs.variation === 'strong';
  return out;
}
