import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32, inflateSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_FAIL_REASON, startFakeProxy } from '../../stand-ins/fake-proxy.ts';
import type { FakeProxy, FakeProxyOptions } from '../../stand-ins/fake-proxy.ts';
import { must } from '../helpers/must.ts';

const KEY = 'test-key';
const AUTH = { authorization: `Bearer ${KEY}` };
const PNG_1PX =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

/** The seed's task field set (seeds/000, the IMAGINE fetch example). */
const SEED_TASK_KEYS = [
  'id',
  'action',
  'customId',
  'botType',
  'prompt',
  'promptEn',
  'description',
  'state',
  'submitTime',
  'startTime',
  'finishTime',
  'imageUrl',
  'status',
  'progress',
  'failReason',
  'buttons',
  'maskBase64',
  'properties',
];

interface Res {
  status: number;
  text: string;
  json: any;
  headers: Headers;
}

let proxy: FakeProxy;

async function start(options: FakeProxyOptions = {}): Promise<FakeProxy> {
  await proxy?.close();
  proxy = await startFakeProxy(options);
  return proxy;
}

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = AUTH): Promise<Res> {
  const res = await fetch(proxy.baseUrl + path, {
    method,
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json, headers: res.headers };
}

const post = (path: string, body: unknown = {}, headers?: Record<string, string>) => call('POST', path, body, headers);
const fetchTask = (id: string) => call('GET', `/mj/task/${id}/fetch`);

/** Fetches until the task is terminal (on-read advance), returning the last task JSON. */
async function pollToEnd(id: string, max = 20): Promise<any> {
  for (let i = 0; i < max; i++) {
    const r = await fetchTask(id);
    if (['SUCCESS', 'FAILURE', 'MODAL'].includes(r.json?.status)) return r.json;
  }
  throw new Error(`task ${id} did not finish`);
}

async function imagineDone(prompt = 'pig --v 6.1'): Promise<any> {
  const r = await post('/mj/submit/imagine', { prompt });
  expect(r.json.code).toBe(1);
  return pollToEnd(r.json.result);
}

async function upscaleDone(): Promise<any> {
  const grid = await imagineDone();
  const u1 = grid.buttons.find((b: any) => b.label === 'U1');
  const r = await post('/mj/submit/action', { taskId: grid.id, customId: u1.customId });
  expect(r.json.code).toBe(1);
  return pollToEnd(r.json.result);
}

beforeEach(async () => {
  proxy = await startFakeProxy();
});
afterEach(async () => {
  await proxy.close();
});

describe('auth', () => {
  it('accepts Bearer, raw Authorization and mj-api-secret by default', async () => {
    const styles: Array<Record<string, string>> = [{ authorization: `Bearer ${KEY}` }, { authorization: KEY }, { 'mj-api-secret': KEY }];
    for (const headers of styles) {
      const r = await post('/mj/submit/imagine', { prompt: 'cat' }, headers);
      expect(r.status).toBe(200);
      expect(r.json.code).toBe(1);
    }
  });

  it('records where each request came from (scripts/scaled-check.sh: which bot process polled)', async () => {
    await post('/mj/submit/imagine', { prompt: 'cat' }, { authorization: `Bearer ${KEY}` });
    expect(proxy.requests.at(-1)?.from).toMatch(/^(127\.0\.0\.1|::ffff:127\.0\.0\.1)$/);
  });

  it('answers 401 with an empty body without a matching key', async () => {
    const wrong: Array<Record<string, string>> = [{}, { authorization: 'Bearer nope' }, { 'mj-api-secret': 'nope' }];
    for (const headers of wrong) {
      const r = await post('/mj/submit/imagine', { prompt: 'cat' }, headers);
      expect(r.status).toBe(401);
      expect(r.text).toBe('');
    }
    expect(proxy.tasks.size).toBe(0);
  });

  it('accepts only the configured styles, and Authorization wins on trueai-style auth', async () => {
    await start({ apiKey: 'k1', authStyles: ['mj-api-secret'] });
    expect((await call('GET', '/mj/task/1/fetch', undefined, { authorization: 'Bearer k1' })).status).toBe(401);
    expect((await call('GET', '/mj/task/1/fetch', undefined, { 'mj-api-secret': 'k1' })).status).toBe(204);

    await start({ apiKey: 'k2', authStyles: ['raw', 'mj-api-secret'] });
    expect((await call('GET', '/mj/task/1/fetch', undefined, { authorization: 'k2' })).status).toBe(204);
    // trueai compares Authorization raw and lets it win over mj-api-secret
    expect((await call('GET', '/mj/task/1/fetch', undefined, { authorization: 'Bearer k2', 'mj-api-secret': 'k2' })).status).toBe(401);
  });

  it('can run without auth, and media never needs auth', async () => {
    await start({ apiKey: null });
    expect((await post('/mj/submit/imagine', { prompt: 'cat' }, {})).json.code).toBe(1);
    await start();
    const png = await fetch(`${proxy.baseUrl}/cdn/abc/grid_0.png`);
    expect(png.status).toBe(200);
    await png.arrayBuffer();
  });

  it('unauthorized quirk answers 401 even with the right key', async () => {
    proxy.setQuirks({ unauthorized: true });
    expect((await post('/mj/submit/imagine', { prompt: 'cat' })).status).toBe(401);
  });
});

describe('imagine', () => {
  it('runs SUBMITTED → IN_PROGRESS 15/46/78% (preview) → SUCCESS with the seed buttons, one step per read', async () => {
    const submit = await post('/mj/submit/imagine', { prompt: 'pig --v 6.1', state: 'guild:1/user:2', botType: 'MID_JOURNEY' });
    expect(submit.status).toBe(200);
    expect(submit.json).toMatchObject({ code: 1, description: 'Submit success', properties: { discordInstanceId: expect.any(String), discordChannelId: expect.any(String) } });
    expect(submit.json.result).toMatch(/^\d{16}$/);
    const id = submit.json.result;

    const seen: Array<[string, string]> = [];
    let last: any;
    for (let i = 0; i < 6; i++) {
      last = (await fetchTask(id)).json;
      seen.push([last.status, last.progress]);
      if (last.progress === '78%') expect(last.imageUrl).toMatch(/_grid_0\.webp$/);
    }
    expect(seen).toEqual([
      ['SUBMITTED', '0%'],
      ['IN_PROGRESS', '15%'],
      ['IN_PROGRESS', '46%'],
      ['IN_PROGRESS', '78%'],
      ['SUCCESS', '100%'],
      ['SUCCESS', '100%'],
    ]);
    expect(Object.keys(last)).toEqual(SEED_TASK_KEYS);
    expect(last).toMatchObject({
      id,
      action: 'IMAGINE',
      customId: '',
      botType: 'MID_JOURNEY',
      prompt: 'pig --v 6.1',
      promptEn: 'pig --v 6.1',
      description: 'Submit success',
      state: 'guild:1/user:2',
      failReason: '',
      maskBase64: '',
    });
    expect(last.submitTime).toBeTypeOf('number');
    expect(last.startTime).toBeGreaterThanOrEqual(last.submitTime);
    expect(last.finishTime).toBeGreaterThanOrEqual(last.startTime);
    expect(last.imageUrl.startsWith(`${proxy.baseUrl}/cdn/`)).toBe(true);
    const h = last.properties.messageHash;
    expect(h).toMatch(/^[0-9a-f-]{36}$/);
    expect(last.properties.finalPrompt).toBe('pig --v 6.1');
    expect(last.buttons).toEqual([
      { customId: `MJ::JOB::upsample::1::${h}`, emoji: '', label: 'U1', type: 2, style: 2 },
      { customId: `MJ::JOB::upsample::2::${h}`, emoji: '', label: 'U2', type: 2, style: 2 },
      { customId: `MJ::JOB::upsample::3::${h}`, emoji: '', label: 'U3', type: 2, style: 2 },
      { customId: `MJ::JOB::upsample::4::${h}`, emoji: '', label: 'U4', type: 2, style: 2 },
      { customId: `MJ::JOB::reroll::0::${h}::SOLO`, emoji: '🔄', label: '', type: 2, style: 2 },
      { customId: `MJ::JOB::variation::1::${h}`, emoji: '', label: 'V1', type: 2, style: 2 },
      { customId: `MJ::JOB::variation::2::${h}`, emoji: '', label: 'V2', type: 2, style: 2 },
      { customId: `MJ::JOB::variation::3::${h}`, emoji: '', label: 'V3', type: 2, style: 2 },
      { customId: `MJ::JOB::variation::4::${h}`, emoji: '', label: 'V4', type: 2, style: 2 },
    ]);
  });

  it('validates the prompt and reference images', async () => {
    expect((await post('/mj/submit/imagine', { prompt: '  ' })).json).toMatchObject({ code: 4, description: 'prompt不能为空' });
    expect((await post('/mj/submit/imagine', { prompt: 'cat', base64Array: ['iVBORw0KGgo='] })).json).toMatchObject({
      code: 4,
      description: 'base64格式错误',
    });
    const ok = await post('/mj/submit/imagine', { prompt: 'cat', base64Array: [PNG_1PX] });
    expect(ok.json.code).toBe(1);
    // the reference image is hosted by the fake and appears in finalPrompt
    const task = proxy.getTask(ok.json.result);
    const ref = must(/<(http[^>]+)>/.exec(task.properties.finalPrompt)?.[1], 'the hosted reference image in finalPrompt');
    const img = await fetch(ref);
    expect(img.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await img.arrayBuffer())).toEqual(Buffer.from(PNG_1PX.slice(PNG_1PX.indexOf(',') + 1), 'base64'));
  });

  it('answers 400 code 4 for a body that is not JSON and records the raw text', async () => {
    const r = await post('/mj/submit/imagine', '{"prompt":');
    expect(r.status).toBe(400);
    expect(r.json.code).toBe(4);
    expect(proxy.requests.at(-1)!.body).toBe('{"prompt":');
  });

  it('records requests, and waitForRequest sees past and future ones', async () => {
    await post('/mj/submit/imagine', { prompt: 'cat', state: 'x' });
    const past = await proxy.waitForRequest((r) => r.route === '/mj/submit/imagine');
    expect(past).toMatchObject({ method: 'POST', path: '/mj/submit/imagine', status: 200, body: { prompt: 'cat', state: 'x' } });
    expect(past.headers.authorization).toBe(AUTH.authorization);
    const future = proxy.nextRequest((r) => r.route === '/mj/submit/imagine');
    await post('/mj/submit/imagine', { prompt: 'dog' });
    expect((await future).body.prompt).toBe('dog');
    await expect(proxy.nextRequest(() => false, 20)).rejects.toThrow(/no matching request/);
  });
});

describe('timelines', () => {
  it('failure: FAILURE with progress "" and the default or a custom failReason', async () => {
    proxy.nextTimeline('failure');
    proxy.nextTimeline({ steps: [{ status: 'SUBMITTED', progress: '0%' }, { status: 'FAILURE' }], failReason: '任务超时' });
    const a = (await post('/mj/submit/imagine', { prompt: 'cat' })).json.result;
    const b = (await post('/mj/submit/imagine', { prompt: 'dog' })).json.result;
    const ta = await pollToEnd(a);
    expect(ta).toMatchObject({ status: 'FAILURE', progress: '', failReason: DEFAULT_FAIL_REASON, buttons: [] });
    expect(ta.finishTime).toBeTypeOf('number');
    expect(await pollToEnd(b)).toMatchObject({ status: 'FAILURE', failReason: '任务超时' });
    // the queue is empty again: back to success
    expect(await imagineDone()).toMatchObject({ status: 'SUCCESS' });
  });

  it('never: stays IN_PROGRESS', async () => {
    proxy.nextTimeline('never');
    const id = (await post('/mj/submit/imagine', { prompt: 'cat' })).json.result;
    for (let i = 0; i < 5; i++) await fetchTask(id);
    expect((await fetchTask(id)).json).toMatchObject({ status: 'IN_PROGRESS', progress: '15%' });
  });

  it('queued: code 22 with numberOfQueues, NOT_START for two reads, then success', async () => {
    proxy.nextTimeline('queued');
    const r = await post('/mj/submit/imagine', { prompt: 'cat' });
    expect(r.json).toMatchObject({ code: 22, description: '排队中，前面还有2个任务', properties: { numberOfQueues: 2 } });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await fetchTask(r.json.result)).json.status);
    expect(statuses).toEqual(['NOT_START', 'NOT_START', 'SUBMITTED', 'IN_PROGRESS']);
    expect(await pollToEnd(r.json.result)).toMatchObject({ status: 'SUCCESS' });
  });

  it('relayRewrite22: code 22 becomes 1 with an English queue description', async () => {
    proxy.setQuirks({ relayRewrite22: true });
    proxy.nextTimeline('queued');
    const r = await post('/mj/submit/imagine', { prompt: 'cat' });
    expect(r.json).toMatchObject({ code: 1, description: 'In queue, there are 2 tasks ahead' });
  });

  it('scripted steps merge the job result into a SUCCESS step; a scripted error code creates nothing', async () => {
    proxy.nextTimeline({ steps: [{ status: 'IN_PROGRESS', progress: '50%' }, { status: 'SUCCESS' }] });
    proxy.nextTimeline({ steps: [], submitCode: 4, submitDescription: '并发数已达上限' });
    const id = (await post('/mj/submit/imagine', { prompt: 'cat' })).json.result;
    expect((await fetchTask(id)).json).toMatchObject({ status: 'IN_PROGRESS', progress: '50%' });
    const done = (await fetchTask(id)).json;
    expect(done.status).toBe('SUCCESS');
    expect(done.buttons).toHaveLength(9);
    const n = proxy.tasks.size;
    expect((await post('/mj/submit/imagine', { prompt: 'x' })).json).toMatchObject({ code: 4, description: '并发数已达上限' });
    expect(proxy.tasks.size).toBe(n);
  });

  it('manual mode moves tasks only through advance()/finish()', async () => {
    await start({ advance: 'manual' });
    const id = (await post('/mj/submit/imagine', { prompt: 'cat' })).json.result;
    await fetchTask(id);
    expect((await fetchTask(id)).json.status).toBe('SUBMITTED');
    proxy.advance(id);
    expect((await fetchTask(id)).json.progress).toBe('15%');
    proxy.advance(undefined, 2);
    expect(proxy.getTask(id).progress).toBe('78%');
    proxy.finish(id);
    expect(proxy.getTask(id).status).toBe('SUCCESS');
    expect(() => proxy.advance('nope')).toThrow();
  });

  it('everyMs mode moves tasks on a timer', async () => {
    await start({ advance: { everyMs: 5 } });
    const id = (await post('/mj/submit/imagine', { prompt: 'cat' })).json.result;
    // What is tested is the fake's own timer, which reports nothing: polled.
    await vi.waitFor(() => expect(proxy.getTask(id).status).toBe('SUCCESS'), { timeout: 1000, interval: 5 });
  });

  it('addTask creates a finished task without HTTP', async () => {
    const id = proxy.addTask({ prompt: 'seeded' });
    expect(proxy.getTask(id)).toMatchObject({ status: 'SUCCESS', prompt: 'seeded', action: 'IMAGINE' });
    const d = proxy.addTask({ action: 'DESCRIBE' });
    expect(proxy.getTask(d).buttons).toHaveLength(6);
  });
});

describe('actions', () => {
  it('U1 makes an UPSCALE with the upscale button set (incl. bare custom emoji names)', async () => {
    const grid = await imagineDone();
    const u1 = grid.buttons[0];
    const r = await post('/mj/submit/action', { taskId: grid.id, customId: u1.customId, state: 'st' });
    expect(r.json).toMatchObject({ code: 1, description: 'Submit success' });
    expect(r.json.result).not.toBe(grid.id);
    const up = await pollToEnd(r.json.result);
    expect(up).toMatchObject({ action: 'UPSCALE', customId: u1.customId, status: 'SUCCESS', prompt: grid.prompt, state: 'st' });
    const h = up.properties.messageHash;
    expect(h).not.toBe(grid.properties.messageHash);
    expect(up.imageUrl).toMatch(/\/0_0\.png\?/);
    expect(up.buttons.map((b: any) => b.label || b.emoji)).toEqual([
      'Upscale (Subtle)',
      'Upscale (Creative)',
      'Vary (Subtle)',
      'Vary (Strong)',
      'Vary (Region)',
      'Zoom Out 2x',
      'Zoom Out 1.5x',
      'Custom Zoom',
      '⬅️',
      '➡️',
      '⬆️',
      '⬇️',
      'Animate (High motion)',
      'Animate (Low motion)',
      '❤️',
    ]);
    expect(up.buttons[0]).toEqual({ customId: `MJ::JOB::upsample_v7_2x_subtle::1::${h}::SOLO`, emoji: 'upscale_1', label: 'Upscale (Subtle)', type: 2, style: 2 });
    expect(up.buttons.find((b: any) => b.label === 'Custom Zoom').customId).toBe(`MJ::CustomZoom::${h}`);
    expect(up.buttons.find((b: any) => b.label === 'Vary (Region)').customId).toBe(`MJ::Inpaint::1::${h}::SOLO`);
    expect(up.buttons.find((b: any) => b.emoji === '⬅️').customId).toBe(`MJ::JOB::pan_left::1::${h}::SOLO`);
  });

  it('variation, reroll, pan and zoom make new grids', async () => {
    const grid = await imagineDone();
    const v2 = await post('/mj/submit/action', { taskId: grid.id, customId: grid.buttons[6].customId });
    expect(await pollToEnd(v2.json.result)).toMatchObject({ action: 'VARIATION', status: 'SUCCESS', buttons: expect.arrayContaining([expect.objectContaining({ label: 'U1' })]) });
    const rr = await post('/mj/submit/action', { taskId: grid.id, customId: grid.buttons[4].customId });
    expect((await pollToEnd(rr.json.result)).action).toBe('REROLL');
    const up = await upscaleDone();
    for (const [label, action] of [['Zoom Out 2x', 'ZOOM'], ['⬅️', 'PAN'], ['Vary (Strong)', 'VARIATION'], ['Upscale (Creative)', 'UPSCALE_HD']]) {
      const b = up.buttons.find((x: any) => x.label === label || x.emoji === label);
      const r = await post('/mj/submit/action', { taskId: up.id, customId: b.customId });
      expect(r.json.code).toBe(1);
      expect((await pollToEnd(r.json.result)).action).toBe(action);
    }
  });

  it('rejects a missing parent (HTTP 404 code 3), an unfinished parent and unknown customIds (code 4)', async () => {
    const missing = await post('/mj/submit/action', { taskId: '1234567890123456', customId: 'MJ::JOB::upsample::1::x' });
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ code: 3, description: '关联任务不存在或已失效' });

    const running = (await post('/mj/submit/imagine', { prompt: 'cat' })).json.result;
    expect((await post('/mj/submit/action', { taskId: running, customId: 'MJ::JOB::upsample::1::x' })).json).toMatchObject({
      code: 4,
      description: '关联任务状态错误',
    });
    const grid = await imagineDone();
    expect((await post('/mj/submit/action', { taskId: grid.id, customId: 'MJ::JOB::upsample::1::other-hash' })).json).toMatchObject({
      code: 4,
      description: '未知的 Action 类型',
    });
    expect((await post('/mj/submit/action', { customId: 'x' })).json).toMatchObject({ code: 4, description: 'taskId不能为空' });
  });

  it('rejectActions answers code 4; BOOKMARK otherwise returns the parent id and creates nothing', async () => {
    const up = await upscaleDone();
    const heart = up.buttons.find((b: any) => b.emoji === '❤️').customId;
    const n = proxy.tasks.size;
    expect((await post('/mj/submit/action', { taskId: up.id, customId: heart })).json).toMatchObject({ code: 1, result: up.id });
    expect(proxy.tasks.size).toBe(n);
    proxy.setQuirks({ rejectActions: ['BOOKMARK'] });
    expect((await post('/mj/submit/action', { taskId: up.id, customId: heart })).json).toMatchObject({ code: 4, description: '未知的 Action 类型' });
  });

  it('Custom Zoom: code 21 → MODAL task → /submit/modal (needs --zoom) → SUCCESS grid', async () => {
    const up = await upscaleDone();
    const cz = up.buttons.find((b: any) => b.label === 'Custom Zoom').customId;
    const r = await post('/mj/submit/action', { taskId: up.id, customId: cz, state: 'modal-state' });
    expect(r.json).toMatchObject({ code: 21, description: 'Waiting for window confirm', properties: { finalPrompt: 'pig --v 6.1', remix: true } });
    const modalId = r.json.result;
    expect((await fetchTask(modalId)).json).toMatchObject({ status: 'MODAL', action: 'ZOOM', state: 'modal-state' });
    expect((await fetchTask(modalId)).json.status).toBe('MODAL'); // reads don't move it

    expect((await post('/mj/submit/modal', { taskId: modalId, prompt: 'pig' })).json.code).toBe(4);
    expect((await post('/mj/submit/modal', { taskId: '999', prompt: 'pig --zoom 2' })).status).toBe(404);
    expect((await post('/mj/submit/modal', { taskId: up.id, prompt: 'pig --zoom 2' })).json.code).toBe(4); // not a MODAL task
    const m = await post('/mj/submit/modal', { taskId: modalId, prompt: 'pig --zoom 1.5' });
    expect(m.json).toMatchObject({ code: 1, result: modalId });
    expect((await fetchTask(modalId)).json.status).toBe('SUBMITTED');
    const done = await pollToEnd(modalId);
    expect(done).toMatchObject({ status: 'SUCCESS', action: 'ZOOM', prompt: 'pig --zoom 1.5' });
    expect(done.buttons).toHaveLength(9);
  });

  it('Vary (Region): code 21 and the modal needs a mask data URL', async () => {
    const up = await upscaleDone();
    const region = up.buttons.find((b: any) => b.label === 'Vary (Region)').customId;
    const r = await post('/mj/submit/action', { taskId: up.id, customId: region });
    expect(r.json.code).toBe(21);
    expect((await post('/mj/submit/modal', { taskId: r.json.result, prompt: 'a hat' })).json).toMatchObject({ code: 4 });
    expect((await post('/mj/submit/modal', { taskId: r.json.result, prompt: 'a hat', maskBase64: PNG_1PX })).json.code).toBe(1);
    expect(await pollToEnd(r.json.result)).toMatchObject({ status: 'SUCCESS', action: 'VARIATION', maskBase64: PNG_1PX });
  });

  it('remix quirk and enableRemix make variation/pan answer 21; relayRewrite21 turns that into 1 except Inpaint/CustomZoom', async () => {
    const grid = await imagineDone();
    const v1 = grid.buttons[5].customId;
    expect((await post('/mj/submit/action', { taskId: grid.id, customId: v1 })).json.code).toBe(1);
    const forced = await post('/mj/submit/action', { taskId: grid.id, customId: v1, enableRemix: true });
    expect(forced.json).toMatchObject({ code: 21, properties: { finalPrompt: 'pig --v 6.1' } });
    expect(proxy.getTask(forced.json.result).status).toBe('MODAL');

    proxy.setQuirks({ remix: true, relayRewrite21: true });
    const rewritten = await post('/mj/submit/action', { taskId: grid.id, customId: v1 });
    expect(rewritten.json).toMatchObject({ code: 1, description: 'Waiting for window confirm' });
    expect((await fetchTask(rewritten.json.result)).json.status).toBe('MODAL');
    const up = await upscaleDone();
    const cz = up.buttons.find((b: any) => b.label === 'Custom Zoom').customId;
    expect((await post('/mj/submit/action', { taskId: up.id, customId: cz })).json.code).toBe(21);
  });

  it('an account with Remix mode off refuses enableRemix with code 4; a backend that ignores the field runs the action', async () => {
    const grid = await imagineDone();
    const v1 = grid.buttons[5].customId;
    proxy.setQuirks({ remixOff: true });
    const off = await post('/mj/submit/action', { taskId: grid.id, customId: v1, enableRemix: true });
    expect(off.json).toMatchObject({ code: 4, description: '当前账号不支持 remix，请开启 remix 功能' });
    expect((await post('/mj/submit/action', { taskId: grid.id, customId: v1 })).json.code).toBe(1);
    proxy.setQuirks({ remixOff: false, ignoreEnableRemix: true });
    const ran = await post('/mj/submit/action', { taskId: grid.id, customId: v1, enableRemix: true });
    expect(ran.json.code).toBe(1);
    expect(proxy.getTask(ran.json.result).status).not.toBe('MODAL');
  });

  it('legacy /submit/change and /submit/simple-change press U/V/R', async () => {
    const grid = await imagineDone();
    const a = await post('/mj/submit/change', { taskId: grid.id, action: 'UPSCALE', index: 2 });
    expect(proxy.getTask(a.json.result)).toMatchObject({ action: 'UPSCALE', customId: grid.buttons[1].customId });
    const b = await post('/mj/submit/simple-change', { content: `${grid.id} V3` });
    expect(proxy.getTask(b.json.result).action).toBe('VARIATION');
  });
});

describe('submit errors', () => {
  it('banned prompts answer code 24 with promptEn and bannedWord', async () => {
    expect((await post('/mj/submit/imagine', { prompt: 'a banned thing' })).json).toMatchObject({
      code: 24,
      description: '可能包含敏感词',
      properties: { promptEn: 'a banned thing', bannedWord: 'banned' },
    });
    proxy.setQuirks({ bannedPrompt: 'gore' });
    expect((await post('/mj/submit/imagine', { prompt: 'cat' })).json.code).toBe(1);
    expect((await post('/mj/submit/imagine', { prompt: 'Gore cat' })).json.properties.bannedWord).toBe('gore');
    proxy.setQuirks({ bannedPrompt: true });
    expect((await post('/mj/submit/imagine', { prompt: 'cat' })).json.code).toBe(24);
  });

  it('queue full: 23 (novicezk/plus) and 9 (trueai)', async () => {
    proxy.setQuirks({ queueFull: true });
    expect((await post('/mj/submit/imagine', { prompt: 'cat' })).json).toMatchObject({ code: 23, description: '队列已满，请稍后尝试' });
    proxy.reset();
    proxy.setQuirks({ queueFullTrueai: true });
    expect((await post('/mj/submit/imagine', { prompt: 'cat' })).json).toMatchObject({ code: 9, description: '提交失败，队列已满，请稍后重试' });
    expect(proxy.tasks.size).toBe(0);
  });

  it('nullProperties and numericIds change the submit result shape', async () => {
    proxy.setQuirks({ nullProperties: true });
    expect((await post('/mj/submit/imagine', { prompt: 'cat' })).json.properties).toBeNull();
    proxy.reset();
    proxy.setQuirks({ numericIds: true });
    const r = await post('/mj/submit/imagine', { prompt: 'cat' });
    expect(typeof r.json.result).toBe('number');
    expect(r.text).toContain('"discordInstanceId":1572398367386955776');
    const id = String(r.json.result);
    expect(proxy.tasks.has(id)).toBe(true);
    const t = await fetchTask(id);
    expect(t.json.id).toBe(Number(id));
    expect(t.text).toMatch(new RegExp(`^\\{"id":${id},`));
    const done = await pollToEnd(id);
    expect(typeof done.properties.messageId).toBe('number'); // precision lost, as with real relays
  });
});

describe('transport misbehaviour', () => {
  it('status5xx, resetConnection, malformedJson, emptyBody, slowMs', async () => {
    proxy.setQuirks({ status5xx: 502 });
    const bad = await post('/mj/submit/imagine', { prompt: 'cat' });
    expect(bad.status).toBe(502);
    expect(bad.text).toContain('502 Bad Gateway');
    expect(bad.headers.get('content-type')).toContain('text/html');

    proxy.reset();
    proxy.setQuirks({ resetConnection: true });
    await expect(post('/mj/submit/imagine', { prompt: 'cat' })).rejects.toThrow();
    expect(proxy.requests.at(-1)!.status).toBe(0);

    proxy.reset();
    proxy.setQuirks({ malformedJson: true });
    const mal = await post('/mj/submit/imagine', { prompt: 'cat' });
    expect(mal.status).toBe(200);
    expect(() => JSON.parse(mal.text)).toThrow();

    proxy.reset();
    proxy.setQuirks({ emptyBody: true });
    expect(await post('/mj/submit/imagine', { prompt: 'cat' })).toMatchObject({ status: 200, text: '' });
    expect(proxy.tasks.size).toBe(0);

    proxy.reset();
    proxy.setQuirks({ slowMs: 60 });
    const t0 = Date.now();
    await post('/mj/submit/imagine', { prompt: 'cat' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(50);
  });

  it('readFault refuses reads only; submits still work', async () => {
    const id = (await post('/mj/submit/imagine', { prompt: 'cat' })).json.result;
    for (const [fault, status] of [[401, 401], [403, 403], ['error-code', 200], ['garbage', 200]] as const) {
      proxy.setQuirks({ readFault: fault });
      const read = await fetchTask(id);
      const list = await post('/mj/task/list-by-condition', { ids: [id] });
      expect([read.status, list.status]).toEqual([status, status]);
      if (fault === 'error-code') expect(read.json).toEqual({ code: -1, message: '请重新登录' });
      if (fault === 'garbage') expect(() => JSON.parse(list.text)).toThrow();
      expect((await post('/mj/submit/imagine', { prompt: 'dog' })).json.code).toBe(1);
    }
  });

  it('holdMedia keeps media answers back until it is switched off', async () => {
    const done = await imagineDone();
    proxy.setQuirks({ holdMedia: true });
    let answered = false;
    const got = fetch(done.imageUrl).then((r) => {
      answered = true;
      return r.status;
    });
    // Holding is the fake's own state, which reports nothing: polled.
    await vi.waitFor(() => expect(proxy.mediaHeld).toBe(1), { timeout: 10_000 });
    expect(answered).toBe(false);
    proxy.setQuirks({ holdMedia: false });
    expect(await got).toBe(200);
  });

  it('holdReads keeps reads back (media and submits answered) until it is switched off', async () => {
    const done = await imagineDone();
    proxy.setQuirks({ holdReads: true });
    let answered = false;
    const got = fetchTask(done.id).then((r) => {
      answered = true;
      return r.json;
    });
    await vi.waitFor(() => expect(proxy.readsHeld).toBe(1), { timeout: 10_000 });
    expect((await fetch(done.imageUrl)).status).toBe(200);
    expect((await post('/mj/submit/imagine', { prompt: 'dog' })).json.code).toBe(1);
    expect(answered).toBe(false);
    proxy.setQuirks({ holdReads: false });
    expect((await got).status).toBe('SUCCESS');
    expect(proxy.readsHeld).toBe(0);
  });

  it('emptyStatusFirst and zeroTimes mimic new-api rows', async () => {
    proxy.setQuirks({ emptyStatusFirst: true, zeroTimes: true });
    const id = (await post('/mj/submit/imagine', { prompt: 'cat' })).json.result;
    const first = (await fetchTask(id)).json;
    expect(first).toMatchObject({ status: '', startTime: 0, finishTime: 0 });
    expect((await fetchTask(id)).json.status).toBe('SUBMITTED'); // the empty read did not skip a step
  });
});

describe('task endpoints', () => {
  it.each([
    ['204', 204, ''],
    ['empty200', 200, ''],
    ['404', 404, '"code":3'],
    ['newapi400', 400, '{"description":"task_no_found ","type":"upstream_error","code":4}'],
  ] as const)('unknown task style %s', async (style, status, text) => {
    if (style !== '204') proxy.setQuirks({ unknownTaskStyle: style }); // 204 is the default
    const r = await fetchTask('1111111111111111');
    expect(r.status).toBe(status);
    if (text) expect(r.text).toContain(text);
    else expect(r.text).toBe('');
  });

  it('list-by-condition returns known tasks in order, advancing them; list-by-ids is an alias', async () => {
    const a = (await post('/mj/submit/imagine', { prompt: 'a' })).json.result;
    const b = (await post('/mj/submit/imagine', { prompt: 'b' })).json.result;
    const r = await post('/mj/task/list-by-condition', { ids: [b, 'nope', a] });
    expect(r.json.map((t: any) => [t.id, t.progress])).toEqual([
      [b, '0%'],
      [a, '0%'],
    ]);
    const again = await post('/mj/task/list-by-ids', { ids: [a] });
    expect(again.json[0].progress).toBe('15%');
    expect((await post('/mj/task/list-by-condition', { ids: [] })).json).toEqual([]);
    expect((await post('/mj/task/list-by-condition', {})).json).toEqual([]);

    proxy.setQuirks({ listMax: 1 });
    expect((await post('/mj/task/list-by-condition', { ids: [a, b] })).status).toBe(400);
    proxy.setQuirks({ noListByCondition: true });
    expect((await post('/mj/task/list-by-condition', { ids: [a] })).status).toBe(404);
  });

  it('image-seed: 200 for a finished image job, 404 code 3 unknown, 400 code 4 unfinished', async () => {
    const grid = await imagineDone();
    const ok = await call('GET', `/mj/task/${grid.id}/image-seed`);
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ code: 1, description: '成功' });
    expect(ok.json.result).toMatch(/^\d+$/);
    const unknown = await call('GET', '/mj/task/42/image-seed');
    expect(unknown.status).toBe(404);
    expect(unknown.json.code).toBe(3);
    const running = (await post('/mj/submit/imagine', { prompt: 'cat' })).json.result;
    const early = await call('GET', `/mj/task/${running}/image-seed`);
    expect(early.status).toBe(400);
    expect(early.json.code).toBe(4);
  });

  it('cancel marks the task FAILURE "取消任务" and stops its timeline', async () => {
    const id = (await post('/mj/submit/imagine', { prompt: 'cat' })).json.result;
    expect((await post(`/mj/task/${id}/cancel`)).json.code).toBe(1);
    await fetchTask(id);
    expect((await fetchTask(id)).json).toMatchObject({ status: 'FAILURE', failReason: '取消任务', progress: '' });
    expect((await post('/mj/task/77/cancel')).status).toBe(404);
    // A backend without the route (novicezk, plus, new-api relays): Spring's 404, nothing cancelled.
    proxy.setQuirks({ noCancel: true });
    const other = (await post('/mj/submit/imagine', { prompt: 'dog' })).json.result;
    const absent = await post(`/mj/task/${other}/cancel`);
    expect(absent.status).toBe(404);
    expect(absent.json).toMatchObject({ status: 404, error: 'Not Found' });
    expect(proxy.getTask(other).status).not.toBe('FAILURE');
    proxy.setQuirks({ noCancel: 'html' });
    const page = await post(`/mj/task/${other}/cancel`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(proxy.getTask(other).status).not.toBe('FAILURE');
  });
});

describe('other submit endpoints', () => {
  it('describe: four keycap prompts in promptEn and finalPrompt, the source image, PicReader buttons', async () => {
    const r = await post('/mj/submit/describe', { base64: PNG_1PX });
    expect(r.json.code).toBe(1);
    const d = await pollToEnd(r.json.result);
    expect(d.action).toBe('DESCRIBE');
    expect(d.promptEn).toBe(d.properties.finalPrompt);
    const parts = d.promptEn.split('\n\n');
    expect(parts.map((p: string) => p.slice(0, 3))).toEqual(['1️⃣', '2️⃣', '3️⃣', '4️⃣']);
    expect(parts.every((p: string) => / --ar 3:2$/.test(p))).toBe(true);
    const src = await fetch(d.imageUrl);
    expect(src.status).toBe(200);
    await src.arrayBuffer();
    expect(d.buttons.map((b: any) => [b.customId, b.emoji, b.label])).toEqual([
      ['MJ::Job::PicReader::1', '1️⃣', ''],
      ['MJ::Job::PicReader::2', '2️⃣', ''],
      ['MJ::Job::PicReader::3', '3️⃣', ''],
      ['MJ::Job::PicReader::4', '4️⃣', ''],
      ['MJ::Picread::Retry', '🔄', ''],
      ['MJ::Job::PicReader::all', '🎉', 'Imagine all'],
    ]);

    const pick = await post('/mj/submit/action', { taskId: d.id, customId: 'MJ::Job::PicReader::2' });
    expect(pick.json.code).toBe(21);
    expect(pick.json.properties.finalPrompt).toBe(parts[1].slice(4));
    expect((await post('/mj/submit/modal', { taskId: pick.json.result })).json.code).toBe(1); // empty prompt → finalPrompt
    expect(await pollToEnd(pick.json.result)).toMatchObject({ action: 'IMAGINE', status: 'SUCCESS', prompt: parts[1].slice(4) });

    const all = await post('/mj/submit/action', { taskId: d.id, customId: 'MJ::Job::PicReader::all' });
    const ids = all.json.result.split(',');
    expect(ids).toHaveLength(4);
    expect(ids.map((id: string) => proxy.getTask(id).action)).toEqual(['IMAGINE', 'IMAGINE', 'IMAGINE', 'IMAGINE']);
    const retry = await post('/mj/submit/action', { taskId: d.id, customId: 'MJ::Picread::Retry' });
    expect((await pollToEnd(retry.json.result)).action).toBe('DESCRIBE');

    expect((await post('/mj/submit/describe', {})).json.code).toBe(4);
    expect((await post('/mj/submit/describe', { link: 'https://example.com/a.png' })).json.code).toBe(1);
  });

  it('shorten: tokens and five prompts in description and finalPrompt, PromptAnalyzer buttons, no image', async () => {
    const r = await post('/mj/submit/shorten', { prompt: 'a very beautiful cat sitting on a sunny windowsill --ar 16:9' });
    const s = await pollToEnd(r.json.result);
    expect(s).toMatchObject({ action: 'SHORTEN', status: 'SUCCESS', imageUrl: null });
    expect(s.description).toBe(s.properties.finalPrompt);
    expect(s.description).toMatch(/^## Important tokens\n.*\*\*\w+\*\*.*~~\w+~~.*\n## Shortened prompts\n1️⃣ .+\n\n2️⃣ .+\n\n3️⃣ .+\n\n4️⃣ .+\n\n5️⃣ .+$/);
    expect(s.buttons.map((b: any) => b.customId)).toEqual([
      'MJ::Job::PromptAnalyzer::1',
      'MJ::Job::PromptAnalyzer::2',
      'MJ::Job::PromptAnalyzer::3',
      'MJ::Job::PromptAnalyzer::4',
      'MJ::Job::PromptAnalyzer::5',
      'MJ::Job::PromptAnalyzerExtended',
    ]);
    expect(s.buttons[5].label).toBe('Show Details');
    const pick = await post('/mj/submit/action', { taskId: s.id, customId: 'MJ::Job::PromptAnalyzer::3' });
    expect(pick.json.code).toBe(21);
    const details = await post('/mj/submit/action', { taskId: s.id, customId: 'MJ::Job::PromptAnalyzerExtended' });
    expect(await pollToEnd(details.json.result)).toMatchObject({ action: 'SHORTEN', description: expect.stringContaining('## Details') });
    proxy.setQuirks({ rejectActions: ['PromptAnalyzer'] });
    expect((await post('/mj/submit/action', { taskId: s.id, customId: 'MJ::Job::PromptAnalyzer::1' })).json.code).toBe(4);
  });

  it('video: seed shape with four videoUrls served as video/mp4', async () => {
    const r = await post('/mj/submit/video', { prompt: '飞来一只蜜蜂', motion: 'low', image: PNG_1PX, state: '9' });
    expect(r.json).toEqual({ code: 1, description: 'Submit Success', result: expect.stringMatching(/^\d{16}$/) });
    const v = await pollToEnd(r.json.result);
    expect(v).toMatchObject({ action: 'VIDEO', status: 'SUCCESS', description: 'Submit Success', state: '9', imageUrls: null, videoUrl: '' });
    expect(Object.keys(v)).toContain('mode');
    expect(v.videoUrls).toHaveLength(4);
    const mp4 = await fetch(v.videoUrls[3].url);
    expect(mp4.headers.get('content-type')).toBe('video/mp4');
    expect(Buffer.from(await mp4.arrayBuffer()).toString('latin1', 4, 8)).toBe('ftyp');
    const frame = await fetch(v.imageUrl);
    expect(frame.headers.get('content-type')).toBe('image/png');
    await frame.arrayBuffer();
    expect(v.buttons[0].customId).toBe(`MJ::JOB::animate_high_extend::1::${v.properties.messageHash}`);
    expect((await post('/mj/submit/video', { prompt: 'x', image: PNG_1PX, motion: 'wild' })).json.code).toBe(4);
    expect((await post('/mj/submit/video', { prompt: 'x', image: 'not an image' })).json.code).toBe(4);
  });

  it('video: loop, endImage, batchSize and videoType are checked and show in finalPrompt; noVideo answers Spring\'s 404', async () => {
    const r = await post('/mj/submit/video', { prompt: 'waves', image: PNG_1PX, endImage: PNG_1PX, loop: true, batchSize: 2, videoType: 'vid_1.1_i2v_480' });
    expect(r.json.code).toBe(1);
    const v = await pollToEnd(r.json.result);
    expect(v.videoUrls).toHaveLength(2);
    expect(v.properties.finalPrompt).toMatch(/--motion low --video 1 --end \S+ --loop --bs 2 /);
    expect((await post('/mj/submit/video', { prompt: 'x', image: PNG_1PX, loop: 'yes' })).json.code).toBe(4);
    expect((await post('/mj/submit/video', { prompt: 'x', image: PNG_1PX, videoType: 'vid_1.1_i2v_1080' })).json.code).toBe(4);
    expect((await post('/mj/submit/video', { prompt: 'x', image: PNG_1PX, endImage: 'nope' })).json.code).toBe(4);
    proxy.setQuirks({ noVideo: true });
    const gone = await post('/mj/submit/video', { prompt: 'x', image: PNG_1PX });
    expect(gone.status).toBe(404);
    expect(gone.json).toMatchObject({ status: 404, error: 'Not Found', path: '/mj/submit/video' });
  });

  it('upload-discord-images answers an array of links serving the bytes; noUploadImages answers Spring\'s 404', async () => {
    const r = await post('/mj/submit/upload-discord-images', { base64Array: [PNG_1PX, PNG_1PX] });
    expect(r.json).toMatchObject({ code: 1, result: [expect.stringMatching(/^http:/), expect.stringMatching(/^http:/)] });
    const img = await fetch(r.json.result[0]);
    expect(img.headers.get('content-type')).toBe('image/png');
    await img.arrayBuffer();
    proxy.setQuirks({ noUploadImages: true });
    const gone = await post('/mj/submit/upload-discord-images', { base64Array: [PNG_1PX] });
    expect(gone.status).toBe(404);
    expect(gone.json.error).toBe('Not Found');
  });

  it('newApiActions: /submit/action answers new-api\'s HTTP 400 unknown_action for animate_* (and the like), and passes U/V/pan/zoom', async () => {
    const up = await upscaleDone();
    proxy.setQuirks({ newApiActions: true });
    const animate = up.buttons.find((b: any) => /animate_high::/.test(b.customId)).customId;
    const r = await post('/mj/submit/action', { taskId: up.id, customId: animate });
    expect(r.status).toBe(400);
    expect(r.json).toEqual({ description: `unknown_action:${animate} `, type: 'upstream_error', code: 4 });
    expect((await post('/mj/submit/action', { taskId: up.id, customId: 'MJ::BOOKMARK::x' })).status).toBe(400);
    const pan = up.buttons.find((b: any) => /pan_left/.test(b.customId)).customId;
    expect((await post('/mj/submit/action', { taskId: up.id, customId: pan })).json.code).toBe(1);
  });

  it('edits: EDITS with four imageUrls (seed shape)', async () => {
    const r = await post('/mj/submit/edits', { prompt: 'Change to a white background.', image: 'https://example.com/x.png' });
    expect(r.json).toMatchObject({ code: 1, description: 'Submit Success' });
    const e = await pollToEnd(r.json.result);
    expect(e).toMatchObject({ action: 'EDITS', status: 'SUCCESS', buttons: [], videoUrls: null, videoUrl: '' });
    expect(e.imageUrls).toHaveLength(4);
    expect((await fetch(e.imageUrls[0].url)).headers.get('content-type')).toBe('image/png');
    expect((await post('/mj/submit/edit', { prompt: 'x', image: PNG_1PX })).json.code).toBe(1);
  });

  it('blend validates counts and dimensions and makes a grid', async () => {
    expect((await post('/mj/submit/blend', { base64Array: [PNG_1PX] })).json).toMatchObject({ code: 4, description: 'base64List参数错误' });
    expect((await post('/mj/submit/blend', { base64Array: [PNG_1PX, PNG_1PX], dimensions: 'WIDE' })).json).toMatchObject({
      code: 4,
      description: 'dimensions参数错误',
    });
    const r = await post('/mj/submit/blend', { base64Array: [PNG_1PX, PNG_1PX], dimensions: 'LANDSCAPE' });
    const b = await pollToEnd(r.json.result);
    expect(b).toMatchObject({ action: 'BLEND', status: 'SUCCESS' });
    expect(b.properties.finalPrompt).toMatch(/--ar 3:2$/);
  });

  it('insight-face swap: SWAP_FACE, one image, no buttons', async () => {
    expect((await post('/mj/insight-face/swap', { sourceBase64: PNG_1PX })).json.code).toBe(4);
    const r = await post('/mj/insight-face/swap', { sourceBase64: PNG_1PX, targetUrl: 'https://example.com/t.png' });
    const t = await pollToEnd(r.json.result);
    expect(t).toMatchObject({ action: 'SWAP_FACE', botType: 'INSIGHT_FACE', status: 'SUCCESS', buttons: [] });
    expect((await fetch(t.imageUrl)).status).toBe(200);
  });
});

describe('media', () => {
  it('serves a real 16×16 PNG, a WebP preview, and honours imageStatus', async () => {
    const grid = await imagineDone();
    const res = await fetch(grid.imageUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    const png = Buffer.from(await res.arrayBuffer());
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    // walk the chunks and check every CRC, then inflate the pixels
    let off = 8;
    const idat: Buffer[] = [];
    let width = 0;
    let height = 0;
    while (off < png.length) {
      const len = png.readUInt32BE(off);
      const type = png.toString('latin1', off + 4, off + 8);
      const data = png.subarray(off + 8, off + 8 + len);
      expect(png.readUInt32BE(off + 8 + len)).toBe(crc32(png.subarray(off + 4, off + 8 + len)));
      if (type === 'IHDR') [width, height] = [data.readUInt32BE(0), data.readUInt32BE(4)];
      if (type === 'IDAT') idat.push(data);
      off += 12 + len;
    }
    expect([width, height]).toEqual([16, 16]);
    expect(inflateSync(Buffer.concat(idat)).length).toBe(16 * (1 + 16 * 3));

    const webp = await fetch(`${proxy.baseUrl}/cdn/h/h_grid_0.webp`);
    expect(webp.headers.get('content-type')).toBe('image/webp');
    expect(Buffer.from(await webp.arrayBuffer()).toString('latin1', 8, 12)).toBe('WEBP');
    const relay = await fetch(`${proxy.baseUrl}/mj/image/${grid.id}`);
    expect(relay.headers.get('content-type')).toBe('image/png');
    await relay.arrayBuffer();

    proxy.setQuirks({ imageStatus: 403 });
    const gone = await fetch(grid.imageUrl);
    expect(gone.status).toBe(403);
    expect(await gone.text()).toContain('no longer available');
  });
});

describe('mode prefixes', () => {
  it.each([
    ['/mj-fast', 'FAST'],
    ['/mj-relax', 'RELAX'],
    ['/mj-turbo', 'TURBO'],
    ['/fast', 'FAST'],
    ['/relax', 'RELAX'],
  ])('%s/mj/... works and records mode %s', async (prefix, mode) => {
    const r = await post(`${prefix}/mj/submit/imagine`, { prompt: 'cat' });
    expect(r.json.code).toBe(1);
    const t = await call('GET', `${prefix}/mj/task/${r.json.result}/fetch`);
    expect(t.json.mode).toBe(mode);
    expect(proxy.requests[0]).toMatchObject({ path: `${prefix}/mj/submit/imagine`, route: '/mj/submit/imagine', mode });
  });

  it('unknown prefixes and routes are 404, plain /mj has no mode', async () => {
    expect((await post('/mj-slow/mj/submit/imagine', { prompt: 'cat' })).status).toBe(404);
    expect((await post('/mj/submit/nothing', {})).status).toBe(404);
    const r = await post('/mj/submit/imagine', { prompt: 'cat' });
    expect('mode' in proxy.getTask(r.json.result)).toBe(false);
  });
});

describe('notifyHook', () => {
  let receiver: http.Server;
  let hookUrl: string;
  let received: any[];

  beforeEach(async () => {
    received = [];
    receiver = http.createServer((req, res) => {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => {
        received.push({ path: req.url, type: req.headers['content-type'], body: JSON.parse(data) });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/mj-hook/secret`;
  });
  afterEach(async () => {
    receiver.closeAllConnections();
    await new Promise((r) => receiver.close(r));
  });

  it('POSTs the whole task on every change, from SUBMITTED to SUCCESS', async () => {
    await start({ advance: 'manual' });
    const id = (await post('/mj/submit/imagine', { prompt: 'cat', notifyHook: hookUrl, state: 'st' })).json.result;
    proxy.finish(id);
    // The hook sees a call before the proxy sees the answer: wait for both (the fake reports neither: polled).
    const delivered = () => proxy.notifications.filter((n) => n.responseStatus === 200).length;
    await vi.waitFor(
      () => {
        if (received.length < 5 || delivered() < 5) throw new Error(`timed out waiting for 5 callbacks (${received.length} received, ${delivered()} delivered)`);
      },
      { timeout: 2000, interval: 5 },
    );
    const steps = received.map((r) => `${r.body.status} ${r.body.progress}`).sort();
    expect(steps).toEqual(['IN_PROGRESS 15%', 'IN_PROGRESS 46%', 'IN_PROGRESS 78%', 'SUBMITTED 0%', 'SUCCESS 100%'].sort());
    const last = received.find((r) => r.body.status === 'SUCCESS')!;
    expect(last).toMatchObject({ path: '/mj-hook/secret', type: 'application/json' });
    expect(last.body).toMatchObject({ id, state: 'st', properties: { notifyHook: hookUrl } });
    expect(last.body.buttons).toHaveLength(9);
    expect(proxy.notifications.filter((n) => n.responseStatus === 200)).toHaveLength(5);

    await proxy.notify(id);
    expect(received).toHaveLength(6);
  });

  it('sends nothing for a MODAL task until /submit/modal, and ignores dead hooks', async () => {
    const up = await upscaleDone();
    const cz = up.buttons.find((b: any) => b.label === 'Custom Zoom').customId;
    const modalId = (await post('/mj/submit/action', { taskId: up.id, customId: cz, notifyHook: hookUrl })).json.result;
    // A callback is recorded the moment it is fired, before the answer to the submit: none was.
    expect(proxy.notifications.filter((n) => n.taskId === modalId)).toEqual([]);
    expect(received).toHaveLength(0);
    await post('/mj/submit/modal', { taskId: modalId, prompt: 'pig --zoom 2' });
    await proxy.notify(modalId);
    expect(received.length).toBeGreaterThanOrEqual(1);
    expect(received[0].body).toMatchObject({ id: modalId, status: 'SUBMITTED' });

    const dead = (await post('/mj/submit/imagine', { prompt: 'cat', notifyHook: 'http://127.0.0.1:1/nowhere' })).json.result;
    await proxy.notify(dead);
    expect(proxy.notifications.find((n) => n.taskId === dead)!.error).toBeTruthy();
  });
});

describe('offline (the playground takes a backend down)', () => {
  it('refuses connections while offline, keeps its tasks, and listens again on the same address; dropTimelines and onRequest', async () => {
    await start({ apiKey: KEY, advance: 'manual' });
    const seen: string[] = [];
    const stop = proxy.onRequest((r) => seen.push(`${r.method} ${r.route} ${r.status}`));
    proxy.nextTimeline('failure');
    proxy.dropTimelines();
    const id = (await post('/mj/submit/imagine', { prompt: 'a fox' })).json.result;
    proxy.finish(id);
    const url = proxy.baseUrl;
    await proxy.setOffline(true);
    expect(proxy.offline).toBe(true);
    await expect(fetch(`${url}/mj/task/${id}/fetch`, { headers: AUTH })).rejects.toThrow();
    await proxy.setOffline(false);
    expect(proxy.offline).toBe(false);
    expect(proxy.baseUrl).toBe(url);
    // The dropped script did not apply: the job succeeded.
    expect((await fetchTask(id)).json.status).toBe('SUCCESS');
    stop();
    await fetchTask(id);
    expect(seen).toEqual(['POST /mj/submit/imagine 200', `GET /mj/task/{id}/fetch 200`.replace('{id}', id)]);
    // close() works offline too.
    await proxy.setOffline(true);
  });
});
