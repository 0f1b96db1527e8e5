// Message objects as Discord builds them from a create or edit body: mentions, embeds with attachment:// resolved,
// uploaded files on the CDN, and the checks every message route shares (schema, file sizes, not empty).
import type {
  APIAllowedMentions, APIAttachment, APIEmbed, APIMessage, APIUser, RESTAPIAttachment, RESTPostAPIChannelMessageJSONBody,
} from 'discord-api-types/v10';
import type { RecordedFile } from './types.ts';
import { FormErrors, sanitizeFilename } from './util.ts';
import { FLAG_COMPONENTS_V2, FLAG_LOADING, FLAG_SUPPRESS_EMBEDS, SETTABLE_FLAGS } from './flags.ts';
import { validateMessageBody } from './validate/messages.ts';
import { err, formErr, type ApiResponse } from './responses.ts';
import type { FakeDiscordState } from './state.ts';

/** Any message body the fake reads: create, edit, execute webhook, interaction response data (already validated). */
export type MessageBody = RESTPostAPIChannelMessageJSONBody;
type Path = (string | number)[];
/** A built message, or why the body was refused. */
export type Built = { msg: APIMessage; error?: undefined } | { msg?: undefined; error: ApiResponse };

const MENTION_USER = /<@!?(\d{15,21})>/g;
const MENTION_ROLE = /<@&(\d{15,21})>/g;

/** mentions / mention_roles / mention_everyone as allowed_mentions permits (no allowed_mentions: everything parses) */
function computeMentions(s: FakeDiscordState, content: string, am: APIAllowedMentions | undefined, repliedAuthorId?: string) {
  const parse: string[] = am ? (am.parse ?? []) : ['users', 'roles', 'everyone'];
  const mentions: APIUser[] = [];
  const seen = new Set<string>();
  for (const [, id] of content.matchAll(MENTION_USER)) {
    if (id === undefined || seen.has(id)) continue;
    if (parse.includes('users') || (am?.users ?? []).includes(id)) { seen.add(id); mentions.push(s.userById(id)); }
  }
  if (repliedAuthorId && !seen.has(repliedAuthorId) && (am ? am.replied_user === true : true)) mentions.push(s.userById(repliedAuthorId));
  const mentionRoles: string[] = [];
  for (const [, id] of content.matchAll(MENTION_ROLE)) {
    if (id === undefined || mentionRoles.includes(id)) continue;
    if (parse.includes('roles') || (am?.roles ?? []).includes(id)) mentionRoles.push(id);
  }
  const mentionEveryone = /@(everyone|here)/.test(content) && parse.includes('everyone');
  return { mentions, mention_roles: mentionRoles, mention_everyone: mentionEveryone };
}

function normalizeEmbeds(embeds: APIEmbed[], attachments: APIAttachment[]): APIEmbed[] {
  const resolve = <M extends { url?: string; proxy_url?: string }>(media: M): M => {
    if (!media?.url) return media;
    const [, name] = /^attachment:\/\/(.+)$/.exec(media.url) ?? [];
    if (name === undefined) return { ...media, proxy_url: media.proxy_url ?? media.url };
    const a = attachments.find((x) => x.filename === sanitizeFilename(name));
    return a ? { ...media, url: a.url, proxy_url: a.proxy_url, width: a.width, height: a.height, content_type: a.content_type } : media;
  };
  return (embeds ?? []).map((e) => {
    const out = { type: 'rich', ...e } as APIEmbed;
    if (e.image) out.image = resolve(e.image);
    if (e.thumbnail) out.thumbnail = resolve(e.thumbnail);
    if (e.color === null) delete out.color;
    return out;
  });
}

/** files[n] parts by n, attachments[] resolution; returns the final attachment list or an error response */
function resolveAttachments(s: FakeDiscordState, chId: string, body: MessageBody | undefined, files: RecordedFile[], existing: APIAttachment[] | undefined, errPath: Path): APIAttachment[] | ApiResponse {
  const byIndex = new Map<string, RecordedFile>();
  files.forEach((f, i) => byIndex.set(/^files\[(\d+)\]$/.exec(f.field)?.[1] ?? String(i), f));
  const used = new Set<string>();
  let list: APIAttachment[];
  const fromFile = (f: RecordedFile, a: Partial<RESTAPIAttachment> = {}) => s.storeFile(chId, f.data, a.filename ?? f.name, f.type, {
    ...(a.description ? { description: a.description } : {}), ...(a.title ? { title: a.title } : {}),
    ...(a.duration_secs != null ? { duration_secs: a.duration_secs } : {}), ...(a.waveform ? { waveform: a.waveform } : {}),
  });
  if (Array.isArray(body?.attachments)) {
    list = [];
    const errs = new FormErrors();
    body.attachments.forEach((a: RESTAPIAttachment, i: number) => {
      const id = String(a?.id);
      const old = existing?.find((x) => x.id === id);
      if (old) list.push(a.description !== undefined && a.description !== null ? { ...old, description: a.description } : old);
      else if (byIndex.has(id)) { used.add(id); list.push(fromFile(byIndex.get(id)!, a)); }
      else errs.add([...errPath, 'attachments', i, 'id'], 'ATTACHMENT_NOT_FOUND', `Attachment ${id} not found`);
    });
    if (!errs.ok) return formErr(errs);
    for (const [k, f] of byIndex) if (!used.has(k)) list.push(fromFile(f));
  } else {
    list = [...(existing ?? [])];
    for (const f of byIndex.values()) list.push(fromFile(f));
  }
  if (list.length > 10) return err(400, 30015, 'Maximum number of attachments in a message reached (10)');
  return list;
}

function fileLimits(files: RecordedFile[], sizeLimit: number): ApiResponse | undefined {
  for (const f of files) if (f.size > sizeLimit) return err(413, 40005, 'Request entity too large');
  return undefined;
}

function isEmpty(m: APIMessage): boolean {
  return !m.content && !(m.embeds?.length) && !(m.attachments?.length) && !(m.components?.length) && !(m.sticker_items?.length) && !m.poll;
}

/** builds a new message object from a create body (already validated) */
export function newMessage(s: FakeDiscordState, chId: string, body: MessageBody | undefined, attachments: APIAttachment[], flags: number, extra: Partial<APIMessage> = {}): APIMessage {
  const id = extra.id ?? s.sf();
  const content = typeof body?.content === 'string' ? body.content : '';
  const ref = extra.message_reference ? s.messages.get(extra.message_reference.message_id!) : undefined;
  return {
    id, channel_id: chId, type: 0, author: s.botUser, content, timestamp: s.iso(), edited_timestamp: null, tts: Boolean(body?.tts),
    ...computeMentions(s, content, body?.allowed_mentions, ref?.author?.id),
    attachments, embeds: normalizeEmbeds(body?.embeds ?? [], attachments), components: body?.components ?? [],
    pinned: false, flags, ...(body?.nonce !== undefined && body?.nonce !== null ? { nonce: body.nonce } : {}),
    ...(body?.poll ? { poll: body.poll } : {}),
    ...extra,
    ...(ref ? { referenced_message: ref } : {}),
  } as APIMessage;
}

/** applies an edit body to an existing message (already validated) */
function editedMessage(s: FakeDiscordState, prev: APIMessage, body: MessageBody | undefined, attachments: APIAttachment[]): APIMessage {
  const next = { ...prev } as APIMessage;
  const b = body ?? {};
  if ('content' in b) next.content = b.content ?? '';
  if ('components' in b) next.components = (b.components ?? []) as APIMessage['components'];
  next.attachments = attachments;
  if ('embeds' in b) next.embeds = normalizeEmbeds(b.embeds ?? [], attachments);
  if ('flags' in b && b.flags !== null && b.flags !== undefined) {
    next.flags = ((prev.flags ?? 0) & ~FLAG_SUPPRESS_EMBEDS) | (b.flags & (FLAG_SUPPRESS_EMBEDS | FLAG_COMPONENTS_V2));
  }
  if ('content' in b || 'allowed_mentions' in b) {
    const ref = prev.message_reference ? s.messages.get(prev.message_reference.message_id!) : undefined;
    Object.assign(next, computeMentions(s, next.content, b.allowed_mentions, ref?.author?.id));
  }
  next.edited_timestamp = (prev.flags ?? 0) & FLAG_LOADING ? null : s.iso();
  next.flags = (next.flags ?? 0) & ~FLAG_LOADING;
  return next;
}

/** validate + build an edit; returns the new message or an error */
export function doEdit(s: FakeDiscordState, prev: APIMessage, body: MessageBody | undefined, files: RecordedFile[], path: Path = [], settable: number = SETTABLE_FLAGS.edit): Built {
  const b = body ?? {};
  const prevFlags = prev.flags ?? 0;
  const flags = 'flags' in b && typeof b.flags === 'number' ? (prevFlags & ~FLAG_SUPPRESS_EMBEDS) | (b.flags & (FLAG_SUPPRESS_EMBEDS | FLAG_COMPONENTS_V2)) : prevFlags;
  const errs = new FormErrors();
  validateMessageBody(errs, path, b, flags, settable);
  if (!errs.ok) return { error: formErr(errs) };
  const lim = fileLimits(files, s.fileSizeLimit);
  if (lim) return { error: lim };
  const atts = resolveAttachments(s, prev.channel_id, b, files, prev.attachments, path);
  if (!Array.isArray(atts)) return { error: atts };
  const next = editedMessage(s, prev, b, atts);
  if (isEmpty(next)) return { error: err(400, 50006, 'Cannot send an empty message') };
  return { msg: next };
}

/** validate + build a create; returns the new message or an error */
export function doCreate(s: FakeDiscordState, chId: string, body: MessageBody | undefined, files: RecordedFile[], flags: number, extra: Partial<APIMessage>, settable: number, path: Path = [], sizeLimit = s.fileSizeLimit): Built {
  const errs = new FormErrors();
  validateMessageBody(errs, path, body, flags, settable);
  if (!errs.ok) return { error: formErr(errs) };
  const lim = fileLimits(files, sizeLimit);
  if (lim) return { error: lim };
  const atts = resolveAttachments(s, chId, body, files, undefined, path);
  if (!Array.isArray(atts)) return { error: atts };
  const msg = newMessage(s, chId, body, atts, flags, extra);
  if (isEmpty(msg)) return { error: err(400, 50006, 'Cannot send an empty message') };
  return { msg };
}
