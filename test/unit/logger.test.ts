// The logger (pino underneath): the line's shape, levels, pretty mode, and the two guarantees it
// adds: no configured secret in any form and no stack trace, whatever the code hands it.
import { DiscordAPIError, HTTPError } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { must } from '../helpers/must.ts';
import { createLogger, describeError, type LogFormat, type LogLevel } from '../../src/logger.ts';
import { ProxyError } from '../../src/proxy/errors.ts';
import { pathWithoutTokens } from '../../src/secrets.ts';

const KEY = 'sk-Zq8vN3xR7tW2yB5m/K9+pL4s=';
const TOKEN = 'MTAxMjM0NTY3ODkw.GhIjKl.discord-bot-token-value';
const INTERACTION_TOKEN = `aW50ZXJhY3Rpb246MTIzNDU2Nzg5:${'x'.repeat(60)}`;
const b64 = (s: string) => Buffer.from(s).toString('base64');

function capture(opts: { level?: LogLevel; format?: LogFormat } = {}) {
  const lines: string[] = [];
  const logger = createLogger({ level: opts.level ?? 'debug', format: opts.format, colorize: false, secrets: [KEY, TOKEN], write: (l) => lines.push(l) });
  return { logger, lines, parsed: () => lines.map((l) => JSON.parse(l) as Record<string, any>) };
}

describe('the log line', () => {
  it('is one JSON object with the level by name, an ISO time, the message and the fields', () => {
    const { logger, parsed, lines } = capture();
    logger.info('task read failed', { backend: 'default', n: 3, at: new Date(0) });
    expect(lines).toHaveLength(1);
    const line = must(parsed()[0], 'the log line');
    expect(line).toMatchObject({ level: 'info', msg: 'task read failed', backend: 'default', n: 3, at: '1970-01-01T00:00:00.000Z' });
    expect(new Date(line.time).toISOString()).toBe(line.time);
    expect(line.pid).toBe(process.pid);
  });

  it('keeps lines below LOG_LEVEL out', () => {
    const { logger, parsed } = capture({ level: 'warn' });
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(parsed().map((l) => l.level)).toEqual(['warn', 'error']);
  });

  it('pretty: a readable line for a terminal, not JSON, scrubbed the same way', () => {
    const { logger, lines } = capture({ format: 'pretty' });
    logger.warn(`proxy call failed with ${KEY}`, { err: new ProxyError('UNAVAILABLE', { route: '/mj/submit/imagine', host: 'relay.example', detail: `ECONNREFUSED ${KEY}` }) });
    const out = lines.join('\n');
    expect(out).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: proxy call failed with \*\*\*/);
    expect(out).toContain('"host": "relay.example"');
    expect(out).not.toContain(KEY);
    expect(() => JSON.parse(lines[0]!)).toThrow();
  });
});

describe('no secret in a log line', () => {
  const forms = [KEY, encodeURIComponent(KEY), b64(`Bearer ${KEY}`), Buffer.from(KEY).toString('base64url'), KEY.slice(-12), TOKEN];

  for (const form of forms) {
    it(`masks ${form.slice(0, 14)}… in the message, nested fields, keys, arrays and error messages`, () => {
      const { logger, lines, parsed } = capture();
      const err = new Error(`upstream said ${form}`);
      logger.error(`refused ${form}`, {
        err,
        request: { headers: { authorization: `Bearer ${form}` }, path: [`/mj?key=${form}`], [form]: 'as a key' },
        deeper: { a: { b: { c: { err } } } },
      });
      const text = lines.join('\n');
      expect(text).not.toContain(form);
      // A base64 form keeps what stands around the key's own characters (the encoded "Bearer ").
      const masked = (before: string) => new RegExp(`^${before}[\\w+/=-]{0,12}\\*\\*\\*[\\w+/=-]{0,3}$`);
      const line = must(parsed()[0], 'the log line');
      expect(line.msg).toMatch(masked('refused '));
      expect(line.err.message).toMatch(masked('upstream said '));
      expect(line.request.headers.authorization).toMatch(masked('Bearer '));
      expect(line.deeper.a.b.c.err.message).toMatch(masked('upstream said '));
      expect(Object.keys(line.request).find((k) => !['headers', 'path'].includes(k))).toMatch(masked(''));
    });
  }

  it('masks a secret inside a ProxyError (its description and transport detail) and a cause', () => {
    const { logger, lines } = capture();
    const err = new ProxyError('FAILURE', { route: '/mj/submit/imagine', status: 200, proxyCode: 9, description: `key ${KEY} refused`, detail: `ECONNRESET ${TOKEN}` }, { cause: new Error(KEY) });
    logger.warn('proxy call failed', { err });
    expect(lines.join('\n')).not.toContain(KEY);
    expect(lines.join('\n')).not.toContain(TOKEN);
  });

  it('an object the logger does not walk (a class instance) is still scrubbed on the finished line', () => {
    const { logger, lines } = capture();
    class Holder {
      constructor(readonly value: string) {}
    }
    logger.info('odd fields', { holder: new Holder(KEY), list: [new Holder(TOKEN)] });
    expect(lines[0]).not.toContain(KEY);
    expect(lines[0]).not.toContain(TOKEN);
    expect(JSON.parse(lines[0]!).holder.value).toBe('***');
  });

  it('a "__proto__" field stays data', () => {
    const { logger, parsed } = capture();
    logger.info('odd', JSON.parse('{"__proto__": {"polluted": true}}'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(parsed()[0]!['__proto__']).toEqual({ polluted: true });
  });
});

describe('errors in logs', () => {
  it('are name, code, status, message and the cause’s code: never a stack trace', () => {
    const { logger, lines, parsed } = capture();
    const socket = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED', syscall: 'connect' });
    const err = new TypeError('fetch failed', { cause: new AggregateError([socket], 'all addresses failed') });
    logger.error('interaction failed', { err, wrapped: { err: new RangeError('deep') } });
    expect(lines[0]).not.toMatch(/stack|\bat .*\(.*:\d+:\d+\)|node:internal/);
    expect(parsed()[0]!.err).toEqual({ name: 'TypeError', message: 'fetch failed', cause: 'ECONNREFUSED' });
    expect(parsed()[0]!.wrapped.err).toEqual({ name: 'RangeError', message: 'deep' });
  });

  it('a long message is cut', () => {
    expect(String(describeError(new Error('x'.repeat(5000))).message).length).toBeLessThanOrEqual(501);
  });

  it('a ProxyError gives the route, host, HTTP status, the proxy’s code and description (cut), the job, and the socket’s code', () => {
    const refused = new ProxyError('UNAVAILABLE', { route: '/mj/task/1/fetch', host: '127.0.0.1:9', detail: 'ECONNREFUSED connect 127.0.0.1:9' }, { cause: { name: 'Error', code: 'ECONNREFUSED' } }).locate({ taskId: '1' });
    expect(describeError(refused)).toMatchObject({ name: 'ProxyError', code: 'UNAVAILABLE', route: '/mj/task/1/fetch', host: '127.0.0.1:9', cause: 'ECONNREFUSED', detail: 'ECONNREFUSED connect 127.0.0.1:9', taskId: '1' });
    const refusal = new ProxyError('VALIDATION', { route: '/mj/submit/action', status: 200, proxyCode: 4, description: '参数错误'.repeat(100) }).locate({ host: 'relay.example', taskIds: ['1', '2', '3', '4', '5', '6', '7'] });
    const d = describeError(refusal);
    expect(d).toMatchObject({ code: 'VALIDATION', status: 200, proxyCode: 4, host: 'relay.example', taskIds: ['1', '2', '3', '4', '5', '…2 more'] });
    expect(String(d.description).length).toBeLessThanOrEqual(201);
    expect(refusal.message).toContain('relay.example');
  });

  it('a Discord REST error gives code, status, method and the route with its token taken out', () => {
    const url = `https://discord.com/api/v10/webhooks/111111111111111111/${INTERACTION_TOKEN}/messages/%40original?wait=true`;
    const err = new DiscordAPIError({ code: 10008, message: 'Unknown Message' }, 10008, 404, 'PATCH', url, { body: { content: 'hi' } });
    const { logger, lines } = capture();
    logger.debug('discord route gone', { taskId: '1730621826053455', err });
    const line = JSON.parse(lines[0]!);
    expect(line.err).toEqual({ name: 'DiscordAPIError[10008]', code: 10008, status: 404, message: 'Unknown Message', method: 'PATCH', route: '/webhooks/111111111111111111/:token/messages/@original' });
    expect(lines[0]).not.toContain(INTERACTION_TOKEN.slice(-20));
    const callback = new HTTPError(503, 'Service Unavailable', 'POST', `https://discord.com/api/v10/interactions/222222222222222222/${INTERACTION_TOKEN}/callback?with_response=true`, { body: {} });
    expect(describeError(callback)).toMatchObject({ status: 503, method: 'POST', route: '/interactions/222222222222222222/:token/callback' });
  });
});

describe('pathWithoutTokens', () => {
  it('keeps ids and route words, drops the origin, the API prefix, the query and every token', () => {
    expect(pathWithoutTokens('http://127.0.0.1:4000/api/v10/channels/123/messages/456')).toBe('/channels/123/messages/456');
    expect(pathWithoutTokens('https://discord.com/api/v10/webhooks/1/short-token/messages/%40original')).toBe('/webhooks/1/:token/messages/@original');
    expect(pathWithoutTokens(`https://discord.com/api/v10/webhooks/1/${INTERACTION_TOKEN}`)).toBe('/webhooks/1/:token');
    expect(pathWithoutTokens(`https://x.example/api/v10/some/${'y'.repeat(64)}/route?key=abc`)).toBe('/some/:token/route');
  });
});
