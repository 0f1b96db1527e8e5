// The pure /info and /help renderers: what they show, in both languages, within Discord's limits,
// user values as plain text.
import { describe, expect, it } from 'vitest';
import { commandDefinitions, commands } from '../../commands/index.ts';
import { parseTask } from '../../src/proxy/parse.ts';
import type { Task } from '../../src/proxy/types.ts';
import { HELP_BUTTONS, HELP_COMMANDS, renderHelp } from '../../src/render/help.ts';
import { INFO_MAX_JOBS, renderInfo, type InfoBackend, type InfoData, type InfoJob } from '../../src/render/info.ts';
import { checkMessageLimits } from '../../src/render/limits.ts';
import { t } from '../../src/i18n/index.ts';
import { fixture } from './fixtures.ts';

const task = (name: string, over: Partial<Task> = {}): Task => ({ ...parseTask(fixture(name))!, ...over });
const GUILD = '100000000000000001';
const CHANNEL = '200000000000000002';

const job = (over: Partial<InfoJob> = {}): InfoJob => ({
  id: '1712345678901234',
  prompt: 'a red fox',
  status: 'IN_PROGRESS',
  task: task('in-progress.no-preview.json', { progress: '45%' }),
  queuePosition: null,
  message: { guildId: GUILD, channelId: CHANNEL, messageId: '300000000000000003' },
  ...over,
});

const data = (over: Partial<InfoData> = {}): InfoData => ({
  settings: {},
  running: 1,
  maxRunning: 3,
  today: 4,
  maxDaily: 50,
  jobs: [job()],
  service: { circuit: 'closed', activeJobs: 7 },
  ...over,
});

const limitsOf = (embeds: any[]) => checkMessageLimits({ content: '', embeds, components: [], allowedMentions: { parse: [], users: [], replied_user: false }, files: [] });

describe('renderInfo', () => {
  it('shows the settings ("default" where unset), the counts with their limits, the service and the running jobs with jump links', () => {
    const e = renderInfo(data({ settings: { stylize: 250, raw: true } }), 'en-US');
    expect(e.title).toBe('Your info');
    const d = e.description!;
    expect(d).toContain('**Job Mode:** default');
    expect(d).toContain('**Visibility Mode:** default');
    expect(d).toContain('**Version:** default');
    expect(d).toContain('**Stylize:** high (250)');
    expect(d).toContain('**RAW Mode:** on');
    expect(d).toContain('**Remix Mode:** default');
    expect(d).toContain('**Suffix:** default');
    expect(d).toContain('**Jobs today:** 4 of 50 (resets at 00:00 UTC)');
    expect(d).toContain('**Running jobs:** 1 of 3');
    expect(d).toContain('**Service:** ✅ reachable · jobs in progress for everyone: 7');
    expect(d).toContain(`\`1712345678901234\` · **45%** · a red fox · [open ↗](https://discord.com/channels/${GUILD}/${CHANNEL}/300000000000000003)`);
    expect(limitsOf([e])).toEqual([]);
  });

  it('names every setting chosen, and a speed as Midjourney does', () => {
    const settings = { mode: 'relax', visibility: 'private', version: 'niji 6', stylize: 75, raw: false, remix: true, variation: 'strong', suffix: '--chaos 5' } as const;
    const d = renderInfo(data({ settings }), 'en-US').description!;
    for (const line of ['**Job Mode:** relaxed', '**Visibility Mode:** private', '**Version:** niji 6', '**Stylize:** 75', '**RAW Mode:** off', '**Remix Mode:** on', '**Variation Mode:** strong', '**Suffix:** --chaos 5']) {
      expect(d).toContain(line);
    }
    const zh = renderInfo(data({ settings }), 'zh-CN').description!;
    for (const line of ['**速度模式：** 慢速', '**可见性：** 仅自己可见', '**Remix 模式：** 开', '**变化模式：** 强烈']) expect(zh).toContain(line);
  });

  it('says when there are no limits, no jobs, and when the service is down or recovering', () => {
    const d = renderInfo(data({ maxRunning: 0, maxDaily: 0, today: 2, running: 0, jobs: [], service: { circuit: 'open', activeJobs: 0 } }), 'en-US').description!;
    expect(d).toContain('**Jobs today:** at least 2 (no daily limit)');
    expect(d).toContain('**Running jobs:** 0 (no limit)');
    expect(d).toContain('**Service:** ❌ not reachable right now; new jobs are refused until it answers again · no jobs in progress');
    expect(d).toMatch(/\*\*Your running and queued jobs:\*\*\nNone\.$/);
    expect(renderInfo(data({ service: { circuit: 'half-open', activeJobs: 1 } }), 'en-US').description).toContain('⚠️ recovering');
  });

  it('shows a queued job with its place, one waiting for input, and one whose message is not known yet without a link', () => {
    const jobs = [
      job({ id: '1712345678900001', status: 'NOT_START', task: task('not-start.json'), queuePosition: 3 }),
      job({ id: '1712345678900002', status: 'MODAL', task: task('modal.json'), label: 'V2' }),
      job({ id: '1712345678900003', status: 'SUBMITTED', task: null, message: null }),
    ];
    const d = renderInfo(data({ jobs }), 'en-US').description!;
    expect(d).toContain('`1712345678900001` · **Queued — 3 ahead**');
    expect(d).toContain('`1712345678900002` · **Waiting for your input** · a red fox (V2)');
    expect(d).toMatch(/`1712345678900003` · \*\*[^*]+\*\* · a red fox$/m);
    const zh = renderInfo(data({ jobs }), 'zh-CN').description!;
    expect(zh).toContain('**排队中 — 前面还有 3 个任务**');
    expect(zh).toContain('[查看 ↗]');
  });

  it('keeps user values inert and within the limits, however long or hostile', () => {
    const hostile = '@everyone **bold** [click](https://evil.example) <@123456789012345678> ' + '👨‍👩‍👧'.repeat(500);
    const jobs = Array.from({ length: 25 }, (_, i) => job({ id: `17123456789000${String(i).padStart(2, '0')}`, prompt: hostile, label: hostile }));
    const e = renderInfo(data({ jobs, settings: { suffix: hostile, version: hostile.slice(0, 40), mode: '**x**' } }), 'en-US');
    expect(limitsOf([e])).toEqual([]);
    const d = e.description!;
    expect(d).not.toMatch(/@everyone|<@\d|\]\(https:\/\/evil/);
    expect(d).not.toContain('**x**');
    expect(d.match(/^`17123456789000\d\d`/gm)).toHaveLength(INFO_MAX_JOBS);
  });
});

describe('renderInfo: the backends, for admins', () => {
  const T0 = Date.UTC(2026, 11, 2, 14, 0, 0);
  const backend = (over: Partial<InfoBackend> = {}): InfoBackend => ({ name: 'default', weight: 1, circuit: 'closed', openSince: null, reads: null, lastError: null, running: 0, ...over });
  const backends = [
    backend({ name: 'default', running: 2 }),
    backend({ name: 'relay-b', circuit: 'open', openSince: T0, lastError: { code: 'UNREACHABLE', at: T0 + 5000 }, running: 1 }),
    backend({ name: 'home', weight: 0, reads: { since: T0 - 60_000, code: 'HTTP_5XX', status: 502, outage: true } }),
  ];

  it('without the list (a member), no Backends field: the one service line only', () => {
    const e = renderInfo(data(), 'en-US');
    expect(e.fields).toBeUndefined();
    expect(e.description).toContain('**Service:** ✅ reachable');
  });

  it('lists each backend: healthy, circuit open since <t:…:R> with the last error code, reads failing and why, jobs running', () => {
    const e = renderInfo(data({ backends }), 'en-US');
    expect(e.fields).toHaveLength(1);
    expect(e.fields![0]!.name).toBe('Backends (what this process sees)');
    const lines = e.fields![0]!.value.split('\n');
    expect(lines).toEqual([
      '**default** · ✅ healthy · jobs running: 2',
      `**relay-b** · ❌ circuit open since <t:${T0 / 1000}:R>: no new jobs go there · last error \`UNREACHABLE\` <t:${T0 / 1000 + 5}:R> · jobs running: 1`,
      `**home** · ⚠️ reads failing since <t:${T0 / 1000 - 60}:R> (HTTP_5XX, HTTP 502); its jobs say it cannot be reached · takes no new jobs (weight 0) · jobs running: 0`,
    ]);
    expect(limitsOf([e])).toEqual([]);
  });

  it('in Chinese too', () => {
    const value = renderInfo(data({ backends }), 'zh-CN').fields![0]!.value;
    expect(value).toContain('**default** · ✅ 正常 · 运行中的任务：2');
    expect(value).toContain(`❌ 自 <t:${T0 / 1000}:R> 起熔断`);
    expect(value).toContain('读取失败（HTTP_5XX, HTTP 502）');
    expect(renderInfo(data({ backends }), 'zh-CN').fields![0]!.name).toBe('后端（本进程所见）');
  });

  it('a code that is not one of ours is cut to letters, digits and _; many backends stay within the field, whole lines', () => {
    const odd = renderInfo(data({ backends: [backend({ lastError: { code: 'https://sk-secret@relay.example/`**', at: T0 } })] }), 'en-US').fields![0]!.value;
    expect(odd).not.toContain('relay.example');
    expect(odd).not.toContain('`**');
    const many = Array.from({ length: 40 }, (_, i) => backend({ name: `backend-${i}`, circuit: 'open', openSince: T0, lastError: { code: 'UNREACHABLE', at: T0 }, running: i }));
    const e = renderInfo(data({ backends: many }), 'en-US');
    expect(e.fields![0]!.value.length).toBeLessThanOrEqual(1024);
    expect(e.fields![0]!.value.endsWith('…')).toBe(true);
    expect(limitsOf([e])).toEqual([]);
  });
});

describe('renderHelp', () => {
  const text = (embeds: { title?: string; description?: string }[]) => embeds.map((e) => `${e.title ?? ''}\n${e.description ?? ''}`).join('\n');

  it('has a line for every registered command, by the name a client of that language shows', () => {
    const defs = commandDefinitions(commands, { MJ_MODES: {}, ALLOW_DMS: false, ALLOW_USER_INSTALL: false });
    const en = text(renderHelp({}, 'en-US'));
    const zh = text(renderHelp({}, 'zh-CN'));
    for (const d of defs) {
      expect(en, d.name).toContain(`\`/${d.name}\``);
      expect(zh, d.name).toContain(`\`/${d.name_localizations!['zh-CN']}\`（${d.name}）`);
    }
    expect(HELP_COMMANDS.length).toBeGreaterThanOrEqual(defs.length);
  });

  it('describes the buttons users see, in both languages, and stays within Discord’s limits', () => {
    for (const locale of ['en-US', 'zh-CN']) {
      const embeds = renderHelp({ galleryChannelId: '400000000000000004' }, locale);
      expect(limitsOf(embeds), locale).toEqual([]);
      const all = text(embeds);
      for (const key of HELP_BUTTONS) expect(all, key).toContain(t(locale, key));
      for (const b of ['U1–U4', 'V1–V4', '🔄', 'Vary (Region)', 'Custom Zoom', '⬅️', '🌱', '❌', '🗑']) expect(all, b).toContain(b);
    }
    expect(text(renderHelp({}, 'en-US'))).toContain('**Share**');
    expect(text(renderHelp({}, 'zh-CN'))).toContain('**分享**');
  });

  it('links the gallery as a channel mention when the server has one, and never anything else', () => {
    expect(text(renderHelp({ galleryChannelId: '400000000000000004' }, 'en-US'))).toContain('Shared results are in <#400000000000000004>.');
    expect(text(renderHelp({ galleryChannelId: '400000000000000004' }, 'zh-CN'))).toContain('分享的作品在 <#400000000000000004>。');
    for (const id of [null, undefined, '', '@everyone', '123>']) expect(text(renderHelp({ galleryChannelId: id }, 'en-US'))).not.toMatch(/Shared results|<#/);
  });
});
