// The submits that start a job from a prompt or images: /mj/submit/{imagine, blend, describe, shorten, video,
// edits, upload-discord-images} and /mj/insight-face/swap (api.md §2). Actions on a finished task are in action.ts.
import { describePrompts, shortenResult } from '../content.ts';
import { commonFields, launch } from '../launch.ts';
import { isHttpUrl, parseImageDataUrl } from '../media.ts';
import { gate, submitReply } from '../quirks.ts';
import { fail, post, springError, str, type Ctx, type Reply, type SubmitResult } from '../responses.ts';
import type { FakeProxyState } from '../state.ts';

/** Absent as the proxy's binding sees it: missing, null or ''. */
const isBlank = (v: unknown): boolean => v === undefined || v === null || v === '';

function imagine(s: FakeProxyState, c: Ctx): SubmitResult {
  const b = c.body;
  const prompt = str(b.prompt).trim();
  if (!prompt) return fail(4, 'prompt不能为空');
  if (str(b.state).length > 255) return fail(4, 'state长度不能超过255');
  const list: unknown[] = Array.isArray(b.base64Array) ? [...b.base64Array] : [];
  if (b.base64Array !== undefined && b.base64Array !== null && !Array.isArray(b.base64Array)) return fail(4, 'base64格式错误');
  if (b.base64) list.push(b.base64);
  const images = list.map(parseImageDataUrl);
  if (images.some((i) => i === null)) return fail(4, 'base64格式错误');
  const blocked = gate(s.quirks, prompt);
  if (blocked) return blocked;
  const urls = images.map((i) => s.storeUpload(i!));
  const finalPrompt = [...urls.map((u) => `<${u}>`), prompt].join(' ');
  const isVideo = /(^|\s)--video\b/.test(prompt); // trueai: --video in the prompt makes a VIDEO task
  return launch(s, {
    action: isVideo ? 'VIDEO' : 'IMAGINE',
    kind: isVideo ? 'video' : 'grid',
    prompt,
    promptEn: prompt,
    finalPrompt,
    ...commonFields(c),
  });
}

function blend(s: FakeProxyState, c: Ctx): SubmitResult {
  const list = c.body.base64Array;
  if (!Array.isArray(list) || list.length < 2 || list.length > 5) return fail(4, 'base64List参数错误');
  const images = list.map(parseImageDataUrl);
  if (images.some((i) => i === null)) return fail(4, 'base64格式错误');
  const dims = isBlank(c.body.dimensions) ? 'SQUARE' : str(c.body.dimensions);
  const ratios: Record<string, string> = { PORTRAIT: '2:3', SQUARE: '1:1', LANDSCAPE: '3:2' };
  if (!ratios[dims]) return fail(4, 'dimensions参数错误');
  const blocked = gate(s.quirks);
  if (blocked) return blocked;
  const urls = images.map((i) => s.storeUpload(i!));
  const finalPrompt = `${urls.map((u) => `<${u}>`).join(' ')} --ar ${ratios[dims]}`;
  return launch(s, { action: 'BLEND', kind: 'grid', prompt: '', promptEn: finalPrompt, finalPrompt, ...commonFields(c) });
}

function describe(s: FakeProxyState, c: Ctx): SubmitResult {
  let source: string;
  if (c.body.base64) {
    const img = parseImageDataUrl(c.body.base64);
    if (!img) return fail(4, 'base64格式错误');
    source = s.storeUpload(img);
  } else if (c.body.link) {
    if (!isHttpUrl(c.body.link)) return fail(4, 'link格式错误');
    source = str(c.body.link).trim();
  } else return fail(4, 'base64不能为空');
  const blocked = gate(s.quirks);
  if (blocked) return blocked;
  return launch(
    s,
    { action: 'DESCRIBE', kind: 'describe', prompt: '', promptEn: '', finalPrompt: '', ...commonFields(c) },
    { sourceUrl: source, resultPrompts: describePrompts() },
  );
}

function shorten(s: FakeProxyState, c: Ctx): SubmitResult {
  const prompt = str(c.body.prompt).trim();
  if (!prompt) return fail(4, 'prompt不能为空');
  const blocked = gate(s.quirks, prompt);
  if (blocked) return blocked;
  return launch(
    s,
    { action: 'SHORTEN', kind: 'shorten', prompt, promptEn: prompt, finalPrompt: prompt, ...commonFields(c) },
    { resultPrompts: shortenResult(prompt).prompts },
  );
}

/** Resolves an image given as data URL or http(s) URL (raw base64 too when `allowRaw`). */
function imageInput(s: FakeProxyState, v: unknown, allowRaw = false): string | null {
  if (isHttpUrl(v)) return v.trim();
  const img = parseImageDataUrl(v);
  if (img) return s.storeUpload(img);
  if (allowRaw && typeof v === 'string' && /^[a-z0-9+/=\s]{8,}$/i.test(v)) {
    const bytes = Buffer.from(v, 'base64');
    if (bytes.length) return s.storeUpload({ mime: 'image/png', bytes });
  }
  return null;
}

/** A SubmitResultVO answer, with the relay quirks applied. */
const answer = (s: FakeProxyState, r: SubmitResult, opts?: { httpStatus?: number }): Reply => submitReply(s.quirks, r, opts);

const VIDEO_TYPES = ['vid_1.1_i2v_480', 'vid_1.1_i2v_720'];

function video(s: FakeProxyState, c: Ctx): Reply {
  const b = c.body;
  const motion = isBlank(b.motion) ? 'low' : str(b.motion);
  if (motion !== 'low' && motion !== 'high') return answer(s, fail(4, 'motion参数错误'));
  const batch = b.batchSize === undefined || b.batchSize === null ? 4 : Number(b.batchSize);
  if (![1, 2, 4].includes(batch)) return answer(s, fail(4, 'batchSize参数错误'));
  // trueai binds `loop` as a bool and `videoType` as one of its two names (api.md §1.2, 2026 update).
  if (!isBlank(b.loop) && typeof b.loop !== 'boolean') return answer(s, fail(4, 'loop参数错误'));
  if (!isBlank(b.videoType) && !VIDEO_TYPES.includes(str(b.videoType))) return answer(s, fail(4, 'videoType参数错误'));
  // Midjourney's own video parameters, as its finalPrompt would show them.
  const params = [b.loop === true ? '--loop' : '', batch !== 4 ? `--bs ${batch}` : ''].filter(Boolean).join(' ');
  const opts = { okDescription: 'Submit Success', withProperties: false };
  if (str(b.action).toLowerCase() === 'extend') {
    const parent = s.tasks.get(str(b.taskId));
    if (!str(b.taskId)) return answer(s, fail(4, 'taskId不能为空'));
    if (!parent) return answer(s, fail(3, '关联任务不存在或已失效'), { httpStatus: 404 });
    if (parent.kind !== 'video' || parent.json.status !== 'SUCCESS') return answer(s, fail(4, '关联任务状态错误'));
    const blocked = gate(s.quirks, str(b.prompt));
    if (blocked) return answer(s, blocked);
    const prompt = str(b.prompt).trim() || parent.json.prompt;
    return answer(s, 
      launch(
        s,
        { action: 'VIDEO', kind: 'video', prompt, promptEn: '', finalPrompt: `${prompt} --motion ${motion} --video 1${params ? ` ${params}` : ''}`, ...commonFields(c) },
        { parentId: parent.id, sourceUrl: parent.json.imageUrl ?? undefined, videoCount: batch },
        opts,
      ),
    );
  }
  const prompt = str(b.prompt).trim();
  if (!prompt) return answer(s, fail(4, 'prompt不能为空'));
  if (isBlank(b.image)) return answer(s, fail(4, 'image不能为空'));
  const image = imageInput(s, b.image);
  if (!image) return answer(s, fail(4, 'image格式错误'));
  const end = isBlank(b.endImage) ? null : imageInput(s, b.endImage);
  if (!isBlank(b.endImage) && !end) return answer(s, fail(4, 'endImage格式错误'));
  const blocked = gate(s.quirks, prompt);
  if (blocked) return answer(s, blocked);
  return answer(s, 
    launch(
      s,
      {
        action: 'VIDEO',
        kind: 'video',
        prompt,
        promptEn: '',
        finalPrompt: `${image} ${prompt} --motion ${motion} --video 1${end ? ` --end ${end}` : ''}${params ? ` ${params}` : ''} --ar 1:1 --v 7`,
        ...commonFields(c),
      },
      { sourceUrl: image, videoCount: batch },
      opts,
    ),
  );
}

function edits(s: FakeProxyState, c: Ctx): SubmitResult {
  const prompt = str(c.body.prompt).trim();
  if (!prompt) return fail(4, 'prompt不能为空');
  if (isBlank(c.body.image)) return fail(4, 'image不能为空');
  const image = imageInput(s, c.body.image, true);
  if (!image) return fail(4, 'image格式错误');
  const blocked = gate(s.quirks, prompt);
  if (blocked) return blocked;
  return launch(
    s,
    {
      action: 'EDITS',
      kind: 'edits',
      prompt,
      promptEn: prompt,
      finalPrompt: `${prompt} --ar 1:1 --v 7 --dref ${image}`,
      ...commonFields(c),
    },
    { sourceUrl: image },
    { okDescription: 'Submit Success', withProperties: false },
  );
}

function swap(s: FakeProxyState, c: Ctx): SubmitResult {
  const b = c.body;
  const source = b.sourceBase64 ? imageInput(s, b.sourceBase64) : b.sourceUrl ? imageInput(s, b.sourceUrl) : null;
  if (!source) return fail(4, 'sourceBase64参数错误');
  const target = b.targetBase64 ? imageInput(s, b.targetBase64) : b.targetUrl ? imageInput(s, b.targetUrl) : null;
  if (!target) return fail(4, 'targetBase64参数错误');
  const blocked = gate(s.quirks);
  if (blocked) return blocked;
  return launch(
    s,
    { action: 'SWAP_FACE', kind: 'swap', prompt: '', promptEn: '', finalPrompt: '', ...commonFields(c), botType: 'INSIGHT_FACE' },
    { sourceUrl: target },
  );
}

function uploadImages(s: FakeProxyState, c: Ctx): SubmitResult {
  const list = c.body.base64Array;
  if (!Array.isArray(list) || list.length === 0) return fail(4, 'base64List参数错误');
  const images = list.map(parseImageDataUrl);
  if (images.some((i) => i === null)) return fail(4, 'base64格式错误');
  return { code: 1, description: '上传成功', result: images.map((i) => s.storeUpload(i!)) };
}

/** Handlers that answer a plain SubmitResult (the relay quirks are applied here). */
const SIMPLE: Record<string, (s: FakeProxyState, c: Ctx) => SubmitResult> = {
  '/mj/submit/imagine': imagine,
  '/mj/submit/blend': blend,
  '/mj/submit/describe': describe,
  '/mj/submit/shorten': shorten,
  '/mj/submit/edits': edits,
  '/mj/submit/edit': edits,
  '/mj/submit/retexture': edits,
  '/mj/insight-face/swap': swap,
  '/mj/submit/upload-discord-images': uploadImages,
};

/** Routes a backend of another flavour does not have (quirks.noVideo, noUploadImages): Spring's 404, as for any unknown path. */
function absent(s: FakeProxyState, route: string): boolean {
  return (route === '/mj/submit/video' && s.quirks.noVideo) || (route === '/mj/submit/upload-discord-images' && s.quirks.noUploadImages);
}

export function submitRoutes(s: FakeProxyState, c: Ctx): Reply | undefined {
  if (absent(s, c.route)) return springError(404, 'Not Found', c.path);
  if (c.route === '/mj/submit/video') return post(c, () => video(s, c));
  const handler = Object.hasOwn(SIMPLE, c.route) ? SIMPLE[c.route] : undefined;
  if (handler) return post(c, () => answer(s, handler(s, c)));
  return undefined;
}
