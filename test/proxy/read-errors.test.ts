// A backend that cannot be reached: the error names the cause (host, DNS or socket error), so a log
// line says more than "UNAVAILABLE". Real undici against a closed port, an unresolvable name and
// the fake proxy resetting connections.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ProxyClient } from '../../src/proxy/client.ts';
import { ProxyError } from '../../src/proxy/errors.ts';
import { startFakeProxy, type FakeProxy } from '../../stand-ins/fake-proxy.ts';

const KEY = 'sk-read-errors-0123456789abcdef';
const closing: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const c of closing.splice(0)) await c.close();
});

function client(baseUrl: string): ProxyClient {
  const c = new ProxyClient({ baseUrl, apiKey: KEY, authStyle: 'bearer', timeoutMs: 3000, retryDelaysMs: [] });
  closing.push(c);
  return c;
}

async function failure(p: Promise<unknown>): Promise<ProxyError> {
  const err = await p.then(
    () => expect.unreachable('resolved'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProxyError);
  const e = err as ProxyError;
  expect(e.message).not.toContain(KEY);
  return e;
}

describe('why the backend cannot be reached', () => {
  it('a closed port: connection refused, with the address', async () => {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const e = await failure(client(`http://127.0.0.1:${port}`).listTasks(['1']));
    expect(e.code).toBe('UNAVAILABLE');
    expect(e.context.host).toBe(`127.0.0.1:${port}`);
    expect(e.message).toMatch(/ECONNREFUSED/);
    expect(e.message).toContain(`127.0.0.1:${port}`);
  });

  it('a name that does not resolve: the DNS error and the name', async () => {
    const e = await failure(client('http://mjbot-no-such-host.invalid').fetchTask('1'));
    expect(e.code).toBe('UNAVAILABLE');
    expect(e.message).toMatch(/ENOTFOUND|EAI_AGAIN/);
    expect(e.message).toContain('mjbot-no-such-host.invalid');
  });

  it('a connection reset: the socket error', async () => {
    const proxy: FakeProxy = await startFakeProxy({ apiKey: KEY });
    closing.push(proxy);
    proxy.setQuirks({ resetConnection: true });
    const e = await failure(client(proxy.baseUrl).fetchTask('1'));
    expect(e.code).toBe('UNAVAILABLE');
    expect(e.message).toMatch(/UND_ERR_SOCKET|ECONNRESET/);
    expect(e.message).toContain(new URL(proxy.baseUrl).host);
  });
});
