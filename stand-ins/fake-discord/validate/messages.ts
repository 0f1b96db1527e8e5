// Message bodies (create, edit, webhook, interaction response): flags each route lets a body set, content, embeds,
// allowed_mentions, components.
import type { FormErrors } from '../util.ts';
import { betweenLen, items, len, maxLen, type Fields, type Path, type Unchecked } from './fields.ts';
import { validateComponents } from './components.ts';
import { FLAG_COMPONENTS_V2 } from '../flags.ts';

/** `flags` holds only bits the route lets a body set (unknown bits too are refused). */
function settableFlags(errs: FormErrors, path: Path, flags: unknown, settable: number): void {
  if (flags === undefined || flags === null) return;
  if (typeof flags !== 'number' || !Number.isSafeInteger(flags) || flags < 0) { errs.add(path, 'NUMBER_TYPE_COERCE', `Value "${String(flags)}" is not int.`); return; }
  if (BigInt(flags) & ~BigInt(settable)) errs.add(path, 'MESSAGE_FLAGS_INVALID', `Only these flags may be set here: ${settable}.`);
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
  items(embeds).forEach((e, i) => {
    const footer = e?.footer as Unchecked;
    const author = e?.author as Unchecked;
    const p = [...path, i];
    maxLen(errs, [...p, 'title'], e?.title, 256);
    maxLen(errs, [...p, 'description'], e?.description, 4096);
    maxLen(errs, [...p, 'footer', 'text'], footer?.text, 2048);
    maxLen(errs, [...p, 'author', 'name'], author?.name, 256);
    url(errs, [...p, 'url'], e?.url);
    url(errs, [...p, 'image', 'url'], (e?.image as Unchecked)?.url);
    url(errs, [...p, 'thumbnail', 'url'], (e?.thumbnail as Unchecked)?.url);
    total += len(e?.title) + len(e?.description) + len(footer?.text) + len(author?.name);
    if (e && e.fields !== undefined) {
      if (!Array.isArray(e.fields)) errs.add([...p, 'fields'], 'BASE_TYPE_ARRAY', 'Must be an array.');
      else {
        if (e.fields.length > 25) errs.add([...p, 'fields'], 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
        items(e.fields).forEach((f, j) => {
          betweenLen(errs, [...p, 'fields', j, 'name'], f?.name, 1, 256, true);
          betweenLen(errs, [...p, 'fields', j, 'value'], f?.value, 1, 1024, true);
          total += len(f?.name) + len(f?.value);
        });
      }
    }
  });
  if (total > 6000) errs.add(path, 'MAX_EMBED_SIZE_EXCEEDED', 'Embed size exceeds maximum size of 6000');
}

const SNOWFLAKE = /^\d{17,20}$/;

/** A list of snowflakes (allowed_mentions.users / roles): an array of at most 100 ids. */
function snowflakeList(errs: FormErrors, path: Path, v: unknown): void {
  if (v === undefined || v === null) return;
  if (!Array.isArray(v)) { errs.add(path, 'BASE_TYPE_ARRAY', 'Must be an array.'); return; }
  if (v.length > 100) errs.add(path, 'BASE_TYPE_MAX_LENGTH', 'Must be 100 or fewer in length.');
  v.forEach((id, i) => {
    if ((typeof id !== 'string' && typeof id !== 'number') || !SNOWFLAKE.test(String(id))) errs.add([...path, i], 'NUMBER_TYPE_COERCE', `Value "${String(id)}" is not snowflake.`);
  });
}

/**
 * allowed_mentions as Discord's schema has it (resources/message: Allowed Mentions Object): an object;
 * `parse` an array of "roles", "users", "everyone"; `users` and `roles` arrays of at most 100
 * snowflakes, each exclusive with the same type in `parse`; `replied_user` a boolean.
 */
export function validateAllowedMentions(errs: FormErrors, path: Path, mentions: unknown): void {
  if (mentions === undefined || mentions === null) return;
  if (typeof mentions !== 'object' || Array.isArray(mentions)) { errs.add(path, 'DICT_TYPE_CONVERT', 'Only dictionaries may be used in a DictType'); return; }
  const am = mentions as Fields;
  if (am.parse !== undefined && am.parse !== null && !Array.isArray(am.parse)) errs.add([...path, 'parse'], 'BASE_TYPE_ARRAY', 'Must be an array.');
  const parse = (Array.isArray(am.parse) ? am.parse : []) as unknown[];
  parse.forEach((p, i) => {
    if (!['users', 'roles', 'everyone'].includes(p as string)) errs.add([...path, 'parse', i], 'BASE_TYPE_CHOICES', 'Value must be one of {"everyone", "roles", "users"}.');
  });
  if (parse.includes('users') && Array.isArray(am.users) && am.users.length) {
    errs.add(path, 'MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE', 'parse:["users"] and users: [ids...] are mutually exclusive.');
  }
  if (parse.includes('roles') && Array.isArray(am.roles) && am.roles.length) {
    errs.add(path, 'MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE', 'parse:["roles"] and roles: [ids...] are mutually exclusive.');
  }
  snowflakeList(errs, [...path, 'users'], am.users);
  snowflakeList(errs, [...path, 'roles'], am.roles);
  if (am.replied_user !== undefined && am.replied_user !== null && typeof am.replied_user !== 'boolean') errs.add([...path, 'replied_user'], 'BASE_TYPE_BOOLEAN', 'Must be either true or false.');
}

/** Validates a message create/edit body. `flags` is the effective flags of the resulting message; `settable` the flags the route lets the body set. */
export function validateMessageBody(errs: FormErrors, path: Path, json: unknown, flags: number, settable: number): void {
  if (!json || typeof json !== 'object') return;
  const body = json as Fields;
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
