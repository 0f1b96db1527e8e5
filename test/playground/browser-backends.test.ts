// The page with two simulated backends: Backend ▾ has a switch per backend that takes it down
// (connections refused) and brings it back, with a toast saying what that means.
import { expect, it } from 'vitest';
import { browserSuite } from './browser-suite.ts';

const suite = browserSuite({ simulatedBackends: 2 });

it('Backend ▾ takes relay-b down and back', async () => {
  const page = await suite.open();
  const relay = suite.pg.backends!.find((b) => b.name === 'relay-b')!.proxy;
  await page.click('#backend-menu summary');
  const box = page.locator('#backend-switches input[data-backend="relay-b"]');
  const labels = (await page.locator('#backend-switches label').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
  expect(labels).toEqual(['default down (refuses connections)', 'relay-b down (refuses connections)']);
  expect(await box.isChecked()).toBe(false);
  await box.check();
  await page.waitForSelector('#toast:has-text("relay-b is down: new jobs go to the other backend")');
  expect(relay.offline).toBe(true);
  await box.uncheck();
  await page.waitForSelector('#toast:has-text("relay-b is back")');
  expect(relay.offline).toBe(false);
  // Reloaded, the page shows the switch as the backend is.
  await box.check();
  await page.waitForSelector('#toast:has-text("relay-b is down")');
  const again = await suite.open();
  await again.click('#backend-menu summary');
  expect(await again.locator('#backend-switches input[data-backend="relay-b"]').isChecked()).toBe(true);
});
