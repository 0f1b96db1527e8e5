// The banned-words matcher and the word list as admins type it: folding (width, case, invisible
// characters), whole words for spaced scripts, substrings for CJK, simple evasions, and the cooldown steps.
import { describe, expect, it } from 'vitest';
import { cooldownFor, fold, parseWordList, wordMatcher, WORD_MAX, WORDS_MAX } from '../../src/jobs/moderation.ts';

describe('wordMatcher', () => {
  const m = wordMatcher(['gore', 'Blood Bath', 'ass', '血腥', 'ＮＳＦＷ']);

  it('matches case- and width-insensitively', () => {
    expect(m.test('a Gore scene')).toBe(true);
    expect(m.test('ＧＯＲＥ')).toBe(true);
    expect(m.test('GORE, everywhere')).toBe(true);
    expect(m.test('nsfw art')).toBe(true);
    expect(m.test('a blood bath')).toBe(true);
  });

  it('matches Latin entries as whole words only', () => {
    expect(m.test('a class of glass')).toBe(false);
    expect(m.test('gorest forest')).toBe(false);
    expect(m.test('bloodbath')).toBe(false);
    expect(m.test('an ass')).toBe(true);
    expect(m.test('“gore”')).toBe(true);
    expect(m.test('https://x.test/gore.png')).toBe(true);
    // A Latin word beside CJK text is still a whole word.
    expect(m.test('画gore图')).toBe(true);
  });

  it('matches CJK entries anywhere', () => {
    expect(m.test('一个血腥的场景')).toBe(true);
    expect(m.test('血 腥')).toBe(false);
  });

  it('sees through invisible characters, extra spaces and spelled-out letters', () => {
    expect(m.test('go\u200bre')).toBe(true);
    expect(m.test('g\u00adore')).toBe(true);
    expect(m.test('blood    bath')).toBe(true);
    expect(m.test('blood\n bath')).toBe(true);
    expect(m.test('g o r e')).toBe(true);
    expect(m.test('g.o.r.e')).toBe(true);
    expect(m.test('G-O-R-E')).toBe(true);
    // Not every separated run of the letters: "go re" is two words.
    expect(m.test('we go read')).toBe(false);
    expect(m.test('go re')).toBe(false);
  });

  it('an empty list matches nothing; entries with regex characters are literal', () => {
    expect(wordMatcher([]).test('anything')).toBe(false);
    expect(wordMatcher(undefined).test('anything')).toBe(false);
    const r = wordMatcher(['a.b', 'c++']);
    expect(r.test('axb')).toBe(false);
    expect(r.test('a.b')).toBe(true);
    expect(r.test('I like c++ a lot')).toBe(true);
  });
});

describe('parseWordList', () => {
  it('one entry a line: trimmed, spaces made one, blanks and repeats (folded) left out', () => {
    expect(parseWordList('  gore \n\nBlood   Bath\r\nGORE\nＧＯＲＥ\n血腥\n')).toEqual({ words: ['gore', 'Blood Bath', '血腥'] });
    expect(parseWordList('')).toEqual({ words: [] });
  });

  it('a line too long or too many lines is a problem, with its line number', () => {
    expect(parseWordList(`ok\n${'x'.repeat(WORD_MAX + 1)}`)).toEqual({ problem: 'tooLong', line: 2, limit: WORD_MAX });
    const many = Array.from({ length: WORDS_MAX + 1 }, (_, i) => `w${i}`).join('\n');
    expect(parseWordList(many)).toEqual({ problem: 'tooMany', count: WORDS_MAX + 1, limit: WORDS_MAX });
  });
});

describe('fold and cooldown steps', () => {
  it('folds width, case and invisible characters', () => {
    expect(fold('ＡＢＣ\u200b  Ｄ')).toBe('abc d');
  });

  it('escalates 0, 0, 1, 5, 15, 60, 60 minutes', () => {
    expect([0, 1, 2, 3, 4, 5, 9].map((n) => cooldownFor(n) / 60_000)).toEqual([0, 0, 1, 5, 15, 60, 60]);
  });
});
