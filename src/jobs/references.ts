// Reference images given as attachments (/imagine sref, cref, oref): which model versions take
// which, how they reach the backend (uploaded where it offers upload-discord-images, else the
// attachment's own Discord link), and the parameters appended to the prompt.
//
// Midjourney's rules (docs.midjourney.com "Style Reference", "Character Reference", "Omni
// Reference"): --sref from V6 on, --sw 0–1000 (default 100); --cref on V6 and Niji 6 only, --cw
// 0–100 (default 100); --oref from V7 on (its successor), --ow 1–1000 (default 100). A reference
// the chosen version does not take is refused before anything is sent (README "Reference images").
import type { JobsContext } from '../context.ts';
import { ProxyError, UserInputError } from '../proxy/errors.ts';
import type { Upload } from './upload.ts';

export type ReferenceKind = 'sref' | 'cref' | 'oref';

/** Each reference's weight parameter and the range Midjourney documents for it. */
export const REFERENCE_WEIGHTS: Record<ReferenceKind, { param: 'sw' | 'cw' | 'ow'; min: number; max: number }> = {
  sref: { param: 'sw', min: 0, max: 1000 },
  cref: { param: 'cw', min: 0, max: 100 },
  oref: { param: 'ow', min: 1, max: 1000 },
};
export const REFERENCE_KINDS: readonly ReferenceKind[] = ['sref', 'cref', 'oref'];

/** One reference: an attached image (checked as an image), or none when only its weight is given. */
export interface ReferenceInput {
  kind: ReferenceKind;
  file?: Upload;
  weight?: number;
}

/** A model version as the prompt or the settings name it: `--v 6.1` → {niji: false, n: 6.1}. */
export interface ModelVersion {
  niji: boolean;
  n: number;
  /** As a user would write it: "V6.1", "Niji 6". */
  label: string;
}

const versionOf = (niji: boolean, raw: string): ModelVersion | null => {
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) return null;
  return { niji, n, label: niji ? `Niji ${raw}` : `V${raw}` };
};

/**
 * The version a job runs on: the prompt's own last `--v`/`--version`/`--niji N` wins, else the
 * user's settings ("7", "6.1", "niji 6"); null when neither says (the backend's default decides,
 * and the bot checks nothing: it cannot know which default that is).
 */
export function chosenVersion(prompt: string, setting: string | undefined): ModelVersion | null {
  let found: ModelVersion | null = null;
  let saidNiji = false;
  for (const m of prompt.matchAll(/(?:^|\s)--(v|version|niji)(?:\s+(\d+(?:\.\d+)?))?(?=\s|$)/gi)) {
    const niji = m[1]!.toLowerCase() === 'niji';
    if (m[2]) found = versionOf(niji, m[2]);
    else if (niji) {
      // `--niji` alone: Niji's default version, which the bot does not know.
      found = null;
      saidNiji = true;
    }
  }
  if (found || saidNiji) return found;
  const s = /^\s*(niji)?\s*v?\s*(\d+(?:\.\d+)?)\s*$/i.exec(setting ?? '');
  return s ? versionOf(!!s[1], s[2]!) : null;
}

/**
 * Refuses what Midjourney would refuse: --cref on V7 and later (use oref), --oref before V7 (use
 * cref), any reference before V6, and a weight without its reference (neither attached nor in the
 * prompt).
 */
export function checkReferences(prompt: string, refs: readonly ReferenceInput[], version: ModelVersion | null): void {
  for (const r of refs) {
    if (!r.file && r.weight !== undefined && !new RegExp(`(?:^|\\s)--${r.kind}\\s`, 'i').test(prompt)) {
      throw new UserInputError('REFERENCE_WEIGHT_ALONE', { weight: `--${REFERENCE_WEIGHTS[r.kind].param}`, ref: r.kind });
    }
  }
  if (!version) return;
  const given = new Set(refs.filter((r) => r.file).map((r) => r.kind));
  if (given.size && version.n < 6) throw new UserInputError('REFERENCE_TOO_OLD', { version: version.label });
  if (given.has('cref') && version.n >= 7) throw new UserInputError('REFERENCE_CREF_V7', { version: version.label });
  if (given.has('oref') && version.n < 7) throw new UserInputError('REFERENCE_OREF_V6', { version: version.label });
}

/** The parameters appended to the prompt: `--sref URL --sw 200 …`, each reference with its weight. */
export function referenceParams(refs: readonly ReferenceInput[], urls: readonly string[]): string {
  let next = 0;
  const out: string[] = [];
  for (const r of refs) {
    if (r.file) out.push(`--${r.kind} ${urls[next++]}`);
    if (r.weight !== undefined) out.push(`--${REFERENCE_WEIGHTS[r.kind].param} ${r.weight}`);
  }
  return out.join(' ');
}

/** What the public line shows: the references by their file names, the way Midjourney shows `<link>`s. */
export function shownReferences(refs: readonly ReferenceInput[]): string {
  return referenceParams(refs, refs.filter((r) => r.file).map((r) => `<${r.file!.name}>`));
}

/** How long "this backend has no upload-discord-images" is trusted (a relay may be upgraded). */
const CAPABILITY_TTL_MS = 24 * 3600_000;
const UPLOAD_CAPABILITY = 'capability:upload-discord-images';

/** trueai with custom uploads off answers code 4 "禁止上传" (api.md §1.2): not offered either. */
const notOffered = (err: unknown): boolean =>
  err instanceof ProxyError && (err.code === 'UNSUPPORTED' || (err.code === 'VALIDATION' && /禁止上传|upload.*(disabled|forbidden|not allowed)/i.test(err.context.description ?? '')));

/**
 * Links the backend can read for the reference images, each already checked by its bytes
 * (`data`, data URLs): uploaded through /mj/submit/upload-discord-images where the backend offers
 * it, else the attachments' own Discord links. With one backend, that it does not offer it is
 * remembered, like list-by-condition (proxy/task-reader.ts); with several, the pool routes the upload
 * like a new job (this server's backends) and itself remembers which backend lacks the route, so
 * "not offered" from one is never held against the others.
 */
export async function referenceUrls(ctx: JobsContext, files: readonly Upload[], data: string[], mode: string | undefined, guildId: string | null = null): Promise<string[]> {
  const own = files.map((f) => f.url);
  if (files.length === 0) return [];
  const backend = ctx.reader.backendOf({ mode });
  const single = ctx.proxy.names.length === 1;
  const caps = ctx.stores.capabilities.forBackend(backend);
  const offered = single ? await caps.get(UPLOAD_CAPABILITY).catch(() => undefined) : undefined;
  if (offered === false) return own;
  try {
    const urls = await ctx.proxy.uploadDiscordImages({ base64Array: data }, { mode, guildId });
    if (urls.length === files.length) return urls;
    ctx.logger.warn('upload-discord-images answered another number of links; using the attachments’ own', { backend, sent: files.length, got: urls.length });
  } catch (err) {
    if (err instanceof ProxyError && err.code === 'INTERRUPTED') throw err;
    if (notOffered(err)) {
      ctx.logger.info('backend does not offer upload-discord-images; references go as Discord links', { backend: err instanceof ProxyError ? (err.context.backend ?? backend) : backend });
      if (single) await caps.set(UPLOAD_CAPABILITY, false, CAPABILITY_TTL_MS).catch(() => undefined);
    } else ctx.logger.warn('reference upload failed; using the attachments’ own links', { backend, err });
  }
  return own;
}
