import { describe, expect, it } from 'vitest';
import { plainText, plainTextWithEmphasis } from '../../src/render/plain-text.ts';
import { explainFailReason } from '../../src/render/reasons.ts';
import { shortenSections } from '../../src/render/prompts.ts';

/** What Discord shows for escaped text: each backslash escape as its character. */
const shown = (s: string) => s.replace(/\\(.)/g, '$1');

describe('backend text is plain text', () => {
  it('no masked link, heading, quote, list, spoiler, code or mention comes out of it; the characters read the same', () => {
    const evil = '# Urgent\n> quoted\n- item\n1. first\n[Verify](https://evil.example/phish) ||spoiler|| `code` @everyone <@1>';
    const out = plainText(evil);
    expect(out).not.toMatch(/(^|[^\\])\[Verify(^|[^\\])\]\(/);
    expect(out.split('\n').map((l) => l[0])).toEqual(['\\', '\\', '\\', '1', '\\']);
    expect(out).toContain('1\\. first');
    expect(out).toContain('@\u200beveryone');
    expect(shown(out).replace(/<(https?:[^>]+)>/g, '$1').replace(/\u200b/g, '')).toBe(evil);
  });

  it('an unknown failReason is escaped; a known one is explained', () => {
    expect(explainFailReason('[Verify your account here](https://evil.example/phish)', 'en-US').text).toBe('\\[Verify your account here\\](<https://evil.example/phish>)');
    expect(explainFailReason('Banned prompt detected', 'en-US').original).toBe('Banned prompt detected');
  });

  it("a shorten result keeps Midjourney's bold and struck tokens, and nothing else", () => {
    expect(plainTextWithEmphasis('**cat** ~~very~~ [x](https://e.example) _y_')).toBe('**cat** ~~very~~ \\[x\\](<https://e.example>) \\_y\\_');
    expect(shortenSections('## Important tokens\n**cat** ~~very~~\n## Shortened prompts\n1️⃣ [a](https://e.example)\n\n2️⃣ b')).toContain('1️⃣ \\[a\\](<https://e.example>)');
  });
});
