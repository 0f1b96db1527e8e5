// Retries and the circuit breaker, against a tiny local server whose answers are scripted per request.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ProxyClient } from '../../src/proxy/client.ts';
import { ProxyHealth } from '../../src/proxy/health.ts';

type Answer = { status: number; body?: string } | 'reset';
let server: http.Server | undefined;
let seen: string[] = [];

async function serve(answers: Answer[]): Promise<string> {
  seen = [];
  server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    req.resume();
    const a = answers.shift() ?? { status: 200, body: '{}' };
    if (a === 'reset') return req.socket.destroy();
    res.writeHead(a.status, { 'content-type': 'application/json' });
    res.end(a.body ?? '');
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  server = undefined;
});

const task = JSON.stringify({ id: '1', status: 'IN_PROGRESS', progress: '40%' });
const make = (baseUrl: string, health?: ProxyHealth) => new ProxyClient({ baseUrl, apiKey: 'k', authStyle: 'bearer', timeoutMs: 1000, retryDelaysMs: [5, 5], health });

describe('retries', () => {
  it('a read retries through a 502 and a reset, then succeeds', async () => {
    const c = make(await serve([{ status: 502, body: '<html>bad gateway</html>' }, 'reset', { status: 200, body: task }]));
    expect((await c.fetchTask('1'))?.progress).toBe('40%');
    expect(seen).toHaveLength(3);
    await c.close();
  });

  it('a read gives up after the configured retries', async () => {
    const c = make(await serve([{ status: 503 }, { status: 503 }, { status: 503 }, { status: 200, body: task }]));
    await expect(c.fetchTask('1')).rejects.toMatchObject({ code: 'HTTP_5XX' });
    expect(seen).toHaveLength(3);
    await c.close();
  });

  it('a submit is not repeated after a 5xx or a reset (the proxy may have taken the job)', async () => {
    const c = make(await serve([{ status: 502 }, { status: 200, body: '{"code":1,"result":"9"}' }]));
    await expect(c.submitImagine({ prompt: 'x' })).rejects.toMatchObject({ code: 'HTTP_5XX' });
    expect(seen).toHaveLength(1);
    await c.close();
  });

  it('a submit the proxy refused for a full queue (code 23) is retried with backoff', async () => {
    const c = make(await serve([{ status: 200, body: '{"code":23,"description":"队列已满，请稍后尝试"}' }, { status: 200, body: '{"code":1,"result":"9"}' }]));
    expect((await c.submitImagine({ prompt: 'x' })).taskId).toBe('9');
    expect(seen).toHaveLength(2);
    await c.close();
  });

  // One policy: what errors.ts calls QUEUE_FULL is what the transport retries (it used to match its
  // own regex on the body, which missed the English words under code 9).
  it('a submit refused with any full-queue answer errors.ts knows is retried', async () => {
    const c = make(await serve([{ status: 200, body: '{"code":9,"description":"queue is full"}' }, { status: 200, body: '{"code":1,"result":"9"}' }]));
    expect((await c.submitImagine({ prompt: 'x' })).taskId).toBe('9');
    expect(seen).toHaveLength(2);
    await c.close();
  });

  it('a submit refused for another reason is not retried', async () => {
    const c = make(await serve([{ status: 200, body: '{"code":4,"description":"prompt invalid"}' }, { status: 200, body: '{"code":1,"result":"9"}' }]));
    await expect(c.submitImagine({ prompt: 'x' })).rejects.toMatchObject({ code: 'VALIDATION' });
    expect(seen).toHaveLength(1);
    await c.close();
  });
});

describe('circuit breaker', () => {
  it('opens after a run of failures, and closes again on the next success after the cool-down', async () => {
    let now = 0;
    const health = new ProxyHealth(3, 1000, () => now);
    const c = make(await serve([{ status: 500 }, { status: 500 }, { status: 500 }, { status: 200, body: task }]), health);
    c.submitImagine({ prompt: 'a' }).catch(() => undefined);
    await expect(c.submitImagine({ prompt: 'a' })).rejects.toBeTruthy();
    await expect(c.submitImagine({ prompt: 'a' })).rejects.toBeTruthy();
    expect(health.available).toBe(false);
    now += 1000;
    expect(health.available).toBe(true);
    await c.fetchTask('1');
    expect(health.consecutiveFailures).toBe(0);
    expect(health.available).toBe(true);
    await c.close();
  });
});
