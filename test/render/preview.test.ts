// The preview tool over every fixture: what the bot would send for each task shape, in both
// languages and both media modes, is within Discord's limits and says what ux.md asks.
import { describe, expect, it } from 'vitest';
import { t, type MessageKey } from '../../src/i18n/index.ts';
import { preview } from '../../src/preview.ts';
import { must } from '../helpers/must.ts';
import { FAILURE_REASONS, FIXTURE_DIR, fixture, fixtureNames, loadFixture } from './fixtures.ts';
import { runEntry } from '../helpers/entry-point.ts';

const OWNER = '100000000000000001';
const LOCALES = ['en-US', 'zh-CN'] as const;
const MEDIA = ['attach', 'link'] as const;

type Out = ReturnType<typeof preview>;
type Button = Out['body']['components'][number]['components'][number];

const run = (name: string, locale: string = 'en-US', media: 'attach' | 'link' = 'attach'): Out => preview(loadFixture(name), { locale, media, owner: OWNER });
/** A button as a user sees it: its emoji, then its label. */
const face = (b: Button) => `${b.emoji ? (b.emoji.id ? `<:${b.emoji.name}:${b.emoji.id}>` : b.emoji.name) : ''}${b.label ?? ''}`;
/** The bot's own Share and 🗑 (on every finished result; own-controls.test.ts) are left out of `rows`. */
const OWN = /^mj:(sh|d):/;
const rows = (out: Out) => out.body.components.map((r) => r.components.filter((b) => !OWN.test(b.custom_id)).map(face)).filter((r) => r.length > 0);
/** The message's first embed; the test fails when it has none. */
const firstEmbed = (out: Out) => must(out.body.embeds[0], 'an embed');
/** The message's first row of buttons; the test fails when it has none. */
const firstRow = (out: Out) => must(out.body.components[0], 'a row of buttons').components;
const done = (locale: string) => t(locale, 'status.done');

describe('preview over every fixture', () => {
  const names = fixtureNames();

  it('has the fixtures the seeds and api.md call for', () => {
    expect(names.length).toBeGreaterThanOrEqual(50);
    for (const needed of ['imagine-success.seed.json', 'video-success.seed.json', 'edits-success.seed.json', 'describe-success.json', 'shorten-success.trueai.json', 'upscale-success.json', 'garbage.null.json']) {
      expect(names).toContain(needed);
    }
  });

  for (const name of names) {
    for (const locale of LOCALES) {
      for (const media of MEDIA) {
        it(`${name} (${locale}, ${media}) renders within Discord's limits, pinging only the owner`, () => {
          const out = run(name, locale, media);
          expect(out.problems).toEqual([]);
          const { body } = out;
          expect(body.content.length).toBeLessThanOrEqual(2000);
          expect(body.content).toContain(`<@${OWNER}>`);
          expect(body.allowed_mentions).toEqual({ parse: [], users: [OWNER], replied_user: false });
          // A bare emoji name ("upscale_1") is never sent: Discord would refuse the whole message.
          for (const b of body.components.flatMap((r) => r.components)) {
            if (b.emoji && !b.emoji.id) expect(b.emoji.name).not.toMatch(/^[\w:]+$/);
          }
          if (media === 'link') expect(out.files).toEqual([]);
          // Files and the attachments list name the same things.
          expect(body.attachments?.map((a) => a.filename) ?? []).toEqual(out.files.map((f) => f.name));
          for (const f of out.files) expect(f.url).toMatch(/^https?:\/\//);
          expect(() => JSON.stringify(body)).not.toThrow();
        });
      }
    }
  }
});

describe('what each task shape shows', () => {
  it('the seed IMAGINE: the grid as a file and [U1 U2 U3 U4 🔄] [V1 V2 V3 V4 🌱]', () => {
    const seed = fixture('imagine-success.seed.json');
    for (const locale of LOCALES) {
      const out = run('imagine-success.seed.json', locale);
      expect(rows(out)).toEqual([['U1', 'U2', 'U3', 'U4', '🔄'], ['V1', 'V2', 'V3', 'V4', '🌱']]);
      expect(out.body.components[2]!.components.map(face)).toEqual([`📤${t(locale, 'button.share')}`, '🗑️']);
      expect(out.body.content).toBe(`**pig --v 6.1** - <@${OWNER}> (${done(locale)})`);
      expect(out.files).toEqual([{ url: seed.imageUrl, name: 'mj-1730621826053455.png' }]);
      expect(firstRow(out).map((b) => b.custom_id)).toEqual([0, 1, 2, 3, 4].map((i) => `mj:b:1730621826053455:${i}`));
      expect(out.body.components.flatMap((r) => r.components).every((b) => b.style === 2)).toBe(true);
    }
    const link = run('imagine-success.seed.json', 'en-US', 'link');
    expect(link.body.embeds).toHaveLength(1);
    expect(link.body.embeds[0]!.image?.url).toBe(seed.imageUrl);
  });

  it('a list-by-condition answer previews its first task', () => {
    expect(run('list-by-condition.json').body).toEqual(run('imagine-success.seed.json').body);
  });

  it('relay tasks: numeric ids become exact strings in custom_ids; stripped properties still render', () => {
    const out = run('imagine-success.relay.json');
    expect(out.body.components.flatMap((r) => r.components).map((b) => b.custom_id)[0]).toBe('mj:b:1320098173412546:0');
    expect(out.body.content).toBe(`**a red fox in snow --ar 3:2** - <@${OWNER}> (Done)`);
    expect(out.files.map((f) => f.url)).toEqual(['https://relay.example/mj/image/1320098173412546']);
    const numeric = run('imagine-success.relay-numeric-ids.json');
    expect(rows(numeric)).toEqual([['U1', 'U2', 'U3', 'U4', '🔄'], ['V1', 'V2', 'V3', 'V4', '🌱']]);
    expect(firstRow(numeric)[0]?.custom_id).toBe('mj:b:1730621826053455:0');
  });

  it('trueai with its internals: the grid (not the four quarters in imageUrls), U2 already green, the mode from messageContent', () => {
    const raw = fixture('imagine-success.trueai.json');
    const out = run('imagine-success.trueai.json');
    expect(out.files.map((f) => f.url)).toEqual([raw.imageUrl]);
    expect(out.body.content).toBe(`**a lighthouse at dusk --ar 3:2 --v 7** - <@${OWNER}> (fast)`);
    expect(firstRow(out).map((b) => b.style)).toEqual([2, 3, 2, 2, 2]);
    // Internals (notifyHook secrets, client IPs) are never shown.
    const text = JSON.stringify(out.body);
    expect(text).not.toContain('s3cr3t');
    expect(text).not.toContain('203.0.113.7');
  });

  it('in flight: waiting, queued, submitted, progress with and without a preview', () => {
    expect(run('status-empty.new-api.json').body.content).toBe(`**a red fox in snow --ar 3:2** - <@${OWNER}> (Waiting to start)`);
    expect(run('status-empty.new-api.json', 'zh-CN').body.content).toContain('(等待开始)');
    expect(run('not-start.json').body.content).toContain('(Waiting to start)');
    expect(run('not-start.queued.json').body.content).toContain('(Queued — 3 ahead)');
    expect(run('not-start.queued.json', 'zh-CN').body.content).toContain('(排队中 — 前面还有 3 个任务)');
    for (const name of ['submitted.json', 'submitted.with-preview.json']) {
      const out = run(name);
      expect(out.body.content).toBe(`**pig --v 6.1** - <@${OWNER}> (Submitted)`);
      expect(out.body.embeds).toEqual([]);
      // Under way: only ❌ Cancel.
      expect(out.body.components.flatMap((r) => r.components).map((b) => [b.custom_id, b.emoji?.name])).toEqual([[`mj:x:${fixture(name).id}`, '❌']]);
    }
    expect(run('submitted.json', 'zh-CN').body.content).toContain('(已提交)');

    const withPreview = run('in-progress.preview.json');
    expect(withPreview.body.content).toBe(`**pig --v 6.1** - <@${OWNER}> (46%)\n▰▰▰▰▰▱▱▱▱▱ 46%`);
    expect(withPreview.body.embeds.map((e) => e.image?.url)).toEqual([fixture('in-progress.preview.json').imageUrl]);
    expect(withPreview.files).toEqual([]);
    const without = run('in-progress.no-preview.json');
    expect(without.body.content).toBe(`**pig --v 6.1** - <@${OWNER}> (31%)\n▰▰▰▱▱▱▱▱▱▱ 31%`);
    expect(without.body.embeds).toEqual([]);
    expect(firstEmbed(run('in-progress.relay-preview.json')).image?.url).toMatch(/\/mj\/image\/1320098173412546\?rand=/);
  });

  it('after an upscale: Midjourney rows; bare emoji names dropped; custom emoji kept; faces for buttons with none', () => {
    for (const locale of LOCALES) {
      const out = run('upscale-success.json', locale);
      expect(rows(out)).toEqual([
        ['Upscale (Subtle)', 'Upscale (Creative)', '🪄Vary (Subtle)', '🪄Vary (Strong)', '🖌️Vary (Region)'],
        ['🔍Zoom Out 2x', '🔍Zoom Out 1.5x', '🔍Custom Zoom'],
        ['⬅️', '➡️', '⬆️', '⬇️'],
        ['<:animate:1183912043823562752>Animate (High motion)', `🎞️${t(locale, 'button.animate')} (Low)`],
        ['❤️', t(locale, 'button.action'), '🌱'],
      ]);
      const all = out.body.components.flatMap((r) => r.components);
      // The link button ("Web", no customId) is not offered; the others keep their index in the parsed task's list.
      expect(all.some((b) => b.label === 'Web')).toBe(false);
      expect(all.map((b) => b.custom_id)).toEqual([...[...Array(16).keys()].map((i) => `mj:b:1730621900000222:${i}`), 'mj:s:1730621900000222', 'mj:sh:1730621900000222', 'mj:d:1730621900000222']);
      expect(all.filter((b) => b.emoji?.name === 'upscale_1' || b.emoji?.name === 'animate_low')).toEqual([]);
    }
  });

  it('failures: a red embed with the reason in the user’s language, the original alongside when it adds detail', () => {
    for (const [name, { failReason, key }] of Object.entries(FAILURE_REASONS)) {
      // trueai's "取消任务" is a cancel, not a failure (below).
      if (name === 'failure.cancel-zh.json') continue;
      for (const locale of LOCALES) {
        const out = run(name, locale);
        expect(out.body.content, name).toContain(`(${t(locale, 'status.failed')})`);
        expect(out.body.components).toEqual([]);
        const embed = firstEmbed(out);
        expect(embed.color).toBe(0xed4245);
        expect(embed.title).toBe(t(locale, 'view.failedTitle'));
        if (key === 'verbatim') {
          expect(embed.description!.split('\n')[0]).toBe(failReason);
        } else {
          expect(embed.description!.split('\n')[0], name).toBe(t(locale, key as MessageKey));
          expect(embed.description).toContain(failReason.slice(0, 60));
        }
        expect(embed.description).toContain(t(locale, 'view.failHint'));
      }
    }
    const cancelled = run('failure.cancel-zh.json');
    expect(cancelled.body.content).toContain('(Cancelled)');
    expect(firstEmbed(cancelled).title).toBe('Job cancelled');
    expect(firstEmbed(cancelled).description!.split('\n')[0]).toBe(t('en-US', 'fail.cancelled'));
    // Chinese reasons reach an English reader in English.
    expect(firstEmbed(run('failure.timeout-zh.json')).description!.split('\n')[0]).toBe('The job timed out at the service.');
    expect(firstEmbed(run('failure.banned.json', 'zh-CN')).description!.split('\n')[0]).toBe('Midjourney 审核认为提示词违规。');
    expect(firstEmbed(run('failure.empty-reason.json')).description!.split('\n')[0]).toBe(t('en-US', 'fail.unknown'));
  });

  it('cancel and modal', () => {
    const cancel = run('cancel.json', 'zh-CN');
    expect(cancel.body.content).toContain('(已取消)');
    expect(firstEmbed(cancel).title).toBe(t('zh-CN', 'view.cancelledTitle'));
    expect(firstEmbed(cancel).description).toBe(t('zh-CN', 'fail.cancelled'));
    const modal = run('modal.json');
    expect(modal.body.content).toContain('(Waiting for your input)');
    expect(firstRow(modal).map((b) => [b.custom_id, b.label])).toEqual([['mj:e:1730621999000333', 'Open editor']]);
    expect(firstRow(run('modal.json', 'zh-CN')).map((b) => b.label)).toEqual(['打开编辑器']);
  });

  it('describe: the source as a thumbnail and four numbered prompts, blank line between; [1️⃣ 2️⃣ 3️⃣ 4️⃣ 🔄] [🎉 Imagine all]', () => {
    const raw = fixture('describe-success.json');
    const out = run('describe-success.json');
    const embed = firstEmbed(out);
    expect(embed.title).toBe('Suggested prompts');
    const parts = embed.description!.split('\n\n');
    expect(parts.map((p) => p.slice(0, 4))).toEqual(['1️⃣ ', '2️⃣ ', '3️⃣ ', '4️⃣ ']);
    // Backend text is plain text: the link reads as typed, it is never a masked link.
    expect(parts[1]).toContain('\\[lighthouse\\](<https://s.mj.run/fAk3l1ght>)');
    // The source is re-hosted (proxy links are short-lived) and shown as the thumbnail.
    expect(out.files).toEqual([{ url: raw.imageUrl, name: 'mj-1730622000000444-source.png' }]);
    expect(embed.thumbnail?.url).toBe('attachment://mj-1730622000000444-source.png');
    expect(rows(out)).toEqual([['1️⃣', '2️⃣', '3️⃣', '4️⃣', '🔄'], ['🎉Imagine all']]);
    // The prompt fields hold the result: the head does not repeat it.
    expect(out.body.content).toBe(`<@${OWNER}> (Done)`);
    const link = run('describe-success.json', 'zh-CN', 'link');
    expect(firstEmbed(link).thumbnail?.url).toBe(raw.imageUrl);
    expect(firstEmbed(link).title).toBe('推荐的提示词');
  });

  it('describe from a new-api relay (only finalPrompt, no buttons): the same prompts and synthesized picks', () => {
    const out = run('describe-success.new-api.json');
    expect(firstEmbed(out).description).toBe(firstEmbed(run('describe-success.json')).description);
    expect(rows(out)).toEqual([['1️⃣', '2️⃣', '3️⃣', '4️⃣', '🎉Imagine all']]);
    expect(rows(run('describe-success.new-api.json', 'zh-CN'))).toEqual([['1️⃣', '2️⃣', '3️⃣', '4️⃣', '🎉全部生成']]);
  });

  it('shorten: IMPORTANT TOKENS (bold and struck words kept) and SHORTENED OPTIONS 1️⃣–5️⃣, wherever the flavour keeps it', () => {
    for (const name of ['shorten-success.trueai.json', 'shorten-success.plus.json', 'shorten-success.new-api.json']) {
      const d = firstEmbed(run(name)).description!;
      expect(d, name).toMatch(/^\*\*IMPORTANT TOKENS\*\*\n\*\*majestic\*\* ancient ~~standing~~ \*\*oak\*\*/);
      const options = d.slice(d.indexOf('**SHORTENED OPTIONS**\n') + '**SHORTENED OPTIONS**\n'.length).split('\n\n');
      expect(options.map((o) => o.slice(0, 4))).toEqual(['1️⃣ ', '2️⃣ ', '3️⃣ ', '4️⃣ ', '5️⃣ ']);
      expect(options[4]).toBe('5️⃣ majestic oak');
      expect(d).not.toContain('/shorten');
      expect(d).not.toContain('##');
    }
    expect(rows(run('shorten-success.trueai.json'))).toEqual([['1️⃣', '2️⃣', '3️⃣', '4️⃣', '5️⃣'], ['Show Details']]);
    expect(rows(run('shorten-success.new-api.json'))).toEqual([['1️⃣', '2️⃣', '3️⃣', '4️⃣', '5️⃣']]);
    const zh = firstEmbed(run('shorten-success.plus.json', 'zh-CN'));
    expect(zh.title).toBe('精简后的提示词');
    expect(zh.description).toContain('重要词');
    expect(zh.description).toContain('精简选项');
    const details = firstEmbed(run('shorten-show-details.json')).description!;
    expect(details).toContain('**DETAILS**\nmajestic ▰▰▰▰▰▰▰▰▰▱ 0.90');
    expect(details.indexOf('**DETAILS**')).toBeLessThan(details.indexOf('**SHORTENED OPTIONS**'));
  });

  it('video: four files when attaching, four bare links (which Discord plays) otherwise; the first frame is not a result', () => {
    const raw = fixture('video-success.seed.json');
    const urls = raw.videoUrls.map((v: { url: string }) => v.url);
    const attach = run('video-success.seed.json');
    expect(attach.files.map((f) => f.url)).toEqual(urls);
    expect(attach.files.map((f) => f.name)).toEqual([1, 2, 3, 4].map((i) => `mj-1751275590720680-${i}.mp4`));
    expect(attach.body.embeds).toEqual([]);
    expect(attach.body.content).toBe(`**缠斗** - <@${OWNER}> (Done)`);
    const link = run('video-success.seed.json', 'zh-CN', 'link');
    expect(link.body.content.split('\n')).toEqual([`**缠斗** - <@${OWNER}> (完成)`, ...urls]);
    expect(JSON.stringify(link.body)).not.toContain(raw.imageUrl);
  });

  it('edits: the four images of imageUrls, not the grid', () => {
    const raw = fixture('edits-success.seed.json');
    const urls = raw.imageUrls.map((v: { url: string }) => v.url);
    expect(run('edits-success.seed.json').files.map((f) => f.url)).toEqual(urls);
    const link = run('edits-success.seed.json', 'en-US', 'link').body.embeds;
    expect(link.map((e) => e.image?.url)).toEqual(urls);
    // One shared url: Discord shows the four as one gallery.
    expect(new Set(link.map((e) => e.url))).toEqual(new Set([urls[0]]));
  });

  it('swap face: the single image', () => {
    expect(run('swap-face-success.json').files.map((f) => f.url)).toEqual(['https://replicate.delivery/pbxt/abc123/output.png']);
    expect(rows(run('swap-face-success.json'))).toEqual([]);
  });

  it('a 6000-character prompt: the content stays ≤ 2000 with the bold closed, the mention, the status and every video link', () => {
    for (const locale of LOCALES) {
      const failure = run('long-prompt.failure.json', locale).body.content;
      expect(failure.length).toBeLessThanOrEqual(2000);
      expect(failure).toMatch(new RegExp(`^\\*\\*.*…\\*\\* - <@${OWNER}> \\(${t(locale, 'status.failed')}\\)$`, 's'));
      const progress = run('long-prompt.in-progress.json', locale).body.content;
      expect(progress.split('\n')[1]).toBe('▰▰▰▰▰▰▱▱▱▱ 62%');
      const video = run('long-prompt.video.json', locale, 'link').body.content;
      expect(video.length).toBeLessThanOrEqual(2000);
      expect(video.split('\n').slice(1)).toEqual(fixture('video-success.seed.json').videoUrls.map((v: { url: string }) => v.url));
    }
    // The 300-character failReason is shown whole.
    const reason = fixture('long-prompt.failure.json').failReason as string;
    expect(firstEmbed(run('long-prompt.failure.json')).description).toContain(reason);
  });

  it('a prompt with @everyone, mentions, links and markdown stays inert', () => {
    const { content, allowed_mentions } = run('hostile-prompt.json').body;
    expect(allowed_mentions.parse).toEqual([]);
    const prompt = content.slice(0, content.indexOf(` - <@${OWNER}>`));
    expect(prompt).not.toMatch(/@everyone|@here|<@\d|<@&|\]\(http/);
    expect(content).toContain('@\u200beveryone');
    expect(content).toContain('<https://evil.example/x.png>');
    expect(content).toContain('\\[click\\](<https://evil.example>)');
    expect(content).toContain('\\`code\\` \\|\\|spoiler\\|\\| \\~\\~gone\\~\\~ \\_\\_u\\_\\_ \\*it\\*');
    // Only the bold around the prompt and the owner's mention are live markup.
    expect(content.startsWith('**')).toBe(true);
    expect(content).toContain(`discord.gg/abc** - <@${OWNER}> (15%)`);
  });

  it('thirty buttons: five full rows, no more', () => {
    const out = run('thirty-buttons.json');
    expect(out.body.components.map((r) => r.components.length)).toEqual([5, 5, 5, 5, 5]);
    expect(rows(out)[0]).toEqual(['Custom 1', 'Custom 2', 'Custom 3', 'Custom 4', 'Custom 5']);
  });

  it('garbage renders as "waiting" (what the bot would show), without buttons or files', () => {
    for (const name of ['garbage.null.json', 'garbage.empty-array.json', 'garbage.submit-result.json', 'garbage.string.json', 'garbage.no-id.json']) {
      const out = run(name, 'zh-CN');
      expect(out.body.content, name).toBe(`<@${OWNER}> (等待开始)`);
      expect(out.body.components).toEqual([]);
      expect(out.files).toEqual([]);
    }
    // An id that cannot travel in a custom_id, and URLs that are not http(s), are left out.
    const weird = run('garbage.weird-values.json');
    expect(weird.body.components).toEqual([]);
    expect(weird.files).toEqual([]);
    expect(weird.body.embeds).toEqual([]);
    expect(run('garbage.weird-values.json', 'en-US', 'link').body.content).toBe(`<@${OWNER}> (Done)`);
  });
});

describe('the preview CLI', () => {
  it('prints the body, the files and no problems for a fixture file, in zh-CN', async () => {
    const res = await runEntry('src/preview.ts', { args: [`${FIXTURE_DIR}describe-success.json`, '--locale', 'zh-CN'] });
    expect(res.code).toBe(0);
    const out = JSON.parse(res.stdout);
    expect(out.problems).toEqual([]);
    expect(out.body.content).toBe('<@100000000000000001> (完成)');
    expect(out.body.embeds[0].title).toBe('推荐的提示词');
    expect(out.body.attachments).toEqual([{ id: 0, filename: 'mj-1730622000000444-source.png' }]);
    expect(out.files[0].url).toBe(fixture('describe-success.json').imageUrl);
  });

  it('reads standard input with "-", takes --link anywhere and --owner', async () => {
    const res = await runEntry('src/preview.ts', { args: ['--link', '-', '--owner', '222222222222222222'], input: JSON.stringify(loadFixture('video-success.seed.json')) });
    expect(res.code).toBe(0);
    const out = JSON.parse(res.stdout);
    expect(out.problems).toEqual([]);
    expect(out.files).toEqual([]);
    expect(out.body.content.split('\n')).toHaveLength(5);
    expect(out.body.allowed_mentions.users).toEqual(['222222222222222222']);
  });

  it('refuses input that is not JSON with one line on stderr and exit code 1', async () => {
    const res = await runEntry('src/preview.ts', { args: ['-'], input: 'hello\nworld {' });
    expect(res.code).toBe(1);
    expect(res.stdout).toBe('');
    expect(res.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(res.stderr).toMatch(/^preview: cannot read -: /);
  });
});
