// npm run screenshots: drives the playground in headless Chromium through the main flows and
// writes a PNG of each into docs/screenshots/ (the README shows them). Needs Debian's chromium;
// emoji and Chinese text look right with fonts-noto-color-emoji and fonts-wqy-microhei installed.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { createLogger } from '../../src/logger.ts';
import { launchChromium } from './chromium.ts';
import { startPlayground } from './playground.ts';

// Callbacks given to page.evaluate run in the page; the project compiles without the DOM library.
declare const document: any;
declare const requestAnimationFrame: (cb: () => void) => void;

const OUT = process.argv[2] ?? 'docs/screenshots';
const VIEWPORT = { width: 1280, height: 800 };

const dir = mkdtempSync(join(tmpdir(), 'mjbot-screenshots-'));
mkdirSync(OUT, { recursive: true });
const pg = await startPlayground({
  port: 0,
  storePath: join(dir, 'playground.sqlite'),
  // Slow enough steps that the progress can be caught on camera.
  stepMs: 1500,
  pollIntervalMs: 250,
  env: { EDIT_MIN_INTERVAL_MS: '0' },
  discord: { rateLimits: false },
  logger: createLogger({ level: 'error' }),
});
const browser = await launchChromium();
const written: string[] = [];

async function shot(page: Page, name: string): Promise<void> {
  await page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
  const path = join(OUT, `${name}.png`);
  await page.screenshot({ path });
  written.push(path);
}

async function open(query = ''): Promise<Page> {
  const page = await (await browser.newContext({ viewport: VIEWPORT })).newPage();
  await page.goto(`${pg.url}${query}`);
  await page.waitForSelector('body[data-ready]');
  return page;
}

/** Waits until every image in the channel has loaded (so a shot has no empty boxes). */
async function imagesLoaded(page: Page): Promise<void> {
  await page.waitForFunction(() => [...document.querySelectorAll('#messages img')].every((i: any) => i.complete && i.naturalWidth > 0));
}

async function lastMessage(page: Page, pattern: RegExp, timeout = 30_000): Promise<string> {
  const handle = await page.waitForFunction(
    (src) => {
      const re = new RegExp(src);
      const hit = [...document.querySelectorAll('article.msg')].reverse().find((a: any) => re.test(a.textContent ?? ''));
      return hit?.id ?? false;
    },
    pattern.source,
    { timeout },
  );
  return String(await handle.jsonValue());
}

try {
  const page = await open();
  // 1. The composer lists the bot's registered slash commands.
  await page.click('#composer-input');
  await page.keyboard.type('/');
  await page.waitForSelector('#popup .item');
  await shot(page, 'commands');

  // 2. /imagine running: the progress bar and the proxy's preview.
  await page.keyboard.type('imag');
  await page.keyboard.press('Enter');
  await page.keyboard.type('a red fox in snow, golden hour --ar 3:2');
  await page.keyboard.press('Enter');
  const jobId = await lastMessage(page, /a red fox in snow.*\(78%\)/);
  await page.waitForSelector(`#${jobId} .embed img`);
  await imagesLoaded(page);
  await shot(page, 'progress');

  // 3. The finished grid with Midjourney's buttons.
  await page.waitForSelector(`#${jobId} .attachments img`, { timeout: 30_000 });
  await imagesLoaded(page);
  await shot(page, 'grid');

  // 4. U2: the upscale follows in a new reply, U2 turns green on the grid.
  await page.waitForTimeout(300);
  await page.locator(`#${jobId} button`, { hasText: /^U2$/ }).click();
  const upId = await lastMessage(page, /Image #2.*\(Done\)/);
  await page.waitForSelector(`#${upId} .attachments img`);
  await imagesLoaded(page);
  await page.evaluate(() => document.getElementById('messages').scrollTo(0, 1e9));
  await shot(page, 'upscale');

  // 5. Custom Zoom asks for the prompt in a modal first.
  await page.waitForTimeout(300);
  await page.locator(`#${upId} button`, { hasText: 'Custom Zoom' }).click();
  await page.waitForSelector('dialog#modal[open]');
  await shot(page, 'modal');
  await page.click('#modal-cancel');

  // 6. Bob presses Alice's button: only he is told, privately.
  const bob = await open('?user=bob');
  await bob.locator(`#${jobId} button`, { hasText: /^V1$/ }).click();
  await bob.waitForSelector('article.msg.ephemeral');
  await imagesLoaded(bob);
  await bob.evaluate(() => document.getElementById('messages').scrollTo(0, 1e9));
  await shot(bob, 'not-your-job');

  // 7. The same in Chinese: the page and the bot's replies.
  await page.selectOption('#locale-select', 'zh-CN');
  await page.click('#composer-input');
  await page.keyboard.type('/imagine');
  await page.keyboard.press('Enter');
  await page.keyboard.type('一座雪山上的小屋 --ar 16:9');
  await page.keyboard.press('Enter');
  const zhId = await lastMessage(page, /一座雪山上的小屋.*\(完成\)/);
  await page.waitForSelector(`#${zhId} .attachments img`);
  await imagesLoaded(page);
  await shot(page, 'zh-CN');

  // 7b. The command's options in Chinese: names and descriptions localized, the reference-image options too.
  await page.click('#composer-input');
  await page.keyboard.type('/imagine');
  await page.waitForSelector('#popup .item');
  await page.keyboard.press('Enter');
  await page.keyboard.type('一只戴着围巾的猫');
  await page.locator('#add-options button[data-option="sref"]').click();
  await page.locator('#add-options button[data-option="sw"]').click();
  await page.locator('#add-options button[data-option="image"]').click();
  await page.evaluate(() => document.activeElement?.blur());
  await shot(page, 'zh-CN-options');
  await page.keyboard.press('Escape');
  await page.selectOption('#locale-select', 'en-US');

  // 8. /settings: the private panel, a version picked, Stylize high and RAW on.
  const settings = await open();
  await settings.click('#composer-input');
  await settings.keyboard.type('/settings');
  await settings.waitForSelector('#popup .item');
  await settings.keyboard.press('Enter');
  await settings.keyboard.press('Enter');
  const panelId = await lastMessage(settings, /Your settings/);
  await settings.locator(`#${panelId} select[data-custom-id="mj:set:u:ver"]`).selectOption('7');
  await lastMessage(settings, /Midjourney V7 \(yours\)/);
  await settings.locator(`#${panelId} button[data-custom-id="mj:set:u:s:250"]`).click();
  await lastMessage(settings, /Stylize: 250 \(yours\)/);
  await settings.locator(`#${panelId} button[data-custom-id="mj:set:u:raw"]`).click();
  await lastMessage(settings, /RAW style: on \(yours\)/);
  await settings.evaluate(() => document.getElementById('messages').scrollTo(0, 1e9));
  await shot(settings, 'settings');

  // 9. Remix mode on: V2 opens the prompt editor at once.
  await settings.locator(`#${panelId} button[data-custom-id="mj:set:u:remix"]`).click();
  await lastMessage(settings, /Remix mode: on \(yours\)/);
  const remixPage = await open();
  await remixPage.locator(`#${jobId} button`, { hasText: /^V2$/ }).click();
  await remixPage.waitForSelector('dialog#modal[open]');
  await remixPage.fill('dialog#modal textarea', 'a red fox in snow, golden hour, wind in the fur --ar 3:2');
  await shot(remixPage, 'remix');
  await remixPage.click('#modal-cancel');
  await settings.locator(`#${panelId} button[data-custom-id="mj:set:u:remix"]`).click();
  await lastMessage(settings, /Remix mode: off \(yours\)/);

  // 10. The server's side: an admin picks #gallery; Share on the upscale posts it there, the original links to it.
  const gallery = pg.discord.channelList().find((c) => c.name === 'gallery')!;
  await settings.locator(`#${panelId} button[data-custom-id="mj:set:o:open"]`).click();
  await settings.locator(`#${panelId} select[data-custom-id="mj:set:o:gal"]`).selectOption(gallery.id);
  await lastMessage(settings, /Gallery channel: #gallery/);
  await settings.evaluate(() => document.getElementById('messages').scrollTo(0, 1e9));
  await shot(settings, 'settings-server');
  await remixPage.locator(`#${upId} button`, { hasText: 'Share' }).click();
  await lastMessage(remixPage, /📌 Shared:/);
  await remixPage.waitForSelector('.sidebar .channel.unread[data-channel="gallery"]');
  await imagesLoaded(remixPage);
  await remixPage.evaluate((id) => document.getElementById(id).scrollIntoView({ block: 'start' }), upId);
  await shot(remixPage, 'share');
  await remixPage.click('.sidebar .channel[data-channel="gallery"]');
  await remixPage.waitForSelector('#message-list article .attachments img');
  await imagesLoaded(remixPage);
  await shot(remixPage, 'gallery');

  // 11. A running job offers ❌; /info lists it with the day's count, the limits and the settings.
  const running = { status: 'IN_PROGRESS', progress: '46%' } as const;
  pg.proxy!.nextTimeline({ steps: [{ status: 'SUBMITTED', progress: '0%' }, { status: 'IN_PROGRESS', progress: '15%' }, ...Array(400).fill(running), { status: 'SUCCESS' }] });
  const work = await open();
  await work.click('#composer-input');
  await work.keyboard.type('/imag');
  await work.keyboard.press('Enter');
  await work.keyboard.type('a lighthouse in a storm, long exposure');
  await work.keyboard.press('Enter');
  const runningId = await lastMessage(work, /a lighthouse in a storm.*\(46%\)/);
  await work.waitForSelector(`#${runningId} button`);
  await shot(work, 'cancel');
  await work.click('#composer-input');
  await work.keyboard.type('/info');
  await work.waitForSelector('#popup .item');
  await work.keyboard.press('Enter');
  await work.keyboard.press('Enter');
  await lastMessage(work, /Your info/);
  await work.evaluate(() => document.getElementById('messages').scrollTo(0, 1e9));
  await shot(work, 'info');
  await work.locator(`#${runningId} button`, { hasText: '❌' }).click();
  await lastMessage(work, /Job cancelled/);

  // 12. Private results: ephemeral to the requester; one that outlives its token (+20 min) arrives by DM.
  // (The panel above shows the server's side now: the user's choice goes straight into the store, as its Private button would.)
  await pg.app.stores.prefs.setUser(pg.discord.users.alice.id, { visibility: 'private' });
  pg.proxy!.nextTimeline({ steps: [{ status: 'SUBMITTED', progress: '0%' }, { status: 'IN_PROGRESS', progress: '15%' }, ...Array(400).fill({ status: 'IN_PROGRESS', progress: '78%' }), { status: 'SUCCESS' }] });
  const before = await pg.app.stores.tasks.activeIds();
  const priv = await open();
  await priv.click('#composer-input');
  await priv.keyboard.type('/imag');
  await priv.keyboard.press('Enter');
  await priv.keyboard.type('a paper boat on a rainy street');
  await priv.keyboard.press('Enter');
  const privId = await lastMessage(priv, /a paper boat on a rainy street.*\(78%\)/);
  await priv.waitForSelector(`#${privId}.ephemeral`);
  await imagesLoaded(priv);
  await shot(priv, 'private');
  await priv.click('#backend-menu summary');
  await priv.click('#skip-time');
  await priv.click('#backend-menu summary');
  const [taskId] = (await pg.app.stores.tasks.activeIds()).filter((i) => !before.includes(i));
  pg.proxy!.finish(taskId!);
  await priv.waitForSelector('.sidebar .channel.dm.unread', { timeout: 30_000 });
  await priv.click('#dm-entry');
  await priv.waitForSelector('#message-list article .attachments img');
  await imagesLoaded(priv);
  await priv.evaluate(() => (document.getElementById('toast').hidden = true));
  await shot(priv, 'dm');

  for (const p of written) console.log(`wrote ${p}`);
} finally {
  await browser.close();
  await pg.close();
  rmSync(dir, { recursive: true, force: true });
}
