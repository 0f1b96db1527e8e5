// The pure parts of health and metrics: the config's rules for the health server, who may read
// /metrics, metric labels without ids, the circuit's states, and readiness from its sources.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { isLoopback, metricsAccess } from '../../src/health/health-server.ts';
import { Metrics, codeLabel, commandLabel, discordRouteLabel } from '../../src/health/metrics.ts';
import { checkReadiness, type ReadinessSources } from '../../src/health/readiness.ts';
import { ProxyHealth } from '../../src/proxy/health.ts';
import { routeLabel, routes } from '../../src/proxy/routes.ts';
import { secretsOf } from '../../src/secrets.ts';

const base = { DISCORD_TOKEN: 't', DISCORD_APP_ID: '123456789012345678', MJ_BASE_URL: 'https://relay.example' };
const hook = { ...base, NOTIFY_HOOK_URL: 'https://bot.example/mj-hook', NOTIFY_HOOK_SECRET: 'hook-secret-0123456789abcdef' };

describe('health config', () => {
  it('is off unless HEALTH_PORT is set, on 127.0.0.1 by default', () => {
    const c = loadConfig(base);
    expect(c.HEALTH_PORT).toBeUndefined();
    expect(c.HEALTH_HOST).toBe('127.0.0.1');
    expect(loadConfig({ ...base, HEALTH_PORT: '9464' }).HEALTH_PORT).toBe(9464);
    expect(loadConfig({ ...base, HEALTH_PORT: '0' }).HEALTH_PORT).toBe(0);
  });

  it('refuses a bad port, host or token with one line naming the variable', () => {
    for (const port of ['65536', '-1', '80.5', 'http']) expect(() => loadConfig({ ...base, HEALTH_PORT: port })).toThrow(/^HEALTH_PORT: expected a whole number from 0 to 65535$/);
    expect(() => loadConfig({ ...base, HEALTH_HOST: 'not a host' })).toThrow(/^HEALTH_HOST: expected a host name or an IP address$/);
    for (const token of ['short', 'has spaces in it 0123456789', 'x'.repeat(201)]) {
      expect(() => loadConfig({ ...base, METRICS_TOKEN: token }), token).toThrow(/^METRICS_TOKEN: expected 16 or more/);
    }
    expect(loadConfig({ ...base, METRICS_TOKEN: 'abc-DEF_123.456~789+/=' }).METRICS_TOKEN).toBe('abc-DEF_123.456~789+/=');
  });

  it('shares the receiver’s port only on the receiver’s address', () => {
    expect(() => loadConfig({ ...hook, HEALTH_PORT: '8787' })).toThrow(/^HEALTH_HOST: must be NOTIFY_HOOK_HOST \(0\.0\.0\.0\) when HEALTH_PORT is NOTIFY_HOOK_PORT/);
    expect(loadConfig({ ...hook, HEALTH_PORT: '8787', HEALTH_HOST: '0.0.0.0' }).HEALTH_PORT).toBe(8787);
    expect(loadConfig({ ...hook, HEALTH_PORT: '9464' }).HEALTH_HOST).toBe('127.0.0.1');
    // Without push the receiver does not listen: its port is free for the health server.
    expect(loadConfig({ ...base, HEALTH_PORT: '8787' }).HEALTH_PORT).toBe(8787);
  });

  it('counts METRICS_TOKEN among the secrets the logs and the redacted view mask', () => {
    const c = loadConfig({ ...base, METRICS_TOKEN: 'metrics-token-0123456789abcdef' });
    expect(secretsOf(c)).toContain('metrics-token-0123456789abcdef');
  });
});

describe('who may read /metrics', () => {
  it('knows loopback addresses', () => {
    for (const host of ['127.0.0.1', '127.8.9.10', '::1', 'localhost']) expect(isLoopback(host), host).toBe(true);
    for (const host of ['0.0.0.0', '::', '10.0.0.5', '127.example.com', 'bot.internal']) expect(isLoopback(host), host).toBe(false);
  });

  it('open on loopback alone; the token whenever one is set; off on any other address, and on the receiver’s port', () => {
    expect(metricsAccess({ host: '127.0.0.1', sharedWithReceiver: false })).toBe('open');
    expect(metricsAccess({ host: '0.0.0.0', sharedWithReceiver: false })).toBe('off');
    expect(metricsAccess({ host: '127.0.0.1', sharedWithReceiver: true })).toBe('off');
    for (const host of ['127.0.0.1', '0.0.0.0']) for (const shared of [true, false]) expect(metricsAccess({ host, token: 'x'.repeat(16), sharedWithReceiver: shared })).toBe('token');
  });
});

describe('metric labels', () => {
  it('proxy routes carry no task id', () => {
    expect(routeLabel(routes.fetch('1730621826053455'))).toBe('/mj/task/{id}/fetch');
    expect(routeLabel(routes.imageSeed('abc'))).toBe('/mj/task/{id}/image-seed');
    expect(routeLabel(routes.cancel('9'))).toBe('/mj/task/{id}/cancel');
    expect(routeLabel(routes.listByCondition())).toBe('/mj/task/list-by-condition');
    expect(routeLabel(routes.imagine())).toBe('/mj/submit/imagine');
    expect(routeLabel('/mj/task/1730621826053455')).toBe('other');
    expect(routeLabel('/anything?key=sk-secret')).toBe('other');
  });

  it('Discord routes carry no id and no token, whatever their length', () => {
    expect(discordRouteLabel('/channels/123/messages/4567')).toBe('/channels/:id/messages/:id');
    expect(discordRouteLabel('/channels/:id/messages/:id')).toBe('/channels/:id/messages/:id');
    expect(discordRouteLabel('/webhooks/123/aW50ZXJhY3Rpb246MTIz/messages/@original')).toBe('/webhooks/:id/:token/messages/@original');
    expect(discordRouteLabel('/webhooks/:id/:token/messages/987')).toBe('/webhooks/:id/:token/messages/:id');
    expect(discordRouteLabel('/interactions/:id/:token/callback')).toBe('/interactions/:id/:token/callback');
    expect(discordRouteLabel('/interactions/42/tok.en-x/callback')).toBe('/interactions/:id/:token/callback');
    expect(discordRouteLabel('/channels/1/messages/2/reactions/%F0%9F%91%8D/@me')).toBe('/channels/:id/messages/:id/reactions/:reaction/@me');
    expect(discordRouteLabel('/applications/1/commands?with_localizations=true')).toBe('/applications/:id/commands');
    expect(discordRouteLabel('/users/Ab_c1')).toBe('/users/:param');
  });

  it('kinds and codes keep to a safe shape', () => {
    expect(commandLabel('imagine')).toBe('imagine');
    expect(commandLabel('1730621826053455')).toBe('other');
    expect(commandLabel('a"b')).toBe('other');
    expect(codeLabel('BANNED_PROMPT')).toBe('BANNED_PROMPT');
    expect(codeLabel('10062')).toBe('other');
  });

  it('two apps’ metrics never share a registry', async () => {
    const a = new Metrics();
    const b = new Metrics();
    a.jobFailed('imagine', 'QUEUE_FULL');
    expect((await a.text()).body).toContain('mjbot_jobs_failed_total{command="imagine",code="QUEUE_FULL"} 1');
    expect((await b.text()).body).not.toContain('QUEUE_FULL');
  });
});

describe('the circuit and readiness', () => {
  it('the circuit is closed, open for its cool-down after five failures in a row, then half-open until a request decides', () => {
    let now = 0;
    const c = new ProxyHealth(5, 30_000, () => now);
    for (let n = 0; n < 4; n++) c.fail();
    expect(c.state).toBe('closed');
    c.fail();
    expect(c.state).toBe('open');
    now = 30_000;
    expect(c.state).toBe('half-open');
    c.fail();
    expect(c.state).toBe('open');
    c.ok();
    expect(c.state).toBe('closed');
  });

  const sources = (over: Partial<ReadinessSources> = {}): ReadinessSources => ({
    gateway: () => 'ready',
    store: { ready: true, pendingWrites: 0 },
    ping: async () => undefined,
    circuit: () => ({ state: 'closed', consecutiveFailures: 0 }),
    ...over,
  });

  it('reports every check, and is ready only when all pass; a worker without a gateway does not need one', async () => {
    expect(await checkReadiness(sources())).toMatchObject({ ready: true });
    expect(await checkReadiness(sources({ gateway: () => 'off' }))).toMatchObject({ ready: true, checks: { gateway: { ok: true, status: 'off' } } });
    expect(await checkReadiness(sources({ gateway: () => 'resuming' }))).toMatchObject({ ready: false, checks: { gateway: { ok: false, status: 'resuming' }, store: { ok: true }, backend: { ok: true } } });
    expect(await checkReadiness(sources({ circuit: () => ({ state: 'half-open', consecutiveFailures: 5 }) }))).toMatchObject({ ready: true, checks: { backend: { ok: true, circuit: 'half-open' } } });
  });

  it('a store ping that fails or hangs is reported by its code alone, never its message', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.1.2.3:6379 redis://user:pw@cache'), { code: 'ECONNREFUSED' });
    const failed = await checkReadiness(sources({ ping: () => Promise.reject(Object.assign(new Error('store ping failed'), { code: 'UNAVAILABLE', cause: refused })) }));
    expect(failed.checks.store).toEqual({ ok: false, error: 'ECONNREFUSED', pendingWrites: 0 });
    expect(JSON.stringify(failed)).not.toMatch(/10\.1\.2\.3|pw@/);
    const hung = await checkReadiness(sources({ ping: () => new Promise(() => undefined) }), 20);
    expect(hung).toMatchObject({ ready: false, checks: { store: { ok: false, error: 'TIMEOUT' } } });
  });
});
