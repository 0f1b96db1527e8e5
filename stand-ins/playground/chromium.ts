// Debian's Chromium driven by playwright-core, for the playground's browser tests and screenshots.
// playwright-core downloads no browser: it drives the system one (`apt-get install chromium`), found
// at CHROMIUM_PATH, else /usr/bin/chromium. The tests' global set-up installs it when it may
// (test/helpers/chromium-setup.ts); the message below is what everyone else reads.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

/** Where Chromium is looked for, and whether the operator chose that place. */
export function chromiumPath(env: Record<string, string | undefined> = process.env): { path: string; explicit: boolean } {
  const set = env.CHROMIUM_PATH?.trim();
  return set ? { path: set, explicit: true } : { path: DEFAULT_CHROMIUM_PATH, explicit: false };
}

/** The one line for a machine without it. */
export function chromiumMissing(path: string): string {
  return `Chromium not found at ${path}: the playground's browser tests and screenshots need it; install it with \`apt-get update && apt-get install -y chromium\` (Debian), or set CHROMIUM_PATH.`;
}

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
  const { path } = chromiumPath();
  if (!existsSync(path)) throw new Error(chromiumMissing(path));
  // A fresh profile every launch (playwright gives each launch its own temporary user data dir).
  return chromium.launch({ executablePath: path, headless: true, args: FLAGS });
}
