// Stopping the bot while it works (SIGTERM, SIGINT: app.stop). Nothing is half-written: a job the
// backend took is saved and shown before the store closes, and a restarted bot follows it; an
// interaction that comes meanwhile is refused privately; a submit still unanswered when the grace
// period runs out (or a second signal comes) is cut off and its user told it may still run; and
// the store is closed at the end either way. The real process too: SIGTERM twice, exit 0.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeDiscord, type FakeDiscord } from '../../stand-ins/fake-discord.ts';
import { startFakeProxy, type FakeProxy } from '../../stand-ins/fake-proxy.ts';
import { API_KEY, startHarness, type Harness } from '../helpers/harness.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const prompt = (value: string) => [{ name: 'prompt', type: 3, value }];
const RESTART_NOTE = /restarted before the image service confirmed this job\. It may still be running/;

/**
 * A bot with this grace period whose proxy answers submits `slowSubmitMs` late, and an /imagine
 * whose submit reached the proxy (its task exists there; the answer waits). `app`: the bot to stop.
 */
async function submitInFlight(graceMs: number, slowSubmitMs: number, text: string) {
  h = await startHarness({ env: { SHUTDOWN_GRACE_MS: String(graceMs) } });
  h.proxy.setQuirks({ slowSubmitMs });
  const cmd = h.discord.sendSlashCommand('imagine', prompt(text));
  // No event for this: the fake proxy records a request once it answered; its task exists as soon as the submit arrives.
  await h.until(() => h!.proxy.tasks.size > 0, 'the submit at the proxy');
  return { cmd, app: h.app };
}

/** The store of a stopped app is closed: it answers nothing any more. */
async function expectClosed(app: Harness['app']) {
  await expect(app.stores.tasks.activeIds()).rejects.toThrow();
}

describe('a stop while an interaction is handled', () => {
  it('lets a slow submit finish: the job is saved with its reply, a command meanwhile is refused privately, and a restarted bot follows the job to the end', async () => {
    const { cmd, app: first } = await submitInFlight(5_000, 800, 'in flight at shutdown');
    const stopping = first.stop();
    assert(h);

    const late = h.discord.sendSlashCommand('imagine', prompt('too late'));
    const refusal = await h.answered(late);
    expect(refusal.data.flags & 64).toBe(64);
    expect(refusal.data.content).toBe('The bot is restarting, so nothing was started. Try again in a moment.');
    await stopping;
    await expectClosed(first);
    // Only the first job ever reached the proxy.
    expect(h.proxy.requests.filter((r) => r.route === '/mj/submit/imagine')).toHaveLength(1);

    // The job's record is saved, pointing at the reply: a restarted bot takes it up from there.
    await h.restart();
    const [id] = await h.app.stores.tasks.activeIds();
    expect(id).toBe([...h.proxy.tasks.keys()][0]);
    expect(await h.app.stores.tasks.get(id!)).toMatchObject({ prompt: 'in flight at shutdown', active: true, interactionToken: cmd.token });
    h.proxy.advance(id!, 2);
    await h.app.poller.tick();
    await h.discord.waitForMessage((m) => m.id === h!.discord.originalOf(cmd)?.id && /%\)/.test(m.content));
    h.proxy.finish(id!);
    await h.app.poller.tick();
    await h.discord.waitForMessage((m) => m.id === h!.discord.originalOf(cmd)?.id && m.components.length === 3);
    expect(await h.app.stores.tasks.activeIds()).toEqual([]);
  });

  it('the grace period running out: the unanswered submit is cut off, its user is told it may still run, nothing is tracked, the store is closed', async () => {
    const { cmd, app: first } = await submitInFlight(300, 20_000, 'never answered');
    assert(h);
    const t0 = Date.now();
    await first.stop();
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(4_000);
    await expectClosed(first);
    // The public line stays (the job may run and be paid for) and says what happened.
    const line = h.discord.originalOf(cmd);
    expect(line?.content).toMatch(RESTART_NOTE);
    expect(line?.content).toContain('Not confirmed');
    expect(h.logs.some((l) => l.includes('interactions still running at shutdown'))).toBe(true);

    h.proxy.setQuirks({ slowSubmitMs: 0 });
    await h.restart();
    expect(await h.app.stores.tasks.activeIds()).toEqual([]);
    expect(h.proxy.requests.filter((r) => r.route === '/mj/submit/imagine')).toHaveLength(0); // never answered, never sent again
  });

  it('a second stop (a second signal) cuts a long grace period short, with the same outcome', async () => {
    const { cmd, app: first } = await submitInFlight(60_000, 20_000, 'second signal');
    assert(h);
    const t0 = Date.now();
    // stop() is waiting out the grace period by the time it returns (it closes the gate and waits at once).
    const stopping = first.stop();
    expect(first.stop()).toBe(stopping);
    await stopping;
    expect(Date.now() - t0).toBeLessThan(4_000);
    await expectClosed(first);
    expect(h.discord.originalOf(cmd)?.content).toMatch(RESTART_NOTE);
  });
});

describe('the process', () => {
  let discord: FakeDiscord | undefined;
  let proxy: FakeProxy | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await discord?.close();
    await proxy?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('SIGTERM, then SIGTERM again while a submit waits: exits 0 at once, the user told, the SQLite store closed (no WAL left)', async () => {
    discord = await startFakeDiscord();
    proxy = await startFakeProxy({ apiKey: API_KEY, advance: 'manual' });
    dir = mkdtempSync(join(tmpdir(), 'mjbot-shutdown-'));
    const db = join(dir, 'mjbot.sqlite');
    const root = resolve(import.meta.dirname, '../..');
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        DISCORD_TOKEN: discord.token,
        DISCORD_APP_ID: discord.appId,
        DISCORD_API_URL: discord.apiBase,
        MJ_BASE_URL: proxy.baseUrl,
        MJ_API_KEY: API_KEY,
        STORE_URL: `sqlite://${db}`,
        SHUTDOWN_GRACE_MS: '30000',
        LOG_LEVEL: 'debug',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    // Real time from here: a process of its own, its signals and its exit; its log is read as it comes.
    const logged = async (msg: string, withinMs = 10_000) => {
      for (const end = Date.now() + withinMs; Date.now() < end && !err.includes(`"msg":"${msg}"`); ) await new Promise((r) => setTimeout(r, 50));
      expect(err, `a "${msg}" line`).toContain(`"msg":"${msg}"`);
    };
    try {
      // Starting takes a few seconds (tsx compiles the bot), much longer on a loaded machine.
      await logged('logged in', 60_000);
      proxy.setQuirks({ slowSubmitMs: 30_000 });
      const cmd = discord.sendSlashCommand('imagine', prompt('in a real process'));
      for (let i = 0; i < 200 && proxy.tasks.size === 0; i++) await new Promise((r) => setTimeout(r, 25));
      expect(proxy.tasks.size).toBe(1);

      const t0 = Date.now();
      // Twice at once, as a terminal's Ctrl-C under `npm start` delivers it: one stop, with its grace period.
      child.kill('SIGTERM');
      child.kill('SIGTERM');
      await logged('stopping');
      await new Promise((r) => setTimeout(r, 700));
      expect(err).not.toContain('"msg":"stopping now"');
      // A second signal later: the wait is cut short.
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(Date.now() - t0).toBeLessThan(6_000);
      await logged('stopping now');
      await logged('stopped');
      expect(discord.originalOf(cmd)?.content).toMatch(RESTART_NOTE);
      expect(existsSync(db)).toBe(true);
      expect(existsSync(`${db}-wal`)).toBe(false);
      expect(err).not.toContain(API_KEY);
      expect(err).not.toContain(discord.token);
    } catch (e) {
      // The child's own account of it, to read when this fails.
      console.error(err);
      throw e;
    } finally {
      child.kill('SIGKILL');
    }
  }, 90_000);
});
