// MJ_BACKENDS: several backends in one JSON variable, checked like every other variable (one line
// per mistake, naming the entry and field, never the value), backward compatible with MJ_BASE_URL,
// and every backend's key and URL credentials in the scrubber.
import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { backendsOf } from '../../src/config-backends.ts';
import { ConfigError, loadConfig, redacted } from '../../src/config.ts';
import { createScrubber, secretsOf } from '../../src/secrets.ts';
import { must } from '../helpers/must.ts';

const discord = { DISCORD_TOKEN: 'tok.en.value', DISCORD_APP_ID: '123456789012345678' };
const two = [
  { name: 'default', baseUrl: 'https://relay-a.example/mj', apiKey: 'sk-aaaa-1111-secret', modes: { fast: '/mj-fast', relax: 'https://relay-a.example/mj-relax' }, weight: 3 },
  { name: 'home', baseUrl: 'http://user:pw-home-7788@mj.internal:8080', apiKey: 'home-secret-2222', authStyle: 'mj-api-secret', guilds: ['123456789012345678'], modes: { turbo: '/mj-turbo' } },
];
const withBackends = (list: unknown) => loadConfig({ ...discord, MJ_BACKENDS: JSON.stringify(list) });

/** The one line a bad MJ_BACKENDS gives. */
function problem(list: unknown, raw?: string): string {
  try {
    loadConfig({ ...discord, MJ_BACKENDS: raw ?? JSON.stringify(list) });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    const lines = (e as ConfigError).problems;
    expect(lines).toHaveLength(1);
    return lines[0]!;
  }
  throw new Error('expected a ConfigError');
}

describe('MJ_BACKENDS', () => {
  it('reads each backend with its defaults, resolves its speeds to URLs, and offers all speeds as choices', () => {
    const c = withBackends(two);
    const [a, b] = backendsOf(c);
    expect(a).toEqual({
      name: 'default',
      baseUrl: 'https://relay-a.example/mj',
      apiKey: 'sk-aaaa-1111-secret',
      authStyle: 'bearer',
      modes: { fast: 'https://relay-a.example/mj-fast', relax: 'https://relay-a.example/mj-relax' },
      weight: 3,
    });
    expect(b).toMatchObject({ name: 'home', authStyle: 'mj-api-secret', weight: 1, guilds: ['123456789012345678'], modes: { turbo: 'http://user:pw-home-7788@mj.internal:8080/mj-turbo' } });
    expect(Object.keys(c.MJ_MODES)).toEqual(['fast', 'relax', 'turbo']);
    expect(c.MJ_BASE_URL).toBeUndefined();
  });

  it.each(['README.md', '.env.example'])('the worked example in %s is valid as written', (file) => {
    const line = readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8').split('\n').find((l) => /^(# )?MJ_BACKENDS='/.test(l));
    const env = parseEnv(must(line, 'the example line').replace(/^# /, ''));
    expect(backendsOf(loadConfig({ ...discord, ...env })).map((b) => b.name).length).toBeGreaterThan(1);
  });

  it('without it, MJ_BASE_URL and its kin are one backend named default (older stores keep working)', () => {
    const c = loadConfig({ ...discord, MJ_BASE_URL: 'https://relay.example', MJ_API_KEY: 'k-1', MJ_AUTH_STYLE: 'raw', MJ_MODES: 'fast=https://relay.example/mj-fast' });
    expect(backendsOf(c)).toEqual([{ name: 'default', baseUrl: 'https://relay.example', apiKey: 'k-1', authStyle: 'raw', modes: { fast: 'https://relay.example/mj-fast' }, weight: 1 }]);
  });

  it.each([
    ['not JSON', undefined, '{name:', 'MJ_BACKENDS: expected a JSON list of backends; this is not valid JSON'],
    ['not a list', { name: 'a' }, undefined, /^MJ_BACKENDS: expected a JSON list of backends/],
    ['an empty list', [], undefined, 'MJ_BACKENDS: expected at least one backend'],
    ['an entry that is not an object', ['https://a.example'], undefined, 'MJ_BACKENDS[0]: expected an object with name and baseUrl'],
    ['a bad URL', [{ name: 'a', baseUrl: 'https://a.example' }, { name: 'b', baseUrl: 'ftp://b.example' }], undefined, 'MJ_BACKENDS[1].baseUrl: expected an http(s) URL'],
    ['a missing URL', [{ name: 'a' }], undefined, 'MJ_BACKENDS[0].baseUrl: expected an http(s) URL'],
    ['a bad name', [{ name: 'Relay A', baseUrl: 'https://a.example' }], undefined, /^MJ_BACKENDS\[0\]\.name: expected a short name/],
    ['a name twice', [{ name: 'a', baseUrl: 'https://a.example' }, { name: 'a', baseUrl: 'https://b.example' }], undefined, 'MJ_BACKENDS[1].name: "a" is given more than once'],
    ['a typo in a field', [{ name: 'a', baseUrl: 'https://a.example', apikey: 'x' }], undefined, /^MJ_BACKENDS\[0\]: unknown field "apikey"/],
    ['a bad auth style', [{ name: 'a', baseUrl: 'https://a.example', authStyle: 'basic' }], undefined, 'MJ_BACKENDS[0].authStyle: expected bearer, raw or mj-api-secret'],
    ['a bad weight', [{ name: 'a', baseUrl: 'https://a.example', weight: 1.5 }], undefined, 'MJ_BACKENDS[0].weight: expected a whole number from 0 to 1000'],
    ['no weight anywhere', [{ name: 'a', baseUrl: 'https://a.example', weight: 0 }], undefined, 'MJ_BACKENDS: every backend has weight 0, so no new job could start'],
    ['bad guilds', [{ name: 'a', baseUrl: 'https://a.example', guilds: [123456789012345678] }], undefined, /^MJ_BACKENDS\[0\]\.guilds: expected a non-empty list of server ids/],
    ['a bad speed', [{ name: 'a', baseUrl: 'https://a.example', modes: { fast: 'mj-fast' } }], undefined, 'MJ_BACKENDS[0].modes.fast: expected a base path (/mj-fast) or an http(s) URL'],
    ['a backend named like a speed of default', [{ name: 'default', baseUrl: 'https://a.example', modes: { fast: '/mj-fast' } }, { name: 'fast', baseUrl: 'https://b.example' }], undefined, /^MJ_BACKENDS: backend "fast" has the name of a speed/],
  ])('names the mistake in one line: %s', (_what, list, raw, expected) => {
    const line = problem(list, raw);
    if (typeof expected === 'string') expect(line).toBe(expected);
    else expect(line).toMatch(expected);
  });

  it('never repeats a key or a URL in its messages', () => {
    const line = problem([{ name: 'a', baseUrl: 'https://user:hunter2-pass@a.example', apiKey: 42 }]);
    expect(line).toBe('MJ_BACKENDS[0].apiKey: expected a string');
    expect(problem(undefined, '[{"name":"a","baseUrl":"https://a.example","apiKey":"sk-leak-me-0000"')).not.toContain('sk-leak');
  });

  it('is one way or the other: MJ_BACKENDS with MJ_BASE_URL is refused, and one of them is required', () => {
    let err: unknown;
    try {
      loadConfig({ ...discord, MJ_BASE_URL: 'https://relay.example', MJ_API_KEY: 'k', MJ_BACKENDS: JSON.stringify(two) });
    } catch (e) {
      err = e;
    }
    expect((err as ConfigError).problems).toEqual([
      'MJ_BASE_URL: not used with MJ_BACKENDS (give each backend its own in the list); unset it',
      'MJ_API_KEY: not used with MJ_BACKENDS (give each backend its own in the list); unset it',
    ]);
    expect(() => loadConfig(discord)).toThrow(/^MJ_BASE_URL: missing \(or list the backends in MJ_BACKENDS\)$/);
  });

  it('every backend’s key and URL credentials are scrubbed, and masked in the start-up line', () => {
    const c = withBackends(two);
    const scrub = createScrubber(secretsOf(c));
    const text = scrub('keys sk-aaaa-1111-secret and home-secret-2222, password pw-home-7788');
    for (const s of ['sk-aaaa-1111-secret', 'home-secret-2222', 'pw-home-7788']) expect(text).not.toContain(s);
    const shown = JSON.stringify(redacted(c));
    for (const s of ['sk-aaaa-1111-secret', 'home-secret-2222', 'pw-home-7788']) expect(shown).not.toContain(s);
    expect(shown).toContain('relay-a.example');
  });
});
