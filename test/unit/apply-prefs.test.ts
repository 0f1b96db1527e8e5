// What /settings adds to a prompt: only what the prompt (or the suffix) does not set itself.
import { describe, expect, it } from 'vitest';
import { applyPrefs, effectiveMode, versionParam } from '../../src/jobs/apply-prefs.ts';

const versions = ['7', '6.1', 'niji 6'];
const all = { version: '7', stylize: 250, raw: true };

describe('applyPrefs', () => {
  it('adds the version, stylize and RAW after the prompt’s own parameters', () => {
    expect(applyPrefs('a red fox', all, { versions })).toBe('a red fox --v 7 --s 250 --style raw');
    expect(applyPrefs('a red fox --ar 3:2', all, { versions })).toBe('a red fox --ar 3:2 --v 7 --s 250 --style raw');
  });

  it('leaves a prompt with nothing to add exactly as typed', () => {
    expect(applyPrefs('  a  fox  ', {}, { versions })).toBe('  a  fox  ');
    expect(applyPrefs('a fox', { raw: false, remix: true, mode: 'fast' }, { versions })).toBe('a fox');
  });

  it('keeps what the prompt sets: --v / --version / --niji exclude each other, --s / --stylize, any --style', () => {
    expect(applyPrefs('fox --v 6.1', all, { versions })).toBe('fox --v 6.1 --s 250 --style raw');
    expect(applyPrefs('fox --version 6.1', all, { versions })).toBe('fox --version 6.1 --s 250 --style raw');
    expect(applyPrefs('fox --niji 6', all, { versions })).toBe('fox --niji 6 --s 250 --style raw');
    expect(applyPrefs('fox --v 6.1', { version: 'niji 6' }, { versions })).toBe('fox --v 6.1');
    expect(applyPrefs('fox --niji 6', { version: '7' }, { versions })).toBe('fox --niji 6');
    expect(applyPrefs('fox --stylize 20', all, { versions })).toBe('fox --stylize 20 --v 7 --style raw');
    expect(applyPrefs('fox --s 0', all, { versions })).toBe('fox --s 0 --v 7 --style raw');
    expect(applyPrefs('fox --style 4a', all, { versions })).toBe('fox --style 4a --v 7 --s 250');
    expect(applyPrefs('fox —v 6', all, { versions })).toBe('fox —v 6 --s 250 --style raw');
    expect(applyPrefs('fox --V 6', { version: '7' }, { versions })).toBe('fox --V 6');
  });

  it('a niji version is --niji; a version no longer configured, or the Niji bot, adds none', () => {
    expect(versionParam('niji 6')).toBe('--niji 6');
    expect(versionParam('6.1')).toBe('--v 6.1');
    expect(applyPrefs('fox', { version: 'niji 6' }, { versions })).toBe('fox --niji 6');
    expect(applyPrefs('fox', { version: '5.2' }, { versions })).toBe('fox');
    expect(applyPrefs('fox', { version: '7', stylize: 50 }, { versions, botType: 'NIJI_JOURNEY' })).toBe('fox --s 50');
  });

  it('the suffix: its words after the prompt’s words, its parameters where the prompt has none of them', () => {
    expect(applyPrefs('a fox', { suffix: 'watercolor' }, { versions })).toBe('a fox watercolor');
    expect(applyPrefs('a fox --ar 3:2', { suffix: 'watercolor --ar 16:9 --chaos 10' }, { versions })).toBe('a fox watercolor --ar 3:2 --chaos 10');
    expect(applyPrefs('a fox --c 5', { suffix: '--chaos 10 --v 6.1', version: '7' }, { versions })).toBe('a fox --c 5 --v 6.1');
    expect(applyPrefs('a fox', { suffix: '--s 400', stylize: 250 }, { versions })).toBe('a fox --s 400');
  });
});

describe('effectiveMode', () => {
  it('the command’s mode, else the chosen one while it is still configured', () => {
    expect(effectiveMode('relax', { mode: 'fast' }, ['fast', 'relax'])).toBe('relax');
    expect(effectiveMode(undefined, { mode: 'fast' }, ['fast', 'relax'])).toBe('fast');
    expect(effectiveMode(undefined, { mode: 'turbo' }, ['fast', 'relax'])).toBeUndefined();
    expect(effectiveMode(undefined, {}, ['fast'])).toBeUndefined();
  });
});
