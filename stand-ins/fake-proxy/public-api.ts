// The FakeProxy object tests, the playground and the bench drive: the state's fields, scripting, waiting, control.
import type http from 'node:http';
import { describePrompts } from './content.ts';
import { sendNotify } from './notify.ts';
import { DEFAULT_QUIRKS } from './quirks.ts';
import type { FakeProxyState, RequestWaiter } from './state.ts';
import type { AddTaskInit, FakeProxy, RecordedProxyRequest, ResultKind } from './types.ts';

/** Which result addTask's action produces (anything else: a grid). */
const KIND_OF_ACTION: Record<string, ResultKind> = {
  UPSCALE: 'upscale',
  UPSCALE_HD: 'upscale_hd',
  DESCRIBE: 'describe',
  SHORTEN: 'shorten',
  VIDEO: 'video',
  EDITS: 'edits',
  EDIT: 'edits',
  SWAP_FACE: 'swap',
};

function addTask(s: FakeProxyState, init: AddTaskInit): string {
  const action = init.action ?? 'IMAGINE';
  const kind = KIND_OF_ACTION[action] ?? 'grid';
  const prompt = init.prompt ?? (kind === 'describe' ? '' : 'a red apple on a table --v 7');
  const task = s.createTask(
    {
      action,
      kind,
      prompt,
      promptEn: prompt,
      finalPrompt: prompt,
      state: init.state ?? '',
      botType: action === 'SWAP_FACE' ? 'INSIGHT_FACE' : '',
      mode: init.mode,
      notifyHook: init.notifyHook,
    },
    {
      index: kind === 'upscale' ? 1 : undefined,
      resultPrompts: kind === 'describe' ? describePrompts() : undefined,
      sourceUrl: kind === 'describe' ? s.mediaUrl('upload/source.png') : undefined,
    },
  );
  s.startTimeline(task, init.timeline ?? 'success');
  if (!init.timeline) s.step(task, task.steps.length, false);
  return task.id;
}

function nextRequest(s: FakeProxyState, pred: (r: RecordedProxyRequest) => boolean, timeoutMs: number): Promise<RecordedProxyRequest> {
  return new Promise((resolve, reject) => {
    const waiter: RequestWaiter = {
      pred,
      resolve: (r) => {
        clearTimeout(timer);
        s.waiters.delete(waiter);
        resolve(r);
      },
    };
    const timer = setTimeout(() => {
      s.waiters.delete(waiter);
      const seen = s.requests.slice(-10).map((r) => `${r.method} ${r.path} → ${r.status}`);
      reject(new Error(`fake-proxy: no matching request within ${timeoutMs} ms; last requests:\n  ${seen.join('\n  ') || '(none)'}`));
    }, timeoutMs);
    s.waiters.add(waiter);
  });
}

export function publicApi(s: FakeProxyState, server: http.Server): FakeProxy {
  let offline = false;
  return {
    baseUrl: s.baseUrl,
    // reset() replaces these arrays: read them through the state every time.
    get requests() {
      return s.requests;
    },
    set requests(v) {
      s.requests = v;
    },
    get notifications() {
      return s.notifications;
    },
    set notifications(v) {
      s.notifications = v;
    },
    tasks: s.tasks,
    get mediaHeld() {
      return s.mediaHeld;
    },
    get readsHeld() {
      return s.readsHeld;
    },
    get quirks() {
      return s.quirks;
    },
    nextTimeline(t) {
      s.timelines.push(t);
    },
    setQuirks(q) {
      s.quirks = { ...s.quirks, ...q };
      s.release();
    },
    reset() {
      s.quirks = { ...DEFAULT_QUIRKS, rejectActions: [] };
      s.release();
      s.timelines = [];
      s.requests = [];
      s.notifications = [];
    },
    advance: (id, steps) => s.advance(id, steps),
    finish(id) {
      const t = s.mustGet(id);
      s.step(t, t.steps.length);
    },
    getTask(id) {
      const t = s.tasks.get(id);
      return t ? structuredClone(t.json) : undefined;
    },
    addTask: (init = {}) => addTask(s, init),
    async notify(id) {
      await sendNotify(s, s.mustGet(id));
    },
    waitForRequest(pred, timeoutMs = 2000) {
      const seen = s.requests.find(pred);
      if (seen) return Promise.resolve(seen);
      return nextRequest(s, pred, timeoutMs);
    },
    nextRequest: (pred, timeoutMs = 2000) => nextRequest(s, pred, timeoutMs),
    onRequest(fn) {
      // A waiter that never matches and has no timeout: told of every request.
      const waiter: RequestWaiter = { pred: (r) => (fn(r), false), resolve: () => undefined };
      s.waiters.add(waiter);
      return () => void s.waiters.delete(waiter);
    },
    dropTimelines() {
      s.timelines = [];
    },
    get offline() {
      return offline;
    },
    async setOffline(down) {
      if (s.closed || down === offline) return;
      offline = down;
      if (down) {
        const closing = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await closing;
        return;
      }
      const { hostname, port } = new URL(s.baseUrl);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(Number(port), hostname.replace(/^\[|\]$/g, ''), () => {
          server.off('error', reject);
          resolve();
        });
      });
    },
    async close() {
      if (s.closed) return;
      s.closed = true;
      s.stopTimers();
      const closing = new Promise<void>((resolve) => (offline ? resolve() : server.close(() => resolve())));
      server.closeAllConnections();
      await closing;
      await Promise.allSettled([...s.pendingNotifies]);
    },
  };
}
