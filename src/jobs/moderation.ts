// A server's banned words and phrases, as pure functions: the list admins type (one entry a line),
// and whether a prompt contains one. Both sides are compared folded: NFKC (full-width letters and
// digits, ligatures, compatibility forms become their plain ones), lower case, invisible characters
// (zero-width spaces and joiners, soft hyphens, BOM) removed, runs of spaces made one. Then:
// - an entry in a script written with spaces (Latin, Cyrillic, Greek …) matches whole words only
//   ("ass" does not match "class"), a phrase's spaces matching any run of spaces; the same entry
//   spelled out letter by letter with one separator between every letter ("g o r e", "g.o.r.e",
//   "g-o-r-e", "g_o_r_e", "g*o*r*e") matches too;
// - an entry in a script written without spaces (Chinese, Japanese, Korean, Thai) matches anywhere.
// What it does not catch (documented in the README): plurals and other inflections (list them),
// letters swapped for digits or look-alikes of other scripts, words glued to others.

/** Entries a server may list, and the length of one (the store checks the same: preferences.ts). */
export { WORDS_MAX, WORD_MAX } from '../store/preferences.ts';
import { WORDS_MAX, WORD_MAX } from '../store/preferences.ts';

/** Discord's text input limit: the whole list fits the editing modal again. */
export const WORD_LIST_MAX = 4000;

const INVISIBLE = /[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u206a-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]/gu;

/** The form prompts and entries are compared in. */
export function fold(text: string): string {
  return text.normalize('NFKC').replace(INVISIBLE, '').toLowerCase().normalize('NFKC').replace(/\s+/gu, ' ');
}

/** Scripts written without spaces between words: an entry in them matches inside longer text. */
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;
/** A letter or digit of a script written with spaces: what a whole-word entry must not touch. */
const WORD_CHAR = String.raw`(?:(?!${UNSPACED.source})[\p{L}\p{N}\p{M}])`;
const SEPARATOR = String.raw`[\s._*\-]`;

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The pattern of one folded entry (see the top of the file). */
function entryPattern(entry: string): string {
  const chars = [...entry];
  const plain = entry.split(' ').map(escape).join(String.raw`\s+`);
  // Spelled out: every letter of a single spaced-script word, one separator between each.
  const letters = chars.filter((c) => c !== ' ');
  const spelled = !entry.includes(' ') && letters.length >= 2 && !UNSPACED.test(entry) ? letters.map(escape).join(SEPARATOR) : null;
  const body = spelled ? `(?:${plain}|${spelled})` : plain;
  const wordStart = new RegExp(`^${WORD_CHAR}`, 'u').test(entry);
  const wordEnd = new RegExp(`${WORD_CHAR}$`, 'u').test(entry);
  return `${wordStart ? `(?<!${WORD_CHAR})` : ''}${body}${wordEnd ? `(?!${WORD_CHAR})` : ''}`;
}

export interface WordMatcher {
  /** Whether the prompt contains one of the entries (which one is never told). */
  test(prompt: string): boolean;
}

const NONE: WordMatcher = { test: () => false };

/** One matcher for a server's entries (as stored: folded again here, so stored values need not be). */
export function wordMatcher(words: readonly string[] | undefined): WordMatcher {
  const entries = [...new Set((words ?? []).map((w) => fold(w).trim()).filter(Boolean))];
  if (!entries.length) return NONE;
  // Longest first, so a phrase is tried before a word it starts with (the answer is the same; the work is less).
  entries.sort((a, b) => b.length - a.length);
  const re = new RegExp(entries.map(entryPattern).join('|'), 'u');
  return { test: (prompt) => re.test(fold(prompt)) };
}

export type WordListProblem = { problem: 'tooMany'; count: number; limit: number } | { problem: 'tooLong'; line: number; limit: number };

/**
 * The list an admin typed (one entry a line): each line trimmed and its spaces made one, empty
 * lines and repeats (compared folded) left out, in the order typed. A line too long, or too many
 * lines, is a problem to tell (nothing is stored then).
 */
export function parseWordList(text: string): { words: string[] } | WordListProblem {
  const words: string[] = [];
  const seen = new Set<string>();
  const lines = text.split(/\r\n|\r|\n/);
  for (const [i, raw] of lines.entries()) {
    const line = raw.replace(INVISIBLE, '').replace(/\s+/gu, ' ').trim();
    if (!line) continue;
    if (line.length > WORD_MAX) return { problem: 'tooLong', line: i + 1, limit: WORD_MAX };
    const key = fold(line).trim();
    if (!key || seen.has(key)) continue;
    seen.add(key);
    words.push(line);
  }
  if (words.length > WORDS_MAX) return { problem: 'tooMany', count: words.length, limit: WORDS_MAX };
  return { words };
}

/**
 * The escalating cooldown after backend refusals (code 24, or a failReason saying banned): the
 * first refusal costs nothing, the 2nd starts 1 minute, the 3rd 5, the 4th 15, the 5th and every
 * later one 60. Refusals count until 24 hours pass without one.
 */
export const COOLDOWN_STEPS_MS = [60_000, 5 * 60_000, 15 * 60_000, 60 * 60_000] as const;
export const STRIKE_WINDOW_MS = 24 * 3600_000;

/** The cooldown the `n`th refusal in a row starts (0: none). */
export function cooldownFor(n: number): number {
  if (n < 2) return 0;
  return COOLDOWN_STEPS_MS[Math.min(n - 2, COOLDOWN_STEPS_MS.length - 1)]!;
}
