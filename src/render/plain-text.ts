// Backend text (a failReason, describe prompts, shorten results, proxy error descriptions) shown
// as plain text. A relay is not trusted to format a message of ours: "[Verify your account
// here](https://evil.example/phish)" must read as those characters, not as a masked link, and no
// heading, quote, list, spoiler or mention may come out of it.

/** Characters that format inline markdown (or start a mention, emoji or channel link). */
const MARKDOWN = /[\\*_~`|[\]<>]/g;
/** Markdown that only counts at the start of a line: headings, subtext, lists, quotes. */
const LINE_START = /^(\s*)(\d+)?([#>+.)-])/;
const URL_PART = /https?:\/\/[^\s<>()[\]]+/g;
/** Control characters and bidi overrides (a "\u202e" turns the text after it around). */
const INVISIBLE_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g;

function escapeInline(s: string): string {
  return s.replace(MARKDOWN, (c) => `\\${c}`).replace(/@/g, '@\u200b');
}

function plainLine(line: string): string {
  let out = '';
  let at = 0;
  for (const m of line.matchAll(URL_PART)) {
    // Closing punctuation after a link ("see https://x.y.") is text, not link.
    const url = m[0].replace(/[.,;:!?'"]+$/, '');
    out += `${escapeInline(line.slice(at, m.index))}<${url}>`;
    at = m.index + url.length;
  }
  out += escapeInline(line.slice(at));
  return out.replace(LINE_START, (m, space: string, digits: string | undefined, mark: string) =>
    digits === undefined ? (/[#>+-]/.test(mark) ? `${space}\\${mark}` : m) : /[.)]/.test(mark) ? `${space}${digits}\\${mark}` : m,
  );
}

/** `s` as plain text: markdown escaped, links shown as links (never masked), mentions inert; lines kept. */
export function plainText(s: string | null | undefined): string {
  return String(s ?? '')
    .replace(INVISIBLE_CONTROL, '')
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map(plainLine)
    .join('\n');
}

/**
 * Plain text in which Midjourney's own emphasis survives: `**word**` and `~~word~~` (the important
 * tokens of a shorten result) keep their markers, everything inside and around them is escaped.
 */
export function plainTextWithEmphasis(s: string | null | undefined): string {
  return String(s ?? '')
    .split(/(\*\*[^*\n]+\*\*|~~[^~\n]+~~)/)
    .map((part, i) => (i % 2 === 1 ? `${part.slice(0, 2)}${plainText(part.slice(2, -2))}${part.slice(-2)}` : plainText(part)))
    .join('');
}
