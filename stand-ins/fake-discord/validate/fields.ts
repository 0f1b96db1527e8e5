// Discord's documented limits, answered the way Discord does: 400 {code:50035, message:'Invalid Form Body', errors}.
// Numeric codes and limits follow discord-api-docs; the string codes inside `errors` are Discord's where known,
// otherwise descriptive stand-ins (discord.js only prints them). This file: the field checks every schema uses.
import type { FormErrors } from '../util.ts';

export type Path = (string | number)[];

/** An object of a request body before it is checked: each field may hold any JSON value. */
export type Fields = { readonly [k: string]: unknown };
/** A part of a request body before it is checked: perhaps not even an object (fields are read with `?.`). */
export type Unchecked = Fields | null | undefined;
/** the elements of what the schema says is a list (callers have checked Array.isArray, or the original code assumed it) */
export const items = (v: unknown): Unchecked[] => v as Unchecked[];

export const len = (s: unknown): number => (typeof s === 'string' ? Array.from(s).length : 0);

export function maxLen(errs: FormErrors, path: Path, v: unknown, max: number): void {
  if (v === undefined || v === null) return;
  if (typeof v !== 'string') { errs.add(path, 'BASE_TYPE_STRING', 'Must be a string.'); return; }
  if (len(v) > max) errs.add(path, 'BASE_TYPE_MAX_LENGTH', `Must be ${max} or fewer in length.`);
}
export function betweenLen(errs: FormErrors, path: Path, v: unknown, min: number, max: number, required: boolean): void {
  if (v === undefined || v === null) { if (required) errs.add(path, 'BASE_TYPE_REQUIRED', 'This field is required'); return; }
  if (typeof v !== 'string') { errs.add(path, 'BASE_TYPE_STRING', 'Must be a string.'); return; }
  const n = len(v);
  if (n < min || n > max) errs.add(path, 'BASE_TYPE_BAD_LENGTH', `Must be between ${min} and ${max} in length.`);
}
export function intRange(errs: FormErrors, path: Path, v: unknown, min: number, max: number): void {
  if (v === undefined || v === null) return;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    errs.add(path, 'NUMBER_TYPE_MIN_MAX', `int value should be between ${min} and ${max}.`);
  }
}

export function customId(errs: FormErrors, path: Path, c: Fields, ids: Set<string>): void {
  betweenLen(errs, [...path, 'custom_id'], c.custom_id, 1, 100, true);
  if (typeof c.custom_id === 'string') {
    if (ids.has(c.custom_id)) errs.add([...path, 'custom_id'], 'COMPONENT_CUSTOM_ID_DUPLICATED', 'Component custom id cannot be duplicated');
    ids.add(c.custom_id);
  }
}

/** Discord refuses text that is not valid Unicode: an unpaired UTF-16 surrogate (JSON's "\\ud83d" alone), in any string or key. */
export function validateUnicode(errs: FormErrors, path: Path, v: unknown): void {
  if (typeof v === 'string') {
    if (/\p{Surrogate}/u.test(v)) errs.add(path, 'STRING_TYPE_INVALID_UNICODE', 'Must be valid Unicode (no unpaired surrogates).');
  } else if (Array.isArray(v)) {
    v.forEach((x, i) => validateUnicode(errs, [...path, i], x));
  } else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (/\p{Surrogate}/u.test(k)) errs.add(path, 'STRING_TYPE_INVALID_UNICODE', 'Keys must be valid Unicode (no unpaired surrogates).');
      else validateUnicode(errs, [...path, k], x);
    }
  }
}
