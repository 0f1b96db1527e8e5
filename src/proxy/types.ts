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

interface BaseSubmit {
  notifyHook?: string;
  state?: string;
}

export interface ImagineRequest extends BaseSubmit {
  prompt: string;
  base64Array?: string[];
  botType?: BotType;
}
export interface ActionRequest extends BaseSubmit {
  taskId: string;
  customId: string;
  enableRemix?: boolean;
}
export interface ModalRequest extends BaseSubmit {
  taskId: string;
  prompt?: string;
  maskBase64?: string;
}
export interface BlendRequest extends BaseSubmit {
  base64Array: string[];
  dimensions?: Dimensions;
  botType?: BotType;
}
export interface DescribeRequest extends BaseSubmit {
  base64?: string;
  link?: string;
  botType?: BotType;
}
export interface ShortenRequest extends BaseSubmit {
  prompt: string;
  botType?: BotType;
}
export interface VideoRequest extends BaseSubmit {
  prompt: string;
  image?: string;
  endImage?: string;
  motion?: 'low' | 'high';
  loop?: boolean;
  action?: 'extend';
  taskId?: string;
  index?: number;
}
export interface EditsRequest extends BaseSubmit {
  prompt: string;
  image: string;
}
export interface SwapFaceRequest extends BaseSubmit {
  sourceBase64?: string;
  sourceUrl?: string;
  targetBase64?: string;
  targetUrl?: string;
}

/** What a submit means for the bot, derived from code, description and properties. */
export type SubmitOutcome =
  | { kind: 'accepted'; taskId: string; taskIds: string[]; raw: SubmitResult }
  | { kind: 'queued'; taskId: string; taskIds: string[]; queuePosition: number | null; raw: SubmitResult }
  | { kind: 'modal'; taskId: string; taskIds: string[]; finalPrompt: string | null; raw: SubmitResult };
