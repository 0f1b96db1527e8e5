// The download guard: private addresses are refused except on the origins the operator configured.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { download, mediaTypeOf } from '../../src/media/download.ts';
import { createDownloadAgent, isPrivateAddress, originsOf } from '../../src/media/guard.ts';

let server: http.Server;
let port: number;
/** Another local service (a port the backend does not use): the port-scan oracle's target. */
let other: http.Server;
let otherPort: number;
const listen = async (s: http.Server) => {
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return (s.address() as AddressInfo).port;
};
beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/redirect') {
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data' });
      return res.end();
    }
    res.writeHead(200, { 'content-type': 'image/png' });
    res.end(Buffer.alloc(64, 1));
  });
  other = http.createServer((_req, res) => res.end('internal service answer\n'));
  port = await listen(server);
  otherPort = await listen(other);
});
afterAll(async () => {
  for (const s of [server, other]) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

const get = (url: string, dispatcher: ReturnType<typeof createDownloadAgent>) => download(url, { maxBytes: 1000, timeoutMs: 1000, dispatcher });

describe('download guard', () => {
  it('classifies addresses (IANA special-purpose ranges; IPv4 embedded in IPv6 is checked as IPv4)', () => {
    const special = [
      '127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '0.0.0.0', '100.64.0.1', '198.18.0.1',
      '192.0.0.1', '192.0.0.170', '192.0.2.1', '198.51.100.7', '203.0.113.9', '224.0.0.1', '255.255.255.255',
      '::', '::1', 'fd00::1', 'fe80::1', 'ff02::1', 'fec0::1', '2001:db8::1', '100::1', '::127.0.0.1',
      '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:a9fe:a9fe', '::ffff:0:0', '64:ff9b::a9fe:a9fe', '64:ff9b::7f00:1', '2002:7f00:1::1', '2002:a9fe:a9fe::',
    ];
    for (const a of special) expect(isPrivateAddress(a), a).toBe(true);
    // Public, also when embedded (NAT64 of 8.8.8.8 is how an IPv6-only network reaches it).
    for (const a of ['8.8.8.8', '1.1.1.1', '192.0.3.1', '2606:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808', '2002:808:808::1']) {
      expect(isPrivateAddress(a), a).toBe(false);
    }
  });

  it('trusts origins (scheme, host, port), normalized', () => {
    expect(originsOf(['http://127.0.0.1:3000/mj', 'https://Relay.Example./x', 'http://0x7f000001:5310', 'http://[0:0::1]/', undefined, 'nope', 'ftp://x.example/'])).toEqual([
      'http://127.0.0.1:3000',
      'https://relay.example:443',
      'http://127.0.0.1:5310',
      'http://[::1]:80',
    ]);
  });

  it('refuses a private address of an untrusted host and allows a trusted one', async () => {
    const untrusted = createDownloadAgent([]);
    const trusted = createDownloadAgent(originsOf([`http://localhost:${port}`]));
    expect(await get(`http://localhost:${port}/a.png`, untrusted)).toEqual({ error: 'PRIVATE' });
    // An address written in the URL skips the DNS lookup: it is checked as it is, in every spelling.
    for (const host of ['127.0.0.1', '[::ffff:127.0.0.1]', '[::ffff:7f00:1]', '0.0.0.0', '2130706433', '0x7f.1', '[::1]']) {
      expect(await get(`http://${host}:${port}/a.png`, untrusted), host).toEqual({ error: 'PRIVATE' });
    }
    const ok = await get(`http://localhost:${port}/a.png`, trusted);
    expect('data' in ok && ok.data.length).toBe(64);
    await untrusted.close();
    await trusted.close();
  });

  it('trusts the configured port only: another port of the same host is refused in every spelling (no port-scan oracle)', async () => {
    const agent = createDownloadAgent(originsOf([`http://127.0.0.1:${port}/mj`]));
    for (const host of ['127.0.0.1', '0x7f000001', '2130706433', '0177.0.0.1', '127.1', 'localhost', '127.0.0.1.']) {
      expect(await get(`http://${host}:${otherPort}/x`, agent), host).toEqual({ error: 'PRIVATE' });
      // The same spellings reach the configured origin itself.
      if (host !== 'localhost') expect('data' in (await get(`http://${host}:${port}/a.png`, agent)), host).toBe(true);
    }
    // https on the trusted port is another origin.
    expect(await get(`https://127.0.0.1:${port}/a.png`, agent)).toEqual({ error: 'PRIVATE' });
    await agent.close();
  });

  it('checks every DNS answer of a name, IPv4 and IPv6: one private address among public ones is enough to refuse', async () => {
    const answers: Record<string, { address: string; family: number }[]> = {
      'mixed.test': [{ address: '93.184.216.34', family: 4 }, { address: '::1', family: 6 }],
      'mapped.test': [{ address: '2606:4700::1111', family: 6 }, { address: '::ffff:169.254.169.254', family: 6 }],
      'nat64.test': [{ address: '64:ff9b::a9fe:a9fe', family: 6 }],
      'rebind.test': [{ address: '192.0.0.170', family: 4 }],
    };
    const asked: string[] = [];
    const agent = createDownloadAgent([], (hostname, _options, callback) => {
      asked.push(hostname);
      callback(null, answers[hostname] ?? []);
    });
    for (const host of Object.keys(answers)) expect(await get(`http://${host}:${port}/a.png`, agent), host).toEqual({ error: 'PRIVATE' });
    expect(asked).toEqual(Object.keys(answers));
    await agent.close();
  });

  it('never follows a redirect, caps the size, and takes only http(s)', async () => {
    const agent = createDownloadAgent(originsOf([`http://127.0.0.1:${port}`]));
    expect(await get(`http://127.0.0.1:${port}/redirect`, agent)).toEqual({ error: 'HTTP_ERROR' });
    expect(await download(`http://127.0.0.1:${port}/a.png`, { maxBytes: 10, timeoutMs: 1000, dispatcher: agent })).toEqual({ error: 'TOO_LARGE' });
    expect(await download('file:///etc/passwd', { maxBytes: 10, timeoutMs: 1000, dispatcher: agent })).toEqual({ error: 'BAD_URL' });
    await agent.close();
  });
});

describe('media types by their bytes', () => {
  const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
  const jpeg = Buffer.from('ffd8ffe000104a464946', 'hex');
  const gif = Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1');
  const webp = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8 ')]);
  const mp4 = Buffer.concat([Buffer.from('00000018', 'hex'), Buffer.from('ftypisom'), Buffer.alloc(8)]);
  const mov = Buffer.concat([Buffer.from('00000014', 'hex'), Buffer.from('ftypqt  '), Buffer.alloc(8)]);
  const webm = Buffer.concat([Buffer.from('1a45dfa3', 'hex'), Buffer.alloc(12)]);
  const text = Buffer.from('internal service answer\n');

  it('says what a result really is, and nothing when it is not the kind of media its name claims', () => {
    expect(mediaTypeOf(png, 'mj-1.png')).toBe('image/png');
    // A proxy may serve WebP or JPEG under a .png name: still an image, attached as what it is.
    expect(mediaTypeOf(webp, 'mj-1.png')).toBe('image/webp');
    expect(mediaTypeOf(jpeg, 'mj-1.jpg')).toBe('image/jpeg');
    expect(mediaTypeOf(gif, 'mj-1.gif')).toBe('image/gif');
    expect(mediaTypeOf(mp4, 'mj-1.mp4')).toBe('video/mp4');
    expect(mediaTypeOf(mov, 'mj-1.mov')).toBe('video/quicktime');
    expect(mediaTypeOf(webm, 'mj-1.webm')).toBe('video/webm');
    expect(mediaTypeOf(text, 'mj-1.png')).toBeNull();
    expect(mediaTypeOf(text, 'mj-1.mp4')).toBeNull();
    expect(mediaTypeOf(mp4, 'mj-1.png')).toBeNull();
    expect(mediaTypeOf(png, 'mj-1.mp4')).toBeNull();
    expect(mediaTypeOf(Buffer.alloc(0), 'mj-1.png')).toBeNull();
  });
});
