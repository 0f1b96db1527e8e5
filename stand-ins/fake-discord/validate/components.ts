// Message components (action rows, buttons, selects; Components V2) and modals, as Discord's schema limits them.
import { isSnowflake, type FormErrors } from '../util.ts';
import { betweenLen, customId, intRange, items, maxLen, type Fields, type Path, type Unchecked } from './fields.ts';

/** Exactly one emoji of Unicode's recommended (RGI) set, as Discord's picker has them; built at run time: the ES2022 target cannot parse a /v literal. */
const RGI_EMOJI = new RegExp('^\\p{RGI_Emoji}$', 'v');
/** A custom emoji's name, as Discord allows it when one is created. */
const CUSTOM_EMOJI_NAME = /^[A-Za-z0-9_]{2,32}$/;

/** A component's emoji: one unicode emoji by name, or a custom emoji by name and snowflake id; nothing else. */
export function validateEmoji(errs: FormErrors, path: Path, e: unknown): void {
  if (e === undefined || e === null) return;
  if (typeof e !== 'object' || Array.isArray(e)) { errs.add(path, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType'); return; }
  const { id, name } = e as Fields;
  if (id !== undefined && id !== null) {
    if (!isSnowflake(id)) errs.add([...path, 'id'], 'BUTTON_COMPONENT_INVALID_EMOJI', 'Invalid emoji');
    else if (typeof name !== 'string' || !CUSTOM_EMOJI_NAME.test(name)) errs.add([...path, 'name'], 'BUTTON_COMPONENT_INVALID_EMOJI', 'Invalid emoji');
    return;
  }
  if (typeof name !== 'string' || !RGI_EMOJI.test(name)) {
    errs.add([...path, 'name'], 'BUTTON_COMPONENT_INVALID_EMOJI', 'Invalid emoji');
  }
}

const SELECT_TYPES = new Set<unknown>([3, 5, 6, 7, 8]);

function validateButton(errs: FormErrors, path: Path, b: Fields, ids: Set<string>): void {
  const style = b.style;
  if (![1, 2, 3, 4, 5, 6].includes(style as number)) errs.add([...path, 'style'], 'BASE_TYPE_CHOICES', 'Value must be one of {1, 2, 3, 4, 5, 6}.');
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

/** Channel types a channel select may filter on (guild text … media; DMs and categories included, as Discord lists them). */
const CHANNEL_TYPES = new Set<unknown>([0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15, 16]);
/** What a default value of each auto-populated select names. */
const DEFAULT_VALUE_TYPES: Record<number, readonly string[]> = { 5: ['user'], 6: ['role'], 7: ['user', 'role'], 8: ['channel'] };

function validateSelect(errs: FormErrors, path: Path, s: Fields, ids: Set<string>): void {
  customId(errs, path, s, ids);
  maxLen(errs, [...path, 'placeholder'], s.placeholder, 150);
  intRange(errs, [...path, 'min_values'], s.min_values, 0, 25);
  intRange(errs, [...path, 'max_values'], s.max_values, 1, 25);
  const min = typeof s.min_values === 'number' ? s.min_values : 1;
  const max = typeof s.max_values === 'number' ? s.max_values : 1;
  if (min > max) errs.add([...path, 'min_values'], 'SELECT_COMPONENT_MIN_VALUES_GREATER_THAN_MAX', 'min_values must be less than or equal to max_values');
  if (s.type !== 8 && s.channel_types !== undefined) errs.add([...path, 'channel_types'], 'COMPONENT_FIELD_NOT_ALLOWED', 'channel_types is only allowed on channel selects');
  if (s.type === 3) {
    if (s.default_values !== undefined) errs.add([...path, 'default_values'], 'COMPONENT_FIELD_NOT_ALLOWED', 'default_values is not allowed on string selects');
    const opts = s.options;
    if (!Array.isArray(opts) || opts.length < 1 || opts.length > 25) {
      errs.add([...path, 'options'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 25 in length.');
    } else {
      const values = new Set<unknown>();
      let chosen = 0;
      items(opts).forEach((o, i) => {
        const opt = o as Fields;
        betweenLen(errs, [...path, 'options', i, 'label'], opt.label, 1, 100, true);
        betweenLen(errs, [...path, 'options', i, 'value'], opt.value, 1, 100, true);
        maxLen(errs, [...path, 'options', i, 'description'], opt.description, 100);
        validateEmoji(errs, [...path, 'options', i, 'emoji'], opt.emoji);
        if (opt.default !== undefined && typeof opt.default !== 'boolean') errs.add([...path, 'options', i, 'default'], 'BASE_TYPE_BOOLEAN', 'Must be either true or false.');
        if (opt.default === true) chosen++;
        if (values.has(opt.value)) errs.add([...path, 'options', i, 'value'], 'SELECT_COMPONENT_OPTION_VALUE_DUPLICATED', 'Select component option values must be unique');
        values.add(opt.value);
      });
      if (typeof s.max_values === 'number' && s.max_values > opts.length) {
        errs.add([...path, 'max_values'], 'SELECT_COMPONENT_TOO_MANY_VALUES', 'max_values exceeds the number of options');
      }
      if (min > opts.length) errs.add([...path, 'min_values'], 'SELECT_COMPONENT_TOO_MANY_VALUES', 'min_values exceeds the number of options');
      if (chosen > max) errs.add([...path, 'options'], 'SELECT_COMPONENT_TOO_MANY_DEFAULT_VALUES', 'More options are marked default than max_values allows');
    }
    return;
  }
  if (s.options !== undefined) errs.add([...path, 'options'], 'COMPONENT_FIELD_NOT_ALLOWED', 'options is only allowed on string selects');
  if (s.type === 8 && s.channel_types !== undefined) {
    if (!Array.isArray(s.channel_types)) errs.add([...path, 'channel_types'], 'BASE_TYPE_ARRAY', 'Must be an array.');
    else s.channel_types.forEach((c, i) => { if (!CHANNEL_TYPES.has(c)) errs.add([...path, 'channel_types', i], 'BASE_TYPE_CHOICES', `Value must be one of ${[...CHANNEL_TYPES].join(', ')}.`); });
  }
  if (s.default_values !== undefined) {
    const dv = s.default_values;
    if (!Array.isArray(dv)) { errs.add([...path, 'default_values'], 'BASE_TYPE_ARRAY', 'Must be an array.'); return; }
    if (dv.length < min || dv.length > max) errs.add([...path, 'default_values'], 'BASE_TYPE_BAD_LENGTH', `Must be between ${min} and ${max} in length.`);
    items(dv).forEach((d, i) => {
      if (!isSnowflake(d?.id)) errs.add([...path, 'default_values', i, 'id'], 'BASE_TYPE_REQUIRED', 'This field is required');
      if (!(DEFAULT_VALUE_TYPES[s.type as number] ?? []).includes(d?.type as string)) errs.add([...path, 'default_values', i, 'type'], 'BASE_TYPE_CHOICES', `Value must be one of ${(DEFAULT_VALUE_TYPES[s.type as number] ?? []).join(', ')}.`);
    });
  }
}

function validateInteractive(errs: FormErrors, path: Path, c: Unchecked, ids: Set<string>): void {
  if (c?.type === 2) validateButton(errs, path, c, ids);
  else if (SELECT_TYPES.has(c?.type)) validateSelect(errs, path, c!, ids);
  else errs.add([...path, 'type'], 'UNION_TYPE_CHOICES', `Value of field "type" must be one of (2, 3, 5, 6, 7, 8).`);
}

function validateActionRow(errs: FormErrors, path: Path, row: Unchecked, ids: Set<string>): void {
  const kids = row?.components;
  if (!Array.isArray(kids) || kids.length < 1 || kids.length > 5) {
    errs.add([...path, 'components'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 5 in length.');
    if (!Array.isArray(kids)) return;
  }
  if (items(kids).some((k) => SELECT_TYPES.has(k?.type)) && kids.length > 1) {
    errs.add([...path, 'components'], 'COMPONENT_LAYOUT_WIDTH_EXCEEDED', 'The specified component exceeds the maximum width');
  }
  items(kids).forEach((k, i) => validateInteractive(errs, [...path, 'components', i], k, ids));
}

function countComponents(list: Unchecked[]): number {
  let n = 0;
  for (const c of list ?? []) {
    n++;
    if (Array.isArray(c?.components)) n += countComponents(items(c.components));
    if (c?.accessory) n++;
  }
  return n;
}

function validateV2(errs: FormErrors, path: Path, c: Unchecked, ids: Set<string>): void {
  if (!c) { validateV2Type(errs, path); return; }
  switch (c.type) {
    case 1: validateActionRow(errs, path, c, ids); break;
    case 9: // section
      items(c.components ?? []).forEach((k, i) => validateV2(errs, [...path, 'components', i], k, ids));
      if ((c.accessory as Unchecked)?.type === 2) validateButton(errs, [...path, 'accessory'], c.accessory as Fields, ids);
      break;
    case 10: maxLen(errs, [...path, 'content'], c.content, 4000); break;
    case 17: items(c.components ?? []).forEach((k, i) => validateV2(errs, [...path, 'components', i], k, ids)); break;
    case 11: case 12: case 13: case 14: break;
    default: validateV2Type(errs, path);
  }
}
function validateV2Type(errs: FormErrors, path: Path): void {
  errs.add([...path, 'type'], 'UNION_TYPE_CHOICES', 'Value of field "type" must be one of (1, 9, 10, 12, 13, 14, 17).');
}

export function validateComponents(errs: FormErrors, path: Path, comps: unknown, v2: boolean): void {
  if (comps === undefined || comps === null) return;
  if (!Array.isArray(comps)) { errs.add(path, 'BASE_TYPE_ARRAY', 'Must be an array.'); return; }
  const ids = new Set<string>();
  if (v2) {
    if (countComponents(items(comps)) > 40) errs.add(path, 'COMPONENT_MAX_TOTAL_COMPONENTS_EXCEEDED', 'Maximum number of components exceeded (40)');
    items(comps).forEach((c, i) => validateV2(errs, [...path, i], c, ids));
    return;
  }
  if (comps.length > 5) errs.add(path, 'BASE_TYPE_MAX_LENGTH', 'Must be 5 or fewer in length.');
  items(comps).forEach((row, i) => {
    if (row?.type !== 1) { errs.add([...path, i, 'type'], 'UNION_TYPE_CHOICES', 'Value of field "type" must be one of (1,).'); return; }
    validateActionRow(errs, [...path, i], row, ids);
  });
}

// ---------------------------------------------------------------- modals
function validateTextInput(errs: FormErrors, path: Path, t: Fields, ids: Set<string>, needsLabel: boolean): void {
  customId(errs, path, t, ids);
  if (![1, 2].includes(t.style as number)) errs.add([...path, 'style'], 'BASE_TYPE_CHOICES', 'Value must be one of {1, 2}.');
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

export function validateModal(errs: FormErrors, path: Path, data: unknown): void {
  if (!data || typeof data !== 'object') { errs.add(path, 'BASE_TYPE_REQUIRED', 'This field is required'); return; }
  const m = data as Fields;
  betweenLen(errs, [...path, 'custom_id'], m.custom_id, 1, 100, true);
  betweenLen(errs, [...path, 'title'], m.title, 1, 45, true);
  const comps = m.components;
  if (!Array.isArray(comps) || comps.length < 1 || comps.length > 5) {
    errs.add([...path, 'components'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 5 in length.');
    if (!Array.isArray(comps)) return;
  }
  const ids = new Set<string>();
  items(comps).forEach((c, i) => {
    const p = [...path, 'components', i];
    if (c?.type === 1) {
      const kids = c.components;
      if (!Array.isArray(kids) || kids.length !== 1) { errs.add([...p, 'components'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 1 in length.'); return; }
      const input = kids[0] as Unchecked;
      if (input?.type !== 4) { errs.add([...p, 'components', 0, 'type'], 'UNION_TYPE_CHOICES', 'Value of field "type" must be one of (4,).'); return; }
      validateTextInput(errs, [...p, 'components', 0], input, ids, true);
    } else if (c?.type === 18) {
      betweenLen(errs, [...p, 'label'], c.label, 1, 45, true);
      betweenLen(errs, [...p, 'description'], c.description, 1, 100, false);
      const k = c.component as Unchecked;
      const kp = [...p, 'component'];
      if (k?.type === 4) validateTextInput(errs, kp, k, ids, false);
      else if (SELECT_TYPES.has(k?.type)) validateSelect(errs, kp, k!, ids);
      else if (k?.type === 19) {
        customId(errs, kp, k, ids);
        intRange(errs, [...kp, 'min_values'], k.min_values, 0, 10);
        intRange(errs, [...kp, 'max_values'], k.max_values, 1, 10);
      } else if ([21, 22, 23].includes(k?.type as number)) customId(errs, kp, k!, ids);
      else errs.add([...kp, 'type'], 'UNION_TYPE_CHOICES', 'Value of field "type" must be one of (3, 4, 5, 6, 7, 8, 19, 21, 22, 23).');
    } else if (c?.type === 10) {
      maxLen(errs, [...p, 'content'], c.content, 4000);
    } else {
      errs.add([...p, 'type'], 'UNION_TYPE_CHOICES', 'Value of field "type" must be one of (1, 10, 18).');
    }
  });
}
