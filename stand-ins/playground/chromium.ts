// Debian's Chromium driven by playwright-core, for the playground's browser tests and screenshots.
// playwright-core downloads no browser: it drives the system one (`apt-get install chromium`).
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Root in a container needs --no-sandbox; the rest keep Chromium from calling home (the network here is closed). */
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: the playground's browser tests and screenshots need it. ` +
        'Install it with `apt-get update && apt-get install -y chromium` (Debian), or set CHROMIUM_PATH.',
    );
  }
  // A fresh profile every launch (playwright gives each launch its own temporary user data dir).
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: FLAGS });
}
