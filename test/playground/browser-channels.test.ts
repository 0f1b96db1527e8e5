// The playground page in real headless Chromium: several channels (#general, #gallery, #audit and
// the user's direct messages) and the backend switches. An admin picks #gallery in /settings,
// Share posts there once and the original links to it; "no cancel route" makes ❌ go after one click.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { browserSuite, messageEl, slash } from './browser-suite.ts';
import { buttonOf, finishedGrid } from './helpers.ts';

// Callbacks below run in the page; the project compiles without the DOM library.
declare const document: any;

const suite = browserSuite();
/** Waits until the page shows message `id` with text matching `re`. */
const shows = (page: Page, id: string, re: RegExp) =>
  page.waitForFunction(([id, src]) => new RegExp(src).test(document.getElementById(`m-${id}`)?.textContent ?? ''), [id, re.source] as const);

describe('the playground in a browser: channels and backend switches', () => {
  it('an admin picks #gallery in /settings, Share posts the result there once, the original links to it', async () => {
    const { discord } = suite.pg;
    const gallery = discord.channelList().find((c) => c.name === 'gallery')!;
    expect(gallery).toBeDefined();
    const page = await suite.open();
    const sidebar = await page.locator('.sidebar .channel').allTextContents();
    expect(sidebar).toEqual(['general', 'gallery', 'audit', 'Direct messages']);

    // alice has Manage Server in the playground: the server's side of /settings is hers to change.
    await page.click('#composer-input');
    await page.keyboard.type('/settings');
    await page.waitForSelector('#popup .item');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    const panel = await discord.waitForMessage((m) => (m.flags & 64) === 64 && m.content.startsWith('**Your settings**'));
    const el = messageEl(page, panel.id);
    await el.locator('button[data-custom-id="mj:set:o:open"]').click();
    const pick = el.locator('select[data-custom-id="mj:set:o:gal"]');
    await pick.waitFor();
    expect(await pick.locator('option').allTextContents()).toEqual(expect.arrayContaining(['# general', '# gallery', '# audit']));
    await pick.selectOption(gallery.id);
    await shows(page, panel.id, /Gallery channel: #gallery/);

    // A finished grid in #general; Share on the page.
    const grid = await finishedGrid(suite.pg, 'a lantern festival');
    const gridEl = messageEl(page, grid.id);
    await gridEl.locator('.attachments img').waitFor({ timeout: 15_000 });
    await gridEl.locator(`button[data-custom-id="${buttonOf(grid, 'Share').custom_id}"]`).click();
    const post = await discord.waitForMessage((m) => m.channel_id === gallery.id && m.content.includes('a lantern festival'), 15_000);
    // Not shown in #general; #gallery is marked unread.
    expect(await page.locator(`article#m-${post.id}`).count()).toBe(0);
    await page.waitForSelector('.sidebar .channel.unread[data-channel="gallery"]');
    // The original says where it went; its link opens #gallery at the post.
    await shows(page, grid.id, /📌 Shared:/);
    await gridEl.locator(`.content a[href*="/${gallery.id}/${post.id}"]`).click();
    await messageEl(page, post.id).waitFor();
    expect(await page.locator('#channel-title').textContent()).toBe('gallery');
    expect(await page.locator('.sidebar .channel.active').textContent()).toBe('gallery');
    expect(await messageEl(page, post.id).locator('.content').textContent()).toContain('a lantern festival');
    expect(await messageEl(page, post.id).locator('.attachments img').count()).toBe(1);
    expect(await page.locator(`article#m-${grid.id}`).count()).toBe(0);

    // Sharing again posts nothing new.
    await page.click('.sidebar .channel[data-channel="general"]');
    await gridEl.locator(`button[data-custom-id="${buttonOf(grid, 'Share').custom_id}"]`).click();
    await discord.waitForMessage((m) => (m.flags & 64) === 64 && /already/i.test(m.content));
    expect(discord.channelMessages(gallery.id)).toHaveLength(1);
    await page.context().close();
  });

  it('Backend ▸ "no cancel route": ❌ reaches the proxy once, the user is told, and the button goes', async () => {
    const page = await suite.open();
    await page.click('#backend-menu summary');
    await page.locator('#backend-menu input[data-quirk="noCancel"]').check();
    await expect.poll(() => suite.pg.proxy!.quirks.noCancel).toBe(true);
    suite.pg.control.simulate({ nextJob: 'never' });
    await slash(page, '/imagine', 'a kite that never lands');
    const reply = await suite.pg.discord.waitForMessage((m) => m.content.includes('a kite that never lands') && m.components.length > 0, 15_000);
    const el = messageEl(page, reply.id);
    const cancels = () => suite.pg.proxy!.requests.filter((r) => /\/cancel$/.test(r.route ?? '')).length;
    await el.locator('button', { hasText: '❌' }).click();
    await suite.pg.discord.waitForMessage((m) => (m.flags & 64) === 64 && /does not offer that/.test(m.content));
    await page.waitForFunction((id) => document.querySelectorAll(`#m-${id} button`).length === 0, reply.id);
    expect(cancels()).toBe(1);
    expect(await el.locator('.content').textContent()).toContain('a kite that never lands');
    await page.locator('#backend-menu input[data-quirk="noCancel"]').uncheck();
    await expect.poll(() => suite.pg.proxy!.quirks.noCancel).toBe(false);
    await page.context().close();
  });

  it('a private job shows as "Only you can see this"; one that outlives its token (+20 min) arrives in Direct messages, for its owner only', async () => {
    const { pg } = suite;
    const alice = pg.discord.users.alice;
    await pg.app.stores.prefs.setUser(alice.id, { visibility: 'private' });
    try {
      // Running for a minute (long after the skip) unless finished sooner.
      const running = { status: 'IN_PROGRESS', progress: '15%' } as const;
      pg.proxy!.nextTimeline({ steps: [{ status: 'SUBMITTED', progress: '0%' }, ...Array(240).fill(running), { status: 'SUCCESS' }] });
      const page = await suite.open();
      const before = await pg.app.stores.tasks.activeIds();
      await slash(page, '/imagine', 'a slow private fox');
      const reply = await pg.discord.waitForMessage((m) => (m.flags & 64) === 64 && m.content.includes('a slow private fox'), 15_000);
      await messageEl(page, reply.id).locator('.ephemeral-note', { hasText: 'Only you can see this' }).waitFor();
      await expect.poll(async () => (await pg.app.stores.tasks.activeIds()).filter((id) => !before.includes(id)).length).toBe(1);
      const [id] = (await pg.app.stores.tasks.activeIds()).filter((i) => !before.includes(i));

      await page.click('#backend-menu summary');
      await page.click('#skip-time');
      await page.waitForSelector('#toast.info');
      pg.proxy!.finish(id!);
      const dm = await pg.discord.waitForMessage((m) => m.channel_id !== reply.channel_id && m.attachments.length === 1 && m.content.includes(`/task ${id}`), 15_000);
      expect(pg.discord.dmChannelId(alice.id)).toBe(dm.channel_id);
      await page.waitForSelector('.sidebar .channel.dm.unread');
      await page.click('#dm-entry');
      await messageEl(page, dm.id).locator('.attachments img').waitFor();
      expect(await page.locator('#channel-title').textContent()).toBe('Direct messages');
      expect(await page.locator('#message-list article').count()).toBe(1);
      // Nothing public in #general, and bob's Direct messages are empty.
      expect(pg.control.messages('bob').some((m) => m.content.includes('a slow private fox'))).toBe(false);
      expect(pg.control.messages('bob', 'dm')).toEqual([]);
      expect(pg.control.messages('alice', 'dm').map((m) => m.id)).toEqual([dm.id]);
      await page.context().close();
    } finally {
      await pg.app.stores.prefs.setUser(alice.id, { visibility: 'public' });
    }
  });
});
