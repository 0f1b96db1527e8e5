// The page's Discord-markdown renderer (stand-ins/playground/web/markdown.js): what the bot writes shows
// as Discord shows it, and no text a user typed becomes HTML.
import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../stand-ins/playground/web/markdown.js';

const names = { user: (id: string) => ({ '111111': 'alice' } as Record<string, string>)[id], channel: () => 'general' };

describe('renderMarkdown', () => {
  it('shows the bot\'s job line: bold prompt with escapes kept literal, the mention as @name', () => {
    expect(renderMarkdown('**a fox \\*not italic\\* \\-\\-ar 3:2** - <@111111> (Done)', names)).toBe(
      '<strong>a fox *not italic* --ar 3:2</strong> - <span class="mention">@alice</span> (Done)',
    );
  });

  it('keeps HTML and unknown mentions inert', () => {
    const out = renderMarkdown('<img src=x onerror=alert(1)> <@999999> <@&222222> @\u200beveryone', names);
    expect(out).not.toContain('<img');
    expect(out).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(out).toContain('<span class="mention">@unknown-user</span>');
    expect(out).toContain('<span class="mention">@unknown-role</span>');
  });

  it('renders strikethrough, italics, underline, code, headings, quotes and subtext', () => {
    expect(renderMarkdown('~~gone~~ *it* __u__ `x<y`')).toBe('<s>gone</s> <em>it</em> <u>u</u> <code>x&lt;y</code>');
    expect(renderMarkdown('## Title\nline\n> quoted\n-# small')).toBe('<div class="h2">Title</div>line<div class="quote">quoted</div><div class="subtext">small</div>');
    expect(renderMarkdown('```\n**not bold**\n```')).toBe('<pre><code>**not bold**</code></pre>');
  });

  it('links: <url> (no embed), [label](url) and bare URLs open in a new tab; custom emoji and channels by name', () => {
    expect(renderMarkdown('<https://a.example/x?y=1&z=2>')).toBe('<a href="https://a.example/x?y=1&amp;z=2" target="_blank" rel="noreferrer noopener">https://a.example/x?y=1&amp;z=2</a>');
    expect(renderMarkdown('a [lighthouse](https://s.mj.run/abc) b')).toContain('<a href="https://s.mj.run/abc" target="_blank" rel="noreferrer noopener">lighthouse</a>');
    expect(renderMarkdown('see https://x.example/p.')).toContain('>https://x.example/p</a>.');
    expect(renderMarkdown('<:upscale_1:123456789> in <#123456>', names)).toBe('<span class="emoji">:upscale_1:</span> in <span class="mention">#general</span>');
  });
});
