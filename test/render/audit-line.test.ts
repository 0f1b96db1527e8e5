// The audit channel's lines, as pure rendering: both languages, the banned words counted and never
// printed, people/roles/channels as (inert) mentions, text from outside made plain, 2000 at most.
import { describe, expect, it } from 'vitest';
import { renderAuditChange, renderAuditJob, renderAuditRefusal, type AuditJob } from '../../src/render/audit-line.ts';
import { serverChanges } from '../../src/jobs/audit.ts';

const job: AuditJob = {
  ownerId: '111111111111111111', guildId: '222222222222222222', channelId: '333333333333333333', messageId: '444444444444444444',
  kind: 'imagine', label: null, prompt: 'a fox', private: false, status: 'SUCCESS', failReason: null,
};

describe('audit lines', () => {
  it('a job: who, the command or the button, the prompt, the outcome, the link; in Chinese too', () => {
    expect(renderAuditJob(job, 'en-US')).toBe('<@111111111111111111> /imagine “a fox” → done · https://discord.com/channels/222222222222222222/333333333333333333/444444444444444444');
    expect(renderAuditJob({ ...job, kind: 'action', label: 'Image #2', status: 'CANCEL' }, 'en-US')).toMatch(/^<@\d+> Image #2 “a fox” → cancelled · https:/);
    expect(renderAuditJob({ ...job, status: 'FAILURE', failReason: '[Banned prompt] x', messageId: null }, 'zh-CN')).toMatch(/ → 失败：.+ · 无消息$/);
    expect(renderAuditJob({ ...job, status: 'IN_PROGRESS', private: true }, 'en-US')).toMatch(/no longer followed .* · private$/);
  });

  it('outside text is plain: markdown, links, mentions and a huge prompt', () => {
    const line = renderAuditJob({ ...job, prompt: `[click](https://evil.example) <@&555555555555555555> ${'x'.repeat(5000)}`, failReason: '**x**', status: 'FAILURE' }, 'en-US');
    expect(line).toContain('\\[click\\](<https://evil.example>)');
    expect(line).toContain('\\<@\u200b&555555555555555555\\>');
    expect(line.length).toBeLessThanOrEqual(2000);
    expect(line).toMatch(/…” → failed: \\\*\\\*x\\\*\\\* · https:/);
  });

  it('a change: the setting named, values shown by kind; banned words counted only; a refusal', () => {
    const u = '111111111111111111';
    expect(renderAuditChange({ userId: u, what: 'moderation.words', before: ['a'], after: ['secret', 'words', 'here'] }, 'en-US')).toBe(`⚙️ <@${u}> changed banned words: updated (3 words)`);
    expect(renderAuditChange({ userId: u, what: 'moderation.words', before: [], after: ['secret'] }, 'zh-CN')).toBe(`⚙️ <@${u}> 修改了违禁词：已更新（1 个词）`);
    expect(renderAuditChange({ userId: u, what: 'access.roles', before: undefined, after: ['555555555555555555'] }, 'en-US')).toBe(`⚙️ <@${u}> changed allowed roles: all → <@&555555555555555555>`);
    const many = Array.from({ length: 12 }, (_, i) => String(100000000000000000n + BigInt(i)));
    expect(renderAuditChange({ userId: u, what: 'moderation.blocked', before: [], after: many }, 'en-US')).toMatch(/→ (<@\d+>, ){9}<@\d+> \+2$/);
    expect(renderAuditChange({ userId: u, what: 'limits.daily', before: 20, after: 5 }, 'en-US')).toBe(`⚙️ <@${u}> changed jobs per member per day: 20 → 5`);
    expect(renderAuditChange({ userId: u, what: 'defaults.suffix', before: undefined, after: '**loud** @here' }, 'en-US')).toBe(`⚙️ <@${u}> changed server default Suffix: default → \\*\\*loud\\*\\* @\u200bhere`);
    expect(renderAuditChange({ userId: u, what: 'something.new', before: false, after: true }, 'en-US')).toBe(`⚙️ <@${u}> changed something.new: off → on`);
    expect(renderAuditRefusal({ userId: u, command: 'imagine', prompt: 'a fox', reason: 'banned word' }, 'en-US')).toBe(`<@${u}> /imagine “a fox” → refused: banned word · no message`);
  });

  it('serverChanges lists each changed field as a dotted path', () => {
    expect(serverChanges(
      { defaults: { stylize: 250 }, galleryChannelId: '1', limits: { daily: 3 } },
      { defaults: { stylize: 750, raw: true }, galleryChannelId: '1', moderation: { words: ['x'] } },
    )).toEqual([
      { what: 'defaults.stylize', before: 250, after: 750 },
      { what: 'defaults.raw', before: undefined, after: true },
      { what: 'limits.daily', before: 3, after: undefined },
      { what: 'moderation.words', before: undefined, after: ['x'] },
    ]);
  });
});
