// The task model: creating a task's wire JSON, turning a TimelineSpec into steps, and applying a step.
import { createHash } from 'node:crypto';
import {
  DEFAULT_FAIL_REASON,
  DISCORD_CHANNEL_ID,
  DISCORD_INSTANCE_ID,
  afterUpscaleButtons,
  describeButtons,
  gridButtons,
  newSnowflake,
  numbered,
  shortenButtons,
  shortenDetails,
  shortenResult,
  upscaleButtons,
  videoButtons,
} from './content.ts';
import type { FakeTask, ResultKind, TaskJson, TimelineSpec } from './types.ts';

export interface TaskContext {
  baseUrl: string;
}

export const TERMINAL_STATUSES = new Set(['SUCCESS', 'FAILURE', 'CANCEL']);

export interface NewTaskInit {
  id: string;
  action: string;
  kind: ResultKind;
  hash: string;
  prompt: string;
  promptEn: string;
  finalPrompt: string;
  state: string;
  botType: string;
  customId?: string;
  mode?: string;
  notifyHook?: string;
  status?: string;
}

/** A fresh task's JSON, with the seeds' field order (VIDEO and EDITS follow their own seeds). */
export function newTaskJson(init: NewTaskInit, now: number): TaskJson {
  const head = {
    id: init.id,
    action: init.action,
    customId: init.customId ?? '',
    botType: init.botType,
    prompt: init.prompt,
    promptEn: init.promptEn,
    description: init.kind === 'video' || init.kind === 'edits' ? 'Submit Success' : 'Submit success',
    state: init.state,
  };
  const times = { submitTime: now, startTime: null, finishTime: null };
  const tail = {
    status: init.status ?? 'SUBMITTED',
    progress: '0%',
    failReason: '',
    buttons: [],
  };
  const instance = { discordInstanceId: DISCORD_INSTANCE_ID, discordChannelId: DISCORD_CHANNEL_ID };
  if (init.kind === 'video') {
    return {
      ...head,
      mode: init.mode ?? '',
      proxy: '',
      ...times,
      imageUrl: null,
      imageUrls: null,
      imageHeight: 16,
      imageWidth: 16,
      videoUrl: '',
      videoUrls: null,
      ...tail,
      maskBase64: '',
      properties: {
        notifyHook: init.notifyHook ?? '',
        flags: 0,
        messageId: '',
        messageHash: '',
        nonce: '',
        customId: init.customId ?? '',
        finalPrompt: init.finalPrompt,
        progressMessageId: '',
        messageContent: '',
        ...instance,
      },
    };
  }
  const mode = init.mode ? { mode: init.mode } : {};
  if (init.kind === 'edits') {
    return {
      ...head,
      ...mode,
      ...times,
      imageUrl: null,
      ...tail,
      imageUrls: null,
      videoUrls: null,
      videoUrl: '',
      maskBase64: '',
      properties: { finalPrompt: init.finalPrompt, finalZhPrompt: '' },
    };
  }
  return {
    ...head,
    ...mode,
    ...times,
    imageUrl: null,
    ...tail,
    maskBase64: '',
    properties: {
      finalPrompt: init.finalPrompt,
      finalZhPrompt: '',
      ...(init.notifyHook ? { notifyHook: init.notifyHook } : {}),
      ...instance,
    },
  };
}

export const cdnUrl = (ctx: TaskContext, hash: string, file: string): string => `${ctx.baseUrl}/cdn/${hash}/${file}`;

/** Discord-CDN-like signed query (the seeds' imageUrls carry one); the fake ignores it. */
function signed(url: string): string {
  const s = Math.floor(Date.now() / 1000);
  const hm = createHash('sha256').update(url).digest('hex');
  return `${url}?ex=${(s + 86400).toString(16)}&is=${s.toString(16)}&hm=${hm}&`;
}

const hasPreview = (kind: ResultKind): boolean => kind === 'grid' || kind === 'edits';

/** Timeline → steps. steps[0] is the state right after submit. */
export function buildSteps(spec: TimelineSpec, task: FakeTask, ctx: TaskContext): Array<Partial<TaskJson>> {
  const submitted: Partial<TaskJson> = { status: 'SUBMITTED', progress: '0%' };
  const running = (p: string): Partial<TaskJson> => ({ status: 'IN_PROGRESS', progress: p });
  const success = (): Array<Partial<TaskJson>> => [
    submitted,
    running('15%'),
    running('46%'),
    hasPreview(task.kind)
      ? { ...running('78%'), imageUrl: cdnUrl(ctx, task.hash, `${task.hash}_grid_0.webp`) }
      : running('78%'),
    { status: 'SUCCESS' },
  ];
  if (spec === 'success') return success();
  if (spec === 'failure') return [submitted, running('15%'), { status: 'FAILURE' }];
  if (spec === 'never') return [submitted, running('15%')];
  if (spec === 'queued') {
    const queued: Partial<TaskJson> = { status: 'NOT_START', progress: '0%' };
    return [queued, queued, ...success()];
  }
  return spec.steps.map((s) => ({ ...s }));
}

export interface SubmitInfo {
  code: number;
  description?: string;
  numberOfQueues?: number;
}

export function submitInfo(spec: TimelineSpec): SubmitInfo {
  if (spec === 'queued') return { code: 22, numberOfQueues: 2 };
  if (typeof spec === 'string') return { code: 1 };
  const code = spec.submitCode ?? 1;
  let numberOfQueues = spec.numberOfQueues;
  if (code === 22 && numberOfQueues === undefined) {
    const lead = spec.steps.findIndex((s) => s.status !== 'NOT_START');
    numberOfQueues = Math.max(1, lead === -1 ? spec.steps.length : lead);
  }
  return { code, description: spec.submitDescription, numberOfQueues };
}

export const failReasonOf = (spec: TimelineSpec): string =>
  (typeof spec === 'object' && spec.failReason) || DEFAULT_FAIL_REASON;

/** What a SUCCESS step adds for each kind of job. */
export function successPatch(task: FakeTask, ctx: TaskContext): Partial<TaskJson> {
  const h = task.hash;
  const done = { status: 'SUCCESS', progress: '100%', failReason: '' };
  const props = { messageHash: h, messageId: newSnowflake() };
  const propsOf = (extra: Record<string, unknown> = {}) => ({ ...task.json.properties, ...props, ...extra });
  switch (task.kind) {
    case 'grid':
      return { ...done, imageUrl: signed(cdnUrl(ctx, h, 'grid_0.png')), buttons: gridButtons(h), properties: propsOf() };
    case 'upscale':
      return {
        ...done,
        imageUrl: signed(cdnUrl(ctx, h, `0_${(task.index ?? 1) - 1}.png`)),
        buttons: upscaleButtons(h),
        properties: propsOf(),
      };
    case 'upscale_hd':
      return { ...done, imageUrl: signed(cdnUrl(ctx, h, 'upscaled_2x.png')), buttons: afterUpscaleButtons(h), properties: propsOf() };
    case 'describe': {
      const text = numbered(task.resultPrompts ?? []);
      return { ...done, imageUrl: task.sourceUrl ?? null, promptEn: text, buttons: describeButtons(), properties: propsOf({ finalPrompt: text }) };
    }
    case 'shorten':
    case 'shorten_details': {
      const r = task.kind === 'shorten' ? shortenResult(task.json.prompt) : shortenDetails(task.json.prompt);
      return {
        ...done,
        imageUrl: null,
        description: r.text,
        buttons: shortenButtons(task.kind === 'shorten'),
        properties: propsOf({ finalPrompt: r.text }),
      };
    }
    case 'video': {
      const n = task.videoCount ?? 4;
      return {
        ...done,
        imageUrl: cdnUrl(ctx, h, 'frame_0.png'),
        videoUrls: Array.from({ length: n }, (_, i) => ({ url: cdnUrl(ctx, h, `0_${i}.mp4`) })),
        buttons: videoButtons(h),
        properties: propsOf(),
      };
    }
    case 'edits':
      return {
        ...done,
        imageUrl: signed(cdnUrl(ctx, h, 'grid_0.png')),
        imageUrls: [0, 1, 2, 3].map((i) => ({ url: cdnUrl(ctx, h, `0_${i}.png`) })),
        buttons: [],
        properties: propsOf(),
      };
    case 'swap':
      return { ...done, imageUrl: signed(cdnUrl(ctx, h, 'swap_0.png')), buttons: [], properties: propsOf() };
  }
}

/** Applies one timeline patch (with the SUCCESS / FAILURE defaults and the times). Returns whether the JSON changed. */
export function applyStep(task: FakeTask, patch: Partial<TaskJson>, ctx: TaskContext, now: number): boolean {
  const before = JSON.stringify(task.json);
  let p: Partial<TaskJson> = patch;
  if (patch.status === 'SUCCESS') {
    const s = successPatch(task, ctx);
    p = { ...s, ...patch, properties: { ...s.properties, ...patch.properties } };
  } else if (patch.status === 'FAILURE') {
    p = { progress: '', failReason: task.failReason, buttons: [], ...patch };
  }
  const properties = p.properties ? { ...task.json.properties, ...p.properties } : task.json.properties;
  Object.assign(task.json, p, { properties });
  const status = task.json.status;
  if ((status === 'IN_PROGRESS' || status === 'SUCCESS') && task.json.startTime == null && patch.startTime === undefined) {
    task.json.startTime = now;
  }
  if (TERMINAL_STATUSES.has(status) && task.json.finishTime == null && patch.finishTime === undefined) {
    task.json.finishTime = now;
  }
  return JSON.stringify(task.json) !== before;
}
