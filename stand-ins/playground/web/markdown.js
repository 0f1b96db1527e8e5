// Discord's message markdown, as much as the bot uses, turned into safe HTML: code, escapes, bold,
// italics, underline, strikethrough, spoilers, headings, subtext, quotes, lists, links, mentions
// (shown as @name), custom emoji and timestamps. Everything else stays text. Plain ES module: the
// page imports it, and so do the tests (through markdown.d.ts).

const ESCAPABLE = /\\([\\*_~`|<>#\-[\]()!.:@>])/g;

const escapeHtml = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * @param {string} text message content (or an embed's description)
 * @param {{ user?: (id: string) => string | undefined, role?: (id: string) => string | undefined, channel?: (id: string) => string | undefined }} names
 * @returns {string} HTML
 */
export function renderMarkdown(text, names = {}) {
  const held = [];
  const hold = (html) => `\uE000${held.push(html) - 1}\uE001`;
  let s = String(text ?? '');

  // 1. Code first: nothing inside it is markdown.
  s = s.replace(/```(?:[a-z0-9+-]*\n)?([\s\S]*?)```/gi, (_, code) => hold(`<pre><code>${escapeHtml(code.replace(/\n$/, ''))}</code></pre>`));
  s = s.replace(/`([^`\n]+)`/g, (_, code) => hold(`<code>${escapeHtml(code)}</code>`));
  // 2. Backslash escapes: the character itself, never markup.
  s = s.replace(ESCAPABLE, (_, ch) => hold(escapeHtml(ch)));
  // 3. Angle-bracket forms, before < and > become entities.
  s = s.replace(/<@!?(\d{5,25})>/g, (_, id) => hold(`<span class="mention">@${escapeHtml(names.user?.(id) ?? 'unknown-user')}</span>`));
  s = s.replace(/<@&(\d{5,25})>/g, (_, id) => hold(`<span class="mention">@${escapeHtml(names.role?.(id) ?? 'unknown-role')}</span>`));
  s = s.replace(/<#(\d{5,25})>/g, (_, id) => hold(`<span class="mention">#${escapeHtml(names.channel?.(id) ?? 'unknown')}</span>`));
  s = s.replace(/<a?:(\w{2,32}):(\d{5,25})>/g, (_, name) => hold(`<span class="emoji">:${escapeHtml(name)}:</span>`));
  s = s.replace(/<t:(-?\d{1,13})(?::([tTdDfFR]))?>/g, (_, sec, style) => hold(`<time class="ts">${escapeHtml(formatTimestamp(Number(sec), style))}</time>`));
  s = s.replace(/<(https?:\/\/[^\s<>]+)>/g, (_, url) => hold(link(url, url)));
  s = s.replace(/\[([^\]\n]+)\]\(<?(https?:\/\/[^\s)<>]+)>?\)/g, (_, label, url) => hold(link(url, label)));
  s = s.replace(/https?:\/\/[^\s<>\uE000\uE001]+[^\s<>.,;:!?)\]'"\uE000\uE001]/g, (url) => hold(link(url, url)));
  s = escapeHtml(s);

  // 4. Lines: headings, subtext, quotes, list items.
  const lines = s.split('\n').map((line) => {
    let m;
    if ((m = /^(#{1,3}) (.+)$/.exec(line))) return `<div class="h${m[1].length}">${inline(m[2])}</div>`;
    if ((m = /^-# (.+)$/.exec(line))) return `<div class="subtext">${inline(m[1])}</div>`;
    if ((m = /^&gt; ?(.*)$/.exec(line))) return `<div class="quote">${inline(m[1])}</div>`;
    if ((m = /^\s*[-*] (.+)$/.exec(line))) return `<div class="li">• ${inline(m[1])}</div>`;
    return `${inline(line)}<br>`;
  });
  let html = lines.join('').replace(/<br>$/, '');
  html = html.replace(/<br>(<div)/g, '$1');
  return html.replace(/\uE000(\d+)\uE001/g, (_, i) => held[Number(i)]);
}

function inline(s) {
  return s
    .replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>')
    .replace(/__(.+?)__/g, '<u>$1</u>')
    .replace(/~~(.+?)~~/g, '<s>$1</s>')
    .replace(/\|\|(.+?)\|\|/g, '<span class="spoiler">$1</span>')
    .replace(/(^|[^*\w])\*(?!\s)(.+?)\*(?!\w)/g, '$1<em>$2</em>')
    .replace(/(^|[^_\w])_(?!\s)(.+?)_(?!\w)/g, '$1<em>$2</em>');
}

function link(url, label) {
  return `<a href="${escapeHtml(url)}" target="_blank" rel="noreferrer noopener">${escapeHtml(label)}</a>`;
}

function formatTimestamp(sec, style) {
  const d = new Date(sec * 1000);
  if (Number.isNaN(d.getTime())) return String(sec);
  if (style === 'R') {
    const diff = Math.round((d.getTime() - Date.now()) / 1000);
    const abs = Math.abs(diff);
    const [n, unit] = abs < 60 ? [abs, 'second'] : abs < 3600 ? [Math.round(abs / 60), 'minute'] : abs < 86400 ? [Math.round(abs / 3600), 'hour'] : [Math.round(abs / 86400), 'day'];
    return new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' }).format(diff < 0 ? -n : n, unit);
  }
  if (style === 't') return d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  if (style === 'T') return d.toLocaleTimeString();
  if (style === 'd') return d.toLocaleDateString();
  if (style === 'D') return d.toLocaleDateString(undefined, { dateStyle: 'long' });
  return d.toLocaleString(undefined, { dateStyle: 'long', timeStyle: 'short' });
}
