import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS, ConfigError, loadConfig, redacted } from '../../src/config.ts';

const base = { DISCORD_TOKEN: 'tok.en.value', DISCORD_APP_ID: '123456789012345678', MJ_BASE_URL: 'https://relay.example/mj-fast', MJ_API_KEY: 'sk-secret-123' };

describe('loadConfig', () => {
  it('applies defaults and keeps the base path of the proxy URL', () => {
    const c = loadConfig(base);
    expect(c.MJ_BASE_URL).toBe('https://relay.example/mj-fast');
    expect(c.STORE_URL).toBe('sqlite://data/mjbot.sqlite');
    expect(c.POLL_INTERVAL_MS).toBe(3000);
    expect(c.BUTTONS_OWNER_ONLY).toBe(true);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('reports every bad variable on its own line, naming it', () => {
    let err: unknown;
    try {
      loadConfig({ MJ_BASE_URL: 'ftp://x', POLL_INTERVAL_MS: 'soon', MJ_AUTH_STYLE: 'basic' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const lines = (err as ConfigError).problems;
    expect(lines).toContain('DISCORD_TOKEN: missing');
    expect(lines).toContain('DISCORD_APP_ID: missing');
    expect(lines.find((l) => l.startsWith('MJ_BASE_URL:'))).toMatch(/http/);
    expect(lines.some((l) => l.startsWith('POLL_INTERVAL_MS:'))).toBe(true);
    expect(lines.some((l) => l.startsWith('MJ_AUTH_STYLE:'))).toBe(true);
  });

  it('reads MJ_VERSIONS as /settings offers them, in order, and names a bad entry in one line', () => {
    expect(loadConfig(base).MJ_VERSIONS).toEqual(['7', '6.1', 'niji 6']);
    expect(loadConfig({ ...base, MJ_VERSIONS: ' 8.1, v7 ,Niji 6,niji7' }).MJ_VERSIONS).toEqual(['8.1', '7', 'niji 6', 'niji 7']);
    expect(() => loadConfig({ ...base, MJ_VERSIONS: '7,latest' })).toThrow(/^MJ_VERSIONS: .*"latest" is not one$/);
    expect(() => loadConfig({ ...base, MJ_VERSIONS: '7,v7' })).toThrow(/^MJ_VERSIONS: version "7" is given more than once$/);
    const many = Array.from({ length: 26 }, (_, i) => `${i + 1}`).join(',');
    expect(() => loadConfig({ ...base, MJ_VERSIONS: many })).toThrow(/^MJ_VERSIONS: at most 25/);
  });

  it('parses mode base URLs and rejects malformed ones', () => {
    expect(loadConfig({ ...base, MJ_MODES: 'fast=https://r.example/mj-fast, relax=https://r.example/mj-relax' }).MJ_MODES).toEqual({
      fast: 'https://r.example/mj-fast',
      relax: 'https://r.example/mj-relax',
    });
    expect(() => loadConfig({ ...base, MJ_MODES: 'fast' })).toThrow(/MJ_MODES/);
  });

  it('never shows secrets in its redacted view or its errors', () => {
    const text = JSON.stringify(redacted(loadConfig({ ...base, STORE_URL: 'redis://user:pw@127.0.0.1:6379' })));
    expect(text).not.toContain('sk-secret-123');
    expect(text).not.toContain('tok.en.value');
    expect(text).not.toContain(':pw@');
    try {
      loadConfig({ ...base, MJ_API_KEY: 'sk-secret-123', POLL_INTERVAL_MS: 'x' });
    } catch (e) {
      expect(String((e as Error).message)).not.toContain('sk-secret-123');
    }
  });

  it('refuses durations a timer cannot hold, and out-of-range numbers, with one clear line each', () => {
    const problems = (env: Record<string, string>): string[] => {
      try {
        loadConfig({ ...base, ...env });
      } catch (e) {
        return (e as ConfigError).problems;
      }
      return [];
    };
    // Node's timers hold at most 2^31-1 ms: a longer one fires after 1 ms, `5e9` even throws on every call.
    for (const value of ['3000000000', '5e9', '2147483648']) {
      const lines = problems({ PROXY_TIMEOUT_MS: value });
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^PROXY_TIMEOUT_MS: expected a whole number of milliseconds from \d+ to \d+$/);
    }
    expect(problems({ POLL_QUEUED_INTERVAL_MS: '5e9' })).toHaveLength(1);
    expect(problems({ POLL_INTERVAL_MS: '1e12' })[0]).toMatch(/^POLL_INTERVAL_MS: /);
    expect(problems({ POLL_PUSH_INTERVAL_MS: '99999999999' })[0]).toMatch(/^POLL_PUSH_INTERVAL_MS: /);
    expect(problems({ EDIT_MIN_INTERVAL_MS: '1e12' })[0]).toMatch(/^EDIT_MIN_INTERVAL_MS: /);
    expect(problems({ TASK_DEADLINE_MS: '2147483648' })[0]).toMatch(/^TASK_DEADLINE_MS: /);
    expect(problems({ LEASE_TTL_MS: '3000000000' })[0]).toMatch(/^LEASE_TTL_MS: /);
    // Only plain decimal digits: hex, exponents, fractions and signs are typos, not numbers.
    for (const value of ['0x10', '1e3', '1.5', '-5', '+5', 'Infinity', '12ms']) expect(problems({ LIST_BATCH_SIZE: value })).toHaveLength(1);
    expect(problems({ NOTIFY_HOOK_MAX_BYTES: String(2 ** 53) })[0]).toMatch(/^NOTIFY_HOOK_MAX_BYTES: /);
    expect(problems({ USER_MAX_CONCURRENT: '1e400' })[0]).toMatch(/^USER_MAX_CONCURRENT: /);
    // Every duration that is accepted fits a timer.
    const c = loadConfig({ ...base, PROXY_TIMEOUT_MS: '600000', EDIT_MIN_INTERVAL_MS: '0', POLL_QUEUED_INTERVAL_MS: '600000' });
    for (const key of Object.keys(c).filter((k) => k.endsWith('_MS'))) expect(c[key as keyof typeof c] as number).toBeLessThanOrEqual(2 ** 31 - 1);
  });

  it('refuses a callback host that is not a host name or an IP address, and port 0', () => {
    const hook = { ...base, NOTIFY_HOOK_URL: 'https://bot.example/mj-hook', NOTIFY_HOOK_SECRET: 'hook-secret-0123456789abcdef' };
    for (const host of ['not a host', 'bad_host', '-lead.example', 'a..b', 'http://x', '[::1]', 'x'.repeat(64) + '.example']) {
      expect(() => loadConfig({ ...hook, NOTIFY_HOOK_HOST: host }), host).toThrow(/^NOTIFY_HOOK_HOST: expected a host name or an IP address$/);
    }
    for (const host of ['0.0.0.0', '127.0.0.1', '::', '::1', 'localhost', 'bot-1.internal.example']) {
      expect(loadConfig({ ...hook, NOTIFY_HOOK_HOST: host }).NOTIFY_HOOK_HOST).toBe(host);
    }
    for (const port of ['0', '65536', '80.5', 'http']) expect(() => loadConfig({ ...hook, NOTIFY_HOOK_PORT: port })).toThrow(/^NOTIFY_HOOK_PORT: expected a whole number from 1 to 65535$/);
    expect(loadConfig({ ...hook, NOTIFY_HOOK_PORT: '65535' }).NOTIFY_HOOK_PORT).toBe(65535);
  });

  it('DATA_RETENTION_DAYS: 30 days by default, 1 to 3650, anything else one line', () => {
    expect(loadConfig(base).DATA_RETENTION_DAYS).toBe(30);
    expect(loadConfig({ ...base, DATA_RETENTION_DAYS: '7' }).DATA_RETENTION_DAYS).toBe(7);
    for (const v of ['0', '3651', '1.5', 'forever']) expect(() => loadConfig({ ...base, DATA_RETENTION_DAYS: v }), v).toThrow(/^DATA_RETENTION_DAYS: expected a whole number from 1 to 3650$/);
  });

  it('refuses a STORE_URL without a valid port or a path', () => {
    for (const url of ['redis://host:notaport', 'redis://host:0', 'redis://host:65536', 'redis://', 'rediss://:pw@', 'sqlite://', 'sqlite:data.sqlite', 'postgres://h/db', 'redis://a b']) {
      expect(() => loadConfig({ ...base, STORE_URL: url }), url).toThrow(/^STORE_URL: expected sqlite:\/\/path or redis:\/\/host:port$/);
    }
    for (const url of ['redis://127.0.0.1:6379', 'rediss://user:pw@cache.example:6380/2', 'redis://cache', 'sqlite://data/mjbot.sqlite', 'sqlite:///var/lib/mjbot.sqlite']) {
      expect(loadConfig({ ...base, STORE_URL: url }).STORE_URL).toBe(url);
    }
  });

  it('splits each mode on its first "=", and refuses repeated, too many or too long mode names', () => {
    expect(loadConfig({ ...base, MJ_MODES: 'fast=https://r.example/mj?mode=fast&x=1' }).MJ_MODES).toEqual({ fast: 'https://r.example/mj?mode=fast&x=1' });
    expect(() => loadConfig({ ...base, MJ_MODES: 'fast=https://a.example,fast=https://b.example' })).toThrow(/^MJ_MODES: .*"fast".* more than once/);
    // A command choice's name and value hold at most 100 characters, and an option at most 25 choices.
    const long = 'm' + 'x'.repeat(100);
    expect(() => loadConfig({ ...base, MJ_MODES: `${long}=https://a.example` })).toThrow(/^MJ_MODES: .*100/);
    expect(loadConfig({ ...base, MJ_MODES: `${long.slice(0, 100)}=https://a.example` }).MJ_MODES).toHaveProperty(long.slice(0, 100));
    const many = (n: number) => Array.from({ length: n }, (_, i) => `m${i}=https://r.example/m${i}`).join(',');
    expect(Object.keys(loadConfig({ ...base, MJ_MODES: many(25) }).MJ_MODES)).toHaveLength(25);
    expect(() => loadConfig({ ...base, MJ_MODES: many(26) })).toThrow(/^MJ_MODES: .*25/);
    // A malformed pair is named, never echoed: it may hold a password.
    expect(() => loadConfig({ ...base, MJ_MODES: 'fast=https://r.example,relax:https://u:pw-123@r.example' })).toThrow(/^MJ_MODES: .*pair 2 \("relax"\)/);
    expect(() => loadConfig({ ...base, MJ_MODES: 'relax:https://u:pw-123@r.example' })).not.toThrow(/pw-123/);
  });

  it('masks credentials in every configured URL in its redacted view', () => {
    const c = loadConfig({
      ...base,
      MJ_BASE_URL: 'https://alice:base-pass@relay.example/mj?key=base-key&mode=fast',
      MJ_MODES: 'fast=https://bob:mode-pass@relay.example/mj-fast?token=mode-token',
      DISCORD_API_URL: 'http://carol:api-pass@127.0.0.1:9/api?secret=api-key',
      NOTIFY_HOOK_URL: 'https://dave:hook-pass@bot.example/mj-hook?sig=hook-sig',
      NOTIFY_HOOK_SECRET: 'hook-secret-0123456789abcdef',
      STORE_URL: 'rediss://erin:store-pass@cache.example:6380/0?password=store-query',
    });
    const text = JSON.stringify(redacted(c));
    for (const secret of ['alice', 'base-pass', 'base-key', 'bob', 'mode-pass', 'mode-token', 'carol', 'api-pass', 'api-key', 'dave', 'hook-pass', 'hook-sig', 'erin', 'store-pass', 'store-query', 'hook-secret-0123456789abcdef', 'sk-secret-123']) {
      expect(text, secret).not.toContain(secret);
    }
    const view = redacted(c) as Record<string, any>;
    expect(view.MJ_BASE_URL).toBe('https://***@relay.example/mj?key=***&mode=***');
    expect(view.MJ_MODES).toEqual({ fast: 'https://***@relay.example/mj-fast?token=***' });
    expect(view.STORE_URL).toBe('rediss://***@cache.example:6380/0?password=***');
    expect(redacted(loadConfig(base)).MJ_BASE_URL).toBe('https://relay.example/mj-fast');
    expect(c.MJ_BASE_URL).toContain('base-key');
  });

  it('.env.example lists exactly the keys the config reads', () => {
    const keys = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8')
      .split('\n')
      .filter((l) => /^[A-Z_]+=/.test(l))
      .map((l) => l.split('=')[0]);
    expect([...keys].sort()).toEqual([...CONFIG_KEYS].sort());
  });
});
