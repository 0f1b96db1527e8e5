// Chromium for the browser tests on a fresh machine: found where the playground looks for it
// (CHROMIUM_PATH, else /usr/bin/chromium); when missing and allowed, Debian's package is installed
// once, before any test runs (vitest's global set-up), without a prompt. Allowed means: Chromium's
// place was not chosen by CHROMIUM_PATH, apt-get is there, we are root or sudo needs no password,
// and CHROMIUM_AUTO_INSTALL is not 0/false/no. Otherwise the browser tests fail with one line
// saying how to install it (stand-ins/playground/chromium.ts).
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { chromiumMissing, chromiumPath } from '../../stand-ins/playground/chromium.ts';

export type ChromiumPlan =
  | { action: 'use'; path: string }
  | { action: 'install'; path: string; sudo: boolean }
  | { action: 'missing'; path: string; why: string };

export interface Machine {
  path: string;
  explicit: boolean;
  exists: boolean;
  root: boolean;
  /** apt-get's path, or null. */
  aptGet: string | null;
  /** sudo -n works (no password asked). */
  sudo: boolean;
  optOut: boolean;
}

export function planChromium(m: Machine): ChromiumPlan {
  if (m.exists) return { action: 'use', path: m.path };
  const no = (why: string): ChromiumPlan => ({ action: 'missing', path: m.path, why });
  if (m.explicit) return no('CHROMIUM_PATH names it: nothing is installed in its place');
  if (m.optOut) return no('CHROMIUM_AUTO_INSTALL is off');
  if (!m.aptGet) return no('no apt-get on this machine');
  if (!m.root && !m.sudo) return no('not root, and sudo asks for a password');
  return { action: 'install', path: m.path, sudo: !m.root };
}

function onPath(name: string, env: Record<string, string | undefined>): string | null {
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not here
    }
  }
  return null;
}

export function describeMachine(env: Record<string, string | undefined> = process.env): Machine {
  const { path, explicit } = chromiumPath(env);
  const root = process.getuid?.() === 0;
  return {
    path,
    explicit,
    exists: existsSync(path),
    root,
    aptGet: onPath('apt-get', env),
    sudo: !root && onPath('sudo', env) !== null && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0,
    optOut: /^(0|false|no)$/i.test(env.CHROMIUM_AUTO_INSTALL?.trim() ?? ''),
  };
}

/** Keeps the machine's own dpkg configuration files and never stops for a question. */
const APT_INSTALL = ['install', '-y', '-qq', '-o', 'Dpkg::Options::=--force-confdef', '-o', 'Dpkg::Options::=--force-confold', 'chromium'];

/**
 * Installs Chromium when the plan says so; returns what was done. Never throws: a failed install
 * leaves the browser tests to fail with their one line.
 */
export function ensureChromium(m: Machine = describeMachine(), log: (line: string) => void = (l) => console.log(l)): ChromiumPlan {
  const plan = planChromium(m);
  if (plan.action !== 'install') return plan;
  log(`installing Debian's chromium for the browser tests (apt-get install chromium, once per machine; CHROMIUM_AUTO_INSTALL=0 turns this off)`);
  const apt = (args: string[]) => {
    const [cmd, argv] = plan.sudo ? ['sudo', ['-n', 'env', 'DEBIAN_FRONTEND=noninteractive', m.aptGet!, ...args]] : [m.aptGet!, args];
    // No standard input: nothing can wait for an answer.
    return spawnSync(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, encoding: 'utf8' });
  };
  for (const step of [['update', '-qq'], APT_INSTALL]) {
    const r = apt(step);
    if (r.status !== 0) {
      const why = (r.stderr ?? '').trim().split('\n').pop() || `exit ${r.status ?? r.signal}`;
      log(`could not install chromium (apt-get ${step[0]}: ${why}); ${chromiumMissing(plan.path)}`);
      return { action: 'missing', path: plan.path, why };
    }
  }
  if (!existsSync(plan.path)) {
    log(`apt-get installed chromium but ${plan.path} is still missing; ${chromiumMissing(plan.path)}`);
    return { action: 'missing', path: plan.path, why: 'not where expected after the install' };
  }
  log(`chromium installed at ${plan.path}`);
  return plan;
}
