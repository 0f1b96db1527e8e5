// The bot's own controls on a finished result (Share, 🗑) and the gallery post Share makes: where
// the buttons go (after 🌱 while the last row has room, else a row of their own; never past 5×5),
// which results get Share (images and videos, not describe/shorten text), and the post's content
// (plain prompt, a mention that pings nobody, a jump link or the private note).
import { describe, expect, it } from 'vitest';
import { parseCustomId } from '../../src/custom-id.ts';
import { parseTask } from '../../src/proxy/parse.ts';
import type { Task } from '../../src/proxy/types.ts';
import { checkMessageLimits } from '../../src/render/limits.ts';
import { renderSharePost } from '../../src/render/share.ts';
import { renderTaskView, type ViewContext } from '../../src/render/task-view.ts';
import { fixture } from './fixtures.ts';

const OWNER = '100000000000000001';
const task = (name: string): Task => parseTask(fixture(name))!;
const ctx = (over: Partial<ViewContext> = {}): ViewContext => ({ locale: 'en-US', ownerId: OWNER, prompt: 'a fox', controls: { share: true, remove: true }, ...over });
const faces = (t: Task, c: ViewContext) => renderTaskView(t, c).components.map((r) => r.components.map((b) => b.label ?? b.emoji?.name));

describe('Share and 🗑 on a finished result', () => {
  it('a grid: [U…🔄] [V…🌱] then a row of their own; their custom_ids parse back to the task', () => {
    const t = task('imagine-success.seed.json');
    const rows = faces(t, ctx());
    expect(rows).toHaveLength(3);
    expect(rows[1]!.at(-1)).toBe('🌱');
    expect(rows[2]).toEqual(['Share', '🗑️']);
    const ids = renderTaskView(t, ctx()).components[2]!.components.map((b) => parseCustomId(b.custom_id));
    expect(ids).toEqual([{ kind: 'share', taskId: t.id }, { kind: 'delete', taskId: t.id }]);
  });

  it('an upscale keeps its five rows: the controls join the last one', () => {
    const t = task('upscale-success.json');
    const view = renderTaskView(t, ctx());
    expect(view.components.length).toBeLessThanOrEqual(5);
    expect(view.components.flatMap((r) => r.components).some((b) => b.custom_id.startsWith('mj:sh:'))).toBe(true);
    expect(checkMessageLimits(view)).toEqual([]);
  });

  it('describe and shorten results (text) get 🗑 but no Share; none without controls (pure renders, copies)', () => {
    for (const name of ['describe-success.json', 'shorten-success.trueai.json']) {
      const ids = renderTaskView(task(name), ctx()).components.flatMap((r) => r.components.map((b) => b.custom_id));
      expect(ids.some((id) => id.startsWith('mj:sh:')), name).toBe(false);
      expect(ids.some((id) => id.startsWith('mj:d:')), name).toBe(true);
    }
    const bare = renderTaskView(task('imagine-success.seed.json'), ctx({ controls: undefined }));
    expect(bare.components).toHaveLength(2);
    const copy = faces(task('video-success.seed.json'), ctx({ controls: { share: true, remove: false } }));
    expect(copy.flat()).toContain('Share');
    expect(copy.flat()).not.toContain('🗑️');
  });

  it('a unfinished, failed or timed-out job has neither', () => {
    for (const name of ['in-progress.preview.json', 'failure.banned.json']) {
      expect(renderTaskView(task(name), ctx()).components.flatMap((r) => r.components).filter((b) => /^mj:(sh|d):/.test(b.custom_id))).toEqual([]);
    }
    const timedOut = renderTaskView(task('in-progress.preview.json'), ctx({ status: 'TIMEOUT' }));
    expect(timedOut.components.flatMap((r) => r.components).map((b) => b.custom_id)).toEqual([expect.stringMatching(/^mj:c:/)]);
  });
});

describe('the gallery post', () => {
  it('the result as files, the prompt as inert text, the requester named but not pinged, a jump link', () => {
    const t = task('imagine-success.seed.json');
    const link = 'https://discord.com/channels/1/2/3';
    const post = renderSharePost(t, { locale: 'en-US', ownerId: OWNER, prompt: '**bold** @everyone [x](https://evil.example)', link, media: 'attach' });
    expect(post.files).toHaveLength(1);
    expect(post.files[0]!.url).toBe(t.imageUrl);
    expect(post.content).not.toContain('@everyone');
    expect(post.content).toContain('\\*\\*bold\\*\\*');
    expect(post.content).toContain('<https://evil.example>');
    expect(post.content).toContain(`Shared by <@${OWNER}>`);
    expect(post.content).toContain(`Original: ${link}`);
    expect(post.allowedMentions).toEqual({ parse: [], users: [], replied_user: false });
    expect(post.components).toEqual([]);
  });

  it('a private job: no link; links instead of files when they could not be had; in Chinese', () => {
    const t = task('video-success.seed.json');
    const post = renderSharePost(t, { locale: 'zh-CN', ownerId: OWNER, prompt: 'a fox', link: null, media: 'link' });
    expect(post.files).toEqual([]);
    expect(post.content).toContain('分享自一个私密任务');
    expect(post.content).toMatch(/<https?:\/\/[^>]+>/);
    expect(post.content.length).toBeLessThanOrEqual(2000);
  });
});
