// Shared set-up of the browser test files: one playground and one headless Chromium (Debian's
// chromium, driven by playwright-core) per file, a fresh browser context per page. Without Chromium
// every test fails with the one-line reason (never skipped); the global set-up installs it first
// where it may (test/helpers/chromium-setup.ts).
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../stand-ins/playground/chromium.ts';
import { startTestPlayground, type TestPlayground } from './helpers.ts';

export interface BrowserSuite {
  /** The playground of this file (set once the hooks ran). */
  readonly pg: TestPlayground;
  /** Opens the page (`?user=bob&locale=zh-CN` work) in a new browser context, once it is ready. */
  open(query?: string): Promise<Page>;
}

export function browserSuite(more: Parameters<typeof startTestPlayground>[1] = {}): BrowserSuite {
  let pg: TestPlayground | undefined;
  let browser: Browser | undefined;
  let launchError: unknown;
  beforeAll(async () => {
    try {
      browser = await launchChromium();
    } catch (err) {
      launchError = err;
      return;
    }
    pg = await startTestPlayground(250, more);
  }, 30_000);
  beforeEach(() => {
    if (launchError) throw launchError;
  });
  afterAll(async () => {
    await browser?.close();
    await pg?.close();
  });
  return {
    get pg() {
      return pg!;
    },
    async open(query = '') {
      const context = await browser!.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(e.message));
      await page.goto(`${pg!.url}${query}`);
      await page.waitForSelector('body[data-ready]', { timeout: 15_000 }).catch((e: Error) => {
        throw new Error(`the page did not start (${problems.join('; ') || e.message})`);
      });
      return page;
    },
  };
}

/** The page's element for a Discord message id. */
export const messageEl = (page: Page, id: string) => page.locator(`article#m-${id}`);

/** Types a slash command the way a person does: "/name", pick it, fill the first option, Enter. */
export async function slash(page: Page, typed: string, first: string): Promise<void> {
  await page.click('#composer-input');
  await page.keyboard.type(typed);
  await page.waitForSelector('#popup .item');
  await page.keyboard.press('Enter');
  await page.keyboard.type(first);
  await page.keyboard.press('Enter');
}
