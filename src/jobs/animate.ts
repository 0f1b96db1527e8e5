// Animate (High/Low motion) on an upscale and Extend on a finished video, on every backend that
// has /mj/submit/video. trueai takes their customIds through /submit/action; new-api relays answer
// `unknown_action` there (api.md §3 "Relay caveat"), so the bot sends the same request through
// /submit/video instead: a new video from the upscale's image and motion, or `action: "extend"` with
// the video task and its index. Which way a backend takes is remembered per backend; where neither
// works, the animate buttons are no longer offered on that backend's jobs (the hidden-buttons list).
import type { JobsContext } from '../context.ts';
import { jobCall } from './job-call.ts';
import { ProxyError } from '../proxy/errors.ts';
import { parseButton } from '../proxy/buttons.ts';
import type { SubmitOutcome, TaskButton, VideoRequest } from '../proxy/types.ts';
import type { TaskRecord } from '../store/tasks.ts';
import { rememberHidden } from './hidden.ts';

/** Per backend: true once /submit/action refused animate_* and /submit/video took it instead. */
const VIA_VIDEO = 'capability:animate-via-video';
/** How long that is trusted (a relay may be upgraded). */
const CAPABILITY_TTL_MS = 24 * 3600_000;
/** Hidden-buttons patterns (matched as substrings): every Animate and Extend button. */
const ANIMATE_PATTERNS = ['MJ::JOB::animate_high', 'MJ::JOB::animate_low'];

/** Whether the button is an Animate or Extend button this module handles. */
export function isAnimate(button: TaskButton): boolean {
  return parseButton(button.customId).action === 'animate';
}

/**
 * The words of a prompt without its image links and parameters, for a video made from it
 * (Midjourney's parameters come last: `a fox --ar 3:2 --v 7` → `a fox`).
 */
export function promptText(prompt: string): string {
  const words = prompt.split(/(?:^|\s+)--[a-z]/i)[0] ?? '';
  return words.replace(/^(\s*<?https?:\/\/\S+>?)+/i, '').trim();
}

/** The /submit/video body that does what the button does, or null when the job lacks what it needs. */
export function videoRequestFor(record: TaskRecord, button: TaskButton, state: string): VideoRequest | null {
  const b = parseButton(button.customId);
  if (b.action !== 'animate') return null;
  if (b.extend) {
    // `animate_high_extend::{n}::{h}`: n is which of the job's videos (passed on as the proxy numbers it; unverified).
    const n = Number(/_extend::(\d+)/i.exec(button.customId)?.[1] ?? 1);
    return { action: 'extend', taskId: record.taskId, index: n, motion: b.motion, state };
  }
  const image = record.task?.imageUrl;
  if (!image) return null;
  const prompt = promptText(record.task?.prompt || record.task?.promptEn || '') || promptText(record.prompt) || 'animate';
  return { prompt, image, motion: b.motion, state };
}

/** Animate or Extend: /submit/action, or /submit/video where the backend refuses it there. */
export async function submitAnimate(ctx: JobsContext, record: TaskRecord, button: TaskButton, state: string): Promise<SubmitOutcome> {
  const backend = ctx.reader.backendOf(record);
  const caps = ctx.stores.capabilities.forBackend(backend);
  // The job's own backend, and only it (the video is made from its image).
  const call = jobCall(record);
  const viaVideo = (await caps.get(VIA_VIDEO).catch(() => undefined)) === true;
  let refused: ProxyError | null = null;
  if (!viaVideo) {
    try {
      return await ctx.proxy.submitAction({ taskId: record.taskId, customId: button.customId, state }, call);
    } catch (err) {
      if (!(err instanceof ProxyError && err.code === 'UNSUPPORTED')) throw err;
      refused = err;
    }
  }
  const body = videoRequestFor(record, button, state);
  if (!body) throw refused ?? new ProxyError('UNSUPPORTED', { route: '/mj/submit/video' });
  try {
    const outcome = await ctx.proxy.submitVideo(body, call);
    if (!viaVideo) {
      ctx.logger.info('backend refuses animate through /submit/action; using /submit/video', { backend });
      await caps.set(VIA_VIDEO, true, CAPABILITY_TTL_MS).catch(() => undefined);
    }
    return outcome;
  } catch (err) {
    if (err instanceof ProxyError && err.code === 'UNSUPPORTED') {
      // Neither way: the backend makes no videos, and its jobs stop offering the buttons.
      for (const pattern of ANIMATE_PATTERNS) await rememberHidden(ctx, backend, pattern);
    }
    throw err;
  }
}
