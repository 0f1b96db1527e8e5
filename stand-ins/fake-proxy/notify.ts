// notifyHook callbacks (api.md §4): the task JSON POSTed to the hook on every change, fire-and-forget,
// no retries; what happened is only recorded in state.notifications.
import http from 'node:http';
import https from 'node:https';
import { serialise } from './responses.ts';
import type { FakeProxyState } from './state.ts';
import type { FakeTask, NotificationRecord } from './types.ts';

/** Notifies without waiting; a MODAL task has not been submitted yet, so it stays quiet. */
export function fireNotify(s: FakeProxyState, task: FakeTask): void {
  if (!task.notifyHook || task.json.status === 'MODAL') return;
  void sendNotify(s, task);
}

/** POSTs the task JSON to its hook; resolves once the receiver answered or the POST failed. */
export function sendNotify(s: FakeProxyState, task: FakeTask): Promise<void> {
  const url = task.notifyHook;
  if (!url) return Promise.resolve();
  const text = serialise(s.wire(task), s.numericTaskKeys());
  const body: unknown = JSON.parse(text);
  const payload = Buffer.from(text);
  const record: NotificationRecord = { taskId: task.id, url, body, responseStatus: null };
  s.notifications.push(record);
  const p = new Promise<void>((resolve) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      record.error = 'invalid URL';
      resolve();
      return;
    }
    const lib = target.protocol === 'https:' ? https : http;
    const req = lib.request(
      target,
      {
        method: 'POST',
        agent: false,
        timeout: 5000,
        headers: { 'content-type': 'application/json', 'content-length': String(payload.length) },
      },
      (res) => {
        record.responseStatus = res.statusCode ?? null;
        res.resume();
        res.on('end', resolve);
        res.on('error', resolve);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => {
      record.error = err.message;
      resolve();
    });
    req.end(payload);
  });
  s.pendingNotifies.add(p);
  void p.finally(() => s.pendingNotifies.delete(p));
  return p;
}
