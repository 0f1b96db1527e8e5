// The bot's own permissions on the channel routes (bot auth), as Discord checks them: the bits its
// invite granted (`botPermissions`, default everything but Administrator). Interaction callbacks and
// webhook-token routes are not checked: answering an interaction needs no channel permission.
// Sources (discord/discord-api-docs): topics/permissions (VIEW_CHANNEL first: without it "Missing
// Access"; threads need SEND_MESSAGES_IN_THREADS, not SEND_MESSAGES), resources/message (Create
// Message: SEND_MESSAGES, READ_MESSAGE_HISTORY for a reply, SEND_TTS_MESSAGES for tts; Get Channel
// Message: READ_MESSAGE_HISTORY). Files and embeds: ATTACH_FILES "allows for uploading images and
// files"; a bot without EMBED_LINKS has its embeds refused or dropped (discord-api-docs#2601); the
// fake refuses both, on a new message and on an edit that brings them, since either way the
// channel does not see them.
import type { FakeChannel } from './state.ts';
import type { RecordedFile } from './types.ts';
import { err, type ApiResponse } from './responses.ts';

export const PERMISSION = {
  VIEW_CHANNEL: 1n << 10n,
  SEND_MESSAGES: 1n << 11n,
  SEND_TTS_MESSAGES: 1n << 12n,
  EMBED_LINKS: 1n << 14n,
  ATTACH_FILES: 1n << 15n,
  READ_MESSAGE_HISTORY: 1n << 16n,
  MANAGE_MESSAGES: 1n << 13n,
  SEND_MESSAGES_IN_THREADS: 1n << 38n,
} as const;

type Name = keyof typeof PERMISSION;
const THREAD_TYPES = new Set([10, 11, 12]);

/** Which permissions a request on a channel's messages needs. */
export function neededFor(ch: FakeChannel, method: string, sub: string, json: unknown, files: RecordedFile[]): Name[] {
  const need: Name[] = ['VIEW_CHANNEL'];
  const body = (json ?? {}) as { embeds?: unknown[]; message_reference?: unknown; tts?: boolean };
  const bringsMedia = () => {
    if (files.length > 0) need.push('ATTACH_FILES');
    if (Array.isArray(body.embeds) && body.embeds.length > 0) need.push('EMBED_LINKS');
  };
  if (method === 'GET' && /^\/messages\/\d+$/.test(sub)) need.push('READ_MESSAGE_HISTORY');
  if (method === 'POST' && sub === '/messages') {
    need.push(THREAD_TYPES.has(ch.type) ? 'SEND_MESSAGES_IN_THREADS' : 'SEND_MESSAGES');
    if (body.message_reference) need.push('READ_MESSAGE_HISTORY');
    if (body.tts) need.push('SEND_TTS_MESSAGES');
    bringsMedia();
  }
  if (method === 'PATCH' && /^\/messages\/\d+$/.test(sub)) bringsMedia();
  return need;
}

/**
 * The bot's permissions in a channel: what its invite granted, then the channel's member overwrite
 * for the bot (topics/permissions: a member overwrite is applied last, deny before allow).
 */
export function botPermissionsIn(granted: bigint, ch: FakeChannel, botId: string): bigint {
  let out = granted;
  for (const o of ('permission_overwrites' in ch ? ch.permission_overwrites : undefined) ?? []) {
    if (o.type === 1 && o.id === botId) out = (out & ~BigInt(o.deny)) | BigInt(o.allow);
  }
  return out;
}

/** Discord's refusal when the bot lacks one of them (DM channels have no permissions to lack). */
export function checkBotPermissions(granted: bigint, ch: FakeChannel, method: string, sub: string, json: unknown, files: RecordedFile[]): ApiResponse | undefined {
  if (!('guild_id' in ch)) return undefined;
  const missing = neededFor(ch, method, sub, json, files).filter((p) => (granted & PERMISSION[p]) === 0n);
  if (missing.length === 0) return undefined;
  return missing.includes('VIEW_CHANNEL') ? err(403, 50001, 'Missing Access') : err(403, 50013, 'Missing Permissions');
}
