// Parsing the text results of DESCRIBE and SHORTEN (api.md §2.4).
const KEYCAP = /([1-9])\uFE0F?\u20E3/g;

/** "1️⃣ a …\n\n2️⃣ b …" → ["a …", "b …"]; falls back to blank-line paragraphs. */
export function numberedPrompts(text: string): string[] {
  const src = (text ?? '').replace(/\r\n/g, '\n');
  if (!src.trim()) return [];
  const marks = [...src.matchAll(KEYCAP)];
  if (marks.length >= 1) {
    return marks
      .map((m, i) => src.slice(m.index! + m[0].length, marks[i + 1]?.index ?? src.length).trim())
      .filter(Boolean);
  }
  return src.split(/\n\s*\n/).map((s) => s.trim()).filter(Boolean);
}

/** The "Shortened prompts" of a SHORTEN result, numbered; null when the text has no such section. */
export function shortenOptions(text: string): string[] {
  const src = (text ?? '').replace(/\r\n/g, '\n');
  const at = src.search(/#*\s*shortened prompts?/i);
  return numberedPrompts(at >= 0 ? src.slice(at).replace(/^.*\n/, '') : src);
}

/** The SHORTEN result for display: important tokens, then numbered options. */
export function shortenSections(text: string): string | null {
  const src = (text ?? '').replace(/\r\n/g, '\n');
  const tokens = /#*\s*important tokens\s*\n([\s\S]*?)(?=\n#*\s*shortened prompts?|$)/i.exec(src)?.[1]?.trim();
  const options = shortenOptions(src);
  if (!tokens && options.length === 0) return null;
  const parts: string[] = [];
  if (tokens) parts.push(`**IMPORTANT TOKENS**\n${tokens}`);
  if (options.length) parts.push(`**SHORTENED OPTIONS**\n${options.map((o, i) => `${i + 1}\uFE0F\u20E3 ${o}`).join('\n\n')}`);
  return parts.join('\n\n');
}
