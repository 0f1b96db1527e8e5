// Reading and cancelling tasks: /mj/task/{id}/fetch, list-by-condition (and list-by-ids), list, {id}/image-seed,
// {id}/cancel. Reads move 'on-read' timelines on (state.read).
import { seedFor } from '../content.ts';
import { fireNotify } from '../notify.ts';
import { fail, get, jsonReply, post, springError, str, type Ctx, type Reply } from '../responses.ts';
import type { FakeProxyState } from '../state.ts';
import { TERMINAL_STATUSES, applyStep } from '../tasks.ts';
import type { TaskJson } from '../types.ts';

/** An unknown id, answered the way the chosen backend does (quirks.unknownTaskStyle). */
function unknownTask(s: FakeProxyState): Reply {
  switch (s.quirks.unknownTaskStyle) {
    case 'empty200':
      return { status: 200, headers: { 'content-type': 'application/json' }, body: '' };
    case '404':
      return jsonReply(404, fail(3, '任务不存在'));
    case 'newapi400':
      return jsonReply(400, { description: 'task_no_found ', type: 'upstream_error', code: 4 });
    default:
      return { status: 204 };
  }
}

function fetchTask(s: FakeProxyState, id: string): Reply {
  const t = s.tasks.get(id);
  if (!t) return unknownTask(s);
  return jsonReply(200, s.read(t), s.numericTaskKeys());
}

function listByCondition(s: FakeProxyState, c: Ctx): Reply {
  const q = s.quirks;
  if (q.noListByCondition) return springError(404, 'Not Found', c.route);
  const ids: string[] = Array.isArray(c.body.ids) ? c.body.ids.map(str).filter(Boolean) : [];
  if (q.listMax !== null && ids.length > q.listMax) return jsonReply(400, fail(4, `ids数量不能超过${q.listMax}`));
  const out: TaskJson[] = [];
  for (const id of new Set(ids)) {
    const t = s.tasks.get(id);
    if (t) out.push(s.read(t));
  }
  return jsonReply(200, out, s.numericTaskKeys());
}

/** trueai's shape: the latest 100 tasks, newest first, whoever submitted them; not a read (nothing moves on). */
function listLatest(s: FakeProxyState): Reply {
  return jsonReply(200, [...s.tasks.values()].reverse().slice(0, 100).map((t) => s.wire(t)), s.numericTaskKeys());
}

function imageSeed(s: FakeProxyState, id: string): Reply {
  if (s.quirks.noImageSeed) return springError(404, 'Not Found', `/mj/task/${id}/image-seed`);
  const t = s.tasks.get(id);
  if (!t) return jsonReply(404, fail(3, '任务不存在'));
  const hash = str(t.json.properties.messageHash);
  const imageJob = !['describe', 'shorten', 'shorten_details', 'swap'].includes(t.kind);
  if (t.json.status !== 'SUCCESS' || !hash || !imageJob) return jsonReply(400, fail(4, '任务未完成或没有图片 hash'));
  return jsonReply(200, { code: 1, description: '成功', result: seedFor(hash) });
}

function cancel(s: FakeProxyState, id: string): Reply {
  const t = s.tasks.get(id);
  if (!t) return jsonReply(404, fail(3, '任务不存在'));
  if (TERMINAL_STATUSES.has(t.json.status)) return jsonReply(200, fail(4, '任务已结束，无法取消'));
  t.steps = t.steps.slice(0, t.step + 1);
  t.failReason = '取消任务';
  applyStep(t, { status: 'FAILURE', failReason: '取消任务' }, s.ctx(), Date.now());
  fireNotify(s, t);
  return jsonReply(200, { code: 1, description: '成功', result: t.id });
}

export function taskRoutes(s: FakeProxyState, c: Ctx): Reply | undefined {
  switch (c.route) {
    case '/mj/task/list-by-condition':
    case '/mj/task/list-by-ids':
      return post(c, () => listByCondition(s, c));
    case '/mj/task/list':
      // A relay without the route answers 404 whatever the method.
      if (s.quirks.noTaskList) return springError(404, 'Not Found', c.path);
      return get(c, () => listLatest(s));
  }
  const [, id, op] = /^\/mj\/task\/([^/]+)\/(fetch|image-seed|cancel)$/.exec(c.route) ?? [];
  if (id === undefined) return undefined;
  if (op === 'fetch') return get(c, () => fetchTask(s, decodeURIComponent(id)));
  if (op === 'image-seed') return get(c, () => imageSeed(s, decodeURIComponent(id)));
  // A backend without the route: Spring's 404 whatever the method, or new-api's dashboard page.
  if (s.quirks.noCancel === 'html') return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: '<!doctype html><html lang="zh"><head><title>New API</title></head><body><div id="root"></div></body></html>' };
  if (s.quirks.noCancel) return springError(404, 'Not Found', c.path);
  return post(c, () => cancel(s, decodeURIComponent(id)));
}
