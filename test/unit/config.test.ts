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

  it('.env.example lists exactly the keys the config reads', () => {
    const keys = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8')
      .split('\n')
      .filter((l) => /^[A-Z_]+=/.test(l))
      .map((l) => l.split('=')[0]);
    expect([...keys].sort()).toEqual([...CONFIG_KEYS].sort());
  });
});
