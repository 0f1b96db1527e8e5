// The pure renderer: content, embeds, components and mentions for a task and what the bot knows.
import { describe, expect, it } from 'vitest';
import { parseTask } from '../../src/proxy/parse.ts';
import type { Task } from '../../src/proxy/types.ts';
import { checkMessageLimits } from '../../src/render/limits.ts';
import { describeText, numberedPrompts, shortenOptions, shortenSections, shortenText } from '../../src/render/prompts.ts';
import { explainDescription, explainFailReason } from '../../src/render/reasons.ts';
import { isHttpUrl, LIMITS, messageBody, progressBar, renderTaskView, resultMedia, safeText, type MessageView, type ViewContext } from '../../src/render/task-view.ts';
import { must } from '../helpers/must.ts';
import { fixture } from './fixtures.ts';

const OWNER = '300000000000000003';
const ctx = (over: Partial<ViewContext> = {}): ViewContext => ({ locale: 'en-US', ownerId: OWNER, prompt: '', ...over });
const task = (name: string, over: Partial<Task> = {}): Task => ({ ...parseTask(fixture(name))!, ...over });
const view = (over: Partial<MessageView> = {}): MessageView => ({ content: 'x', embeds: [], components: [], allowedMentions: { parse: [], users: [OWNER], replied_user: false }, files: [], ...over });

describe('progressBar', () => {
  it('draws ten cells and the percentage, clamped to 0–100', () => {
    expect(progressBar(0)).toBe('▱▱▱▱▱▱▱▱▱▱ 0%');
    expect(progressBar(45)).toBe('▰▰▰▰▰▱▱▱▱▱ 45%');
    expect(progressBar(93)).toBe('▰▰▰▰▰▰▰▰▰▱ 93%');
    expect(progressBar(100)).toBe('▰▰▰▰▰▰▰▰▰▰ 100%');
    expect(progressBar(150)).toBe('▰▰▰▰▰▰▰▰▰▰ 100%');
    expect(progressBar(-5)).toBe('▱▱▱▱▱▱▱▱▱▱ 0%');
    expect(progressBar(Number.NaN)).toBe('▱▱▱▱▱▱▱▱▱▱ 0%');
  });
});

describe('safeText', () => {
  it('escapes markdown, neutralises mentions and keeps links from unfurling', () => {
    expect(safeText('a *b* _c_ ~~d~~ `e` ||f|| [g](h) \\', 100)).toBe('a \\*b\\* \\_c\\_ \\~\\~d\\~\\~ \\`e\\` \\|\\|f\\|\\| \\[g\\](h) \\\\');
    expect(safeText('@everyone <@123456789012345678>', 100)).toBe('@\u200beveryone \\<@\u200b123456789012345678\\>');
    expect(safeText('see https://x.example/a_b*c.png, then (https://y.example/z).', 200)).toBe('see <https://x.example/a_b*c.png>, then (<https://y.example/z>).');
    expect(safeText('  many\n\nlines\there  ', 100)).toBe('many lines here');
    expect(safeText('a red fox in snow --ar 3:2 #1', 100)).toBe('a red fox in snow --ar 3:2 #1');
  });

  it('keeps within max characters and cuts between whole units, never inside an escape, a link or an emoji', () => {
    const stars = safeText('*'.repeat(50), 21);
    expect(stars.length).toBeLessThanOrEqual(21);
    expect(stars).toBe(`${'\\*'.repeat(10)}…`);
    const link = safeText(`ab https://example.com/${'x'.repeat(50)} cd`, 30);
    expect(link).toBe('ab…');
    const emoji = safeText('🦊'.repeat(20), 10);
    expect(emoji).toBe(`${'🦊'.repeat(4)}…`);
    expect(emoji.length).toBeLessThanOrEqual(10);
    const at = safeText('@@@@@@', 6);
    expect(at).toBe('@\u200b@\u200b…');
  });

  it('drops bidi overrides and control characters, and mends lone surrogates', () => {
    expect(safeText('cat \u202edog\u202c\u0000 \u2066x\u2069', 100)).toBe('cat dog x');
    expect(safeText('a \ud83d b \udc00', 100)).toBe('a \uFFFD b \uFFFD');
    expect(safeText('שלום 🦊 عالم', 100)).toBe('שלום 🦊 عالم');
  });
});

describe('isHttpUrl and resultMedia', () => {
  it('accepts only http(s) links Discord and the downloader can use', () => {
    expect(isHttpUrl('https://cdn.example.com/a.png?x=1&')).toBe(true);
    for (const bad of [null, '', 'javascript:alert(1)', 'ftp://x/y', 'https://', 'not a url', `https://x.example/${'a'.repeat(2100)}`, 'https://x.example/a b']) {
      expect(isHttpUrl(bad), String(bad).slice(0, 30)).toBe(false);
    }
  });

  it('picks videos, an edit’s four images, or the one image', () => {
    expect(resultMedia(task('video-success.seed.json')).kind).toBe('video');
    expect(resultMedia(task('video-success.seed.json')).urls).toHaveLength(4);
    expect(resultMedia(task('edits-success.seed.json')).urls).toEqual(fixture('edits-success.seed.json').imageUrls.map((u: { url: string }) => u.url));
    expect(resultMedia(task('imagine-success.trueai.json')).urls).toEqual([fixture('imagine-success.trueai.json').imageUrl]);
    expect(resultMedia(task('imagine-success.trueai.json', { imageUrl: null })).urls).toHaveLength(4);
    expect(resultMedia(task('video-success.seed.json', { videoUrls: [], videoUrl: 'https://v.example/one.mp4' })).urls).toEqual(['https://v.example/one.mp4']);
  });
});

describe('renderTaskView', () => {
  it('shows the waiting line before there is a task, pinging only the owner', () => {
    const v = renderTaskView(null, ctx({ prompt: 'a red fox in snow --ar 3:2' }));
    expect(v.content).toBe(`**a red fox in snow --ar 3:2** - <@${OWNER}> (Waiting to start)`);
    expect(v.allowedMentions).toEqual({ parse: [], users: [OWNER], replied_user: false });
    expect(v.components).toEqual([]);
    expect(v.files).toEqual([]);
  });

  it('never lists a non-snowflake owner as mentionable', () => {
    expect(renderTaskView(null, ctx({ ownerId: 'everyone' })).allowedMentions.users).toEqual([]);
  });

  it('prefers the prompt the user typed, and names the job relative to its parent', () => {
    const v = renderTaskView(task('upscale-success.json'), ctx({ prompt: 'my pig', label: 'Image #1' }));
    expect(v.content).toBe(`**my pig** - Image #1 - <@${OWNER}> (Done)`);
  });

  it('a finished job shows its speed as Midjourney does: Midjourney’s own line, the backend’s mode, the mode it was sent under; else Done', () => {
    const done = task('upscale-success.json');
    const said = { ...done, properties: { ...done.properties, messageContent: '**pig** - <@1> (relaxed)' } };
    expect(renderTaskView(said, ctx({ prompt: 'pig', mode: 'fast' })).content).toBe(`**pig** - <@${OWNER}> (relaxed)`);
    expect(renderTaskView({ ...done, mode: 'TURBO' }, ctx({ prompt: 'pig', mode: 'fast' })).content).toBe(`**pig** - <@${OWNER}> (turbo)`);
    expect(renderTaskView({ ...done, mode: 'RELAX' }, ctx({ prompt: 'pig' })).content).toBe(`**pig** - <@${OWNER}> (relaxed)`);
    expect(renderTaskView(done, ctx({ prompt: 'pig', mode: 'my_fast' })).content).toBe(`**pig** - <@${OWNER}> (my\\_fast)`);
    expect(renderTaskView(done, ctx({ prompt: 'pig' })).content).toBe(`**pig** - <@${OWNER}> (Done)`);
    // Only while it runs is the progress shown, whatever the speed.
    expect(renderTaskView({ ...done, status: 'IN_PROGRESS', progress: '45%', mode: 'FAST' }, ctx({ prompt: 'pig', mode: 'fast' })).content).toContain('(45%)');
    expect(parseTask({ ...fixture('upscale-success.json'), mode: 'relax' })!.mode).toBe('RELAX');
    expect(parseTask({ ...fixture('upscale-success.json'), mode: 'whatever' })!.mode).toBeUndefined();
  });

  it('shows the queue position from the bot, else from the proxy', () => {
    const waiting = task('not-start.json');
    expect(renderTaskView(waiting, ctx({ queuePosition: 7 })).content).toContain('(Queued — 7 ahead)');
    expect(renderTaskView(waiting, ctx()).content).toContain('(Waiting to start)');
    expect(renderTaskView(task('not-start.json', { description: 'In queue, there are 67 tasks ahead' }), ctx()).content).toContain('(Queued — 67 ahead)');
    expect(renderTaskView(task('not-start.queued.json'), ctx({ locale: 'zh-CN' })).content).toContain('(排队中 — 前面还有 3 个任务)');
  });

  it('keeps content within 2000 characters with 6000-character prompts of any kind, bold closed and mention kept', () => {
    const prompts = ['x'.repeat(6000), '*'.repeat(6000), '@'.repeat(6000), `${'https://example.com/a '.repeat(300)}`, '🦊'.repeat(3000)];
    for (const prompt of prompts) {
      for (const t of [null, task('in-progress.preview.json'), task('video-success.seed.json')]) {
        const v = renderTaskView(t, ctx({ prompt, label: 'L'.repeat(500), media: 'link' }));
        expect(v.content.length, prompt.slice(0, 5)).toBeLessThanOrEqual(LIMITS.content);
        expect(v.content.startsWith('**')).toBe(true);
        expect(v.content).toMatch(new RegExp(`…\\*\\* - L+… - <@${OWNER}> \\(`));
        expect(checkMessageLimits(v)).toEqual([]);
      }
    }
    // A prompt that fits is shown whole, up to the prompt limit.
    const fits = renderTaskView(null, ctx({ prompt: 'y'.repeat(LIMITS.prompt) })).content;
    expect(fits).toBe(`**${'y'.repeat(LIMITS.prompt)}** - <@${OWNER}> (Waiting to start)`);
  });

  it('marks pressed buttons green on the grid and leaves hidden ones out', () => {
    const v = renderTaskView(task('imagine-success.seed.json'), ctx({ pressed: ['MJ::JOB::upsample::2::3785da15-4f70-4034-9128-f3ff1ac634fa'], hidden: ['MJ::JOB::reroll'] }));
    expect(v.components.map((r) => r.components.map((c) => [c.label ?? c.emoji?.name, c.style]))).toEqual([
      [['U1', 2], ['U2', 3], ['U3', 2], ['U4', 2]],
      [['V1', 2], ['V2', 2], ['V3', 2], ['V4', 2], ['🌱', 2]],
    ]);
  });

  it('after the deadline: a warning with Check again; when lost: a red note without buttons', () => {
    const timeout = renderTaskView(task('in-progress.no-preview.json'), ctx({ status: 'TIMEOUT', deadlineMinutes: 10, locale: 'zh-CN' }));
    expect(timeout.content).toContain('(已超时)');
    expect(must(timeout.embeds[0], 'the timeout embed').description).toContain('10');
    expect(timeout.components[0]?.components.map((c) => [c.custom_id, c.label, c.emoji?.name])).toEqual([['mj:c:1730621826053455', '再查一次', '🔁']]);
    const lost = renderTaskView(task('in-progress.no-preview.json'), ctx({ status: 'LOST' }));
    expect(lost.content).toContain('(No longer known to the service)');
    expect(lost.embeds[0]?.color).toBe(0xed4245);
    expect(lost.components).toEqual([]);
  });

  it('renders the same view for the same input (pure: the tracker hashes it)', () => {
    const a = renderTaskView(task('upscale-success.json'), ctx({ pressed: ['x'] }));
    const b = renderTaskView(task('upscale-success.json'), ctx({ pressed: ['x'] }));
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });

  it('keeps a long DESCRIBE result within the embed limits', () => {
    const long = `1️⃣ ${'a'.repeat(3000)}\n\n2️⃣ ${'b'.repeat(3000)}\n\n3️⃣ c\n\n4️⃣ d`;
    const v = renderTaskView(task('describe-success.json', { properties: { finalPrompt: long } }), ctx());
    expect(must(v.embeds[0], 'the describe embed').description!.length).toBeLessThanOrEqual(4096);
    expect(checkMessageLimits(v)).toEqual([]);
  });
});

describe('messageBody', () => {
  it('is the JSON Discord receives, with attachments numbered like files[n]', () => {
    const v = renderTaskView(task('edits-success.seed.json'), ctx());
    const body = messageBody(v, v.files.map((f) => f.name));
    expect(body.allowed_mentions).toEqual({ parse: [], users: [OWNER], replied_user: false });
    expect(body.attachments).toEqual(v.files.map((f, id) => ({ id, filename: f.name })));
    expect(messageBody(v)).not.toHaveProperty('attachments');
  });
});

describe('prompts', () => {
  it('numberedPrompts splits on keycaps, then blank lines, then lines', () => {
    expect(numberedPrompts('1️⃣ a\n\n2️⃣ b --ar 3:2\n\n3️⃣ c')).toEqual(['a', 'b --ar 3:2', 'c']);
    expect(numberedPrompts('1\u20E3 a 2\u20E3 b')).toEqual(['a', 'b']);
    expect(numberedPrompts('a\n\nb')).toEqual(['a', 'b']);
    expect(numberedPrompts('a\r\nb\r\nc\r\nd')).toEqual(['a', 'b', 'c', 'd']);
    expect(numberedPrompts('')).toEqual([]);
  });

  it('finds a DESCRIBE result wherever the flavour keeps it', () => {
    expect(numberedPrompts(describeText(task('describe-success.json')))).toHaveLength(4);
    expect(numberedPrompts(describeText(task('describe-success.new-api.json')))).toHaveLength(4);
    expect(describeText(task('describe-success.json', { properties: {}, promptEn: '', prompt: '1️⃣ x\n\n2️⃣ y' }))).toBe('1️⃣ x\n\n2️⃣ y');
  });

  it('reads a SHORTEN result in either heading style, with or without details', () => {
    const hashes = '## Important tokens\n**cat** ~~very~~ fluffy\n## Shortened prompts\n1️⃣ cat fluffy\n\n2️⃣ cat';
    const bold = '**IMPORTANT TOKENS**\n**cat** ~~very~~ fluffy\n**SHORTENED OPTIONS**\n1️⃣ cat fluffy\n\n2️⃣ cat';
    for (const text of [hashes, bold]) {
      expect(shortenOptions(text)).toEqual(['cat fluffy', 'cat']);
      expect(shortenSections(text)).toBe('**IMPORTANT TOKENS**\n**cat** ~~very~~ fluffy\n\n**SHORTENED OPTIONS**\n1️⃣ cat fluffy\n\n2️⃣ cat');
    }
    expect(shortenSections(hashes, 'zh-CN')).toContain('精简选项');
    expect(shortenOptions('1️⃣ a\n\n2️⃣ b')).toEqual(['a', 'b']);
    expect(shortenSections('')).toBeNull();
    expect(shortenText(task('shorten-success.plus.json'))).toContain('SHORTENED OPTIONS');
    expect(shortenText(task('shorten-success.trueai.json', { properties: {} }))).toContain('## Shortened prompts');
    expect(shortenText(task('shorten-success.plus.json', { properties: {} }))).toBe('');
  });
});

describe('explainFailReason', () => {
  it('translates known reasons, keeps the original, and shows unknown ones verbatim', () => {
    expect(explainFailReason('执行超时 5 分钟', 'en-US')).toEqual({ text: 'The job timed out at the service.', original: '执行超时 5 分钟' });
    expect(explainFailReason('[Internal Server Error] java.net.SocketTimeoutException: Read timed out', 'en-US').text).toBe('Midjourney had an internal error.');
    expect(explainFailReason('[Invalid parameter] --tile transparent', 'en-US').text).toBe('Midjourney did not accept a parameter in the prompt.');
    expect(explainFailReason('提交失败，队列已满，请稍后重试', 'zh-CN').text).toBe('队列已满，请过几分钟再试。');
    expect(explainFailReason('Pending mod message', 'en-US').text).toMatch(/verification/);
    expect(explainFailReason('something odd', 'zh-CN')).toEqual({ text: 'something odd', original: null });
    expect(explainFailReason(null, 'zh-CN')).toEqual({ text: '服务端没有说明原因。', original: null });
  });
});

describe('explainDescription', () => {
  it('translates the code-4/9 wordings of the proxies and relays (api.md §1.4), the rest verbatim', () => {
    expect(explainDescription('dimensions参数错误', 'en-US')).toBe('a parameter was missing or not valid');
    expect(explainDescription('custom_id_is_required', 'zh-CN')).toBe('参数缺失或无效');
    expect(explainDescription('关联任务不允许执行变化', 'en-US')).toBe('that button cannot be used on this job');
    expect(explainDescription('request too large', 'zh-CN')).toBe('图片太大，服务无法接收（请换小一些或少一些的图片）');
    expect(explainDescription('该任务所属渠道已被禁用', 'en-US')).toBe('the service channel that ran this job is disabled');
    expect(explainDescription('提交失败，系统异常', 'en-US')).toBe('the service had an internal error');
    expect(explainDescription('prompt不能为空', 'en-US')).toBe('the prompt is empty');
    expect(explainDescription('something odd', 'en-US')).toBe('something odd');
  });
});

describe('checkMessageLimits', () => {
  it('reports what Discord would refuse', () => {
    expect(checkMessageLimits(view())).toEqual([]);
    expect(checkMessageLimits(view({ content: 'x'.repeat(2001) }))).toEqual(['content is 2001 > 2000 characters']);
    const button = (custom_id: string, extra: object = {}) => ({ type: 2 as const, style: 2 as const, custom_id, label: 'a', ...extra });
    const row = (...components: ReturnType<typeof button>[]) => ({ type: 1 as const, components });
    expect(checkMessageLimits(view({ components: [row(button('a', { label: undefined, emoji: { name: 'upscale_1' } }))] }))).toEqual(['unusable emoji upscale_1']);
    expect(checkMessageLimits(view({ components: [row(button('a'), button('a'))] }))).toEqual(['duplicate custom_id a']);
    expect(checkMessageLimits(view({ components: Array.from({ length: 6 }, (_, i) => row(button(`b${i}`))) }))).toEqual(['more than 5 rows']);
    expect(checkMessageLimits(view({ components: [row(...Array.from({ length: 6 }, (_, i) => button(`c${i}`)))] }))).toEqual(['a row of 6 buttons']);
    expect(checkMessageLimits(view({ components: [row(button('d', { label: undefined }))] }))).toEqual(['button with neither label nor emoji']);
    expect(checkMessageLimits(view({ embeds: [{ image: { url: 'javascript:x' } }] }))[0]).toMatch(/not a usable URL/);
    expect(checkMessageLimits(view({ embeds: [{ thumbnail: { url: 'attachment://missing.png' } }] }))[0]).toMatch(/not attached/);
    expect(checkMessageLimits(view({ embeds: [{ description: 'd'.repeat(4097) }] }))).toContain('embed 0 description > 4096');
    expect(checkMessageLimits(view({ embeds: [{ description: 'd'.repeat(4000) }, { description: 'd'.repeat(2001) }] }))).toEqual(['embeds total > 6000']);
    expect(checkMessageLimits(view({ content: 'a \ud83d' }))).toEqual(['content is not well-formed unicode']);
    expect(checkMessageLimits(view({ files: Array.from({ length: 11 }, (_, i) => ({ url: 'https://x.example/a', name: `f${i}.png` })) }))).toEqual(['more than 10 attachments']);
  });
});
