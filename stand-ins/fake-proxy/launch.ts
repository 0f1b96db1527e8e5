// How a submit that was accepted turns into a task and its answer: shared by the submit, action and modal routes.
import { DISCORD_CHANNEL_ID, DISCORD_INSTANCE_ID } from './content.ts';
import { defaultDescription, fail, str, type Ctx, type SubmitResult } from './responses.ts';
import type { FakeProxyState, TaskExtra } from './state.ts';
import { submitInfo, type NewTaskInit, type SubmitInfo } from './tasks.ts';

export interface AcceptOptions {
  /** 'Submit Success' for VIDEO / EDITS (their seeds), 'Submit success' otherwise. */
  okDescription?: string;
  /** false: no properties on a code-1 answer (VIDEO / EDITS seeds). */
  withProperties?: boolean;
}

/** Codes whose answer creates the task; a scripted timeline with any other code only answers. */
export const CREATES_TASK = [1, 21, 22];

/** Takes the next timeline, creates the task and answers like the proxy (1 / 22 / scripted code). */
export function launch(
  s: FakeProxyState,
  init: Omit<NewTaskInit, 'id' | 'hash'>,
  extra: TaskExtra = {},
  opts: AcceptOptions = {},
): SubmitResult {
  const spec = s.takeTimeline();
  const info = submitInfo(spec);
  if (!CREATES_TASK.includes(info.code)) return fail(info.code, info.description ?? defaultDescription(info.code));
  const task = s.createTask(init, extra);
  s.startTimeline(task, spec);
  return accepted(task.id, info, opts);
}

export function accepted(result: unknown, info: SubmitInfo, opts: AcceptOptions = {}): SubmitResult {
  const description =
    info.description ?? (info.code === 22 ? `排队中，前面还有${info.numberOfQueues ?? 1}个任务` : (opts.okDescription ?? 'Submit success'));
  const out: SubmitResult = { code: info.code, description, result };
  if (opts.withProperties !== false || info.code === 22) {
    out.properties = { ...instanceProps(), ...(info.code === 22 ? { numberOfQueues: info.numberOfQueues ?? 1 } : {}) };
  }
  return out;
}

export function instanceProps(): Record<string, unknown> {
  return { discordInstanceId: DISCORD_INSTANCE_ID, discordChannelId: DISCORD_CHANNEL_ID };
}

function normaliseBotType(v: unknown): string {
  const s = str(v);
  if (s.toLowerCase() === 'mj') return 'MID_JOURNEY';
  if (s.toLowerCase() === 'niji') return 'NIJI_JOURNEY';
  return s;
}

/** The fields every submit copies from its body and path: state, botType, mode, notifyHook. */
export function commonFields(c: Ctx): Pick<NewTaskInit, 'state' | 'botType' | 'mode' | 'notifyHook'> {
  return {
    state: str(c.body.state),
    botType: normaliseBotType(c.body.botType),
    mode: c.mode ?? undefined,
    notifyHook: str(c.body.notifyHook) || undefined,
  };
}
