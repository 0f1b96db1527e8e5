// Application commands (names, descriptions, options, choices, localizations, the 8,000-character total, per-type counts)
// and autocomplete answers, which are held to the same choice rules.
import type { FormErrors } from '../util.ts';
import { betweenLen, intRange, items, len, type Path, type Unchecked } from './fields.ts';

// ---------------------------------------------------------------- autocomplete
export function validateChoices(errs: FormErrors, path: Path, choices: unknown): void {
  if (!Array.isArray(choices)) { errs.add(path, 'BASE_TYPE_REQUIRED', 'This field is required'); return; }
  if (choices.length > 25) errs.add(path, 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
  // The same choice objects as a command option's: the value's own type says which option it answers.
  items(choices).forEach((c, i) => validateChoice(errs, [...path, i], c, typeof c?.value === 'string' ? 3 : 10));
}

// ---------------------------------------------------------------- application commands
/** discord-api-spec's AvailableLocalesEnum (34 locales). */
export const LOCALES = new Set([
  'ar', 'bg', 'cs', 'da', 'de', 'el', 'en-GB', 'en-US', 'es-419', 'es-ES', 'fi', 'fr', 'he', 'hi', 'hr', 'hu', 'id',
  'it', 'ja', 'ko', 'lt', 'nl', 'no', 'pl', 'pt-BR', 'ro', 'ru', 'sv-SE', 'th', 'tr', 'uk', 'vi', 'zh-CN', 'zh-TW',
]);
const NAME_RE = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

function commandName(errs: FormErrors, path: Path, name: unknown, chatInput: boolean): void {
  if (typeof name !== 'string') { errs.add(path, 'BASE_TYPE_REQUIRED', 'This field is required'); return; }
  if (chatInput) {
    if (!NAME_RE.test(name)) errs.add(path, 'APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid');
    else if (name !== name.toLowerCase()) errs.add(path, 'APPLICATION_COMMAND_INVALID_NAME', 'Command name must be lowercase');
  } else betweenLen(errs, path, name, 1, 32, true);
}

function localizations(errs: FormErrors, path: Path, loc: unknown, check: (p: Path, v: unknown) => void): void {
  if (loc === undefined || loc === null) return;
  if (typeof loc !== 'object') { errs.add(path, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType'); return; }
  for (const [k, v] of Object.entries(loc as Record<string, unknown>)) {
    if (!LOCALES.has(k)) errs.add([...path, k], 'LOCALE_INVALID', `Invalid locale: ${k}`);
    else check([...path, k], v);
  }
}

const CHOICE_TYPES = new Set<unknown>([3, 4, 10]);
const INT53 = 2 ** 53;

/** A choice value of the option's type: a string of 1-100 characters, an integer within ±2^53, or a finite number. */
function choiceValueOk(v: unknown, type: number): boolean {
  if (type === 3) return typeof v === 'string' && len(v) >= 1 && len(v) <= 100;
  if (type === 4) return typeof v === 'number' && Number.isInteger(v) && Math.abs(v) <= INT53;
  return typeof v === 'number' && Number.isFinite(v);
}

function validateChoice(errs: FormErrors, path: Path, c: Unchecked, type: number): void {
  betweenLen(errs, [...path, 'name'], c?.name, 1, 100, true);
  localizations(errs, [...path, 'name_localizations'], c?.name_localizations, (lp, v) => betweenLen(errs, lp, v, 1, 100, true));
  if (c?.value === undefined || c?.value === null) errs.add([...path, 'value'], 'BASE_TYPE_REQUIRED', 'This field is required');
  else if (!choiceValueOk(c.value, type)) errs.add([...path, 'value'], 'APPLICATION_COMMAND_OPTION_CHOICE_VALUE_INVALID', type === 3 ? 'Must be a string of 1 to 100 characters.' : `Must be a valid ${type === 4 ? 'int' : 'number'}.`);
}

function validateOptions(errs: FormErrors, path: Path, options: unknown, depth: number): void {
  if (options === undefined || options === null) return;
  if (!Array.isArray(options)) { errs.add(path, 'BASE_TYPE_ARRAY', 'Must be an array.'); return; }
  if (options.length > 25) errs.add(path, 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
  let seenOptional = false;
  const names = new Set<string>();
  items(options).forEach((o, i) => {
    const p = [...path, i];
    commandName(errs, [...p, 'name'], o?.name, true);
    localizations(errs, [...p, 'name_localizations'], o?.name_localizations, (lp, v) => commandName(errs, lp, v, true));
    betweenLen(errs, [...p, 'description'], o?.description, 1, 100, true);
    localizations(errs, [...p, 'description_localizations'], o?.description_localizations, (lp, v) => betweenLen(errs, lp, v, 1, 100, true));
    if (typeof o?.name === 'string') {
      if (names.has(o.name)) errs.add([...p, 'name'], 'APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS', 'Option names must be unique');
      names.add(o.name);
    }
    if (o?.type === 1 || o?.type === 2) {
      if (depth >= 2 || (o.type === 2 && depth >= 1)) errs.add([...p, 'type'], 'APPLICATION_COMMAND_OPTION_TYPE_INVALID', 'Subcommands cannot be nested that deep');
      validateOptions(errs, [...p, 'options'], o.options, depth + 1);
      return;
    }
    if (o?.required) { if (seenOptional) errs.add([...p, 'required'], 'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID', 'Required options must be placed before non-required options'); }
    else seenOptional = true;
    if (o?.choices !== undefined && o?.choices !== null) {
      if (!CHOICE_TYPES.has(o.type)) errs.add([...p, 'choices'], 'APPLICATION_COMMAND_OPTION_CHOICES_NOT_ALLOWED', 'Only string, integer and number options can have choices');
      else if (!Array.isArray(o.choices) || o.choices.length > 25) errs.add([...p, 'choices'], 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
      else items(o.choices).forEach((c, j) => validateChoice(errs, [...p, 'choices', j], c, o.type as number));
      if (o.autocomplete && Array.isArray(o.choices) && o.choices.length) errs.add([...p, 'autocomplete'], 'APPLICATION_COMMAND_OPTION_AUTOCOMPLETE_CHOICES', 'Autocomplete cannot be used with choices');
    }
    if (o?.min_length !== undefined) intRange(errs, [...p, 'min_length'], o.min_length, 0, 6000);
    if (o?.max_length !== undefined) intRange(errs, [...p, 'max_length'], o.max_length, 1, 6000);
    if (typeof o?.min_length === 'number' && typeof o?.max_length === 'number' && o.min_length > o.max_length) {
      errs.add([...p, 'min_length'], 'APPLICATION_COMMAND_OPTION_MIN_GREATER_THAN_MAX', 'min_length must be less than or equal to max_length');
    }
    for (const k of ['min_value', 'max_value'] as const) {
      if (o?.[k] !== undefined && o?.[k] !== null && !choiceValueOk(o[k], o.type === 4 ? 4 : 10)) errs.add([...p, k], 'NUMBER_TYPE_COERCE', `Value "${String(o[k])}" is not a valid ${o.type === 4 ? 'int' : 'number'}.`);
    }
    if (typeof o?.min_value === 'number' && typeof o?.max_value === 'number' && o.min_value > o.max_value) {
      errs.add([...p, 'min_value'], 'APPLICATION_COMMAND_OPTION_MIN_GREATER_THAN_MAX', 'min_value must be less than or equal to max_value');
    }
  });
}

/** contexts (0 guild, 1 bot DM, 2 private channel) and integration_types (0 guild, 1 user install): non-empty, unique, known. */
function enumList(errs: FormErrors, path: Path, v: unknown, allowed: number[]): void {
  if (v === undefined || v === null) return;
  if (!Array.isArray(v) || v.length < 1 || new Set(v).size !== v.length || v.some((x) => !allowed.includes(x))) {
    errs.add(path, 'BASE_TYPE_CHOICES', `Must be a non-empty list of distinct values from {${allowed.join(', ')}}.`);
  }
}

export function validateCommand(errs: FormErrors, path: Path, command: unknown): void {
  const c = command as Unchecked;
  const type = c?.type ?? 1;
  const chat = type === 1;
  enumList(errs, [...path, 'contexts'], c?.contexts, [0, 1, 2]);
  enumList(errs, [...path, 'integration_types'], c?.integration_types, [0, 1]);
  if (commandSize(c) > COMMAND_MAX_SIZE) errs.add(path, 'APPLICATION_COMMAND_TOO_LARGE', `Command exceeds maximum size (${COMMAND_MAX_SIZE})`);
  commandName(errs, [...path, 'name'], c?.name, chat);
  localizations(errs, [...path, 'name_localizations'], c?.name_localizations, (lp, v) => commandName(errs, lp, v, chat));
  if (chat) {
    betweenLen(errs, [...path, 'description'], c?.description, 1, 100, true);
    localizations(errs, [...path, 'description_localizations'], c?.description_localizations, (lp, v) => betweenLen(errs, lp, v, 1, 100, true));
    validateOptions(errs, [...path, 'options'], c?.options, 0);
  } else if (c?.description) {
    errs.add([...path, 'description'], 'APPLICATION_COMMAND_DESCRIPTION_NOT_ALLOWED', 'Context menu commands cannot have a description');
  }
}

const COMMAND_MAX_SIZE = 8000;

/** The longest of a field's default and its localizations (Discord counts only that one). */
function longest(value: unknown, locs: unknown): number {
  const all = [value, ...(locs && typeof locs === 'object' ? Object.values(locs) : [])];
  return Math.max(0, ...all.map((x) => (typeof x === 'string' ? len(x) : 0)));
}

/** Characters counted toward a command's 8,000: names, descriptions and choice values of the command, its options (nested) and choices. */
function commandSize(c: Unchecked): number {
  const options = (list: unknown): number =>
    items(Array.isArray(list) ? list : []).reduce((n: number, o) => n + longest(o?.name, o?.name_localizations) + longest(o?.description, o?.description_localizations)
      + (Array.isArray(o?.choices) ? items(o.choices).reduce((m: number, ch) => m + longest(ch?.name, ch?.name_localizations) + len(String(ch?.value ?? '')), 0) : 0)
      + options(o?.options), 0);
  return longest(c?.name, c?.name_localizations) + longest(c?.description, c?.description_localizations) + options(c?.options);
}

export function validateCommandList(errs: FormErrors, list: unknown): void {
  if (!Array.isArray(list)) { errs.add([], 'BASE_TYPE_ARRAY', 'Must be an array.'); return; }
  const seen = new Set<string>();
  const perType = new Map<number, number>();
  items(list).forEach((c, i) => {
    validateCommand(errs, [i], c);
    const key = `${c?.type ?? 1}:${c?.name}`;
    if (seen.has(key)) errs.add([i, 'name'], 'APPLICATION_COMMANDS_DUPLICATE_NAME', `Application command names must be unique`);
    seen.add(key);
    const type = (c?.type ?? 1) as number;
    perType.set(type, (perType.get(type) ?? 0) + 1);
  });
  if ((perType.get(1) ?? 0) > 100 || (perType.get(2) ?? 0) > 15 || (perType.get(3) ?? 0) > 15) {
    errs.add([], 'BASE_TYPE_MAX_LENGTH', 'Too many application commands (100 chat input, 15 user, 15 message)');
  }
}
