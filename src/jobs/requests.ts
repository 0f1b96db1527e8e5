// What a slash command asks the backend to do, as data: the jobs facade downloads the inputs
// (through the guard) and calls the one proxy endpoint for it, after the public acknowledgement.
import { UserInputError } from '../proxy/errors.ts';
import type { BackendPool } from '../proxy/pool.ts';
import type { BotType, Dimensions, SubmitOutcome, VideoRequest } from '../proxy/types.ts';
import { referenceParams, type ReferenceInput } from './references.ts';
import type { Upload } from './upload.ts';
import { cutText } from '../util/text.ts';

type VideoType = NonNullable<VideoRequest['videoType']>;

export type { Upload } from './upload.ts';

export type JobRequest =
  /** `references`: style/character/omni references, appended to the prompt as links (jobs/references.ts). */
  | { kind: 'imagine'; prompt: string; images: readonly Upload[]; botType?: BotType; references?: readonly ReferenceInput[] }
  | { kind: 'blend'; images: readonly Upload[]; dimensions: Dimensions; botType?: BotType }
  /** One image, or a link the bot downloads itself (see commands/describe.ts). */
  | { kind: 'describe'; source: Upload | { link: string }; botType?: BotType }
  | { kind: 'shorten'; prompt: string; botType?: BotType }
  | { kind: 'swapface'; source: Upload; target: Upload }
  | { kind: 'video'; prompt: string; image: Upload; motion: 'low' | 'high'; endImage?: Upload; loop?: boolean; batchSize?: 1 | 2 | 4; videoType?: VideoType }
  | { kind: 'edits'; prompt: string; image: Upload };

export interface SubmitIO {
  proxy: BackendPool;
  /** The request's `state` (jobState). */
  state: string;
  mode: string | undefined;
  /** The server the job comes from (a backend may be limited to some servers). */
  guildId: string | null;
  /** The size limit of this request's downloads. */
  limit: number;
  readImage(file: Upload, limit: number): Promise<string>;
  /** Links the backend can read for reference images already checked (`data`: their data URLs). */
  referenceUrls(files: readonly Upload[], data: string[]): Promise<string[]>;
}

const bot = (botType: BotType | undefined) => (botType ? { botType } : {});

/** Downloads the request's inputs and submits it. */
export async function submitRequest(req: JobRequest, io: SubmitIO): Promise<SubmitOutcome> {
  const { proxy, state, limit } = io;
  // A new job: the pool picks a backend that offers this speed to this server.
  const call = { mode: io.mode, guildId: io.guildId };
  const read = (files: readonly Upload[]) => Promise.all(files.map((f) => io.readImage(f, limit)));
  switch (req.kind) {
    case 'imagine': {
      const base64Array = await read(req.images);
      const refs = req.references ?? [];
      const files = refs.flatMap((r) => (r.file ? [r.file] : []));
      const urls = files.length ? await io.referenceUrls(files, await read(files)) : [];
      const prompt = [req.prompt, referenceParams(refs, urls)].filter(Boolean).join(' ');
      return proxy.submitImagine({ prompt, ...(base64Array.length ? { base64Array } : {}), ...bot(req.botType), state }, call);
    }
    case 'blend':
      return proxy.submitBlend({ base64Array: await read(req.images), dimensions: req.dimensions, ...bot(req.botType), state }, call);
    case 'describe': {
      const base64 = 'link' in req.source ? await linkSource(req.source.link, io) : (await read([req.source]))[0]!;
      return proxy.submitDescribe({ base64, ...bot(req.botType), state }, call);
    }
    case 'shorten':
      return proxy.submitShorten({ prompt: req.prompt, ...bot(req.botType), state }, call);
    case 'swapface': {
      const [sourceBase64, targetBase64] = await read([req.source, req.target]);
      return proxy.submitSwapFace({ sourceBase64: sourceBase64!, targetBase64: targetBase64!, state }, { guildId: io.guildId });
    }
    case 'video': {
      const [image, endImage] = await read(req.endImage ? [req.image, req.endImage] : [req.image]);
      const options = {
        ...(endImage ? { endImage } : {}),
        ...(req.loop !== undefined ? { loop: req.loop } : {}),
        ...(req.batchSize ? { batchSize: req.batchSize } : {}),
        ...(req.videoType ? { videoType: req.videoType } : {}),
      };
      return proxy.submitVideo({ prompt: req.prompt, image: image!, motion: req.motion, ...options, state }, call);
    }
    case 'edits': {
      const [image] = await read([req.image]);
      return proxy.submitEdits({ prompt: req.prompt, image: image!, state }, call);
    }
  }
}

/** A link as base64, once the bot has downloaded it through the guard and seen image bytes. */
async function linkSource(link: string, io: SubmitIO): Promise<string> {
  const last = new URL(link).pathname.split('/').pop() || link;
  let name = last;
  try {
    name = decodeURIComponent(last);
  } catch {
    // a stray % in the link: keep it as typed
  }
  name = cutText(name, 100, '');
  try {
    return await io.readImage({ name, url: link, size: 0, contentType: null }, io.limit);
  } catch (err) {
    // Not reachable from here (a redirect, an error status, no answer): say what a link needs.
    if (err instanceof UserInputError && err.code === 'ATTACHMENT_UNREADABLE') throw new UserInputError('LINK_UNREADABLE');
    throw err;
  }
}
