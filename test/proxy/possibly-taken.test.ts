// A submit whose answer comes too late: the proxy may have taken the job, so the client never sends
// it again; it finds the job by the unique `state` it was sent with where the backend can list its
// tasks, and otherwise says POSSIBLY_TAKEN (never a plain TIMEOUT, which reads as "failed").
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProxyClient, type ProxyClientOptions } from '../../src/proxy/client.ts';
import { ProxyError } from '../../src/proxy/errors.ts';
import { startFakeProxy, type FakeProxy } from '../../stand-ins/fake-proxy.ts';

const KEY = 'sk-possibly-taken-0123456789';
let proxy: FakeProxy;
let client: ProxyClient;

function make(opts: Partial<ProxyClientOptions> = {}): ProxyClient {
  return new ProxyClient({ baseUrl: proxy.baseUrl, apiKey: KEY, authStyle: 'bearer', timeoutMs: 300, submitTimeoutMs: 200, retryDelaysMs: [5], ...opts });
}

beforeEach(async () => {
  proxy = await startFakeProxy({ apiKey: KEY, advance: 'manual' });
  client = make();
});
afterEach(async () => {
  await client.close();
  await proxy.close();
});

/** Jobs the proxy created for a prompt (a late answer is recorded only once sent, so count the jobs). */
const jobs = (prompt: string) => [...proxy.tasks.values()].filter((t) => t.json.prompt === prompt);
const lists = () => proxy.requests.filter((r) => r.route === '/mj/task/list');

describe('a submit answered too late', () => {
  it('is found by its state where the backend lists its tasks, and is not sent again', async () => {
    proxy.setQuirks({ slowSubmitMs: 1000 });
    proxy.addTask({ prompt: 'someone else', state: 'discord:1:2:3:other' });
    const outcome = await client.submitImagine({ prompt: 'a slow fox', state: 'discord:1:2:3:nonceA' });
    const task = proxy.getTask(outcome.taskId);
    expect(task.prompt).toBe('a slow fox');
    expect(task.state).toBe('discord:1:2:3:nonceA');
    expect(outcome.kind).toBe('accepted');
    expect(jobs('a slow fox')).toHaveLength(1);
  });

  it('where the backend cannot list (a relay) is POSSIBLY_TAKEN, unsearchable, sent once, and the 404 is remembered', async () => {
    proxy.setQuirks({ slowSubmitMs: 1000, noTaskList: true });
    const err = await client.submitImagine({ prompt: 'a slow fox', state: 'discord:1:2:3:nonceB' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProxyError);
    expect(err).toMatchObject({ code: 'POSSIBLY_TAKEN', context: { searchable: false } });
    expect(jobs('a slow fox')).toHaveLength(1);
    expect(lists()).toHaveLength(1);
    expect(client.canFindByState).toBe(false);
    await expect(client.submitImagine({ prompt: 'again', state: 'discord:1:2:3:nonceC' })).rejects.toMatchObject({ code: 'POSSIBLY_TAKEN' });
    expect(lists()).toHaveLength(1);
  });

  it('where the backend lists but the job is not there is POSSIBLY_TAKEN, searchable', async () => {
    // Sent without a state the bot could look for: nothing to match.
    proxy.setQuirks({ slowSubmitMs: 1000 });
    await expect(client.submitImagine({ prompt: 'stateless' })).rejects.toMatchObject({ code: 'POSSIBLY_TAKEN' });
    const server = http.createServer((req, res) => {
      req.resume();
      // Takes the submit, never answers it; lists nothing.
      if (req.url === '/mj/task/list') res.end('[]');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const c = make({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
    await expect(c.submitImagine({ prompt: 'x', state: 's:nonceD' })).rejects.toMatchObject({ code: 'POSSIBLY_TAKEN', context: { searchable: true } });
    await c.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('a modal submit answered too late follows the task it names', async () => {
    proxy.setQuirks({ slowSubmitMs: 1000 });
    const outcome = await client.submitModal({ taskId: '1730621826053455', prompt: 'zoomed --zoom 2' });
    expect(outcome).toMatchObject({ kind: 'accepted', taskId: '1730621826053455' });
  });

  it('a submit slower than the read timeout but within the submit timeout is a plain success', async () => {
    const c = make({ timeoutMs: 500, submitTimeoutMs: 3000 });
    proxy.setQuirks({ slowSubmitMs: 800 });
    const outcome = await c.submitImagine({ prompt: 'patient', state: 's:nonceE' });
    expect(proxy.getTask(outcome.taskId).prompt).toBe('patient');
    expect(lists()).toHaveLength(0);
    await c.close();
  });

  it('a connection refused before anything was written is a plain UNAVAILABLE: surely not taken', async () => {
    const server = http.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    await new Promise((r) => server.close(r));
    const c = make({ baseUrl: `http://127.0.0.1:${port}` });
    await expect(c.submitImagine({ prompt: 'x', state: 's:nonceF' })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await c.close();
  });
});
