// Chromium on a fresh machine (test/helpers/chromium-setup.ts): when it is installed, how (a
// stand-in apt-get records what it was asked, as the real one would be), and the one line otherwise.
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureChromium, planChromium, type Machine } from '../helpers/chromium-setup.ts';
import { chromiumPath, launchChromium } from '../../stand-ins/playground/chromium.ts';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const fresh: Machine = { path: '/usr/bin/chromium', explicit: false, exists: false, root: true, aptGet: '/usr/bin/apt-get', sudo: false, optOut: false };

describe('planChromium', () => {
  it('uses what is there, installs only when allowed, and says why not otherwise', () => {
    expect(planChromium({ ...fresh, exists: true })).toEqual({ action: 'use', path: '/usr/bin/chromium' });
    expect(planChromium(fresh)).toEqual({ action: 'install', path: '/usr/bin/chromium', sudo: false });
    expect(planChromium({ ...fresh, root: false, sudo: true })).toEqual({ action: 'install', path: '/usr/bin/chromium', sudo: true });
    expect(planChromium({ ...fresh, root: false })).toMatchObject({ action: 'missing', why: /sudo asks for a password/ });
    expect(planChromium({ ...fresh, aptGet: null })).toMatchObject({ action: 'missing', why: /no apt-get/ });
    expect(planChromium({ ...fresh, optOut: true })).toMatchObject({ action: 'missing', why: /CHROMIUM_AUTO_INSTALL/ });
    expect(planChromium({ ...fresh, path: '/opt/chrome/chrome', explicit: true })).toMatchObject({ action: 'missing', why: /CHROMIUM_PATH/ });
  });

  it('looks at CHROMIUM_PATH, then /usr/bin/chromium', () => {
    expect(chromiumPath({ CHROMIUM_PATH: ' /opt/chromium/chrome ' })).toEqual({ path: '/opt/chromium/chrome', explicit: true });
    expect(chromiumPath({})).toEqual({ path: '/usr/bin/chromium', explicit: false });
  });
});

/** An apt-get that logs its calls (and whether anything could answer a prompt) and "installs" by creating `target`. */
function standInAptGet(target: string, failInstall = false): { aptGet: string; calls: () => string[] } {
  dir = mkdtempSync(join(tmpdir(), 'mjbot-apt-'));
  const log = join(dir, 'calls.log');
  const aptGet = join(dir, 'apt-get');
  writeFileSync(
    aptGet,
    [
      '#!/bin/sh',
      'if read -r line; then stdin=open; else stdin=closed; fi',
      `echo "$DEBIAN_FRONTEND stdin=$stdin $*" >> '${log}'`,
      'case "$1" in',
      `  install) ${failInstall ? "echo 'E: Unable to locate package chromium' >&2; exit 100" : `touch '${target}'`} ;;`,
      'esac',
      '',
    ].join('\n'),
  );
  chmodSync(aptGet, 0o755);
  return { aptGet, calls: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []) };
}

describe('ensureChromium', () => {
  it('installs Debian\'s chromium without a question, saying so', () => {
    const target = join(tmpdir(), `mjbot-chromium-${process.pid}`);
    const apt = standInAptGet(target);
    const lines: string[] = [];
    try {
      const plan = ensureChromium({ ...fresh, path: target, aptGet: apt.aptGet }, (l) => lines.push(l));
      expect(plan).toEqual({ action: 'install', path: target, sudo: false });
      expect(apt.calls()).toEqual([
        'noninteractive stdin=closed update -qq',
        'noninteractive stdin=closed install -y -qq -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold chromium',
      ]);
      expect(lines[0]).toMatch(/^installing Debian's chromium for the browser tests/);
      expect(lines.at(-1)).toBe(`chromium installed at ${target}`);
      expect(existsSync(target)).toBe(true);
    } finally {
      rmSync(target, { force: true });
    }
  });

  it('a failed install is one line with the reason and the way to do it by hand; nothing throws', () => {
    const target = join(tmpdir(), `mjbot-chromium-none-${process.pid}`);
    const apt = standInAptGet(target, true);
    const lines: string[] = [];
    const plan = ensureChromium({ ...fresh, path: target, aptGet: apt.aptGet }, (l) => lines.push(l));
    expect(plan).toMatchObject({ action: 'missing', why: 'E: Unable to locate package chromium' });
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^could not install chromium \(apt-get install: E: Unable to locate package chromium\); Chromium not found at .*apt-get install -y chromium/);
  });

  it('does nothing when Chromium is there or may not be installed', () => {
    const lines: string[] = [];
    expect(ensureChromium({ ...fresh, exists: true }, (l) => lines.push(l)).action).toBe('use');
    expect(ensureChromium({ ...fresh, optOut: true }, (l) => lines.push(l)).action).toBe('missing');
    expect(lines).toEqual([]);
  });
});

describe('launchChromium without Chromium', () => {
  it('fails with one line naming the place and the install command', async () => {
    const before = process.env.CHROMIUM_PATH;
    process.env.CHROMIUM_PATH = '/nonexistent/chromium';
    try {
      const err = await launchChromium().then(() => null, (e: Error) => e);
      expect(err?.message).toMatch(/^Chromium not found at \/nonexistent\/chromium: .*apt-get update && apt-get install -y chromium.*CHROMIUM_PATH\.$/);
      expect(err?.message).not.toContain('\n');
    } finally {
      if (before === undefined) delete process.env.CHROMIUM_PATH;
      else process.env.CHROMIUM_PATH = before;
    }
  });
});
