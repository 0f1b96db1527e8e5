// The download guard: private addresses are refused for hosts the operator did not configure.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { download } from '../../src/media/download.ts';
import { createDownloadAgent, hostsOf, isPrivateAddress } from '../../src/media/guard.ts';

let server: http.Server;
let port: number;
beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/redirect') {
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data' });
      return res.end();
    }
    res.writeHead(200, { 'content-type': 'image/png' });
    res.end(Buffer.alloc(64, 1));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('download guard', () => {
  it('classifies addresses', () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '::1', 'fd00::1', '::ffff:127.0.0.1', '0.0.0.0', '::127.0.0.1', '64:ff9b::a9fe:a9fe', '2002:7f00:1::1', 'fec0::1']) {
      expect(isPrivateAddress(a), a).toBe(true);
    }
    for (const a of ['8.8.8.8', '1.1.1.1', '2606:4700::1111']) expect(isPrivateAddress(a), a).toBe(false);
    expect(hostsOf(['http://127.0.0.1:3000/mj', 'https://Relay.Example/x', undefined, 'nope'])).toEqual(['127.0.0.1', 'relay.example']);
  });

  it('refuses a private address of an untrusted host and allows a trusted one', async () => {
    const untrusted = createDownloadAgent([]);
    const trusted = createDownloadAgent(['localhost']);
    expect(await download(`http://localhost:${port}/a.png`, { maxBytes: 1000, timeoutMs: 1000, dispatcher: untrusted })).toEqual({ error: 'PRIVATE' });
    // An address written in the URL skips the DNS lookup: it is checked as it is, in every spelling.
    for (const host of ['127.0.0.1', '[::ffff:127.0.0.1]', '0.0.0.0', '2130706433', '0x7f.1', '[::1]']) {
      expect(await download(`http://${host}:${port}/a.png`, { maxBytes: 1000, timeoutMs: 1000, dispatcher: untrusted }), host).toEqual({ error: 'PRIVATE' });
    }
    const ok = await download(`http://localhost:${port}/a.png`, { maxBytes: 1000, timeoutMs: 1000, dispatcher: trusted });
    expect('data' in ok && ok.data.length).toBe(64);
    await untrusted.close();
    await trusted.close();
  });

  it('never follows a redirect, caps the size, and takes only http(s)', async () => {
    const agent = createDownloadAgent(['127.0.0.1']);
    expect(await download(`http://127.0.0.1:${port}/redirect`, { maxBytes: 1000, timeoutMs: 1000, dispatcher: agent })).toEqual({ error: 'HTTP_ERROR' });
    expect(await download(`http://127.0.0.1:${port}/a.png`, { maxBytes: 10, timeoutMs: 1000, dispatcher: agent })).toEqual({ error: 'TOO_LARGE' });
    expect(await download('file:///etc/passwd', { maxBytes: 10, timeoutMs: 1000, dispatcher: agent })).toEqual({ error: 'BAD_URL' });
    await agent.close();
  });
});
