// t(locale, key, vars): every text a user reads goes through here.
import { enUS, type MessageKey } from './en-US.ts';
import { zhCN } from './zh-CN.ts';

export type { MessageKey };
export type Locale = 'en-US' | 'zh-CN';
export const LOCALES: readonly Locale[] = ['en-US', 'zh-CN'];

const catalogues: Record<Locale, Record<MessageKey, string>> = { 'en-US': enUS, 'zh-CN': zhCN };

/** Discord's locale (zh-CN, zh-TW, en-GB …) → one of ours; any Chinese reads zh-CN, the rest English. */
export function resolveLocale(discordLocale: string | null | undefined): Locale {
  return discordLocale?.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en-US';
}

export function t(locale: string, key: MessageKey, vars: Record<string, string | number> = {}): string {
  const text = catalogues[resolveLocale(locale)][key] ?? enUS[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}

/** name/description localizations for a command or option, from catalogue keys. */
export function localizations(key: MessageKey): Record<string, string> {
  return { 'en-US': enUS[key], 'en-GB': enUS[key], 'zh-CN': zhCN[key] };
}

const MODE_KEYS: Record<string, MessageKey> = { fast: 'mode.fast', relax: 'mode.relax', relaxed: 'mode.relax', turbo: 'mode.turbo' };

/** A speed mode as the user reads it: Midjourney's fast, relax and turbo translated; any other as the operator named it. */
export function modeLabel(locale: string, mode: string): string {
  const key = MODE_KEYS[mode.toLowerCase()];
  return key ? t(locale, key) : mode;
}
