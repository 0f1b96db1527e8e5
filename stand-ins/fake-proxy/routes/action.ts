// Work on a finished task: /mj/submit/action (a button's customId, api.md §3), novicezk's /mj/submit/change and
// /mj/submit/simple-change (mapped onto the same buttons), and /mj/submit/modal, which confirms a code-21 task.
import { describePrompts } from '../content.ts';
import { CREATES_TASK, accepted, commonFields, instanceProps, launch } from '../launch.ts';
import { parseImageDataUrl } from '../media.ts';
import { gate, submitReply } from '../quirks.ts';
import { defaultDescription, fail, jsonReply, post, str, type Ctx, type Reply, type SubmitResult } from '../responses.ts';
import type { FakeProxyState } from '../state.ts';
import { submitInfo } from '../tasks.ts';
import type { FakeTask, ModalKind, ResultKind } from '../types.ts';

/** How an action customId behaves (api.md §3). */
interface ActionPlan {
  action: string;
  kind: ResultKind | 'bookmark' | 'imagine-all';
  /** Always answers code 21. */
  modal?: ModalKind;
  /** Answers code 21 with quirks.remix or enableRemix. */
  remixable?: boolean;
  index?: number;
  /** For new-api's rewrite: Inpaint and CustomZoom keep code 21. */
  keep21?: boolean;
}

function planAction(customId: string, parent: FakeTask): ActionPlan | null {
  let m: RegExpExecArray | null;
  if ((m = /^MJ::JOB::upsample::(\d+)::/.exec(customId))) return { action: 'UPSCALE', kind: 'upscale', index: Number(m[1]) };
  if (/^MJ::JOB::upsample_/.test(customId)) return { action: 'UPSCALE_HD', kind: 'upscale_hd' };
  if ((m = /^MJ::JOB::variation::(\d+)::/.exec(customId)))
    return { action: 'VARIATION', kind: 'grid', remixable: true, index: Number(m[1]) };
  if (/^MJ::JOB::(low|high)_variation::/.test(customId)) return { action: 'VARIATION', kind: 'grid', remixable: true };
  if (/^MJ::JOB::reroll::/.test(customId)) return { action: 'REROLL', kind: 'grid', remixable: true };
  if (/^MJ::JOB::pan_(left|right|up|down)::/.test(customId)) return { action: 'PAN', kind: 'grid', remixable: true };
  if (/^MJ::Outpaint::/.test(customId)) return { action: 'ZOOM', kind: 'grid' };
  if (/^MJ::CustomZoom::/.test(customId)) return { action: 'ZOOM', kind: 'grid', modal: 'CustomZoom', keep21: true };
  if (/^MJ::Inpaint::/.test(customId)) return { action: 'VARIATION', kind: 'grid', modal: 'Inpaint', keep21: true };
  if (/^MJ::JOB::animate_(high|low)_extend::/.test(customId)) return { action: 'VIDEO', kind: 'video' };
  if (/^MJ::JOB::animate_(high|low)::/.test(customId)) return { action: 'VIDEO', kind: 'video', remixable: true };
  if (/^MJ::JOB::video_virtual_upscale::/.test(customId)) return { action: 'UPSCALE', kind: 'video' };
  if (/^MJ::BOOKMARK::/.test(customId)) return { action: parent.json.action, kind: 'bookmark' };
  if (customId === 'MJ::Job::PicReader::all') return { action: 'IMAGINE', kind: 'imagine-all' };
  if ((m = /^MJ::Job::PicReader::(\d+)$/.exec(customId)))
    return { action: 'IMAGINE', kind: 'grid', modal: 'PicReader', index: Number(m[1]) };
  if (customId === 'MJ::Picread::Retry') return { action: 'DESCRIBE', kind: 'describe' };
  if ((m = /^MJ::Job::PromptAnalyzer::(\d+)$/.exec(customId)))
    return { action: 'IMAGINE', kind: 'grid', modal: 'PromptAnalyzer', index: Number(m[1]) };
  if (/^MJ::Job::PromptAnalyzerExtended/.test(customId)) return { action: 'SHORTEN', kind: 'shorten_details' };
  return null;
}

/** A SubmitResultVO answer, with the relay quirks applied. */
const answer = (s: FakeProxyState, r: SubmitResult, opts?: { httpStatus?: number; keep21?: boolean }): Reply =>
  submitReply(s.quirks, r, opts);

/** The action words new-api's CoverPlusActionToNormalAction maps (service/midjourney.go); the rest is `unknown_action`. */
function newApiKnows(customId: string): boolean {
  const parts = customId.split('::');
  const word = (parts[1] === 'JOB' ? parts[2] : parts[1]) ?? '';
  return /upsample|variation|pan|reroll/.test(word) || ['Outpaint', 'CustomZoom', 'Inpaint'].includes(word);
}

function action(s: FakeProxyState, c: Ctx): Reply {
  const taskId = str(c.body.taskId);
  const customId = str(c.body.customId);
  if (s.quirks.newApiActions) {
    // The relay reads the customId before it looks for the task, and answers its own errors with HTTP 400.
    if (!customId) return jsonReply(400, { description: 'custom_id_is_required ', type: 'upstream_error', code: 4 });
    if (!newApiKnows(customId)) return jsonReply(400, { description: `unknown_action:${customId} `, type: 'upstream_error', code: 4 });
  }
  if (!taskId) return answer(s, fail(4, 'taskId不能为空'));
  if (!customId) return answer(s, fail(4, 'customId不能为空'));
  const parent = s.tasks.get(taskId);
  if (!parent) return answer(s, fail(3, '关联任务不存在或已失效'), { httpStatus: 404 });
  return doAction(s, c, parent, customId);
}

/** POST /mj/submit/change {taskId, action, index} (novicezk): mapped onto the parent's buttons. */
function change(s: FakeProxyState, c: Ctx): Reply {
  const taskId = str(c.body.taskId);
  const act = str(c.body.action).toUpperCase();
  const index = Number(c.body.index);
  if (!taskId) return answer(s, fail(4, 'taskId不能为空'));
  if (!['UPSCALE', 'VARIATION', 'REROLL'].includes(act)) return answer(s, fail(4, 'action参数错误'));
  if (act !== 'REROLL' && !(index >= 1 && index <= 4)) return answer(s, fail(4, 'index参数错误'));
  return changeTo(s, c, taskId, act, index);
}

/** POST /mj/submit/simple-change {content:"<taskId> U2"} (novicezk). */
function simpleChange(s: FakeProxyState, c: Ctx): Reply {
  const [, taskId, letter, index] = /^\s*(\S+)\s+(?:([UV])([1-4])|R)\s*$/i.exec(str(c.body.content)) ?? [];
  if (taskId === undefined) return answer(s, fail(4, 'content参数错误'));
  if (letter === undefined) return changeTo(s, c, taskId, 'REROLL', 0);
  return changeTo(s, c, taskId, letter.toUpperCase() === 'U' ? 'UPSCALE' : 'VARIATION', Number(index));
}

function changeTo(s: FakeProxyState, c: Ctx, taskId: string, act: string, index: number): Reply {
  const parent = s.tasks.get(taskId);
  if (!parent) return answer(s, fail(3, '关联任务不存在或已失效'));
  const prefix = act === 'UPSCALE' ? `MJ::JOB::upsample::${index}::` : act === 'VARIATION' ? `MJ::JOB::variation::${index}::` : 'MJ::JOB::reroll::';
  const button = parent.json.buttons.find((b) => b.customId.startsWith(prefix));
  if (parent.json.status === 'SUCCESS' && !button) return answer(s, fail(4, '关联任务不允许执行变化'));
  return doAction(s, c, parent, button?.customId ?? prefix);
}

function doAction(s: FakeProxyState, c: Ctx, parent: FakeTask, customId: string): Reply {
  const q = s.quirks;
  if (parent.json.status !== 'SUCCESS') return answer(s, fail(4, '关联任务状态错误'));
  if (q.rejectActions.some((r) => r && customId.includes(r))) return answer(s, fail(4, '未知的 Action 类型'));
  if (!parent.json.buttons.some((b) => b.customId === customId)) return answer(s, fail(4, '未知的 Action 类型'));
  const plan = planAction(customId, parent);
  if (!plan) return answer(s, fail(4, '未知的 Action 类型'));
  const blocked = gate(q);
  if (blocked) return answer(s, blocked);

  const common = { ...commonFields(c), botType: parent.json.botType, mode: c.mode ?? parent.json.mode ?? undefined };
  const parentFinal = str(parent.json.properties.finalPrompt) || parent.json.prompt;

  if (plan.kind === 'bookmark') {
    // Older trueai: code 1 with result = the parent, no new task (current trueai: rejectActions 'BOOKMARK').
    return answer(s, { code: 1, description: 'Submit success', result: parent.id, properties: instanceProps() });
  }
  if (plan.kind === 'imagine-all') {
    const prompts = parent.resultPrompts ?? [];
    const ids: string[] = [];
    for (const p of prompts) {
      const spec = s.takeTimeline();
      const t = s.createTask({ action: 'IMAGINE', kind: 'grid', prompt: p, promptEn: p, finalPrompt: p, customId, ...common }, { parentId: parent.id });
      s.startTimeline(t, spec);
      ids.push(t.id);
    }
    return answer(s, { code: 1, description: 'Submit success', result: ids.join(','), properties: instanceProps() });
  }

  const kind = plan.kind;
  const extra = {
    parentId: parent.id,
    index: plan.index,
    sourceUrl: kind === 'describe' ? parent.sourceUrl : (parent.json.imageUrl ?? undefined),
    resultPrompts: kind === 'describe' ? describePrompts() : undefined,
  };
  // trueai TaskService.SubmitAction: enableRemix on an account whose Remix mode is off is refused before anything runs.
  const forced = c.body.enableRemix === true && !q.ignoreEnableRemix;
  if (forced && q.remixOff && !plan.modal) return answer(s, fail(4, '当前账号不支持 remix，请开启 remix 功能'));
  const modalKind: ModalKind | undefined = plan.modal ?? (plan.remixable && (q.remix || forced) ? 'Remix' : undefined);
  if (modalKind) {
    let finalPrompt = parentFinal;
    if (modalKind === 'PicReader' || modalKind === 'PromptAnalyzer') finalPrompt = parent.resultPrompts?.[(plan.index ?? 1) - 1] ?? '';
    const prompt = modalKind === 'Inpaint' ? '' : modalKind === 'PicReader' || modalKind === 'PromptAnalyzer' ? finalPrompt : parent.json.prompt;
    const t = s.createTask(
      { action: plan.action, kind, prompt, promptEn: prompt, finalPrompt, customId, ...common, status: 'MODAL' },
      { ...extra, modal: { kind: modalKind, customId, submitted: false } },
    );
    return answer(s, 
      { code: 21, description: 'Waiting for window confirm', result: t.id, properties: { ...instanceProps(), finalPrompt, remix: true } },
      { keep21: plan.keep21 },
    );
  }
  const promptEn = parentFinal.replace(/\s--(fast|relax|turbo)\b/g, '');
  const isShorten = kind === 'shorten_details';
  return answer(s, 
    launch(
      s,
      {
        action: plan.action,
        kind,
        prompt: parent.json.prompt,
        promptEn: kind === 'describe' ? '' : promptEn,
        finalPrompt: kind === 'describe' ? '' : promptEn,
        customId,
        ...common,
      },
      { ...extra, resultPrompts: isShorten ? parent.resultPrompts : extra.resultPrompts, videoCount: kind === 'video' ? 4 : undefined },
    ),
  );
}

function modal(s: FakeProxyState, c: Ctx): Reply {
  const taskId = str(c.body.taskId);
  if (!taskId) return answer(s, fail(4, 'taskId不能为空'));
  const t = s.tasks.get(taskId);
  if (!t) return answer(s, fail(3, '关联任务不存在或已失效'), { httpStatus: 404 });
  if (t.json.status !== 'MODAL' || !t.modal) return answer(s, fail(4, '关联任务状态错误'));
  const kind = t.modal.kind;
  const prompt = str(c.body.prompt).trim() || str(t.json.properties.finalPrompt) || t.json.prompt;
  let mask = '';
  if (kind === 'Inpaint') {
    if (!parseImageDataUrl(c.body.maskBase64)) return answer(s, fail(4, 'maskBase64参数错误'));
    mask = str(c.body.maskBase64);
  }
  if (kind === 'CustomZoom') {
    const zoom = /(?:^|\s)--zoom\s+([0-9.]+)/.exec(prompt);
    if (!zoom) return answer(s, fail(4, 'prompt需要包含 --zoom 参数'));
    const z = Number(zoom[1]);
    if (!(z >= 1 && z <= 2)) return answer(s, fail(4, '--zoom 参数错误，取值 1.0 - 2.0'));
  }
  const blocked = gate(s.quirks, prompt);
  if (blocked) return answer(s, blocked);
  const spec = s.takeTimeline();
  const info = submitInfo(spec);
  if (!CREATES_TASK.includes(info.code)) return answer(s, fail(info.code, info.description ?? defaultDescription(info.code)));
  t.modal.submitted = true;
  t.json.prompt = prompt;
  t.json.promptEn = prompt;
  t.json.maskBase64 = mask;
  t.json.properties = { ...t.json.properties, finalPrompt: prompt };
  if (t.kind === 'grid' && (kind === 'PicReader' || kind === 'PromptAnalyzer')) t.json.action = 'IMAGINE';
  s.startTimeline(t, spec);
  return answer(s, accepted(t.id, info));
}

const HANDLERS: Record<string, (s: FakeProxyState, c: Ctx) => Reply> = {
  '/mj/submit/action': action,
  '/mj/submit/change': change,
  '/mj/submit/simple-change': simpleChange,
  '/mj/submit/modal': modal,
};

export function actionRoutes(s: FakeProxyState, c: Ctx): Reply | undefined {
  const handler = Object.hasOwn(HANDLERS, c.route) ? HANDLERS[c.route] : undefined;
  if (!handler) return undefined;
  return post(c, () => handler(s, c));
}
