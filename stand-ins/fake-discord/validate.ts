// Discord's documented limits, answered the way Discord does: 400 {code:50035, message:'Invalid Form Body', errors}.
// Numeric codes and limits follow discord-api-docs; the string codes inside `errors` are Discord's where known,
// otherwise descriptive stand-ins (discord.js only prints them).
import { FormErrors, isSnowflake } from './util.ts';

type Path = (string | number)[];

export const FLAG_EPHEMERAL = 1 << 6;
export const FLAG_LOADING = 1 << 7;
export const FLAG_SUPPRESS_EMBEDS = 1 << 2;
export const FLAG_SUPPRESS_NOTIFICATIONS = 1 << 12;
export const FLAG_COMPONENTS_V2 = 1 << 15;
export const FLAG_IS_VOICE_MESSAGE = 1 << 13;

/** The flags a body may set, per route (discord-api-docs: Create Message, Edit Message, Execute/Edit Webhook Message, Interaction Response, Create Followup). */
export const SETTABLE_FLAGS = {
  channelCreate: FLAG_SUPPRESS_EMBEDS | FLAG_SUPPRESS_NOTIFICATIONS | FLAG_IS_VOICE_MESSAGE | FLAG_COMPONENTS_V2,
  edit: FLAG_SUPPRESS_EMBEDS | FLAG_COMPONENTS_V2,
  interactionResponse: FLAG_SUPPRESS_EMBEDS | FLAG_EPHEMERAL | FLAG_COMPONENTS_V2 | FLAG_IS_VOICE_MESSAGE | FLAG_SUPPRESS_NOTIFICATIONS,
  followUp: FLAG_SUPPRESS_EMBEDS | FLAG_SUPPRESS_NOTIFICATIONS | FLAG_COMPONENTS_V2 | FLAG_EPHEMERAL,
} as const;

const len = (s: unknown): number => (typeof s === 'string' ? Array.from(s).length : 0);

function maxLen(errs: FormErrors, path: Path, v: unknown, max: number): void {
  if (v === undefined || v === null) return;
  if (typeof v !== 'string') { errs.add(path, 'BASE_TYPE_STRING', 'Must be a string.'); return; }
  if (len(v) > max) errs.add(path, 'BASE_TYPE_MAX_LENGTH', `Must be ${max} or fewer in length.`);
}
function betweenLen(errs: FormErrors, path: Path, v: unknown, min: number, max: number, required: boolean): void {
  if (v === undefined || v === null) { if (required) errs.add(path, 'BASE_TYPE_REQUIRED', 'This field is required'); return; }
  if (typeof v !== 'string') { errs.add(path, 'BASE_TYPE_STRING', 'Must be a string.'); return; }
  const n = len(v);
  if (n < min || n > max) errs.add(path, 'BASE_TYPE_BAD_LENGTH', `Must be between ${min} and ${max} in length.`);
}
function intRange(errs: FormErrors, path: Path, v: unknown, min: number, max: number): void {
  if (v === undefined || v === null) return;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    errs.add(path, 'NUMBER_TYPE_MIN_MAX', `int value should be between ${min} and ${max}.`);
  }
}

/** Exactly one emoji of Unicode's recommended (RGI) set, as Discord's picker has them; built at run time: the ES2022 target cannot parse a /v literal. */
const RGI_EMOJI = new RegExp('^\\p{RGI_Emoji}$', 'v');
/** A custom emoji's name, as Discord allows it when one is created. */
const CUSTOM_EMOJI_NAME = /^[A-Za-z0-9_]{2,32}$/;

/** A component's emoji: one unicode emoji by name, or a custom emoji by name and snowflake id; nothing else. */
export function validateEmoji(errs: FormErrors, path: Path, e: unknown): void {
  if (e === undefined || e === null) return;
  if (typeof e !== 'object' || Array.isArray(e)) { errs.add(path, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType'); return; }
  const { id, name } = e as any;
  if (id !== undefined && id !== null) {
    if (!isSnowflake(id)) errs.add([...path, 'id'], 'BUTTON_COMPONENT_INVALID_EMOJI', 'Invalid emoji');
    else if (typeof name !== 'string' || !CUSTOM_EMOJI_NAME.test(name)) errs.add([...path, 'name'], 'BUTTON_COMPONENT_INVALID_EMOJI', 'Invalid emoji');
    return;
  }
  if (typeof name !== 'string' || !RGI_EMOJI.test(name)) {
    errs.add([...path, 'name'], 'BUTTON_COMPONENT_INVALID_EMOJI', 'Invalid emoji');
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

/** `flags` holds only bits the route lets a body set (unknown bits too are refused). */
function settableFlags(errs: FormErrors, path: Path, flags: unknown, settable: number): void {
  if (flags === undefined || flags === null) return;
  if (typeof flags !== 'number' || !Number.isSafeInteger(flags) || flags < 0) { errs.add(path, 'NUMBER_TYPE_COERCE', `Value "${String(flags)}" is not int.`); return; }
  if (BigInt(flags) & ~BigInt(settable)) errs.add(path, 'MESSAGE_FLAGS_INVALID', `Only these flags may be set here: ${settable}.`);
}

const SELECT_TYPES = new Set([3, 5, 6, 7, 8]);

function customId(errs: FormErrors, path: Path, c: any, ids: Set<string>): void {
  betweenLen(errs, [...path, 'custom_id'], c.custom_id, 1, 100, true);
  if (typeof c.custom_id === 'string') {
    if (ids.has(c.custom_id)) errs.add([...path, 'custom_id'], 'COMPONENT_CUSTOM_ID_DUPLICATED', 'Component custom id cannot be duplicated');
    ids.add(c.custom_id);
  }
}

function validateButton(errs: FormErrors, path: Path, b: any, ids: Set<string>): void {
  const style = b.style;
  if (![1, 2, 3, 4, 5, 6].includes(style)) errs.add([...path, 'style'], 'BASE_TYPE_CHOICES', 'Value must be one of {1, 2, 3, 4, 5, 6}.');
  if (style === 5) {
    betweenLen(errs, [...path, 'url'], b.url, 1, 512, true);
    if (b.custom_id !== undefined) errs.add([...path, 'custom_id'], 'BUTTON_COMPONENT_CUSTOM_ID_NOT_ALLOWED', 'Link buttons cannot have a custom_id');
  } else if (style === 6) {
    if (!isSnowflake(b.sku_id)) errs.add([...path, 'sku_id'], 'BASE_TYPE_REQUIRED', 'This field is required');
  } else {
    customId(errs, path, b, ids);
    if (b.url !== undefined) errs.add([...path, 'url'], 'BUTTON_COMPONENT_URL_NOT_ALLOWED', 'Only link buttons can have a url');
  }
  maxLen(errs, [...path, 'label'], b.label, 80);
  validateEmoji(errs, [...path, 'emoji'], b.emoji);
  if (style !== 6 && !b.label && !b.emoji) {
    errs.add(path, 'BUTTON_COMPONENT_LABEL_OR_EMOJI_REQUIRED', 'A button must have a label or an emoji');
  }
}

function validateSelect(errs: FormErrors, path: Path, s: any, ids: Set<string>): void {
  customId(errs, path, s, ids);
  maxLen(errs, [...path, 'placeholder'], s.placeholder, 150);
  intRange(errs, [...path, 'min_values'], s.min_values, 0, 25);
  intRange(errs, [...path, 'max_values'], s.max_values, 1, 25);
  if (s.type === 3) {
    const opts = s.options;
    if (!Array.isArray(opts) || opts.length < 1 || opts.length > 25) {
      errs.add([...path, 'options'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 25 in length.');
    } else {
      opts.forEach((o: any, i: number) => {
        betweenLen(errs, [...path, 'options', i, 'label'], o.label, 1, 100, true);
        betweenLen(errs, [...path, 'options', i, 'value'], o.value, 1, 100, true);
        maxLen(errs, [...path, 'options', i, 'description'], o.description, 100);
        validateEmoji(errs, [...path, 'options', i, 'emoji'], o.emoji);
      });
      if (typeof s.max_values === 'number' && s.max_values > opts.length) {
        errs.add([...path, 'max_values'], 'SELECT_COMPONENT_TOO_MANY_VALUES', 'max_values exceeds the number of options');
      }
    }
  }
}

function validateInteractive(errs: FormErrors, path: Path, c: any, ids: Set<string>): void {
  if (c?.type === 2) validateButton(errs, path, c, ids);
  else if (SELECT_TYPES.has(c?.type)) validateSelect(errs, path, c, ids);
  else errs.add([...path, 'type'], 'UNION_TYPE_CHOICES', `Value of field "type" must be one of (2, 3, 5, 6, 7, 8).`);
}

function validateActionRow(errs: FormErrors, path: Path, row: any, ids: Set<string>): void {
  const kids = row?.components;
  if (!Array.isArray(kids) || kids.length < 1 || kids.length > 5) {
    errs.add([...path, 'components'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 5 in length.');
    if (!Array.isArray(kids)) return;
  }
  if (kids.some((k: any) => SELECT_TYPES.has(k?.type)) && kids.length > 1) {
    errs.add([...path, 'components'], 'COMPONENT_LAYOUT_WIDTH_EXCEEDED', 'The specified component exceeds the maximum width');
  }
  kids.forEach((k: any, i: number) => validateInteractive(errs, [...path, 'components', i], k, ids));
}

function countComponents(list: any[]): number {
  let n = 0;
  for (const c of list ?? []) {
    n++;
    if (Array.isArray(c?.components)) n += countComponents(c.components);
    if (c?.accessory) n++;
  }
  return n;
}

function validateV2(errs: FormErrors, path: Path, c: any, ids: Set<string>): void {
  switch (c?.type) {
    case 1: validateActionRow(errs, path, c, ids); break;
    case 9: // section
      (c.components ?? []).forEach((k: any, i: number) => validateV2(errs, [...path, 'components', i], k, ids));
      if (c.accessory?.type === 2) validateButton(errs, [...path, 'accessory'], c.accessory, ids);
      break;
    case 10: maxLen(errs, [...path, 'content'], c.content, 4000); break;
    case 17: (c.components ?? []).forEach((k: any, i: number) => validateV2(errs, [...path, 'components', i], k, ids)); break;
    case 11: case 12: case 13: case 14: break;
    default: errs.add([...path, 'type'], 'UNION_TYPE_CHOICES', 'Value of field "type" must be one of (1, 9, 10, 12, 13, 14, 17).');
  }
}

export function validateComponents(errs: FormErrors, path: Path, comps: unknown, v2: boolean): void {
  if (comps === undefined || comps === null) return;
  if (!Array.isArray(comps)) { errs.add(path, 'BASE_TYPE_ARRAY', 'Must be an array.'); return; }
  const ids = new Set<string>();
  if (v2) {
    if (countComponents(comps) > 40) errs.add(path, 'COMPONENT_MAX_TOTAL_COMPONENTS_EXCEEDED', 'Maximum number of components exceeded (40)');
    comps.forEach((c, i) => validateV2(errs, [...path, i], c, ids));
    return;
  }
  if (comps.length > 5) errs.add(path, 'BASE_TYPE_MAX_LENGTH', 'Must be 5 or fewer in length.');
  comps.forEach((row: any, i: number) => {
    if (row?.type !== 1) { errs.add([...path, i, 'type'], 'UNION_TYPE_CHOICES', 'Value of field "type" must be one of (1,).'); return; }
    validateActionRow(errs, [...path, i], row, ids);
  });
}

const URL_RE = /^(https?|attachment):\/\/\S+$/;
function url(errs: FormErrors, path: Path, v: unknown): void {
  if (v === undefined || v === null) return;
  if (typeof v !== 'string' || !URL_RE.test(v)) errs.add(path, 'URL_TYPE_INVALID_URL', 'Not a well formed URL.');
  else maxLen(errs, path, v, 2048);
}

export function validateEmbeds(errs: FormErrors, path: Path, embeds: unknown): void {
  if (embeds === undefined || embeds === null) return;
  if (!Array.isArray(embeds)) { errs.add(path, 'BASE_TYPE_ARRAY', 'Must be an array.'); return; }
  if (embeds.length > 10) errs.add(path, 'BASE_TYPE_MAX_LENGTH', 'Must be 10 or fewer in length.');
  let total = 0;
  embeds.forEach((e: any, i: number) => {
    const p = [...path, i];
    maxLen(errs, [...p, 'title'], e?.title, 256);
    maxLen(errs, [...p, 'description'], e?.description, 4096);
    maxLen(errs, [...p, 'footer', 'text'], e?.footer?.text, 2048);
    maxLen(errs, [...p, 'author', 'name'], e?.author?.name, 256);
    url(errs, [...p, 'url'], e?.url);
    url(errs, [...p, 'image', 'url'], e?.image?.url);
    url(errs, [...p, 'thumbnail', 'url'], e?.thumbnail?.url);
    total += len(e?.title) + len(e?.description) + len(e?.footer?.text) + len(e?.author?.name);
    if (e?.fields !== undefined) {
      if (!Array.isArray(e.fields)) errs.add([...p, 'fields'], 'BASE_TYPE_ARRAY', 'Must be an array.');
      else {
        if (e.fields.length > 25) errs.add([...p, 'fields'], 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
        e.fields.forEach((f: any, j: number) => {
          betweenLen(errs, [...p, 'fields', j, 'name'], f?.name, 1, 256, true);
          betweenLen(errs, [...p, 'fields', j, 'value'], f?.value, 1, 1024, true);
          total += len(f?.name) + len(f?.value);
        });
      }
    }
  });
  if (total > 6000) errs.add(path, 'MAX_EMBED_SIZE_EXCEEDED', 'Embed size exceeds maximum size of 6000');
}

export function validateAllowedMentions(errs: FormErrors, path: Path, am: any): void {
  if (am === undefined || am === null) return;
  const parse: unknown[] = am.parse ?? [];
  for (const p of parse) {
    if (!['users', 'roles', 'everyone'].includes(p as string)) errs.add([...path, 'parse'], 'BASE_TYPE_CHOICES', 'Value must be one of {"everyone", "roles", "users"}.');
  }
  if (parse.includes('users') && Array.isArray(am.users) && am.users.length) {
    errs.add(path, 'MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE', 'parse:["users"] and users: [ids...] are mutually exclusive.');
  }
  if (parse.includes('roles') && Array.isArray(am.roles) && am.roles.length) {
    errs.add(path, 'MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE', 'parse:["roles"] and roles: [ids...] are mutually exclusive.');
  }
  if (Array.isArray(am.users) && am.users.length > 100) errs.add([...path, 'users'], 'BASE_TYPE_MAX_LENGTH', 'Must be 100 or fewer in length.');
}

/** Validates a message create/edit body. `flags` is the effective flags of the resulting message; `settable` the flags the route lets the body set. */
export function validateMessageBody(errs: FormErrors, path: Path, body: any, flags: number, settable: number): void {
  if (!body || typeof body !== 'object') return;
  settableFlags(errs, [...path, 'flags'], body.flags, settable);
  const v2 = (flags & FLAG_COMPONENTS_V2) !== 0;
  if (body.content !== undefined && body.content !== null) {
    if (typeof body.content !== 'string') errs.add([...path, 'content'], 'BASE_TYPE_STRING', 'Must be a string.');
    else if (len(body.content) > 2000) errs.add([...path, 'content'], 'BASE_TYPE_MAX_LENGTH', 'Must be 2000 or fewer in length.');
    if (v2 && body.content) errs.add([...path, 'content'], 'MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2', 'The \'content\' field cannot be used when using MessageFlags.IS_COMPONENTS_V2');
  }
  if (v2 && Array.isArray(body.embeds) && body.embeds.length) {
    errs.add([...path, 'embeds'], 'MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2', 'The \'embeds\' field cannot be used when using MessageFlags.IS_COMPONENTS_V2');
  }
  validateEmbeds(errs, [...path, 'embeds'], body.embeds);
  validateComponents(errs, [...path, 'components'], body.components, v2);
  validateAllowedMentions(errs, [...path, 'allowed_mentions'], body.allowed_mentions);
  if (body.nonce !== undefined && body.nonce !== null) maxLen(errs, [...path, 'nonce'], String(body.nonce), 25);
}

// ---------------------------------------------------------------- modals
function validateTextInput(errs: FormErrors, path: Path, t: any, ids: Set<string>, needsLabel: boolean): void {
  customId(errs, path, t, ids);
  if (![1, 2].includes(t.style)) errs.add([...path, 'style'], 'BASE_TYPE_CHOICES', 'Value must be one of {1, 2}.');
  if (needsLabel) betweenLen(errs, [...path, 'label'], t.label, 1, 45, true);
  else if (t.label !== undefined) errs.add([...path, 'label'], 'TEXT_INPUT_LABEL_NOT_ALLOWED', 'A text input inside a Label component cannot have a label');
  intRange(errs, [...path, 'min_length'], t.min_length, 0, 4000);
  intRange(errs, [...path, 'max_length'], t.max_length, 1, 4000);
  if (typeof t.min_length === 'number' && typeof t.max_length === 'number' && t.min_length > t.max_length) {
    errs.add([...path, 'min_length'], 'TEXT_INPUT_MIN_LENGTH_GREATER_THAN_MAX', 'min_length must be less than or equal to max_length');
  }
  maxLen(errs, [...path, 'value'], t.value, typeof t.max_length === 'number' ? Math.min(t.max_length, 4000) : 4000);
  maxLen(errs, [...path, 'placeholder'], t.placeholder, 100);
}

export function validateModal(errs: FormErrors, path: Path, m: any): void {
  if (!m || typeof m !== 'object') { errs.add(path, 'BASE_TYPE_REQUIRED', 'This field is required'); return; }
  betweenLen(errs, [...path, 'custom_id'], m.custom_id, 1, 100, true);
  betweenLen(errs, [...path, 'title'], m.title, 1, 45, true);
  const comps = m.components;
  if (!Array.isArray(comps) || comps.length < 1 || comps.length > 5) {
    errs.add([...path, 'components'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 5 in length.');
    if (!Array.isArray(comps)) return;
  }
  const ids = new Set<string>();
  comps.forEach((c: any, i: number) => {
    const p = [...path, 'components', i];
    if (c?.type === 1) {
      const kids = c.components;
      if (!Array.isArray(kids) || kids.length !== 1) { errs.add([...p, 'components'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 1 in length.'); return; }
      if (kids[0]?.type !== 4) { errs.add([...p, 'components', 0, 'type'], 'UNION_TYPE_CHOICES', 'Value of field "type" must be one of (4,).'); return; }
      validateTextInput(errs, [...p, 'components', 0], kids[0], ids, true);
    } else if (c?.type === 18) {
      betweenLen(errs, [...p, 'label'], c.label, 1, 45, true);
      betweenLen(errs, [...p, 'description'], c.description, 1, 100, false);
      const k = c.component;
      const kp = [...p, 'component'];
      if (k?.type === 4) validateTextInput(errs, kp, k, ids, false);
      else if (SELECT_TYPES.has(k?.type)) validateSelect(errs, kp, k, ids);
      else if (k?.type === 19) {
        customId(errs, kp, k, ids);
        intRange(errs, [...kp, 'min_values'], k.min_values, 0, 10);
        intRange(errs, [...kp, 'max_values'], k.max_values, 1, 10);
      } else if ([21, 22, 23].includes(k?.type)) customId(errs, kp, k, ids);
      else errs.add([...kp, 'type'], 'UNION_TYPE_CHOICES', 'Value of field "type" must be one of (3, 4, 5, 6, 7, 8, 19, 21, 22, 23).');
    } else if (c?.type === 10) {
      maxLen(errs, [...p, 'content'], c.content, 4000);
    } else {
      errs.add([...p, 'type'], 'UNION_TYPE_CHOICES', 'Value of field "type" must be one of (1, 10, 18).');
    }
  });
}

// ---------------------------------------------------------------- autocomplete
export function validateChoices(errs: FormErrors, path: Path, choices: unknown): void {
  if (!Array.isArray(choices)) { errs.add(path, 'BASE_TYPE_REQUIRED', 'This field is required'); return; }
  if (choices.length > 25) errs.add(path, 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
  // The same choice objects as a command option's: the value's own type says which option it answers.
  choices.forEach((c: any, i: number) => validateChoice(errs, [...path, i], c, typeof c?.value === 'string' ? 3 : 10));
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

const CHOICE_TYPES = new Set([3, 4, 10]);
const INT53 = 2 ** 53;

/** A choice value of the option's type: a string of 1-100 characters, an integer within ±2^53, or a finite number. */
function choiceValueOk(v: unknown, type: number): boolean {
  if (type === 3) return typeof v === 'string' && len(v) >= 1 && len(v) <= 100;
  if (type === 4) return typeof v === 'number' && Number.isInteger(v) && Math.abs(v) <= INT53;
  return typeof v === 'number' && Number.isFinite(v);
}

function validateChoice(errs: FormErrors, path: Path, c: any, type: number): void {
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
  options.forEach((o: any, i: number) => {
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
      else o.choices.forEach((c: any, j: number) => validateChoice(errs, [...p, 'choices', j], c, o.type));
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

export function validateCommand(errs: FormErrors, path: Path, c: any): void {
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
function commandSize(c: any): number {
  const options = (list: unknown): number =>
    (Array.isArray(list) ? list : []).reduce((n: number, o: any) => n + longest(o?.name, o?.name_localizations) + longest(o?.description, o?.description_localizations)
      + (Array.isArray(o?.choices) ? o.choices.reduce((m: number, ch: any) => m + longest(ch?.name, ch?.name_localizations) + len(String(ch?.value ?? '')), 0) : 0)
      + options(o?.options), 0);
  return longest(c?.name, c?.name_localizations) + longest(c?.description, c?.description_localizations) + options(c?.options);
}

export function validateCommandList(errs: FormErrors, list: unknown): void {
  if (!Array.isArray(list)) { errs.add([], 'BASE_TYPE_ARRAY', 'Must be an array.'); return; }
  const seen = new Set<string>();
  const perType = new Map<number, number>();
  list.forEach((c: any, i: number) => {
    validateCommand(errs, [i], c);
    const key = `${c?.type ?? 1}:${c?.name}`;
    if (seen.has(key)) errs.add([i, 'name'], 'APPLICATION_COMMANDS_DUPLICATE_NAME', `Application command names must be unique`);
    seen.add(key);
    perType.set(c?.type ?? 1, (perType.get(c?.type ?? 1) ?? 0) + 1);
  });
  if ((perType.get(1) ?? 0) > 100 || (perType.get(2) ?? 0) > 15 || (perType.get(3) ?? 0) > 15) {
    errs.add([], 'BASE_TYPE_MAX_LENGTH', 'Too many application commands (100 chat input, 15 user, 15 message)');
  }
}
