// The tests' own helper for reaching into results: a missing element fails the test by name.
import { describe, expect, it } from 'vitest';
import { must } from '../helpers/must.ts';

describe('must', () => {
  it('passes a value through (falsy ones and null too) and fails saying what was missing', () => {
    expect(must(0, 'a count')).toBe(0);
    expect(must('', 'a label')).toBe('');
    expect(must(null, 'a color')).toBeNull();
    expect(() => must([][0], 'the embed')).toThrow(/^expected the embed/);
  });
});
