// The proxy client (real undici) against the fake proxy over real HTTP on 127.0.0.1: every
// endpoint with the seeds' shapes, every failure the fake can produce, auth styles and mode paths.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ProxyClient, type AuthStyle, type ProxyClientOptions } from '../../src/proxy/client.ts';
import { mayRetry, ProxyError, type ProxyErrorCode, type ProxyErrorContext } from '../../src/proxy/errors.ts';
import {
  DEFAULT_FAIL_REASON,
  DISCORD_INSTANCE_ID,
  describePrompts,
  seedFor,
  startFakeProxy,
  type FakeProxy,
  type FakeProxyOptions,
} from '../../stand-ins/fake-proxy.ts';
import { must } from '../helpers/must.ts';

const KEY = 'sk-mjbot-9f8e7d6c5b4a-secret';
const PNG =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const TASK_ID = /^\d{16}$/;

let proxy: FakeProxy;
const clients: ProxyClient[] = [];
const extraFakes: FakeProxy[] = [];

function client(opts: Partial<ProxyClientOptions> = {}): ProxyClient {
  const c = new ProxyClient({ baseUrl: proxy.baseUrl, apiKey: KEY, authStyle: 'bearer', timeoutMs: 2000, retryDelaysMs: [], ...opts });
  clients.push(c);
  return c;
}

async function fake(options: FakeProxyOptions): Promise<FakeProxy> {
  const f = await startFakeProxy(options);
  extraFakes.push(f);
  return f;
}

const servers: http.Server[] = [];

/** A server that answers every request with one status and body: shapes of real deployments the fake does not make. */
async function scripted(status: number, body: string): Promise<string> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(status, { 'content-type': 'application/json' }).end(body));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Everything an error could show a log line or a reply: message, stack, context, cause. */
function assertNoKey(err: ProxyError): void {
  const dump = [
    JSON.stringify(err),
    JSON.stringify({ message: err.message, context: err.context, cause: err.cause }),
    String(err.stack),
    inspect(err, { depth: 10 }),
  ].join('\n');
  expect(dump).not.toContain(KEY);
  expect(dump).not.toContain('9f8e7d6c5b4a');
}

/** Awaits a rejection and checks it is the ProxyError we expect (and that it does not carry the key). */
async function rejects(p: Promise<unknown>, code: ProxyErrorCode, context: Partial<ProxyErrorContext> = {}): Promise<ProxyError> {
  const err = await p.then(
    (v) => {
      throw new Error(`expected ProxyError ${code}, resolved with ${JSON.stringify(v)}`);
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProxyError);
  const pe = err as ProxyError;
  expect({ code: pe.code, context: pe.context }).toMatchObject({ code, context });
  expect(pe.message.startsWith(code)).toBe(true);
  assertNoKey(pe);
  return pe;
}

/** A finished (SUCCESS) task on the fake and its buttons' customIds. */
function finishedTask(action = 'IMAGINE'): { id: string; customIds: string[]; firstCustomId: string; hash: string } {
  const id = proxy.addTask({ action, prompt: 'a red fox in snow --ar 3:2' });
  const json = proxy.getTask(id);
  const customIds: string[] = json.buttons.map((b: { customId: string }) => b.customId);
  return { id, customIds, firstCustomId: must(customIds[0], `a button on the finished ${action}`), hash: json.properties.messageHash };
}

/** The last request the fake recorded for a route. */
function lastRequest(route: string) {
  const r = [...proxy.requests].reverse().find((x) => x.route === route);
  if (!r) throw new Error(`no request to ${route}; saw ${proxy.requests.map((x) => x.path).join(', ')}`);
  return r;
}

/** A raw look at the wire, to prove a quirk is really on before asserting the client copes. */
async function rawText(path: string, init: RequestInit = {}): Promise<string> {
  const res = await fetch(proxy.baseUrl + path, { ...init, headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' } });
  return res.text();
}

beforeAll(async () => {
  proxy = await startFakeProxy({ apiKey: KEY });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(extraFakes.splice(0).map((f) => f.close()));
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  proxy.reset();
});

afterAll(async () => {
  await proxy.close();
});

describe('submit endpoints', () => {
  it('submitImagine sends the seed request and reads the SubmitResultVO', async () => {
    const out = await client().submitImagine({ prompt: 'a red fox in snow --ar 3:2', base64Array: [PNG], botType: 'NIJI_JOURNEY', state: 'g:1:c:2' });
    expect(out).toMatchObject({ kind: 'accepted', raw: { code: 1, description: 'Submit success' } });
    expect(out.taskId).toMatch(TASK_ID);
    expect(out.taskIds).toEqual([out.taskId]);
    expect(out.raw.properties.discordInstanceId).toBe(DISCORD_INSTANCE_ID);

    const req = lastRequest('/mj/submit/imagine');
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/mj/submit/imagine');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers.accept).toBe('application/json');
    expect(req.body).toEqual({ prompt: 'a red fox in snow --ar 3:2', base64Array: [PNG], botType: 'NIJI_JOURNEY', state: 'g:1:c:2' });
    const task = proxy.getTask(out.taskId);
    expect(task).toMatchObject({ action: 'IMAGINE', botType: 'NIJI_JOURNEY', state: 'g:1:c:2', status: 'SUBMITTED' });
  });

  it('submitAction presses a button of a finished task', async () => {
    const parent = finishedTask();
    const u2 = parent.customIds.find((c) => c.startsWith('MJ::JOB::upsample::2::'))!;
    const out = await client().submitAction({ taskId: parent.id, customId: u2, state: 's' });
    expect(out.kind).toBe('accepted');
    expect(out.taskId).toMatch(TASK_ID);
    expect(out.taskId).not.toBe(parent.id);
    expect(lastRequest('/mj/submit/action').body).toEqual({ taskId: parent.id, customId: u2, state: 's' });
    expect(proxy.tasks.get(out.taskId)).toMatchObject({ parentId: parent.id, index: 2, json: { action: 'UPSCALE', customId: u2 } });
  });

  it('submitAction answering code 21 is a modal, and submitModal confirms it', async () => {
    const parent = finishedTask();
    const v1 = parent.customIds.find((c) => c.startsWith('MJ::JOB::variation::1::'))!;
    const modal = await client().submitAction({ taskId: parent.id, customId: v1, enableRemix: true });
    expect(modal).toMatchObject({ kind: 'modal', finalPrompt: 'a red fox in snow --ar 3:2', raw: { code: 21, description: 'Waiting for window confirm' } });
    expect(proxy.getTask(modal.taskId).status).toBe('MODAL');

    const confirmed = await client().submitModal({ taskId: modal.taskId, prompt: 'a red fox in snow, dusk --ar 3:2' });
    expect(confirmed).toMatchObject({ kind: 'accepted', taskId: modal.taskId, raw: { code: 1 } });
    expect(lastRequest('/mj/submit/modal').body).toEqual({ taskId: modal.taskId, prompt: 'a red fox in snow, dusk --ar 3:2' });
    expect(proxy.getTask(modal.taskId)).toMatchObject({ status: 'SUBMITTED', prompt: 'a red fox in snow, dusk --ar 3:2' });
  });

  it('submitModal sends the Vary (Region) mask', async () => {
    const upscale = finishedTask('UPSCALE');
    const region = upscale.customIds.find((c) => c.startsWith('MJ::Inpaint::'))!;
    const modal = await client().submitAction({ taskId: upscale.id, customId: region });
    expect(modal).toMatchObject({ kind: 'modal', raw: { code: 21 } });
    const out = await client().submitModal({ taskId: modal.taskId, prompt: 'a blue fox', maskBase64: PNG });
    expect(out).toMatchObject({ kind: 'accepted', taskId: modal.taskId });
    expect(proxy.getTask(modal.taskId).maskBase64).toBe(PNG);
  });

  it('submitBlend sends 2–5 images and the dimensions', async () => {
    const out = await client().submitBlend({ base64Array: [PNG, PNG], dimensions: 'LANDSCAPE' });
    expect(out.kind).toBe('accepted');
    expect(lastRequest('/mj/submit/blend').body).toEqual({ base64Array: [PNG, PNG], dimensions: 'LANDSCAPE' });
    const task = proxy.getTask(out.taskId);
    expect(task.action).toBe('BLEND');
    expect(task.properties.finalPrompt).toMatch(/--ar 3:2$/);
  });

  it('submitDescribe (data URL or link) and the four prompts of its result', async () => {
    const c = client();
    const out = await c.submitDescribe({ base64: PNG });
    expect(out.kind).toBe('accepted');
    proxy.finish(out.taskId);
    const task = (await c.fetchTask(out.taskId))!;
    expect(task).toMatchObject({ id: out.taskId, action: 'DESCRIBE', status: 'SUCCESS', progress: '100%' });
    for (const p of describePrompts()) expect(task.promptEn).toContain(p);
    expect(task.promptEn.startsWith('1️⃣ ')).toBe(true);
    expect(task.properties.finalPrompt).toBe(task.promptEn);
    expect(task.buttons.map((b) => b.customId)).toEqual([
      'MJ::Job::PicReader::1',
      'MJ::Job::PicReader::2',
      'MJ::Job::PicReader::3',
      'MJ::Job::PicReader::4',
      'MJ::Picread::Retry',
      'MJ::Job::PicReader::all',
    ]);
    expect(task.imageUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/attachments\//);

    const byLink = await c.submitDescribe({ link: 'https://example.com/fox.png' });
    expect(byLink.kind).toBe('accepted');
    expect(lastRequest('/mj/submit/describe').body).toEqual({ link: 'https://example.com/fox.png' });
  });

  it('submitShorten: the result text is in description and finalPrompt', async () => {
    const c = client();
    const out = await c.submitShorten({ prompt: 'a very detailed red fox sitting in deep snow' });
    expect(out.kind).toBe('accepted');
    proxy.finish(out.taskId);
    const task = (await c.fetchTask(out.taskId))!;
    expect(task).toMatchObject({ action: 'SHORTEN', status: 'SUCCESS', imageUrl: null });
    expect(task.description).toMatch(/^## Important tokens\n[\s\S]*## Shortened prompts\n1️⃣ /);
    expect(task.properties.finalPrompt).toBe(task.description);
    expect(task.buttons.map((b) => b.customId)).toContain('MJ::Job::PromptAnalyzer::5');
  });

  it('submitVideo: properties absent in the answer; videoUrls on the result', async () => {
    const c = client();
    const out = await c.submitVideo({ prompt: 'the fox runs', image: PNG, motion: 'high' });
    expect(out).toMatchObject({ kind: 'accepted', raw: { code: 1, description: 'Submit Success', properties: {} } });
    expect(lastRequest('/mj/submit/video').body).toEqual({ prompt: 'the fox runs', image: PNG, motion: 'high' });
    proxy.finish(out.taskId);
    const task = (await c.fetchTask(out.taskId))!;
    expect(task).toMatchObject({ action: 'VIDEO', status: 'SUCCESS' });
    expect(task.videoUrls).toHaveLength(4);
    for (const u of task.videoUrls) expect(u).toMatch(/\.mp4$/);
    expect(task.videoUrl).toBeNull(); // the seed's videoUrl is "" until set
    expect(task.imageUrls).toEqual([]); // the seed's imageUrls is null
  });

  it('submitVideo extend of a missing parent is NOT_FOUND (HTTP 404 with code 3)', async () => {
    await rejects(client().submitVideo({ prompt: 'more', action: 'extend', taskId: '1700000000000000', index: 1 }), 'NOT_FOUND', {
      route: '/mj/submit/video',
      status: 404,
      proxyCode: 3,
      description: '关联任务不存在或已失效',
    });
  });

  it('submitEdits: four images on the result', async () => {
    const c = client();
    const out = await c.submitEdits({ prompt: 'make it winter', image: PNG });
    expect(out).toMatchObject({ kind: 'accepted', raw: { description: 'Submit Success' } });
    proxy.finish(out.taskId);
    const task = (await c.fetchTask(out.taskId))!;
    expect(task).toMatchObject({ action: 'EDITS', status: 'SUCCESS' });
    expect(task.imageUrls).toHaveLength(4);
    expect(task.imageUrl).toMatch(/grid_0\.png\?ex=/);
  });

  it('submitSwapFace: source and target faces', async () => {
    const out = await client().submitSwapFace({ sourceBase64: PNG, targetUrl: 'https://example.com/target.png' });
    expect(out.kind).toBe('accepted');
    expect(lastRequest('/mj/insight-face/swap').body).toEqual({ sourceBase64: PNG, targetUrl: 'https://example.com/target.png' });
    expect(proxy.getTask(out.taskId)).toMatchObject({ action: 'SWAP_FACE', botType: 'INSIGHT_FACE' });
  });

  it('Imagine all answers several ids in one result', async () => {
    const c = client();
    const d = await c.submitDescribe({ base64: PNG });
    proxy.finish(d.taskId);
    const out = await c.submitAction({ taskId: d.taskId, customId: 'MJ::Job::PicReader::all' });
    expect(out.kind).toBe('accepted');
    expect(out.taskIds).toHaveLength(4);
    for (const id of out.taskIds) expect(proxy.getTask(id)?.action).toBe('IMAGINE');
    expect(out.taskId).toBe(out.taskIds[0]);
  });
});

describe('task endpoints', () => {
  it('fetchTask follows a task from SUBMITTED to SUCCESS with the seed fields', async () => {
    const c = client();
    const { taskId } = await c.submitImagine({ prompt: 'a red fox' });
    const seen = [];
    for (let i = 0; i < 5; i++) seen.push((await c.fetchTask(taskId))!);
    expect(seen.map((t) => [t.status, t.progress])).toEqual([
      ['SUBMITTED', '0%'],
      ['IN_PROGRESS', '15%'],
      ['IN_PROGRESS', '46%'],
      ['IN_PROGRESS', '78%'],
      ['SUCCESS', '100%'],
    ]);
    expect(seen[0]).toMatchObject({ startTime: null, finishTime: null, imageUrl: null, failReason: null, buttons: [] });
    expect(seen[3]!.imageUrl).toMatch(/_grid_0\.webp$/);
    const done = seen[4]!;
    expect(done).toMatchObject({ id: taskId, action: 'IMAGINE', prompt: 'a red fox', description: 'Submit success' });
    expect(done.submitTime).toBeGreaterThan(0);
    expect(done.finishTime).toBeGreaterThanOrEqual(done.startTime!);
    expect(done.imageUrl).toMatch(/grid_0\.png\?ex=/);
    expect(done.buttons.map((b) => b.label)).toEqual(['U1', 'U2', 'U3', 'U4', '', 'V1', 'V2', 'V3', 'V4']);
    expect(done.buttons[4]).toMatchObject({ emoji: '🔄', type: 2, style: 2 });
    expect(done.properties.messageHash).toMatch(/^[0-9a-f-]{36}$/);
    expect(lastRequest(`/mj/task/${taskId}/fetch`)).toMatchObject({ method: 'GET', body: undefined });
  });

  it('fetchTask of a failed task: progress "" and the failReason', async () => {
    const c = client();
    proxy.nextTimeline('failure');
    const { taskId } = await c.submitImagine({ prompt: 'a red fox' });
    proxy.finish(taskId);
    expect(await c.fetchTask(taskId)).toMatchObject({ status: 'FAILURE', progress: '', failReason: DEFAULT_FAIL_REASON });
  });

  it('listTasks returns the known tasks and omits unknown ids; no ids → no request', async () => {
    const c = client();
    const a = finishedTask();
    const b = finishedTask('UPSCALE');
    const list = await c.listTasks([a.id, '1700000000000999', b.id]);
    expect(list.map((t) => [t.id, t.action, t.status])).toEqual([
      [a.id, 'IMAGINE', 'SUCCESS'],
      [b.id, 'UPSCALE', 'SUCCESS'],
    ]);
    expect(lastRequest('/mj/task/list-by-condition').body).toEqual({ ids: [a.id, '1700000000000999', b.id] });
    const before = proxy.requests.length;
    expect(await c.listTasks([])).toEqual([]);
    expect(proxy.requests.length).toBe(before);
  });

  it('fetchImageSeed: the seed of a finished task; NOT_FOUND and VALIDATION otherwise', async () => {
    const c = client();
    const done = finishedTask();
    expect(await c.fetchImageSeed(done.id)).toBe(seedFor(done.hash));
    await rejects(c.fetchImageSeed('1700000000000001'), 'NOT_FOUND', {
      route: '/mj/task/1700000000000001/image-seed',
      status: 404,
      proxyCode: 3,
    });
    proxy.nextTimeline('never');
    const running = await c.submitImagine({ prompt: 'a red fox' });
    await rejects(c.fetchImageSeed(running.taskId), 'VALIDATION', { status: 400, proxyCode: 4 });
  });

  it('cancelTask cancels a running task; finished and unknown tasks are errors', async () => {
    const c = client();
    proxy.nextTimeline('never');
    const { taskId } = await c.submitImagine({ prompt: 'a red fox' });
    await expect(c.cancelTask(taskId)).resolves.toBeUndefined();
    expect(lastRequest(`/mj/task/${taskId}/cancel`).method).toBe('POST');
    expect(proxy.getTask(taskId)).toMatchObject({ status: 'FAILURE', failReason: '取消任务' });
    await rejects(c.cancelTask(taskId), 'VALIDATION', { route: `/mj/task/${taskId}/cancel`, status: 200, proxyCode: 4 });
    await rejects(c.cancelTask('1700000000000002'), 'NOT_FOUND', { status: 404, proxyCode: 3 });
  });

  it.each(['empty200', '204', '404', 'newapi400'] as const)('fetchTask of an unknown task (%s style) is null', async (style) => {
    proxy.setQuirks({ unknownTaskStyle: style });
    expect(await client().fetchTask('1700000000000003')).toBeNull();
    const expected = { empty200: 200, '204': 204, '404': 404, newapi400: 400 }[style];
    expect(lastRequest('/mj/task/1700000000000003/fetch').status).toBe(expected);
  });

  it('listTasks on a backend without list-by-condition is UNSUPPORTED', async () => {
    proxy.setQuirks({ noListByCondition: true });
    await rejects(client().listTasks(['1700000000000004']), 'UNSUPPORTED', { route: '/mj/task/list-by-condition', status: 404 });
  });

  it('listTasks with more ids than the backend allows is VALIDATION', async () => {
    proxy.setQuirks({ listMax: 1 });
    await rejects(client().listTasks(['1700000000000004', '1700000000000005']), 'VALIDATION', { status: 400, proxyCode: 4 });
  });
});

describe("the proxy's codes", () => {
  it('code 24 is BANNED_PROMPT with the banned word', async () => {
    await rejects(client().submitImagine({ prompt: 'a banned fox' }), 'BANNED_PROMPT', {
      route: '/mj/submit/imagine',
      status: 200,
      proxyCode: 24,
      description: '可能包含敏感词',
      bannedWord: 'banned',
    });
    proxy.setQuirks({ bannedPrompt: 'Fox' });
    await rejects(client().submitShorten({ prompt: 'a red fox' }), 'BANNED_PROMPT', { proxyCode: 24, bannedWord: 'Fox' });
  });

  it('code 24 on the modal prompt', async () => {
    const c = client();
    const parent = finishedTask();
    const v1 = parent.customIds.find((x) => x.startsWith('MJ::JOB::variation::1::'))!;
    const modal = await c.submitAction({ taskId: parent.id, customId: v1, enableRemix: true });
    await rejects(c.submitModal({ taskId: modal.taskId, prompt: 'a banned fox' }), 'BANNED_PROMPT', {
      route: '/mj/submit/modal',
      proxyCode: 24,
      bannedWord: 'banned',
    });
  });

  it('code 23 and trueai code 9 "队列已满" are QUEUE_FULL; another code 9 is FAILURE', async () => {
    proxy.setQuirks({ queueFull: true });
    await rejects(client().submitImagine({ prompt: 'a red fox' }), 'QUEUE_FULL', { proxyCode: 23, description: '队列已满，请稍后尝试' });
    proxy.setQuirks({ queueFull: false, queueFullTrueai: true });
    const e = await rejects(client().submitBlend({ base64Array: [PNG, PNG] }), 'QUEUE_FULL', { route: '/mj/submit/blend', proxyCode: 9 });
    // The proxy refused the job: sending it again cannot run it twice.
    expect(mayRetry(e, 'submit')).toBe(true);
    proxy.reset();
    proxy.nextTimeline({ steps: [], submitCode: 9, submitDescription: '提交失败，系统异常' });
    await rejects(client().submitImagine({ prompt: 'a red fox' }), 'FAILURE', { proxyCode: 9, description: '提交失败，系统异常' });
  });

  it('other codes: 3 without an account, 4 limits, 5 relay transport, 30 saturated (HTTP 429)', async () => {
    const c = client();
    const tasksBefore = proxy.tasks.size;
    proxy.nextTimeline({ steps: [], submitCode: 3 });
    await rejects(c.submitImagine({ prompt: 'a' }), 'NO_ACCOUNT', { proxyCode: 3, description: '无可用的账号实例' });
    proxy.nextTimeline({ steps: [], submitCode: 4, submitDescription: '用户今日绘图次数已达上限' });
    await rejects(c.submitImagine({ prompt: 'a' }), 'QUOTA', { proxyCode: 4 });
    proxy.nextTimeline({ steps: [], submitCode: 4, submitDescription: 'prompt不能为空' });
    await rejects(c.submitImagine({ prompt: 'a' }), 'VALIDATION', { proxyCode: 4 });
    proxy.nextTimeline({ steps: [], submitCode: 5, submitDescription: 'do_request_failed' });
    await rejects(c.submitImagine({ prompt: 'a' }), 'UNAVAILABLE', { proxyCode: 5 });
    proxy.nextTimeline({ steps: [], submitCode: 30 });
    await rejects(c.submitImagine({ prompt: 'a' }), 'RATE_LIMITED', { status: 429, proxyCode: 30 });
    expect(proxy.tasks.size).toBe(tasksBefore); // an error answer creates no task
  });

  it('code 22 is queued with the queue position', async () => {
    proxy.nextTimeline('queued');
    const out = await client().submitImagine({ prompt: 'a red fox' });
    expect(out).toMatchObject({ kind: 'queued', queuePosition: 2, raw: { code: 22, description: '排队中，前面还有2个任务' } });
    expect(out.taskId).toMatch(TASK_ID);
    const parent = finishedTask();
    proxy.nextTimeline({ steps: [{ status: 'NOT_START' }], submitCode: 22, numberOfQueues: 7 });
    expect(await client().submitAction({ taskId: parent.id, customId: parent.firstCustomId })).toMatchObject({ kind: 'queued', queuePosition: 7 });
  });

  it('a relay that rewrites 22 to 1 is still queued (from properties, or from the description alone)', async () => {
    proxy.setQuirks({ relayRewrite22: true });
    proxy.nextTimeline('queued');
    const out = await client().submitImagine({ prompt: 'a red fox' });
    expect(out).toMatchObject({ kind: 'queued', queuePosition: 2, raw: { code: 1, description: 'In queue, there are 2 tasks ahead' } });

    proxy.setQuirks({ nullProperties: true });
    proxy.nextTimeline({ steps: [{ status: 'NOT_START' }], submitCode: 22, numberOfQueues: 3 });
    const bare = await client().submitImagine({ prompt: 'a red fox' });
    expect(bare).toMatchObject({ kind: 'queued', queuePosition: 3, raw: { code: 1, properties: {} } });
  });

  it('a relay that rewrites 21 to 1 is still a modal; Inpaint and CustomZoom keep 21', async () => {
    proxy.setQuirks({ relayRewrite21: true, remix: true });
    const c = client();
    const parent = finishedTask();
    const reroll = parent.customIds.find((x) => x.startsWith('MJ::JOB::reroll::'))!;
    const out = await c.submitAction({ taskId: parent.id, customId: reroll });
    expect(out).toMatchObject({ kind: 'modal', finalPrompt: 'a red fox in snow --ar 3:2', raw: { code: 1, description: 'Waiting for window confirm' } });
    expect(proxy.getTask(out.taskId).status).toBe('MODAL');

    const upscale = finishedTask('UPSCALE');
    const zoom = upscale.customIds.find((x) => x.startsWith('MJ::CustomZoom::'))!;
    expect(await c.submitAction({ taskId: upscale.id, customId: zoom })).toMatchObject({ kind: 'modal', raw: { code: 21 } });

    proxy.setQuirks({ nullProperties: true });
    const bare = await c.submitAction({ taskId: parent.id, customId: parent.customIds.find((x) => x.startsWith('MJ::JOB::variation::2::'))! });
    expect(bare).toMatchObject({ kind: 'modal', finalPrompt: null, raw: { code: 1 } });
  });

  it('novicezk code 21 "任务已存在" is a plain acceptance', async () => {
    proxy.nextTimeline({ steps: [{ status: 'SUCCESS' }], submitCode: 21, submitDescription: '任务已存在' });
    expect(await client().submitImagine({ prompt: 'a red fox' })).toMatchObject({ kind: 'accepted', raw: { code: 21 } });
  });

  it('an action on a missing parent is NOT_FOUND (HTTP 404 with code 3), as is a modal for a missing task', async () => {
    const c = client();
    await rejects(c.submitAction({ taskId: '1700000000000006', customId: 'MJ::JOB::upsample::1::x' }), 'NOT_FOUND', {
      route: '/mj/submit/action',
      status: 404,
      proxyCode: 3,
      description: '关联任务不存在或已失效',
    });
    await rejects(c.submitModal({ taskId: '1700000000000007', prompt: 'x' }), 'NOT_FOUND', { route: '/mj/submit/modal', status: 404, proxyCode: 3 });
  });

  it('an unknown action (code 4 "未知的 Action 类型") is UNSUPPORTED; an unfinished parent is VALIDATION', async () => {
    const c = client();
    proxy.setQuirks({ rejectActions: ['BOOKMARK'] });
    const upscale = finishedTask('UPSCALE');
    const bookmark = upscale.customIds.find((x) => x.startsWith('MJ::BOOKMARK::'))!;
    await rejects(c.submitAction({ taskId: upscale.id, customId: bookmark }), 'UNSUPPORTED', {
      route: '/mj/submit/action',
      status: 200,
      proxyCode: 4,
      description: '未知的 Action 类型',
    });
    const other = finishedTask(); // a customId that is not one of the parent's buttons
    await rejects(c.submitAction({ taskId: upscale.id, customId: other.firstCustomId }), 'UNSUPPORTED', { proxyCode: 4 });
    proxy.nextTimeline('never');
    const running = await c.submitImagine({ prompt: 'a red fox' });
    await rejects(c.submitAction({ taskId: running.taskId, customId: upscale.firstCustomId }), 'VALIDATION', {
      proxyCode: 4,
      description: '关联任务状态错误',
    });
  });
});

describe('relay tolerance', () => {
  it('numeric ids become exact strings', async () => {
    proxy.setQuirks({ numericIds: true });
    const done = finishedTask();
    expect(await rawText(`/mj/task/${done.id}/fetch`)).toContain(`"id":${done.id},`); // the quirk is on
    const c = client();
    const out = await c.submitImagine({ prompt: 'a red fox' });
    expect(out.taskId).toMatch(TASK_ID);
    expect(proxy.tasks.has(out.taskId)).toBe(true);
    expect((await c.fetchTask(done.id))!.id).toBe(done.id);
    expect((await c.listTasks([done.id, out.taskId])).map((t) => t.id)).toEqual([done.id, out.taskId]);
  });

  it('status "" (a relay before its first sync) is NOT_START; 0 times are null', async () => {
    proxy.setQuirks({ emptyStatusFirst: true, zeroTimes: true });
    const c = client();
    const { taskId } = await c.submitImagine({ prompt: 'a red fox' });
    expect(await c.fetchTask(taskId)).toMatchObject({ status: 'NOT_START', startTime: null, finishTime: null });
    expect(await c.fetchTask(taskId)).toMatchObject({ status: 'SUBMITTED', progress: '0%' });
  });

  it('"properties": null in a submit result reads as {}', async () => {
    proxy.setQuirks({ nullProperties: true });
    expect(await client().submitImagine({ prompt: 'a red fox' })).toMatchObject({ kind: 'accepted', raw: { properties: {} } });
  });
});

describe('transport failures', () => {
  /** One call of each kind, all of which must fail the same way. */
  function everyKindOfCall(c: ProxyClient): Array<[string, Promise<unknown>]> {
    const calls: Array<[string, Promise<unknown>]> = [
      ['/mj/submit/imagine', c.submitImagine({ prompt: 'a red fox' })],
      ['/mj/task/1700000000000008/fetch', c.fetchTask('1700000000000008')],
      ['/mj/task/list-by-condition', c.listTasks(['1700000000000008'])],
      ['/mj/task/1700000000000008/image-seed', c.fetchImageSeed('1700000000000008')],
      ['/mj/task/1700000000000008/cancel', c.cancelTask('1700000000000008')],
    ];
    // All in flight at once and checked one after the other: a later one may fail before it is checked.
    for (const [, p] of calls) p.catch(() => undefined);
    return calls;
  }

  it('401 with an empty body is UNAUTHORIZED on every endpoint', async () => {
    proxy.setQuirks({ unauthorized: true });
    for (const [route, p] of everyKindOfCall(client())) await rejects(p, 'UNAUTHORIZED', { route, status: 401 });
  });

  it('a wrong key is UNAUTHORIZED', async () => {
    await rejects(client({ apiKey: 'sk-wrong' }).submitImagine({ prompt: 'a' }), 'UNAUTHORIZED', { status: 401 });
    expect(lastRequest('/mj/submit/imagine').status).toBe(401);
  });

  it.each([500, 502, 503])('an nginx %i page is HTTP_5XX on every endpoint', async (status) => {
    proxy.setQuirks({ status5xx: status });
    for (const [route, p] of everyKindOfCall(client())) {
      const e = await rejects(p, 'HTTP_5XX', { route, status });
      expect(e.context.proxyCode).toBeUndefined();
      // A read is sent again; a submit is not (the proxy may have taken the job before it failed).
      expect(mayRetry(e, 'read')).toBe(true);
      expect(mayRetry(e, 'submit')).toBe(false);
    }
  });

  it('a reset connection is UNAVAILABLE, with only the error name and code as cause', async () => {
    proxy.setQuirks({ resetConnection: true });
    for (const [route, p] of everyKindOfCall(client())) {
      // A submit reset after it was sent may have reached the proxy: not a plain failure.
      if (route.startsWith('/mj/submit/')) {
        const e = await rejects(p, 'POSSIBLY_TAKEN', { route, searchable: false });
        expect(e.cause).toEqual({ name: 'ProxyError', code: 'UNAVAILABLE' });
        continue;
      }
      const e = await rejects(p, 'UNAVAILABLE', { route });
      expect(e.context.status).toBeUndefined();
      expect(Object.keys(e.cause as object).sort()).toEqual(['code', 'name']);
      expect((e.cause as { code?: string }).code).toMatch(/^UND_ERR_|^ECONNRESET$/);
    }
    expect(lastRequest('/mj/submit/imagine').status).toBe(0);
  });

  it('truncated JSON is MALFORMED on every endpoint', async () => {
    proxy.setQuirks({ malformedJson: true });
    for (const [route, p] of everyKindOfCall(client())) await rejects(p, 'MALFORMED', { route, status: 200 });
  });

  it('an empty 200 body is MALFORMED, except for fetch ("unknown task", novicezk) and cancel (trueai answers Ok())', async () => {
    proxy.setQuirks({ emptyBody: true });
    const c = client();
    for (const [route, p] of everyKindOfCall(c)) {
      if (route.endsWith('/fetch')) expect(await p).toBeNull();
      else if (route.endsWith('/cancel')) expect(await p).toBeUndefined();
      else await rejects(p, 'MALFORMED', { route, status: 200 });
    }
  });

  it('a slow proxy is TIMEOUT after timeoutMs (a submit POSSIBLY_TAKEN after submitTimeoutMs), and a per-call timeoutMs overrides it', async () => {
    proxy.setQuirks({ slowMs: 300 });
    const c = client({ timeoutMs: 50, submitTimeoutMs: 50 });
    const t0 = Date.now();
    await rejects(c.submitImagine({ prompt: 'a red fox' }), 'POSSIBLY_TAKEN', { route: '/mj/submit/imagine' });
    await rejects(c.fetchTask('1700000000000009'), 'TIMEOUT', { route: '/mj/task/1700000000000009/fetch' });
    await rejects(c.fetchImageSeed('1700000000000009', { timeoutMs: 50 }), 'TIMEOUT');
    expect(Date.now() - t0).toBeLessThan(290 * 3);
    const done = finishedTask();
    expect(await c.fetchTask(done.id, { timeoutMs: 2000 })).toMatchObject({ id: done.id, status: 'SUCCESS' });
  });

  it('a proxy that is not listening is UNAVAILABLE', async () => {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const c = client({ baseUrl: `http://127.0.0.1:${port}` });
    const e = await rejects(c.submitImagine({ prompt: 'a red fox' }), 'UNAVAILABLE', { route: '/mj/submit/imagine' });
    expect(e.cause).toEqual({ name: expect.any(String), code: 'ECONNREFUSED' });
    await rejects(c.fetchTask('1'), 'UNAVAILABLE', { route: '/mj/task/1/fetch' });
  });

  it('a body larger than maxBodyBytes is MALFORMED; a smaller one is read', async () => {
    const c = client({ maxBodyBytes: 400 });
    const out = await c.submitImagine({ prompt: 'a red fox' }); // ~170 bytes
    expect(out.kind).toBe('accepted');
    proxy.finish(out.taskId);
    expect((await rawText(`/mj/task/${out.taskId}/fetch`)).length).toBeGreaterThan(400);
    await rejects(c.fetchTask(out.taskId), 'MALFORMED', { route: `/mj/task/${out.taskId}/fetch`, status: 200, description: 'response too large' });
    // The pool still works after the aborted body.
    expect(await c.submitShorten({ prompt: 'a red fox' })).toMatchObject({ kind: 'accepted' });
  });

  it('the API key appears in no error: message, context, cause or stack', async () => {
    // `rejects` checks every error of this file; this gathers one of each kind, including those
    // whose cause comes from undici (reset, timeout, refused, a key undici refuses as a header value).
    const errors: ProxyError[] = [];
    const collect = (p: Promise<unknown>) => p.then(() => expect.unreachable(), (e: ProxyError) => void errors.push(e));
    proxy.setQuirks({ resetConnection: true });
    await collect(client().submitImagine({ prompt: 'a red fox' }));
    proxy.setQuirks({ resetConnection: false, slowMs: 200 });
    await collect(client({ timeoutMs: 30 }).fetchTask('1700000000000010'));
    proxy.setQuirks({ slowMs: 0, unauthorized: true });
    await collect(client({ authStyle: 'raw' }).listTasks(['1700000000000010']));
    proxy.setQuirks({ unauthorized: false, status5xx: 502 });
    await collect(client({ authStyle: 'mj-api-secret' }).cancelTask('1700000000000010'));
    proxy.setQuirks({ status5xx: null, malformedJson: true });
    await collect(client().fetchImageSeed('1700000000000010'));
    proxy.setQuirks({ malformedJson: false });
    await collect(client().submitAction({ taskId: '1700000000000010', customId: 'MJ::JOB::upsample::1::x' }));
    await collect(client({ baseUrl: 'http://127.0.0.1:1' }).submitImagine({ prompt: 'a red fox' }));
    await collect(client({ apiKey: `${KEY}\r\nx-injected: 1` }).submitImagine({ prompt: 'a red fox' }));
    expect(errors.map((e) => e.code)).toEqual(['POSSIBLY_TAKEN', 'TIMEOUT', 'UNAUTHORIZED', 'HTTP_5XX', 'MALFORMED', 'NOT_FOUND', 'UNAVAILABLE', 'UNAVAILABLE']);
    expect(proxy.requests.some((r) => r.headers['x-injected'] !== undefined)).toBe(false);
    for (const e of errors) {
      expect(e).toBeInstanceOf(ProxyError);
      assertNoKey(e);
    }
  });

  it('401/403 with a JSON body (trueai auth filters: code -1) is UNAUTHORIZED, not the body code', async () => {
    // The fake's 401 is novicezk's empty body; trueai's filters answer a Result JSON (api.md §1.4).
    const bodies: Array<[number, string]> = [
      [401, '{"success":false,"code":-1,"message":"请重新登录","timestamp":1730621826053}'],
      [403, '{"success":false,"code":-1,"message":"您无权限访问","timestamp":1730621826053}'],
      [401, 'Authorization header missing.'],
    ];
    for (const [status, body] of bodies) {
      const base = await scripted(status, body);
      const c = client({ baseUrl: base });
      await rejects(c.submitImagine({ prompt: 'a red fox' }), 'UNAUTHORIZED', { route: '/mj/submit/imagine', status });
      await rejects(c.fetchTask('1700000000000011'), 'UNAUTHORIZED', { status });
      await rejects(c.listTasks(['1700000000000011']), 'UNAUTHORIZED', { status });
      await rejects(c.cancelTask('1700000000000011'), 'UNAUTHORIZED', { status });
    }
  });
});

describe('auth styles', () => {
  const cases: Array<[AuthStyle, Record<string, string | undefined>]> = [
    ['bearer', { authorization: `Bearer ${KEY}`, 'mj-api-secret': undefined }],
    ['raw', { authorization: KEY, 'mj-api-secret': undefined }],
    ['mj-api-secret', { authorization: undefined, 'mj-api-secret': KEY }],
  ];

  it.each(cases)('%s: the one header that style sends, accepted by a backend that wants it', async (style, headers) => {
    const only = await fake({ apiKey: KEY, authStyles: [style] });
    const c = client({ baseUrl: only.baseUrl, authStyle: style });
    expect((await c.submitImagine({ prompt: 'a red fox' })).kind).toBe('accepted');
    const req = only.requests.at(-1)!;
    expect(req.status).toBe(200);
    expect({ authorization: req.headers.authorization, 'mj-api-secret': req.headers['mj-api-secret'] }).toEqual(headers);
  });

  it('a backend that wants another style answers 401: UNAUTHORIZED (trueai compares Authorization raw)', async () => {
    const trueai = await fake({ apiKey: KEY, authStyles: ['raw', 'mj-api-secret'] });
    await rejects(client({ baseUrl: trueai.baseUrl, authStyle: 'bearer' }).fetchTask('1'), 'UNAUTHORIZED', { status: 401 });
    const novicezk = await fake({ apiKey: KEY, authStyles: ['mj-api-secret'] });
    await rejects(client({ baseUrl: novicezk.baseUrl, authStyle: 'raw' }).submitImagine({ prompt: 'a' }), 'UNAUTHORIZED', { status: 401 });
  });

  it('a key pasted with its "Bearer " prefix is not doubled', async () => {
    const only = await fake({ apiKey: KEY, authStyles: ['bearer'] });
    const c = client({ baseUrl: only.baseUrl, authStyle: 'bearer', apiKey: `Bearer ${KEY}` });
    expect((await c.submitImagine({ prompt: 'a red fox' })).kind).toBe('accepted');
    expect(only.requests.at(-1)!.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it('an empty key sends no auth header', async () => {
    const open = await fake({ apiKey: null });
    const c = client({ baseUrl: open.baseUrl, apiKey: '' });
    expect((await c.submitImagine({ prompt: 'a red fox' })).kind).toBe('accepted');
    const h = open.requests.at(-1)!.headers;
    expect([h.authorization, h['mj-api-secret']]).toEqual([undefined, undefined]);
  });
});

describe('mode base URLs', () => {
  it('a `mode` option routes the call to that base URL; no mode uses the base URL', async () => {
    const c = client({ modeBaseUrls: { fast: `${proxy.baseUrl}/mj-fast`, relax: `${proxy.baseUrl}/mj-relax/` } });
    expect(c.modes).toEqual(['fast', 'relax']);

    const fast = await c.submitImagine({ prompt: 'a red fox' }, { mode: 'fast' });
    expect(lastRequest('/mj/submit/imagine')).toMatchObject({ path: '/mj-fast/mj/submit/imagine', mode: 'FAST' });
    expect(proxy.getTask(fast.taskId).mode).toBe('FAST');

    expect(await c.fetchTask(fast.taskId, { mode: 'relax' })).toMatchObject({ id: fast.taskId });
    expect(lastRequest(`/mj/task/${fast.taskId}/fetch`)).toMatchObject({ path: `/mj-relax/mj/task/${fast.taskId}/fetch`, mode: 'RELAX' });

    await c.listTasks([fast.taskId]);
    expect(lastRequest('/mj/task/list-by-condition')).toMatchObject({ path: '/mj/task/list-by-condition', mode: null });
  });

  it('a base URL with a mode prefix (and a trailing slash) keeps the prefix', async () => {
    const c = client({ baseUrl: `${proxy.baseUrl}/mj-turbo/` });
    const parent = finishedTask();
    await c.submitAction({ taskId: parent.id, customId: parent.firstCustomId });
    expect(lastRequest('/mj/submit/action')).toMatchObject({ path: '/mj-turbo/mj/submit/action', mode: 'TURBO', status: 200 });
  });
});

describe('audit against api.md: endpoints, shapes and codes', () => {
  it('submitChange / submitSimpleChange press U/V/R the novicezk way, with the fields of api.md §1.2', async () => {
    const c = client();
    const parent = finishedTask();
    const up = await c.submitChange({ taskId: parent.id, action: 'UPSCALE', index: 2, state: 's' });
    expect(lastRequest('/mj/submit/change')).toMatchObject({ method: 'POST', body: { taskId: parent.id, action: 'UPSCALE', index: 2, state: 's' } });
    expect(proxy.tasks.get(up.taskId)).toMatchObject({ parentId: parent.id, index: 2, json: { action: 'UPSCALE' } });

    const v = await c.submitSimpleChange({ content: `${parent.id} V1` });
    expect(lastRequest('/mj/submit/simple-change').body).toEqual({ content: `${parent.id} V1` });
    expect(proxy.getTask(v.taskId).action).toBe('VARIATION');
    const r = await c.submitSimpleChange({ content: `${parent.id} R` });
    expect(proxy.getTask(r.taskId).action).toBe('REROLL');

    proxy.nextTimeline('never');
    const running = await c.submitImagine({ prompt: 'a red fox' });
    await rejects(c.submitChange({ taskId: running.taskId, action: 'VARIATION', index: 1 }), 'VALIDATION', { route: '/mj/submit/change', proxyCode: 4 });
  });

  it('uploadDiscordImages answers the URLs (`result` is an array); submitRetexture posts the edits body to /retexture', async () => {
    const c = client();
    const urls = await c.uploadDiscordImages({ base64Array: [PNG, PNG] });
    expect(urls).toHaveLength(2);
    for (const u of urls) expect(u).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/attachments\/.+\.png$/);
    expect(lastRequest('/mj/submit/upload-discord-images').body).toEqual({ base64Array: [PNG, PNG] });
    await rejects(c.uploadDiscordImages({ base64Array: [] }), 'VALIDATION', { proxyCode: 4 });

    const out = await c.submitRetexture({ prompt: 'in watercolour', image: PNG });
    expect(out.kind).toBe('accepted');
    expect(lastRequest('/mj/submit/retexture').body).toEqual({ prompt: 'in watercolour', image: PNG });
  });

  it('submitVideo sends every field api.md lists (endImage, loop, videoType, batchSize) and an extend without a prompt', async () => {
    const c = client();
    const body = { prompt: 'the fox runs', image: PNG, endImage: PNG, motion: 'low', loop: false, videoType: 'vid_1.1_i2v_720', batchSize: 2, state: 'x' } as const;
    const out = await c.submitVideo(body);
    expect(lastRequest('/mj/submit/video').body).toEqual(body);
    proxy.finish(out.taskId);
    const ext = await c.submitVideo({ action: 'extend', taskId: out.taskId, index: 1, motion: 'high' });
    expect(lastRequest('/mj/submit/video').body).toEqual({ action: 'extend', taskId: out.taskId, index: 1, motion: 'high' });
    expect(proxy.tasks.get(ext.taskId)).toMatchObject({ parentId: out.taskId, json: { action: 'VIDEO', prompt: 'the fox runs' } });
    await rejects(c.submitVideo({ prompt: '', image: PNG }), 'VALIDATION', { proxyCode: 4, description: 'prompt不能为空' });
  });

  it('accountFilter, botType and the blend dimensions reach the wire under the proxy\'s names', async () => {
    const c = client();
    const accountFilter = { instanceId: DISCORD_INSTANCE_ID, modes: ['RELAX' as const], remix: true };
    await c.submitBlend({ base64Array: [PNG, PNG, PNG], dimensions: 'PORTRAIT', botType: 'NIJI_JOURNEY', accountFilter });
    expect(lastRequest('/mj/submit/blend').body).toEqual({ base64Array: [PNG, PNG, PNG], dimensions: 'PORTRAIT', botType: 'NIJI_JOURNEY', accountFilter });
    await c.submitDescribe({ base64: PNG, language: 'zh', botType: 'MID_JOURNEY' });
    expect(lastRequest('/mj/submit/describe').body).toEqual({ base64: PNG, language: 'zh', botType: 'MID_JOURNEY' });
    await rejects(c.submitBlend({ base64Array: [PNG] }), 'VALIDATION', { description: 'base64List参数错误' });
    await rejects(c.submitBlend({ base64Array: [PNG, PNG, PNG, PNG, PNG, PNG] }), 'VALIDATION', { proxyCode: 4 });
  });

  it('a base URL naming the /mj prefix itself (with or without a mode, a slash or a query) does not double it', async () => {
    const parent = finishedTask();
    await client({ baseUrl: `${proxy.baseUrl}/mj/` }).submitImagine({ prompt: 'a red fox' });
    expect(lastRequest('/mj/submit/imagine')).toMatchObject({ path: '/mj/submit/imagine', status: 200 });
    await client({ baseUrl: `${proxy.baseUrl}/mj-relax/mj` }).fetchTask(parent.id);
    expect(lastRequest(`/mj/task/${parent.id}/fetch`)).toMatchObject({ path: `/mj-relax/mj/task/${parent.id}/fetch`, mode: 'RELAX', status: 200 });
    const c = client({ baseUrl: `${proxy.baseUrl}/?vendor=1`, modeBaseUrls: { fast: `${proxy.baseUrl}/fast/mj/` } });
    await c.submitShorten({ prompt: 'a red fox' }, { mode: 'fast' });
    expect(lastRequest('/mj/submit/shorten')).toMatchObject({ path: '/fast/mj/submit/shorten', mode: 'FAST', status: 200 });
    await c.listTasks([parent.id]);
    expect(lastRequest('/mj/task/list-by-condition')).toMatchObject({ path: '/mj/task/list-by-condition', query: '?vendor=1', status: 200 });
    for (const r of proxy.requests) expect(r.path).not.toMatch(/\/\/|\/mj\/mj\//);
  });

  it('codes by description: no instance / a disabled relay channel is NO_ACCOUNT; "remix off" is VALIDATION, not UNSUPPORTED', async () => {
    const c = client();
    const cases: Array<[number, string, ProxyErrorCode]> = [
      [4, '实例不存在或不可用', 'NO_ACCOUNT'], // trueai upload-discord-images
      [4, '该任务所属渠道已被禁用', 'NO_ACCOUNT'], // new-api
      [3, '账号不可用: 1300842676874379336', 'NO_ACCOUNT'],
      [3, '未找到 seed', 'NOT_FOUND'],
      [4, '当前账号不支持 remix，请开启 remix 功能', 'VALIDATION'],
      [4, '当前账号不支持编辑/重绘任务', 'UNSUPPORTED'],
      [4, 'unknown_action:MJ::Job::PicReader::1', 'UNSUPPORTED'],
      [4, 'quota_not_enough', 'QUOTA'],
      [4, '账号已被临时封锁，请勿使用违规词作图', 'BANNED_PROMPT'],
      [9, '提交失败，队列已满，请稍后重试', 'QUEUE_FULL'],
      [9, '提交失败，系统异常', 'FAILURE'],
      [9, '提交失败: 401: Unauthorized', 'FAILURE'], // Discord refused the proxy's account, not our key
      [23, '队列已满，请稍后尝试', 'QUEUE_FULL'],
      [30, '当前分组负载已饱和', 'RATE_LIMITED'],
    ];
    for (const [code, description, expected] of cases) {
      proxy.nextTimeline({ steps: [], submitCode: code, submitDescription: description });
      await rejects(c.submitImagine({ prompt: 'a red fox' }), expected, { proxyCode: code, description });
    }
  });

  it('an auth filter\'s Result JSON answered with HTTP 200 (code -1 "请重新登录") is UNAUTHORIZED on every endpoint', async () => {
    const c = client({ baseUrl: await scripted(200, '{"success":false,"code":-1,"message":"请重新登录","timestamp":1730621826053}') });
    await rejects(c.submitImagine({ prompt: 'a red fox' }), 'UNAUTHORIZED', { status: 200, proxyCode: -1, description: '请重新登录' });
    await rejects(c.fetchTask('1700000000000012'), 'UNAUTHORIZED', { status: 200, proxyCode: -1 });
    await rejects(c.listTasks(['1700000000000012']), 'UNAUTHORIZED', { status: 200, proxyCode: -1 });
    await rejects(c.fetchImageSeed('1700000000000012'), 'UNAUTHORIZED', { status: 200, proxyCode: -1 });
    await rejects(c.cancelTask('1700000000000012'), 'UNAUTHORIZED', { status: 200, proxyCode: -1 });
  });

  it('trueai\'s cancel answers an empty 200 (or a bare JSON without code): done; its plain-text 400 is named', async () => {
    await expect(client({ baseUrl: await scripted(200, '') }).cancelTask('1700000000000013')).resolves.toBeUndefined();
    await expect(client({ baseUrl: await scripted(200, '{"success":true}') }).cancelTask('1700000000000013')).resolves.toBeUndefined();
    await rejects(client({ baseUrl: await scripted(400, '演示模式，禁止操作') }).cancelTask('1700000000000013'), 'FAILURE', {
      status: 400,
      description: '演示模式，禁止操作',
    });
  });

  it('fetch answering a serialised null is an unknown task; list-by-condition answering null is empty, and an error code in a 200 is that error', async () => {
    expect(await client({ baseUrl: await scripted(200, 'null') }).fetchTask('1700000000000014')).toBeNull();
    expect(await client({ baseUrl: await scripted(200, 'null') }).listTasks(['1700000000000014'])).toEqual([]);
    await rejects(client({ baseUrl: await scripted(200, '{"code":4,"description":"ids数量不能超过20"}') }).listTasks(['1']), 'VALIDATION', {
      status: 200,
      proxyCode: 4,
    });
  });

  it('image-seed answered with a task object (as relay docs show it) still gives the seed', async () => {
    const task = proxy.getTask(finishedTask().id);
    expect(await client({ baseUrl: await scripted(200, JSON.stringify({ ...task, seed: '3786452169' })) }).fetchImageSeed(task.id)).toBe('3786452169');
    await rejects(client({ baseUrl: await scripted(200, JSON.stringify(task)) }).fetchImageSeed(task.id), 'MALFORMED', { status: 200 });
    expect(await client({ baseUrl: await scripted(200, '{"code":1,"description":"成功","result":3786452169}') }).fetchImageSeed('1')).toBe('3786452169');
  });

  it('HTTP 402 is QUOTA, a gateway 413 for big images is VALIDATION, a plain-text 429 is RATE_LIMITED', async () => {
    await rejects(client({ baseUrl: await scripted(402, 'Payment Required') }).submitImagine({ prompt: 'a' }), 'QUOTA', { status: 402 });
    await rejects(client({ baseUrl: await scripted(413, '<html><body>413 Request Entity Too Large</body></html>') }).submitBlend({ base64Array: [PNG, PNG] }), 'VALIDATION', {
      status: 413,
      description: 'request too large',
    });
    const e = await rejects(client({ baseUrl: await scripted(429, 'Too Many Requests') }).submitImagine({ prompt: 'a' }), 'RATE_LIMITED', { status: 429 });
    expect(mayRetry(e, 'submit')).toBe(true);
  });

  it('a relay echoing the key in its description: the key is in no error, and a refused key is UNAUTHORIZED', async () => {
    const echoes: Array<[number, string, ProxyErrorCode]> = [
      [200, JSON.stringify({ success: false, code: -1, message: `无效的令牌 Bearer ${KEY}` }), 'UNAUTHORIZED'],
      [400, JSON.stringify({ code: 4, description: `quota_not_enough for ${KEY}` }), 'QUOTA'],
      [200, JSON.stringify({ code: 9, description: `提交失败: key=${KEY.slice(2)}` }), 'FAILURE'],
      [400, `bad key ${KEY}`, 'FAILURE'],
    ];
    for (const [status, body, code] of echoes) {
      const e = await rejects(client({ baseUrl: await scripted(status, body) }).submitImagine({ prompt: 'a red fox' }), code, { status });
      expect(e.context.description).toContain('***');
    }
  });
});

describe('secrets in what a proxy says', () => {
  it('a refusal that echoes the notifyHook URL loses the receiver’s secret', async () => {
    const hook = 'https://bot.example/mj-hook/hook-secret-0123456789abcdef';
    const base = await scripted(200, JSON.stringify({ code: 4, description: `notifyHook ${hook} is not reachable (hook-secret-0123456789abcdef)`, result: null }));
    const err = await rejects(client({ baseUrl: base, notifyHook: hook }).submitImagine({ prompt: 'cat' }), 'VALIDATION');
    expect(JSON.stringify({ message: err.message, context: err.context })).not.toContain('hook-secret-0123456789abcdef');
    expect(err.context.description).toContain('***');
  });
});
