// Upgrading over a store written by the previous version (schema 1: no version on records,
// hidden buttons, capabilities and recent lists in one untyped `settings` namespace), and the
// hidden buttons kept per backend.
import sqlite3 from 'sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { listRecent } from '../../src/jobs/recent.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { freePort } from '../scale/helpers.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** /imagine, finished: the grid message. */
async function grid(prompt: string, mode?: string) {
  const before = new Set(await h!.app.stores.tasks.activeIds());
  h!.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: prompt }, ...(mode ? [{ name: 'mode', type: 3, value: mode }] : [])]);
  const id = await h!.trackedId(before);
  h!.proxy.finish(id);
  await h!.app.poller.tick();
  const msg = await h!.discord.waitForMessage((m) => m.components.length === 3 && m.content.includes(prompt));
  return { id, msg };
}

const faces = (m: any): string[] => m.components.flatMap((r: any) => r.components.map((b: any) => b.label ?? b.emoji?.name));

async function sql(file: string, fn: (run: (q: string, ...p: unknown[]) => Promise<any[]>) => Promise<void>): Promise<void> {
  const db = new sqlite3.Database(file);
  try {
    await fn((q, ...p) => new Promise((res, rej) => db.all(q, p, (err, rows) => (err ? rej(err) : res(rows)))));
  } finally {
    await new Promise((r) => db.close(r));
  }
}

describe('upgrading over a store written by the previous version', () => {
  it('migrates it on start, and the buttons of a message posted before the upgrade keep working', async () => {
    h = await startHarness();
    const alice = h.discord.users.alice.id;
    const { id, msg: old } = await grid('an old fox');
    const now = await h.app.stores.tasks.get(id);

    // The store as version 1 left it, written literally: Keyv's envelope, a record without a
    // schema version, and the settings namespace with one hidden list for every backend.
    const file = h.config.STORE_URL.slice('sqlite://'.length);
    const day = 24 * 3600_000;
    const record = {
      taskId: id, kind: 'imagine', prompt: 'an old fox', ownerId: alice, locale: 'en-US', guildId: now!.guildId,
      channelId: now!.channelId, applicationId: now!.applicationId, interactionToken: now!.interactionToken,
      tokenExpiresAt: now!.tokenExpiresAt, messageId: old.id, createdAt: now!.createdAt, deadlineAt: now!.deadlineAt,
      queuePosition: null, status: 'SUCCESS', active: false, viewHash: now!.viewHash, lastEditAt: now!.lastEditAt,
      task: now!.task, pressed: [], missCount: 0,
    };
    const rows: [string, unknown, number | undefined][] = [
      [`mjbot-tasks:${id}`, record, Date.now() + 30 * day],
      ['mjbot-settings:hidden-buttons', ['MJ::JOB::reroll'], undefined],
      ['mjbot-settings:capability:list-by-condition-max', 2, Date.now() + day],
      [`mjbot-settings:recent:${alice}`, [{ taskId: id, prompt: 'an old fox', at: now!.createdAt }], Date.now() + 30 * day],
    ];
    await h.restart(() =>
      sql(file, async (run) => {
        await run('DELETE FROM keyv');
        await run('DELETE FROM owner_jobs');
        for (const [key, value, expires] of rows) await run('INSERT INTO keyv (key, value) VALUES (?, ?)', key, JSON.stringify({ value, expires }));
      }),
    );
    expect(await listRecent(h.app, alice)).toEqual([{ taskId: id, prompt: 'an old fox', at: now!.createdAt }]);
    expect(await h.app.stores.hidden.list('default')).toEqual(['MJ::JOB::reroll']);
    expect(await h.app.stores.capabilities.forBackend('default').get('capability:list-by-condition-max')).toBe(2);

    // U2 on the old message: submitted for the old task, followed to its result.
    const submit = h.proxy.nextRequest((r) => r.route === '/mj/submit/action');
    h.discord.clickButton(old.id, old.components[0].components[1].custom_id);
    expect((await submit).body).toMatchObject({ taskId: id, customId: expect.stringContaining('upsample::2') });
    const upId = await h!.trackedId();
    h.proxy.finish(upId);
    await h.app.poller.tick();
    await h.discord.waitForMessage((m) => m.id !== old.id && m.components.length > 3);
    // The old grid shows U2 pressed, and no 🔄 (hidden by the migrated list); its record is version 2 now.
    const edited = await h.discord.waitForMessage((m) => m.id === old.id && m.components.some((r: any) => r.components.some((b: any) => b.style === 3)));
    expect(faces(edited)).not.toContain('🔄');
    await sql(file, async (run) => {
      const [row] = await run('SELECT value FROM keyv WHERE key = ?', `mjbot-tasks:${id}`);
      expect(JSON.parse(row.value).value).toMatchObject({ schema: 2, pressed: [expect.stringContaining('upsample::2')] });
    });
  });
});

describe('hidden buttons', () => {

  it('a button one backend refused is no longer offered on that backend’s jobs, and still is on the others’', async () => {
    const port = await freePort();
    h = await startHarness({ proxy: { port }, env: { MJ_MODES: `relax=http://127.0.0.1:${port}/mj-relax/mj` } });
    const { msg: relaxGrid } = await grid('a relaxed fox', 'relax');
    h.proxy.setQuirks({ rejectActions: ['reroll'] });
    const reroll = relaxGrid.components[0].components[4];
    expect(reroll.emoji?.name).toBe('🔄');
    h.discord.clickButton(relaxGrid.id, reroll.custom_id);
    await h.discord.waitForMessage((m) => (m.flags & 64) === 64 && /does not offer that/.test(m.content));
    h.proxy.setQuirks({ rejectActions: [] });

    expect(faces((await grid('a fast fox')).msg)).toContain('🔄');
    expect(faces((await grid('another relaxed fox', 'relax')).msg)).not.toContain('🔄');
    expect(await h.app.stores.hidden.list('relax')).toEqual(['MJ::JOB::reroll']);
    expect(await h.app.stores.hidden.list('default')).toEqual([]);
  });
});
