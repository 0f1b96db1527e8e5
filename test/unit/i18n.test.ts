import { describe, expect, it } from 'vitest';
import { enUS } from '../../src/i18n/en-US.ts';
import { zhCN } from '../../src/i18n/zh-CN.ts';
import { resolveLocale, t } from '../../src/i18n/index.ts';
import { must } from '../helpers/must.ts';

describe('i18n', () => {
  it('zh-CN has every key of en-US and keeps its placeholders', () => {
    for (const [key, en] of Object.entries(enUS)) {
      const zh = must((zhCN as Record<string, string>)[key], `zh-CN's ${key}`);
      expect(zh, key).toBeTruthy();
      const vars = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect(vars(zh), key).toEqual(vars(en));
    }
  });

  it('maps any Chinese Discord locale to zh-CN and the rest to English', () => {
    expect(resolveLocale('zh-CN')).toBe('zh-CN');
    expect(resolveLocale('zh-TW')).toBe('zh-CN');
    expect(resolveLocale('en-GB')).toBe('en-US');
    expect(resolveLocale('fr')).toBe('en-US');
    expect(t('zh-CN', 'status.queued', { n: 3 })).toBe('排队中 — 前面还有 3 个任务');
    expect(t('de', 'status.queued', { n: 3 })).toBe('Queued — 3 ahead');
  });
});
