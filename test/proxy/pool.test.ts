// The backend pool over real clients against fake proxies: a backend that showed it has no such
// endpoint is left out of new jobs of that kind (and the job that found out is not sent elsewhere:
// UNSUPPORTED is not on the failover list), a job's own calls never leave its backend, and a
// backend that is not configured is BACKEND_GONE, not another one.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BackendSpec } from '../../src/config-backends.ts';
import { createLogger } from '../../src/logger.ts';
import { ProxyClient } from '../../src/proxy/client.ts';
import { ProxyError } from '../../src/proxy/errors.ts';
import { BackendPool } from '../../src/proxy/pool.ts';
import { BackendsReadHealth } from '../../src/tasks/read-health.ts';
import { startFakeProxy, type FakeProxy } from '../../stand-ins/fake-proxy.ts';
import { must } from '../helpers/must.ts';

const KEY = 'sk-pool-test-key-0001';
let a: FakeProxy;
let b: FakeProxy;
let pool: BackendPool;

const spec = (name: string, baseUrl: string, weight: number): BackendSpec => ({ name, baseUrl, apiKey: KEY, authStyle: 'bearer', modes: {}, weight });
const client = (baseUrl: string) => new ProxyClient({ baseUrl, apiKey: KEY, authStyle: 'bearer', timeoutMs: 2000, retryDelaysMs: [5] });
const video = { prompt: 'moving fox', image: 'https://cdn.example/fox.png', motion: 'low' as const };

beforeEach(async () => {
  a = await startFakeProxy({ apiKey: KEY, advance: 'manual' });
  b = await startFakeProxy({ apiKey: KEY, advance: 'manual' });
  pool = new BackendPool({
    members: [
      { spec: spec('a', a.baseUrl, 5), client: client(a.baseUrl) },
      { spec: spec('b', b.baseUrl, 1), client: client(b.baseUrl) },
    ],
    logger: createLogger({ level: 'warn', write: () => undefined }),
  });
});

afterEach(async () => {
  await pool.close();
  await a.close();
  await b.close();
});

describe('BackendPool', () => {
  it('a backend without an endpoint: that job fails as before, and later jobs of the kind go to the others', async () => {
    a.setQuirks({ noVideo: true });
    await expect(pool.submitVideo(video)).rejects.toMatchObject({ code: 'UNSUPPORTED', context: { backend: 'a' } });
    expect(b.requests.filter((r) => r.route === '/mj/submit/video')).toEqual([]);
    const next = await pool.submitVideo(video);
    expect(next.backend).toBe('b');
    // Other kinds still go to a by its weight.
    expect((await pool.submitImagine({ prompt: 'still a' })).backend).toBe('a');
  });

  it('lists each backend’s state for an admin: circuit, failures, last error; never a key', async () => {
    await a.close();
    const outcome = await pool.submitImagine({ prompt: 'a is down' });
    expect(outcome.backend).toBe('b');
    const [sa, sb] = pool.states();
    expect(sa).toMatchObject({ name: 'a', weight: 5, circuit: 'closed', consecutiveFailures: 1, lastError: { code: 'UNAVAILABLE' } });
    expect(sb).toMatchObject({ name: 'b', weight: 1, circuit: 'closed', consecutiveFailures: 0, lastError: null, openSince: null });
    expect(JSON.stringify(pool.states())).not.toContain(KEY);
  });

  it('its state names why its reads fail, as the poller’s read health tells the pool (the earliest of its lanes)', () => {
    const health = new BackendsReadHealth({ logger: createLogger({ level: 'error', write: () => undefined }), proxy: pool, baseMs: 100, maxMs: 1000, onOutage: () => undefined });
    expect(pool.states().map((s) => s.reads)).toEqual([null, null]);
    health.failed('a', 2000, new ProxyError('UNAVAILABLE', { route: '/mj/task/list-by-condition', host: '127.0.0.1' }));
    health.failed('a/fast', 1000, new ProxyError('HTTP_5XX', { route: '/mj/task/list-by-condition', status: 503 }));
    const [sa, sb] = pool.states();
    expect(sa!.reads).toEqual({ since: 1000, code: 'HTTP_5XX', status: 503, outage: false });
    expect(sb!.reads).toBeNull();
    health.worked('a', 3000);
    health.worked('a/fast', 3000);
    expect(pool.states()[0]!.reads).toBeNull();
  });

  it('a job’s own calls go to its backend alone; an unknown one is BACKEND_GONE', async () => {
    const outcome = await pool.submitImagine({ prompt: 'fox' });
    expect(outcome.backend).toBe('a');
    a.finish(outcome.taskId);
    const bBefore = b.requests.length;
    expect((await pool.fetchTask(outcome.taskId, { backend: 'a' }))?.status).toBe('SUCCESS');
    const action = await pool.submitAction({ taskId: outcome.taskId, customId: must((await pool.fetchTask(outcome.taskId, { backend: 'a' }))?.buttons[0]?.customId, 'U1') }, { backend: 'a' });
    expect(action.backend).toBe('a');
    expect(b.requests.length).toBe(bBefore);
    const gone = await pool.fetchTask(outcome.taskId, { backend: 'removed' }).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(ProxyError);
    expect((gone as ProxyError).code).toBe('BACKEND_GONE');
    expect(b.requests.length).toBe(bBefore);
  });
});
