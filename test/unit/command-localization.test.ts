// Localized to the last word: every command, option (nested ones too) and choice the bot registers
// carries a zh-CN name and description, held to Discord's rules for localized names (the regex of
// discord-api-docs' "Application Command Naming", lowercase where the script has case, unique
// among siblings so a Chinese client never shows two chips of the same name), and the two
// catalogues have the same keys.
import { describe, expect, it } from 'vitest';
import { commandDefinitions, commands } from '../../commands/index.ts';
import { enUS } from '../../src/i18n/en-US.ts';
import { zhCN } from '../../src/i18n/zh-CN.ts';

const NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;
const ZH = 'zh-CN';

interface Localized {
  name: string;
  name_localizations?: Record<string, string> | null;
  description?: string;
  description_localizations?: Record<string, string> | null;
  options?: Localized[];
  choices?: Localized[];
}

/** What is missing or malformed, one line per problem, named by its path ("imagine.image2"). */
function problems(defs: readonly Localized[]): string[] {
  const out: string[] = [];
  const checkName = (path: string, v: string | undefined) => {
    if (!v) out.push(`${path}: no ${ZH} name`);
    else if (!NAME.test(v) || v !== v.toLowerCase()) out.push(`${path}: ${ZH} name "${v}" breaks Discord's naming rule`);
  };
  const checkDescription = (path: string, d: Localized) => {
    const v = d.description_localizations?.[ZH];
    if (!v || v.length > 100) out.push(`${path}: no ${ZH} description of 1-100 characters`);
  };
  const walk = (path: string, d: Localized) => {
    checkName(path, d.name_localizations?.[ZH]);
    checkDescription(path, d);
    const zhNames = new Set<string>();
    for (const o of d.options ?? []) {
      const p = `${path}.${o.name}`;
      const zh = o.name_localizations?.[ZH];
      if (zh && zhNames.has(zh)) out.push(`${p}: ${ZH} name "${zh}" used twice`);
      if (zh) zhNames.add(zh);
      walk(p, o);
    }
    for (const c of d.choices ?? []) {
      const v = c.name_localizations?.[ZH];
      if (!v || v.length > 100) out.push(`${path}=${c.name}: no ${ZH} choice name of 1-100 characters`);
    }
  };
  for (const d of defs) walk(d.name, d);
  return out;
}

const config = (modes: Record<string, string>) => ({ MJ_MODES: modes, ALLOW_DMS: false, ALLOW_USER_INSTALL: false });

describe('command localization', () => {
  it('every command, option, sub-option and choice has a zh-CN name and description', () => {
    // The mode option and its choices exist only with modes configured: a custom name as well as Midjourney's.
    const defs = commandDefinitions(commands, config({ fast: 'https://r.example/mj-fast', relax: 'https://r.example/mj-relax', turbo: 'https://r.example/t', night: 'https://r.example/n' }));
    expect(problems(defs as Localized[])).toEqual([]);
    const imagine = defs.find((d) => d.name === 'imagine') as Localized;
    const zh = (name: string) => imagine.options!.find((o) => o.name === name)!.name_localizations![ZH];
    expect([zh('image'), zh('image5'), zh('bot'), zh('mode')]).toEqual(['图片', '图片5', '模型', '速度']);
    const mode = imagine.options!.find((o) => o.name === 'mode')!;
    expect(mode.choices!.map((c) => c.name_localizations![ZH])).toEqual(['快速', '慢速', '极速', 'night']);
  });

  it('names what is missing, nested and duplicated (the walk can fail)', () => {
    const bad: Localized[] = [
      {
        name: 'x',
        name_localizations: { [ZH]: '叉' },
        description_localizations: { [ZH]: '说明' },
        options: [
          { name: 'image', name_localizations: { [ZH]: '图片' }, description_localizations: { [ZH]: '图' } },
          { name: 'image2', name_localizations: { [ZH]: '图片' }, description_localizations: { [ZH]: '图' } },
          { name: 'Loud', name_localizations: { [ZH]: 'Loud' }, description_localizations: { [ZH]: '图' } },
          {
            name: 'sub',
            name_localizations: { [ZH]: '子' },
            description_localizations: { [ZH]: '子' },
            options: [{ name: 'mode', description_localizations: { [ZH]: '速度' }, choices: [{ name: 'fast' }] }],
          },
        ],
      },
    ];
    expect(problems(bad)).toEqual([
      'x.image2: zh-CN name "图片" used twice',
      'x.Loud: zh-CN name "Loud" breaks Discord\'s naming rule',
      'x.sub.mode: no zh-CN name',
      'x.sub.mode=fast: no zh-CN choice name of 1-100 characters',
    ]);
  });

  it('both catalogues have the same keys', () => {
    expect(Object.keys(zhCN).sort()).toEqual(Object.keys(enUS).sort());
    for (const [key, v] of Object.entries(zhCN)) expect(v.trim(), key).not.toBe('');
  });
});
