import { t } from '../i18n/index.ts';
// Parsing the text results of DESCRIBE and SHORTEN (api.md §2.4), and finding that text in a task:
// each flavour keeps it in a different field.
import type { Task } from '../proxy/types.ts';
import { plainText, plainTextWithEmphasis } from './plain-text.ts';

const KEYCAP = /([1-9])\uFE0F?\u20E3/g;
export const KEYCAPS = ['1️⃣', '2️⃣', '3️⃣', '4️⃣', '5️⃣', '6️⃣', '7️⃣', '8️⃣', '9️⃣'];

/** "1️⃣ a …\n\n2️⃣ b …" → ["a …", "b …"]; falls back to blank-line paragraphs, then to lines. */
export function numberedPrompts(text: string): string[] {
  const src = (text ?? '').replace(/\r\n?/g, '\n');
  if (!src.trim()) return [];
  const marks = [...src.matchAll(KEYCAP)];
  if (marks.length >= 1) {
    return marks
      .map((m, i) => src.slice(m.index! + m[0].length, marks[i + 1]?.index ?? src.length).trim())
      .filter(Boolean);
  }
  const paragraphs = src.split(/\n\s*\n/).map((s) => s.trim()).filter(Boolean);
  // YouChuan/official accounts join the four prompts with a single "\r\n" (api.md §2.4).
  if (paragraphs.length === 1) return paragraphs[0]!.split('\n').map((s) => s.trim()).filter(Boolean);
  return paragraphs;
}

type SectionName = 'tokens' | 'options' | 'details';

/** A heading line of a SHORTEN result: "## Important tokens", "**IMPORTANT TOKENS**", "Shortened prompts:" … */
const HEADING = /^\s*(?:#{1,3}\s*)?(?:\*\*)?\s*(important tokens|shortened (?:prompts?|options?)|(?:show )?details?)\s*(?:\*\*)?\s*:?\s*$/i;

function sectionOf(title: string): SectionName {
  const t = title.toLowerCase();
  if (t.startsWith('important')) return 'tokens';
  if (t.startsWith('shortened')) return 'options';
  return 'details';
}

/** The sections of a SHORTEN result by their headings; empty when the text has none. */
function shortenParts(text: string): Partial<Record<SectionName, string>> {
  const lines = (text ?? '').replace(/\r\n?/g, '\n').split('\n');
  const out: Partial<Record<SectionName, string>> = {};
  let current: SectionName | null = null;
  let body: string[] = [];
  const flush = () => {
    if (current && body.join('\n').trim()) out[current] = [out[current], body.join('\n').trim()].filter(Boolean).join('\n');
  };
  for (const line of lines) {
    const h = HEADING.exec(line);
    if (h) {
      flush();
      current = sectionOf(h[1]!);
      body = [];
    } else {
      body.push(line);
    }
  }
  flush();
  return out;
}

/** The "Shortened prompts" of a SHORTEN result, numbered; the whole text's numbered items when it has no headings. */
export function shortenOptions(text: string): string[] {
  const parts = shortenParts(text);
  if (parts.options !== undefined) return numberedPrompts(parts.options);
  if (parts.tokens !== undefined || parts.details !== undefined) return [];
  return numberedPrompts(text);
}

/** The SHORTEN result for display: important tokens (bold/struck words kept), details, then 1️⃣–5️⃣. */
export function shortenSections(text: string, locale = 'en-US'): string | null {
  const parts = shortenParts(text);
  const options = shortenOptions(text);
  if (!parts.tokens && !parts.details && options.length === 0) return null;
  const out: string[] = [];
  // The backend's text is plain text; only Midjourney's bold and struck tokens keep their markers.
  if (parts.tokens) out.push(`**${t(locale, 'render.shortenTokens')}**\n${plainTextWithEmphasis(parts.tokens)}`);
  if (parts.details) out.push(`**${t(locale, 'render.shortenDetails')}**\n${plainText(parts.details)}`);
  if (options.length) out.push(`**${t(locale, 'render.shortenOptions')}**\n${options.map((o, i) => `${KEYCAPS[i] ?? `${i + 1}.`} ${plainText(o)}`).join('\n\n')}`);
  return out.join('\n\n');
}

/** Where a DESCRIBE task keeps its prompts: finalPrompt (relays keep only that), promptEn, prompt. */
export function describeText(task: Task): string {
  const candidates = [task.properties.finalPrompt, task.promptEn, task.prompt].filter((s): s is string => !!s?.trim());
  return candidates.find((s) => [...s.matchAll(KEYCAP)].length >= 2) ?? candidates[0] ?? '';
}

/** Where a SHORTEN task keeps its result: finalPrompt (plus, relays), description (trueai), promptEn. */
export function shortenText(task: Task): string {
  const candidates = [task.properties.finalPrompt, task.description, task.promptEn].filter((s): s is string => !!s?.trim());
  const withHeading = (name: SectionName) => candidates.find((s) => shortenParts(s)[name] !== undefined);
  // Without any heading only finalPrompt can be the result: description is then the "/shorten …" echo.
  return withHeading('options') ?? withHeading('tokens') ?? task.properties.finalPrompt ?? '';
}
