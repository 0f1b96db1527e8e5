// Faults of the store itself: writes that fail (a full disk), corrupt records, and a Redis that is
// not there at start-up or goes away mid-way. Faults are real: SQLite triggers that abort writes
// the way a full disk does (the bot's own connections see them), values written straight into the
// database file, a redis-server of the test's own on a spare port, started and stopped.
import { listRecent } from '../../src/jobs/recent.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import sqlite3 from 'sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { must } from '../helpers/must.ts';
import { freePort } from '../scale/helpers.ts';

let h: Harness | undefined;
let db: sqlite3.Database | undefined;
let redis: ChildProcess | undefined;
afterEach(async () => {
  if (db) await new Promise((r) => db!.close(r));
  db = undefined;
  redis?.kill('SIGKILL');
  redis = undefined;
  await h?.close();
  h = undefined;
});

const submits = () => h!.proxy.requests.filter((r) => r.route === '/mj/submit/imagine').length;
const imagine = (prompt: string, opts: any = {}) => h!.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: prompt }], opts);

/** The harness's SQLite file, opened by the test (a connection of its own). */
function openDb(): sqlite3.Database {
  db = new sqlite3.Database(h!.config.STORE_URL.slice('sqlite://'.length));
  return db;
}
const run = (sql: string, ...params: unknown[]) => new Promise<void>((res, rej) => db!.run(sql, params, (err) => (err ? rej(err) : res())));
const all = (sql: string) => new Promise<any[]>((res, rej) => db!.all(sql, (err, rows) => (err ? rej(err) : res(rows))));

/** Every write to the store's tables whose key matches `where` fails as on a full disk (all tables when no filter). */
async function diskFull(keyFilter?: string): Promise<void> {
  const tables = (await all(`SELECT name FROM sqlite_master WHERE type = 'table'`)).map((r) => r.name as string);
  for (const table of keyFilter ? ['keyv'] : tables) {
    for (const op of ['INSERT', 'UPDATE', 'DELETE']) {
      const row = op === 'DELETE' ? 'OLD' : 'NEW';
      const when = keyFilter ? `WHEN ${keyFilter.replaceAll('$.', `${row}.`)}` : '';
      await run(`CREATE TRIGGER full_${table}_${op} BEFORE ${op} ON ${table} ${when} BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`);
    }
  }
}
async function diskFreed(): Promise<void> {
  for (const r of await all(`SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'full_%'`)) await run(`DROP TRIGGER ${r.name}`);
}

describe('a store that cannot write', () => {
  it('refuses the job privately before anything is sent to the backend', async () => {
    h = await startHarness();
    openDb();
    await diskFull();
    const cmd = imagine('nothing may be paid');
    const cb = await h!.answered(cmd);
    expect(cb.data.flags & 64).toBe(64);
    expect(cb.data.content).toMatch(/storage is temporarily unavailable/);
    expect(submits()).toBe(0);
    const zh = imagine('同样', { locale: 'zh-CN' });
    expect((await h!.answered(zh)).data.content).toMatch(/存储暂时不可用/);
    expect(h.app.stores.health.healthy).toBe(false);
  });

  it('keeps a job the backend took in memory, shows it to the end, and saves it once the store recovers', async () => {
    h = await startHarness();
    openDb();
    await diskFull(`$.key LIKE 'mjbot-tasks:%' OR $.key LIKE 'mjbot-active:%'`);
    const cmd = imagine('submitted while the disk is full');
    await h!.when(['tracked'], () => h!.app.tracker.liveCount === 1, 'the job followed');
    const id = must([...h.app.tracker.liveRecords()][0], 'the job followed').taskId;
    await h.app.poller.tick();
    h.proxy.finish(id);
    await h.app.poller.tick();
    const grid = await h.discord.waitForMessage((m) => m.id === h!.discord.originalOf(cmd)?.id && m.components.length === 3);
    // Its buttons work during the fault: the record lives in memory until it is saved.
    const req = h.proxy.nextRequest((r) => r.route === '/mj/submit/action');
    h.discord.clickButton(grid.id, grid.components[0].components[0].custom_id);
    expect((await req).body.taskId).toBe(id);
    expect(await h.app.stores.tasks.get(id)).toBeUndefined();
    expect(h.app.stores.health.healthy).toBe(false);

    await diskFreed();
    await h.app.poller.tick();
    expect((await h.app.stores.tasks.get(id))?.status).toBe('SUCCESS');
    // No event for this: the store's health is not reported (the next write that works restores it).
    await h!.until(() => h!.app.stores.health.healthy, 'the store healthy again');
    expect(h.logs.filter((l) => l.includes('"store unavailable"'))).toHaveLength(1);
  });
});

describe('records waiting for the store', () => {
  it('a timer pass reads on while a refused record waits for its task\'s lane (a result waiting for Discord), and the record is written after', async () => {
    h = await startHarness({ sharedClock: true });
    openDb();
    await diskFull(`$.key LIKE 'mjbot-tasks:%'`);
    imagine('the one whose lane is busy');
    imagine('the other');
    await h!.when(['tracked'], () => h!.app.tracker.liveCount === 2, 'both jobs followed');
    const [a, b] = [...h.app.tracker.liveRecords()].map((r) => r.taskId);
    await h.app.poller.tick();
    expect(await h.app.stores.tasks.get(a!)).toBeUndefined();
    await diskFreed();

    // The first job's lane is busy (what a result waiting its turn for Discord does) until released.
    let release!: () => void;
    const held = h.app.tracker.withRecord(a!, () => new Promise<void>((r) => (release = r)));
    h.proxy.advance(b!);
    h.discord.clock.advance(10_000);
    const pass = await Promise.race([h.app.poller.runDue(), new Promise<null>((r) => setTimeout(() => r(null), 8_000))]);
    expect(pass, 'the timer pass ended while the lane was busy').not.toBeNull();
    expect(pass!.due).toBe(2);
    await h.until(async () => (await h!.app.stores.tasks.get(b!))?.status === 'IN_PROGRESS', 'the other job read and saved');
    expect(await h.app.stores.tasks.get(a!)).toBeUndefined();

    release();
    await held;
    await h.until(async () => (await h!.app.stores.tasks.get(a!)) !== undefined, 'the refused record written once its lane was free');
  });
});

describe('corrupt records', () => {
  it('one unreadable active record is logged once, quarantined and skipped; everyone else’s jobs go on', async () => {
    h = await startHarness();
    imagine('alice’s');
    await h!.tracked(1);
    const bobs = imagine('bob’s', { user: h.discord.users.bob });
    await h!.tracked(2);
    const ids = await h.app.stores.tasks.activeIds();
    const records = await h.app.stores.tasks.getMany(ids);
    const alice = records.find((r) => r?.ownerId === h!.discord.users.alice.id)!.taskId;
    const bob = records.find((r) => r?.ownerId === h!.discord.users.bob.id)!.taskId;
    await h.restart(); // nothing in memory: the records are read from the store
    openDb();
    await run(`UPDATE keyv SET value = '{"value":{"taskId": oops' WHERE key = ?`, `mjbot-tasks:${alice}`);
    h.proxy.finish(bob);
    await h.app.poller.tick();
    await h.app.poller.tick();
    await h.discord.waitForMessage((m) => m.id === h!.discord.originalOf(bobs)?.id && m.components.length === 3);
    expect(await h.app.stores.tasks.activeIds()).toEqual([]);
    expect(h.logs.filter((l) => l.includes('corrupt record'))).toHaveLength(1);
  });

  it('a garbage recent-jobs list does not lock its user out', async () => {
    h = await startHarness();
    openDb();
    await run('INSERT OR REPLACE INTO keyv (key, value) VALUES (?, ?)', `mjbot-recent:${h.discord.users.alice.id}`, '{"value":{"not":"a list"}}');
    const cmd = imagine('still works');
    // Tracked, then listed, before the command is done.
    await h!.handled(cmd);
    expect(await h.app.stores.tasks.activeIds()).toHaveLength(1);
    expect(await listRecent(h.app, h.discord.users.alice.id)).toHaveLength(1);
    const list = h.discord.sendSlashCommand('tasks', []);
    const msg = await h.discord.waitForMessage((m) => m.id === h!.discord.originalOf(list)?.id && m.embeds.length === 1);
    expect(msg.embeds[0].description).toContain((await h.app.stores.tasks.activeIds())[0]);
  });
});


async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after 5000 ms waiting for redis-server to accept connections:\n${out}`)), 5000);
    child.stdout!.on('data', (d) => {
      out += d;
      if (!out.includes('Ready to accept connections')) return;
      clearTimeout(timer);
      resolve();
    });
  });
  return child;
}

describe('Redis down', () => {
  it('starts unready, answers commands with a private “temporarily unavailable”, and is ready once Redis is', async () => {
    const port = await freePort();
    h = await startHarness({ env: { STORE_URL: `redis://127.0.0.1:${port}` } });
    const early = imagine('before redis');
    const cb = await h!.answered(early);
    expect(cb.data.flags & 64).toBe(64);
    expect(cb.data.content).toMatch(/temporarily unavailable/);
    expect(submits()).toBe(0);
    expect(h.app.stores.health.ready).toBe(false);
    expect(h.logs.filter((l) => l.includes('waiting for the store'))).toHaveLength(1);

    redis = await startRedis(port);
    // No event for this: the store's readiness is not reported.
    await h!.until(() => h!.app.stores.health.ready, 'the store ready', 10_000);
    const ok = imagine('with redis');
    expect((await h!.answered(ok)).type).toBe(4);
    await h!.tracked(1);
    expect(submits()).toBe(1);

    // Redis goes away mid-way: a command is answered at once, privately.
    redis.kill('SIGKILL');
    await once(redis, 'exit');
    redis = undefined;
    const late = imagine('after redis');
    const lateCb = await h!.answered(late);
    expect(lateCb.data.flags & 64).toBe(64);
    expect(lateCb.data.content).toMatch(/temporarily unavailable/);
    expect(submits()).toBe(1);
  });
});
