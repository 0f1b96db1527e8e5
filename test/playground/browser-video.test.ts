// The playground page in real headless Chromium: Animate on an upscale, through a relay that refuses
// animate_* as an action (new-api), makes videos that play in the page as Discord plays them inline.
import { describe, expect, it } from 'vitest';
import { browserSuite, messageEl } from './browser-suite.ts';
import { finishedGrid, finishedUpscale } from './helpers.ts';

// Callbacks below run in the page; the project compiles without the DOM library.
declare const document: any;

const suite = browserSuite();

describe('the playground in a browser: video', () => {
  it('Animate through a relay that refuses it as an action: the videos play in the page', async () => {
    suite.pg.proxy!.setQuirks({ newApiActions: true });
    const grid = await finishedGrid(suite.pg, 'a kite over the dunes');
    const up = await finishedUpscale(suite.pg, grid, 1);
    const page = await suite.open();
    const video = suite.pg.proxy!.nextRequest((r) => r.route === '/mj/submit/video', 15_000);
    await messageEl(page, up.id).locator('button', { hasText: 'Animate (Low motion)' }).click();
    expect((await video).body).toMatchObject({ prompt: 'a kite over the dunes', motion: 'low' });
    const done = await suite.pg.discord.waitForMessage((m) => /Animate \(Low motion\)/.test(m.content) && m.attachments.length === 4, 20_000);
    const el = messageEl(page, done.id);
    await el.locator('video').first().waitFor({ timeout: 15_000 });
    // The first clip decodes: the browser knows its size and has its first frame.
    const played = await page.waitForFunction(
      (id) => {
        const v = document.querySelector(`#m-${id} video`);
        return v && v.readyState >= 2 ? [v.videoWidth, v.videoHeight] : null;
      },
      done.id,
      { timeout: 15_000 },
    );
    expect(await played.jsonValue()).toEqual([16, 16]);
    expect(await el.locator('.attachments a.file').count()).toBe(0); // no "cannot play" fallback
    await page.context().close();
  });
});
