// The health server of the real app (HEALTH_PORT set) against the two fakes: /healthz, /readyz
// turning unready when the backend's circuit opens (or the store does not answer) and ready again,
// /metrics moving after a real /imagine, its labels carrying no id and no secret, and who may read
// /metrics: loopback only without a token, a bearer token otherwise, never the receiver's port for free.
import { afterEach, describe, expect, it } from 'vitest';
import { API_KEY, startHarness, type Harness } from '../helpers/harness.ts';
import { freePort, imagine } from '../scale/helpers.ts';
import { samples, value, type Sample } from '../helpers/metrics-text.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const HEALTH = { HEALTH_PORT: '0' };
const TOKEN = 'metrics-token-0123456789abcdef';
const HOOK_SECRET = 'hook-secret-0123456789abcdef';

async function get(path: string, headers: Record<string, string> = {}, app = h!.app) {
  const res = await fetch(`${app.healthServer!.url}${path}`, { headers });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

async function scrape(): Promise<Sample[]> {
  const res = await get('/metrics');
  expect(res.status).toBe(200);
  expect(res.type).toMatch(/^text\/plain; version=0\.0\.4/);
  return samples(res.text);
}

async function ready() {
  const res = await get('/readyz');
  return { status: res.status, body: JSON.parse(res.text) as { ready: boolean; checks: Record<string, { ok: boolean; [k: string]: unknown }> } };
}

describe('health endpoints', () => {
  it('/healthz and /readyz answer, and /metrics moves after an /imagine that finishes', async () => {
    h = await startHarness({ env: HEALTH });
    expect(h.app.healthServer!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await get('/healthz')).toMatchObject({ status: 200, text: '{"status":"ok"}' });
    const r = await ready();
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      ready: true,
      checks: { gateway: { ok: true, status: 'ready' }, store: { ok: true, pendingWrites: 0 }, backend: { ok: true, circuit: 'closed', consecutiveFailures: 0 } },
    });
    expect((await get('/readyz', {}, h.app)).type).toMatch(/^application\/json/);
    expect((await fetch(`${h.app.healthServer!.url}/healthz`, { method: 'POST' })).status).toBe(405);
    expect((await get('/nothing')).status).toBe(404);

    const before = await scrape();
    expect(value(before, 'mjbot_jobs_started_total')).toBe(0);

    // One job through the real path, its final edit refused once with a 429 (discord.js waits and retries).
    const job = await imagine(h, 'a red fox in snow');
    h.discord.failNext((m, p) => m === 'PATCH' && p.includes(`/${job.token}/messages/`), 429);
    h.proxy.finish(job.id);
    await h.app.poller.tick();
    await h.discord.waitForMessage((m) => m.components.length === 3);
    // And one the backend refuses: a failed job, never started.
    const banned = h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: 'banned words here' }]);
    // Counted when the router reports the refusal, before it is done with the command.
    await h.handled(banned);

    const after = await scrape();
    // Every job names its backend (MJ_BASE_URL's is `default`).
    expect(value(after, 'mjbot_jobs_started_total', { command: 'imagine', backend: 'default' })).toBe(1);
    expect(value(after, 'mjbot_jobs_finished_total', { command: 'imagine', outcome: 'success', backend: 'default' })).toBe(1);
    expect(value(after, 'mjbot_job_duration_seconds_count', { command: 'imagine', outcome: 'success', backend: 'default' })).toBe(1);
    expect(value(after, 'mjbot_job_duration_seconds_sum', { command: 'imagine', outcome: 'success' })).toBeGreaterThan(0);
    expect(value(after, 'mjbot_jobs_failed_total', { command: 'imagine', code: 'BANNED_PROMPT' })).toBe(1);
    expect(value(after, 'mjbot_proxy_requests_total', { route: '/mj/submit/imagine', backend: 'default' })).toBe(2);
    expect(value(after, 'mjbot_proxy_requests_total', { route: '/mj/task/list-by-condition', backend: 'default' })).toBeGreaterThanOrEqual(1);
    expect(value(after, 'mjbot_proxy_request_duration_seconds_count', { route: '/mj/submit/imagine' })).toBe(2);
    expect(value(after, 'mjbot_proxy_request_errors_total', { route: '/mj/submit/imagine', code: 'BANNED_PROMPT' })).toBe(1);
    expect(value(after, 'mjbot_discord_requests_total', { method: 'PATCH', route: '/webhooks/:id/:token/messages/:id', status: '200' })).toBeGreaterThanOrEqual(1);
    expect(value(after, 'mjbot_discord_requests_total', { status: '429' })).toBe(1);
    expect(value(after, 'mjbot_discord_edits_total', { result: 'sent' })).toBeGreaterThanOrEqual(1);
    expect(value(after, 'mjbot_tasks_active')).toBe(0);
    expect(after.some((s) => s.name === 'mjbot_leases_held')).toBe(true);
    expect(value(after, 'mjbot_backend_circuit_open')).toBe(0);
    expect(after.some((s) => s.name === 'mjbot_nodejs_eventloop_lag_seconds')).toBe(true);
    expect(after.some((s) => s.name === 'mjbot_store_errors_total')).toBe(false);

    // No label carries an id (Discord's and the proxy's are long digit runs), a token or a key.
    const secrets = [API_KEY, h.discord.token, job.token, banned.token, job.id, h.discord.appId, h.discord.channelId];
    for (const s of after) {
      for (const v of Object.values(s.labels)) {
        expect(v, `${s.name} ${v}`).not.toMatch(/\d{5,}/);
        for (const secret of secrets) expect(v, s.name).not.toContain(secret);
      }
    }
  });

  it('/readyz turns 503 naming the backend while its circuit is open, and ready again after', async () => {
    h = await startHarness({ env: HEALTH });
    const job = await imagine(h, 'while the backend fails');
    h.proxy.setQuirks({ status5xx: 502 });
    // Each pass reads once and retries twice: five failures in a row open the circuit.
    for (let pass = 0; pass < 5 && h.app.proxy.health.state !== 'open'; pass++) await h.app.poller.tick();
    expect(h.app.proxy.health.state).toBe('open');
    const down = await ready();
    expect(down.status).toBe(503);
    expect(down.body.ready).toBe(false);
    expect(down.body.checks.backend).toMatchObject({ ok: false, circuit: 'open' });
    expect(down.body.checks.gateway).toMatchObject({ ok: true });
    expect(down.body.checks.store).toMatchObject({ ok: true });
    const open = await scrape();
    expect(value(open, 'mjbot_backend_circuit_open')).toBe(1);
    expect(value(open, 'mjbot_proxy_request_errors_total', { route: '/mj/task/list-by-condition', backend: 'default', code: 'HTTP_5XX' })).toBeGreaterThanOrEqual(5);

    h.proxy.setQuirks({ status5xx: null });
    h.proxy.finish(job.id);
    await h.app.poller.tick();
    const up = await ready();
    expect(up.status).toBe(200);
    expect(up.body.checks.backend).toMatchObject({ ok: true, circuit: 'closed', consecutiveFailures: 0 });
    expect(value(await scrape(), 'mjbot_backend_circuit_open')).toBe(0);
  });

  it('a job whose final edit must be sent again (Discord answered 500) ends once in the metrics', async () => {
    h = await startHarness({ env: HEALTH });
    const job = await imagine(h, 'shown twice');
    h.proxy.finish(job.id);
    // discord.js tries three times (retries: 2): the edit fails, and the next pass shows the end again.
    for (let n = 0; n < 3; n++) h.discord.failNext((m, p) => m === 'PATCH' && p.includes('/messages/'), 500, { message: 'oops', code: 0 });
    await h.app.poller.tick();
    expect(await h.app.stores.tasks.activeIds()).toEqual([job.id]);
    await h.app.poller.tick();
    await h.discord.waitForMessage((m) => m.components.length === 3);
    const all = await scrape();
    expect(value(all, 'mjbot_discord_requests_total', { status: '500' })).toBe(3);
    expect(value(all, 'mjbot_jobs_finished_total', { command: 'imagine', outcome: 'success' })).toBe(1);
    expect(value(all, 'mjbot_job_duration_seconds_count')).toBe(1);
  });

  it('/readyz names the store while it does not answer; /healthz stays 200', async () => {
    // Nothing listens on port 1: the store keeps retrying and the bot logs in meanwhile.
    h = await startHarness({ env: { ...HEALTH, STORE_URL: 'redis://127.0.0.1:1' } });
    expect((await get('/healthz')).status).toBe(200);
    const r = await ready();
    expect(r.status).toBe(503);
    expect(r.body.checks.store).toEqual({ ok: false, error: 'not opened yet', pendingWrites: 0 });
    expect(r.body.checks.gateway).toMatchObject({ ok: true });
    expect(r.body.checks.backend).toMatchObject({ ok: true });
  });
});

describe('who may read /metrics', () => {
  it('on an address others can reach, /metrics is off without a token; /healthz and /readyz still answer', async () => {
    h = await startHarness({ env: { ...HEALTH, HEALTH_HOST: '0.0.0.0' } });
    const url = `http://127.0.0.1:${h.app.healthServer!.port}`;
    expect((await fetch(`${url}/metrics`)).status).toBe(404);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    expect(h.logs.some((l) => l.includes('set METRICS_TOKEN'))).toBe(true);
  });

  it('with METRICS_TOKEN, /metrics needs it as a bearer token, and the token never reaches the log', async () => {
    h = await startHarness({ env: { ...HEALTH, METRICS_TOKEN: TOKEN } });
    expect((await get('/metrics')).status).toBe(401);
    expect((await get('/metrics', { authorization: 'Bearer wrong-token-0123456789abcdef' })).status).toBe(401);
    expect((await get('/metrics', { authorization: TOKEN })).status).toBe(401);
    const ok = await get('/metrics', { authorization: `Bearer ${TOKEN}` });
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('mjbot_jobs_started_total');
    expect(h.logs.join('\n')).not.toContain(TOKEN);
  });

  it('sharing the notifyHook receiver’s port: one server answers both, and /metrics needs the token even on loopback', async () => {
    const port = await freePort();
    const hook = { NOTIFY_HOOK_URL: `http://127.0.0.1:${port}/mj-hook`, NOTIFY_HOOK_SECRET: HOOK_SECRET, NOTIFY_HOOK_HOST: '127.0.0.1', NOTIFY_HOOK_PORT: String(port) };
    h = await startHarness({ env: { ...hook, HEALTH_HOST: '127.0.0.1', HEALTH_PORT: String(port) } });
    expect(h.app.healthServer!.port).toBe(port);
    expect(h.app.healthServer!.servesReceiver).toBe(true);
    expect((await get('/metrics')).status).toBe(404);
    expect((await get('/healthz')).status).toBe(200);
    // The receiver still answers its callbacks on that port.
    const callback = await fetch(`http://127.0.0.1:${port}/mj-hook/${HOOK_SECRET}`, { method: 'POST', body: JSON.stringify({ id: '1730621826053455' }) });
    expect(callback.status).toBe(204);
    expect((await fetch(`http://127.0.0.1:${port}/mj-hook/not-the-secret`, { method: 'POST', body: '{}' })).status).toBe(404);
    expect(h.app.notifyHook!.stats).toEqual({ accepted: 1, rejected: 1 });
    await h.close();

    h = await startHarness({ env: { ...hook, HEALTH_HOST: '127.0.0.1', HEALTH_PORT: String(port), METRICS_TOKEN: TOKEN } });
    expect((await get('/metrics')).status).toBe(401);
    expect((await get('/metrics', { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
  });
});
