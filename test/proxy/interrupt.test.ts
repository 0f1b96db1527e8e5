// ProxyClient.interrupt(), what a stopping bot calls once its grace period is over: calls in
// flight end at once as INTERRUPTED (never a timeout, never retried, the circuit untouched), a
// submit already written becomes POSSIBLY_TAKEN (interrupted: nobody looks for it), and no later
// call reaches the wire. Against the fake proxy, slow on purpose.
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeProxy, type FakeProxy } from '../../stand-ins/fake-proxy.ts';
import { ProxyClient } from '../../src/proxy/client.ts';
import { ProxyError } from '../../src/proxy/errors.ts';
import { ProxyHealth } from '../../src/proxy/health.ts';

const KEY = 'sk-interrupt-test-0123456789';
let proxy: FakeProxy;
let client: ProxyClient;
afterEach(async () => {
  await client?.close();
  await proxy?.close();
});

async function setUp(quirks: Parameters<FakeProxy['setQuirks']>[0]) {
  proxy = await startFakeProxy({ apiKey: KEY, advance: 'manual' });
  proxy.setQuirks(quirks);
  const health = new ProxyHealth(1, 30_000);
  client = new ProxyClient({ baseUrl: proxy.baseUrl, apiKey: KEY, authStyle: 'bearer', timeoutMs: 10_000, retryDelaysMs: [5, 5], health });
  return health;
}

const caught = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as ProxyError);

// Real time: what is tested is calls in flight on the wire, and that none follows. The fake records
// a request only once it answered, so "in flight" is its task existing (a submit) or a short wait (a read).


describe('interrupt()', () => {
  it('a submit the proxy holds unanswered becomes POSSIBLY_TAKEN (interrupted), at once, without a search', async () => {
    const health = await setUp({ slowSubmitMs: 20_000 });
    const submit = caught(client.submitImagine({ prompt: 'held', state: 'discord:1:2:3:abc' }));
    while (proxy.tasks.size === 0) await new Promise((r) => setTimeout(r, 10));
    const t0 = Date.now();
    client.interrupt();
    const err = await submit;
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(err).toBeInstanceOf(ProxyError);
    expect(err!.code).toBe('POSSIBLY_TAKEN');
    expect(err!.context).toMatchObject({ route: '/mj/submit/imagine', interrupted: true, searchable: false, host: new URL(proxy.baseUrl).host });
    // No search by state (GET /mj/task/list), no second submit.
    await new Promise((r) => setTimeout(r, 50));
    expect(proxy.requests.filter((r) => r.route === '/mj/task/list')).toHaveLength(0);
    expect(health.consecutiveFailures).toBe(0);
    expect(health.available).toBe(true);
  });

  it('a read in flight is INTERRUPTED, not retried; later calls never reach the wire', async () => {
    await setUp({ slowMs: 20_000 });
    const read = caught(client.fetchTask('1730621826053455'));
    await new Promise((r) => setTimeout(r, 100));
    client.interrupt();
    const err = await read;
    expect(err?.code).toBe('INTERRUPTED');
    expect(err?.context.taskId).toBe('1730621826053455');
    proxy.setQuirks({ slowMs: 0 });
    const before = proxy.requests.length;
    expect((await caught(client.submitImagine({ prompt: 'after', state: 'discord:1:2:3:def' })))?.code).toBe('INTERRUPTED');
    expect((await caught(client.listTasks(['1', '2'])))?.code).toBe('INTERRUPTED');
    await new Promise((r) => setTimeout(r, 50));
    expect(proxy.requests.length).toBe(before);
    expect(proxy.tasks.size).toBe(0);
  });
});
