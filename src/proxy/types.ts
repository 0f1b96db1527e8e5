// Wire types of the midjourney-proxy API, with the proxy's own field names.
// The parser (parse.ts) turns whatever a proxy or relay sends into these normalised shapes:
// ids are strings, missing fields are null/""/[], progress is "NN%" or "".

export type TaskStatus =
  | 'NOT_START'
  | 'SUBMITTED'
  | 'IN_PROGRESS'
  | 'SUCCESS'
  | 'FAILURE'
  | 'MODAL'
  | 'CANCEL';

export const TERMINAL_STATUSES: ReadonlySet<TaskStatus> = new Set(['SUCCESS', 'FAILURE', 'CANCEL', 'MODAL']);

export interface TaskButton {
  customId: string;
  /** An emoji *name*: unicode, a custom emoji string `<:name:id>`, or a bare name such as `upscale_1`. */
  emoji: string;
  label: string;
  type: number;
  /** 2 = grey, 3 = green ("already used"). */
  style: number;
}

export interface Task {
  id: string;
  /** Not an exhaustive enum: relays and forks add their own (HIGH_VARIATION, MODAL, EDITS …). */
  action: string;
  status: TaskStatus;
  prompt: string;
  promptEn: string;
  description: string;
  state: string;
  submitTime: number | null;
  startTime: number | null;
  finishTime: number | null;
  /** "45%", or "" when unknown. */
  progress: string;
  imageUrl: string | null;
  imageUrls: string[];
  videoUrl: string | null;
  videoUrls: string[];
  failReason: string | null;
  buttons: TaskButton[];
  properties: TaskProperties;
  /** The speed the task runs at, where the backend says (trueai's `mode`: "FAST", "RELAX", "TURBO"). */
  mode?: string;
}

export interface TaskProperties {
  finalPrompt?: string;
  finalZhPrompt?: string;
  messageHash?: string;
  messageContent?: string;
  numberOfQueues?: number;
  [key: string]: unknown;
}

/** SubmitResultVO: what every /submit/* answers. */
export interface SubmitResult {
  code: number;
  description: string;
  /** The new task id (or the seed for image-seed); null when absent. */
  result: string | null;
  properties: TaskProperties;
}

export type BotType = 'MID_JOURNEY' | 'NIJI_JOURNEY';
export type Dimensions = 'PORTRAIT' | 'SQUARE' | 'LANDSCAPE';
export type SpeedMode = 'RELAX' | 'FAST' | 'TURBO';

/** Which account runs the job (trueai `BaseSubmitDTO.AccountFilter`; relays drop it unless configured to keep it). */
export interface AccountFilter {
  /** The account's Discord channel id, i.e. `discordInstanceId`. */
  instanceId?: string;
  /** plus / new-api docs. */
  channelId?: string;
  /** Ordered preference. */
  modes?: SpeedMode[];
  remix?: boolean;
  nijiRemix?: boolean;
  remixAutoConsidered?: boolean;
  remark?: string;
}

/** BaseSubmitDTO: on every submit (api.md §1.1). */
interface BaseSubmit {
  /** trueai: at most 2000 characters. */
  notifyHook?: string;
  /** trueai: at most 255 characters (code 4 otherwise). */
  state?: string;
}

interface Filtered {
  accountFilter?: AccountFilter;
}

export interface ImagineRequest extends BaseSubmit, Filtered {
  prompt: string;
  /** Reference images as data URLs (`data:image/png;base64,…`). */
  base64Array?: string[];
  /** novicezk's deprecated single reference image. */
  base64?: string;
  botType?: BotType;
}
export interface ActionRequest extends BaseSubmit, Filtered {
  /** The parent task (must be SUCCESS). */
  taskId: string;
  /** A button's customId. */
  customId: string;
  /** trueai: force the remix modal (code 21). */
  enableRemix?: boolean;
  /** trueai. */
  strong?: boolean;
  /** Relay docs; trueai ignores it (an action runs on the parent's account). */
  chooseSameChannel?: boolean;
}
export interface ModalRequest extends BaseSubmit {
  /** The MODAL task id the action answered (not the parent). */
  taskId: string;
  prompt?: string;
  /** Vary (Region): a PNG data URL, black with white where to repaint. */
  maskBase64?: string;
}
export interface BlendRequest extends BaseSubmit, Filtered {
  /** 2–5 data URLs. */
  base64Array: string[];
  /** trueai refuses a blend without it ("dimensions参数错误"): send SQUARE rather than nothing. */
  dimensions?: Dimensions;
  botType?: BotType;
}
export interface DescribeRequest extends BaseSubmit, Filtered {
  /** A data URL … */
  base64?: string;
  /** … or (trueai) an http(s) link. */
  link?: string;
  botType?: BotType;
  /** trueai: "zh" / "zh_cn" translates the result. */
  language?: string;
}
export interface ShortenRequest extends BaseSubmit, Filtered {
  prompt: string;
  botType?: BotType;
}
/** POST /mj/submit/change (novicezk and relays; not trueai's newer builds). */
export interface ChangeRequest extends BaseSubmit {
  taskId: string;
  action: 'UPSCALE' | 'VARIATION' | 'REROLL';
  /** 1–4; ignored for REROLL. */
  index?: number;
}
/** POST /mj/submit/simple-change: `"<taskId> U2"`, `"<taskId> V1"`, `"<taskId> R"`. */
export interface SimpleChangeRequest extends BaseSubmit {
  content: string;
}
export interface VideoRequest extends BaseSubmit, Filtered {
  /** Required for a new video; an extend may leave it out (the parent's prompt is used). */
  prompt?: string;
  /** The first frame: an http(s) URL or a data URL. */
  image?: string;
  /** The last frame (URL or data URL). */
  endImage?: string;
  motion?: 'low' | 'high';
  loop?: boolean;
  /** Extend a finished video task (`taskId`, `index` = which of its videos). */
  action?: 'extend';
  taskId?: string;
  index?: number;
  videoType?: 'vid_1.1_i2v_480' | 'vid_1.1_i2v_720';
  /** Videos per job: 1, 2 or 4. */
  batchSize?: 1 | 2 | 4;
}
export interface EditsRequest extends BaseSubmit, Filtered {
  prompt: string;
  /** An http(s) URL, a data URL or raw base64. */
  image: string;
}
export interface SwapFaceRequest extends BaseSubmit, Filtered {
  sourceBase64?: string;
  sourceUrl?: string;
  targetBase64?: string;
  targetUrl?: string;
}
/** POST /mj/submit/upload-discord-images: the answer's `result` is an array of URLs. */
export interface UploadImagesRequest extends Filtered {
  base64Array: string[];
}

/** What a submit means for the bot, derived from code, description and properties. */
export type SubmitOutcome = (
  | { kind: 'accepted'; taskId: string; taskIds: string[]; raw: SubmitResult }
  | { kind: 'queued'; taskId: string; taskIds: string[]; queuePosition: number | null; raw: SubmitResult }
  | { kind: 'modal'; taskId: string; taskIds: string[]; finalPrompt: string | null; raw: SubmitResult }
) & {
  /** The configured backend that took the job (the pool names it): its reads and clicks go there only. */
  backend?: string;
};
