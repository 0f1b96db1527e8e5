// Every place that shortens text cuts between grapheme clusters: half an emoji is a lone
// surrogate, and Discord refuses the whole request for it.
import { describe, expect, it } from 'vitest';
import { userMessage } from '../../src/discord/reply-error.ts';
import { ProxyError } from '../../src/proxy/errors.ts';
import { buildModal } from '../../src/render/modals.ts';
import { explainDescription } from '../../src/render/reasons.ts';
import { buttonRows } from '../../src/render/buttons.ts';
import { safeText } from '../../src/render/task-view.ts';
import { cutLines, cutText } from '../../src/util/text.ts';
import { must } from '../helpers/must.ts';

const wellFormed = (s: string) => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
const FAMILY = '👨‍👩‍👧‍👦';

describe('cutText', () => {
  it('cuts between grapheme clusters, within the limit, with the ellipsis counted', () => {
    expect(cutText('abc', 3)).toBe('abc');
    expect(cutText(`${'a'.repeat(8)}🦊🦊`, 10)).toBe(`${'a'.repeat(8)}…`);
    expect(cutText(`ab${FAMILY}cd`, 12)).toBe('ab…');
    expect(cutText(`ab${FAMILY}cd`, 14)).toBe(`ab${FAMILY}…`);
    expect(cutText('🇨🇳🇺🇸', 6)).toBe('🇨🇳…');
    expect(cutText('🦊🦊', 2, '')).toBe('🦊');
    expect(cutText('🦊🦊', 3, '')).toBe('🦊');
    expect(cutText('abc', 0)).toBe('');
    for (let n = 0; n < 40; n++) {
      const out = cutText(`x${FAMILY}🦊é🇨🇳1️⃣`.repeat(3), n);
      expect(out.length).toBeLessThanOrEqual(n);
      expect(wellFormed(out), `${n}: ${out}`).toBe(true);
    }
  });
});

describe('cutLines', () => {
  it('keeps whole lines (a markdown link is never cut in half) and says when some were left out', () => {
    const lines: [string, string, string] = ['`1` · [↗](https://discord.com/channels/1/2/3)', '`2` · [↗](https://discord.com/channels/1/2/4)', '`3` · [↗](https://discord.com/channels/1/2/5)'];
    expect(cutLines(lines, 1000)).toBe(lines.join('\n'));
    expect(cutLines(lines, lines[0].length + 20)).toBe(`${lines[0]}\n…`);
    expect(cutLines(lines, 5)).toBe('…');
  });
});

describe('the cuts that reach Discord', () => {
  it('modal prefill, proxy descriptions, banned words and button labels stay well-formed', () => {
    const modal = buildModal('mj:m:1', 'imagine', `${'a'.repeat(3999)}🦊 tail`, 'en-US');
    const input = (modal.components[0] as { component: { value?: string } }).component.value!;
    expect(input.length).toBeLessThanOrEqual(4000);
    expect(wellFormed(input)).toBe(true);

    const detail = explainDescription(`${'d'.repeat(296)}🦊🦊🦊🦊`, 'en-US');
    expect(wellFormed(detail)).toBe(true);
    expect(detail.length).toBeLessThanOrEqual(300);

    const banned = userMessage(new ProxyError('BANNED_PROMPT', { route: '/mj/submit/imagine', bannedWord: `${'w'.repeat(99)}🦊` }), 'en-US')!;
    expect(wellFormed(banned)).toBe(true);

    const rows = buttonRows([{ customId: 'MJ::JOB::x::1', emoji: '', label: `${'L'.repeat(78)}${FAMILY}`, type: 2, style: 2 }], { taskId: '1', locale: 'en-US', pressed: new Set() });
    const label = must(rows[0]?.components[0], 'the button').label!;
    expect(label).toBe(`${'L'.repeat(78)}…`);

    // The prompt in the public line: an emoji sequence is kept whole or left out, never split.
    expect(safeText(`${'a'.repeat(10)}${FAMILY} b`, 16)).toBe(`${'a'.repeat(10)}…`);
    expect(safeText(`${'a'.repeat(10)}${FAMILY} b`, 22)).toBe(`${'a'.repeat(10)}${FAMILY}…`);
  });
});
