// The payload variations of api.md that relays and forks really send, each as a fixture: the bot
// shows them the way it shows the canonical shape.
import { describe, expect, it } from 'vitest';
import { preview } from '../../src/preview.ts';
import { must } from '../helpers/must.ts';
import { fixture, loadFixture } from './fixtures.ts';

const OWNER = '100000000000000001';
type Out = ReturnType<typeof preview>;
type Button = Out['body']['components'][number]['components'][number];

const run = (name: string, locale = 'en-US', media: 'attach' | 'link' = 'attach'): Out => preview(loadFixture(name), { locale, media, owner: OWNER });
const face = (b: Button) => `${b.emoji ? (b.emoji.id ? `<:${b.emoji.name}:${b.emoji.id}>` : b.emoji.name) : ''}${b.label ?? ''}`;
/** The proxy's buttons only (our own 🌱 seed button aside). */
const rows = (out: Out) => out.body.components.map((r) => r.components.filter((b) => b.custom_id.startsWith('mj:b:')).map(face)).filter((r) => r.length);
const GRID = [['U1', 'U2', 'U3', 'U4', '🔄'], ['V1', 'V2', 'V3', 'V4']];

describe('relay and fork variations', () => {
  it('buttons and properties sent as JSON text (one-api forks) render like the objects', () => {
    const out = run('imagine-success.one-api-json-strings.json');
    expect(rows(out)).toEqual(GRID);
    expect(out.body.content).toBe(`**a red fox in snow --ar 3:2** - <@${OWNER}> (Done)`);
    expect(out.files.map((f) => f.url)).toEqual(['https://relay.example/mj/image/1730622500000001']);
  });

  it('buttons in Discord’s own shape (action rows, custom_id, emoji objects): flattened, the link button dropped', () => {
    const out = run('imagine-success.discord-components.json');
    expect(rows(out)).toEqual(GRID);
    expect(JSON.stringify(out.body)).not.toContain('Web');
  });

  it('an id written as a double in exponent notation (Jackson) keeps its digits; a lowercase status is read', () => {
    const out = run('imagine-success.exponent-id.json');
    expect(rows(out)).toEqual(GRID);
    expect(out.body.components[0]?.components[0]?.custom_id).toBe('mj:b:1730622500000003:0');
  });

  it('progress as a number, status in lowercase, times as strings and the preview as {url}', () => {
    const out = run('in-progress.numeric-progress.json');
    expect(out.body.content).toBe(`**a red fox in snow --ar 3:2** - <@${OWNER}> (62%)\n▰▰▰▰▰▰▱▱▱▱ 62%`);
    expect(out.body.embeds.map((e) => e.image?.url)).toEqual(['https://cdn.example/mj/1730622500000004/grid_0.webp']);
  });

  it('a task wrapped in {code: 1, result: {…}} is the task', () => {
    const out = run('fetch-wrapped.code-result.json', 'zh-CN');
    expect(out.body.content).toContain('(46%)');
    expect(must(out.body.embeds[0], 'the preview embed').image?.url).toBe(fixture('fetch-wrapped.code-result.json').result.imageUrl);
  });

  it('list-by-condition wrapped in {code, result: […]} or a page {data: {records: […]}} previews its first task', () => {
    const plain = run('imagine-success.seed.json').body;
    expect(run('list-by-condition.wrapped.json').body).toEqual(plain);
    expect(run('list-by-condition.page.json').body).toEqual(plain);
  });

  it('video and edit results given as plain URL strings, or one videoUrl alone', () => {
    const urls = fixture('video-success.string-urls.json').videoUrls as string[];
    expect(run('video-success.string-urls.json').files.map((f) => f.url)).toEqual(urls);
    expect(run('video-success.string-urls.json', 'en-US', 'link').body.content.split('\n').slice(1)).toEqual(urls);
    expect(run('video-success.video-url-only.json').files).toEqual([{ url: urls[0], name: 'mj-1751275590720682.mp4' }]);
    expect(run('edits-success.string-urls.json').files.map((f) => f.url)).toEqual(fixture('edits-success.string-urls.json').imageUrls);
  });

  it('"排队中,前面还有5个任务" with an ASCII comma (relay docs) is a queue position; properties null', () => {
    expect(run('not-start.queued-ascii-comma.json').body.content).toContain('(Queued — 5 ahead)');
    expect(run('not-start.queued-ascii-comma.json', 'zh-CN').body.content).toContain('(排队中 — 前面还有 5 个任务)');
  });

  it('an undocumented status waits; a fork’s "FAILED" is a failure with its reason explained', () => {
    const unknown = run('status-unknown.json');
    expect(unknown.body.content).toContain('(Waiting to start)');
    expect(unknown.body.components.flatMap((r) => r.components).map((b) => b.custom_id)).toEqual([`mj:x:${fixture('status-unknown.json').id}`]);
    const failed = run('failure.relay-failed-status.json');
    expect(failed.body.content).toContain('(Failed)');
    expect(must(failed.body.embeds[0], 'the failure embed').description!.split('\n')[0]).toBe('Midjourney did not accept a parameter in the prompt.');
  });

  it('a YouChuan describe (four prompts joined by \\r\\n, no keycaps, no buttons): numbered prompts and the picks', () => {
    const out = run('describe-success.youchuan.json');
    const parts = must(out.body.embeds[0], 'the describe embed').description!.split('\n\n');
    expect(parts.map((p) => p.slice(0, 4))).toEqual(['1️⃣ ', '2️⃣ ', '3️⃣ ', '4️⃣ ']);
    expect(parts[3]).toBe('4️⃣ harbor scene, gentle reflections, warm sunrise palette --ar 3:2');
    expect(rows(out)).toEqual([['1️⃣', '2️⃣', '3️⃣', '4️⃣', '🎉Imagine all']]);
  });

  it('new-api’s MODAL task (numeric id, action MODAL, stripped properties) offers the editor', () => {
    const out = run('modal.new-api.json');
    expect(out.body.content).toContain('(Waiting for your input)');
    expect(out.body.components[0]?.components.map((b) => b.custom_id)).toEqual(['mj:e:1730622500000015']);
  });

  it('buttons past Discord’s limits: routable ids, labels cut before an emoji, faces for invisible labels, five rows', () => {
    const out = run('buttons.long-ids-labels.json');
    const all = out.body.components.flatMap((r) => r.components);
    expect(out.body.components.length).toBeLessThanOrEqual(5);
    for (const b of all) {
      expect(b.custom_id.length).toBeLessThanOrEqual(100);
      expect((b.label ?? '').length).toBeLessThanOrEqual(80);
      expect(b.label ?? '').not.toMatch(/[\uD800-\uDBFF]…/);
    }
    expect(rows(out)[0]).toEqual(['U1', 'V2', '⬅️']);
    // The 150-character proxy customId stays in the record; the U1 the proxy marked green stays green.
    expect(all[0]).toMatchObject({ custom_id: 'mj:b:1730622500000016:0', style: 3 });
    expect(all.find((b) => b.custom_id === 'mj:b:1730622500000016:1')?.label).toBe(`${'L'.repeat(78)}…`);
    expect(all.find((b) => b.custom_id === 'mj:b:1730622500000016:4')?.label).toBe('Action');
  });
});
