// The playground page in real headless Chromium: a job's life as a person sees it. /imagine typed
// in the composer with its progress, U1, the modals of Custom Zoom and Vary (Region), a restart.
import { describe, expect, it } from 'vitest';
import { encodePng } from '../../stand-ins/fake-proxy.ts';
import { browserSuite, messageEl, slash } from './browser-suite.ts';
import { finishedGrid, finishedUpscale, settled } from './helpers.ts';

// Callbacks below run in the page; the project compiles without the DOM library.
declare const document: any;

const suite = browserSuite();

describe('the playground in a browser: jobs', () => {
  it('/imagine from the composer: progress, the grid, U1, the upscale', async () => {
    // The usual job, each progress step held twice as long, so a loaded CI machine still shows it.
    const preview = `${suite.pg.proxy!.baseUrl}/cdn/preview/grid_0.webp`;
    const running = (progress: string, imageUrl?: string) => ({ status: 'IN_PROGRESS', progress, ...(imageUrl ? { imageUrl } : {}) });
    suite.pg.proxy!.nextTimeline({
      steps: [{ status: 'SUBMITTED', progress: '0%' }, running('15%'), running('15%'), running('46%'), running('46%'), running('78%', preview), running('78%', preview), { status: 'SUCCESS' }],
    });
    const page = await suite.open();
    await page.click('#composer-input');
    await page.keyboard.type('/imag');
    const item = page.locator('#popup .item').first();
    expect(await item.textContent()).toContain('/imagine');
    expect(await item.textContent()).toContain('Create images from a prompt');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.closest('.field')?.getAttribute('data-option'))).toBe('prompt');
    await page.keyboard.type('a lighthouse in fog --ar 3:2');
    await page.keyboard.press('Enter');

    // The public reply, then progress with the bar and the proxy's preview, then the grid.
    const reply = await suite.pg.discord.waitForMessage((m) => m.content.includes('a lighthouse in fog'));
    const el = messageEl(page, reply.id);
    await el.waitFor();
    expect(await el.locator('.context').textContent()).toContain('@alice used /imagine');
    await page.waitForFunction((id) => /\(\d+%\)/.test(document.getElementById(`m-${id}`)?.textContent ?? ''), reply.id, { timeout: 15_000 });
    await page.waitForFunction((id) => document.querySelector(`#m-${id} .embed img.e-image`) !== null, reply.id, { timeout: 15_000 });
    await el.locator('.attachments img').waitFor({ timeout: 15_000 });
    expect(await el.locator('.content').textContent()).toMatch(/a lighthouse in fog --ar 3:2 - @alice \(Done\)/);
    expect(await el.locator('.content .mention').textContent()).toBe('@alice');
    const rows = await el.locator('.row').evaluateAll((rs) => rs.map((r: any) => [...r.querySelectorAll('button')].map((b: any) => b.textContent)));
    expect(rows).toEqual([['U1', 'U2', 'U3', 'U4', '🔄'], ['V1', 'V2', 'V3', 'V4', '🌱'], ['📤Share', '🗑️']]);
    // The picture really is the placeholder grid: it loaded, 2×2 cells of 256×171 for --ar 3:2.
    const size = await el.locator('.attachments img').evaluate(async (img: any) => {
      await img.decode();
      return [img.naturalWidth, img.naturalHeight];
    });
    expect(size).toEqual([512, 342]);

    await settled(suite.pg, suite.pg.discord.messages.get(reply.id));
    await el.locator('button', { hasText: /^U1$/ }).click();
    const up = await suite.pg.discord.waitForMessage((m) => /Image #1/.test(m.content) && m.id !== reply.id);
    const upEl = messageEl(page, up.id);
    await upEl.locator('.attachments img').waitFor({ timeout: 15_000 });
    await upEl.locator('button', { hasText: 'Custom Zoom' }).waitFor();
    expect(await upEl.locator('.context').textContent()).toContain('@alice clicked a button on');
    // U1 turned green on the grid, as Midjourney marks what was picked.
    await page.waitForFunction((id) => document.querySelector(`#m-${id} button[data-custom-id$=":0"]`)?.classList.contains('s3'), reply.id);
    await page.context().close();
  });

  it('Custom Zoom opens a modal pre-filled with --zoom 2; submitting it starts the zoom', async () => {
    const grid = await finishedGrid(suite.pg, 'a harbor at dawn');
    const up = await finishedUpscale(suite.pg, grid, 2);
    const page = await suite.open();
    const el = messageEl(page, up.id);
    await el.locator('button', { hasText: 'Custom Zoom' }).click();
    const dialog = page.locator('dialog#modal');
    await dialog.waitFor();
    expect(await page.locator('#modal-title').textContent()).toBe('Custom Zoom');
    const prompt = dialog.locator('textarea');
    expect(await prompt.inputValue()).toBe('a harbor at dawn --zoom 2');
    await prompt.fill('a harbor at dawn --zoom 1.5');
    const modalReq = suite.pg.proxy!.nextRequest((r) => r.route === '/mj/submit/modal', 15_000);
    await page.click('#modal-submit');
    await dialog.waitFor({ state: 'hidden' });
    expect((await modalReq).body.prompt).toBe('a harbor at dawn --zoom 1.5');
    const zoom = await suite.pg.discord.waitForMessage((m) => /Custom Zoom/.test(m.content) && m.interaction_metadata?.type === 5);
    await messageEl(page, zoom.id).locator('.attachments img').waitFor({ timeout: 15_000 });
    await page.context().close();
  });

  it('Vary (Region) takes the mask in the modal\'s file field', async () => {
    const grid = await finishedGrid(suite.pg, 'a quiet street');
    const up = await finishedUpscale(suite.pg, grid, 1);
    const page = await suite.open();
    await messageEl(page, up.id).locator('button', { hasText: 'Vary (Region)' }).click();
    await page.locator('dialog#modal').waitFor();
    expect(await page.locator('#modal-title').textContent()).toBe('Vary (Region)');
    await page.setInputFiles('dialog#modal input[type=file]', { name: 'mask.png', mimeType: 'image/png', buffer: encodePng([255, 255, 255], 512, 342) });
    const modalReq = suite.pg.proxy!.nextRequest((r) => r.route === '/mj/submit/modal', 15_000);
    await page.click('#modal-submit');
    expect((await modalReq).body.maskBase64).toMatch(/^data:image\/png;base64,iVBOR/);
    await page.locator('dialog#modal').waitFor({ state: 'hidden' });
    await page.context().close();
  });

  it('restart bot: a job in flight goes on after the bot restarts', async () => {
    // A slow job: submitted, then ten progress steps, then done.
    const steps = [{ status: 'SUBMITTED', progress: '0%' }, ...Array.from({ length: 10 }, (_, i) => ({ status: 'IN_PROGRESS', progress: `${(i + 1) * 9}%` })), { status: 'SUCCESS' }];
    suite.pg.proxy!.nextTimeline({ steps });
    const page = await suite.open();
    await slash(page, '/imagine', 'a slow sunrise');
    const reply = await suite.pg.discord.waitForMessage((m) => m.content.includes('a slow sunrise') && /\(\d+%\)/.test(m.content), 15_000);
    const before = suite.pg.app;
    await page.click('#restart');
    await page.waitForFunction(() => document.getElementById('status')?.classList.contains('online') && /online/.test(document.getElementById('status-text')?.textContent ?? ''));
    expect(suite.pg.app).not.toBe(before);
    // Still running when the new bot took over: only ❌ Cancel.
    expect(suite.pg.discord.messages.get(reply.id).components.flatMap((r: any) => r.components).map((b: any) => b.custom_id.slice(0, 5))).toEqual(['mj:x:']);
    await messageEl(page, reply.id).locator('.attachments img').waitFor({ timeout: 15_000 });
    expect(await messageEl(page, reply.id).locator('button', { hasText: /^U1$/ }).count()).toBe(1);
    await page.context().close();
  });
});
