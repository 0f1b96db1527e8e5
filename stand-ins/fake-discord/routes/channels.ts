// /channels/{id}[/typing | /messages[/{id}]]: the bot's own channel messages (bot auth), replies included,
// as far as the bot's permissions in the channel allow (permissions.ts).
import type { APIMessage, RESTAPIMessageReference } from 'discord-api-types/v10';
import { FormErrors } from '../util.ts';
import { FLAG_COMPONENTS_V2, FLAG_EPHEMERAL, FLAG_SUPPRESS_EMBEDS, FLAG_SUPPRESS_NOTIFICATIONS, SETTABLE_FLAGS } from '../flags.ts';
import { doCreate, doEdit, type MessageBody } from '../messages.ts';
import { err, formErr, methodNotAllowed, notFound, type ApiRequest, type ApiResponse } from '../responses.ts';
import type { FakeChannel, FakeDiscordState } from '../state.ts';
import { botPermissionsIn, checkBotPermissions, PERMISSION } from '../permissions.ts';

const ephemeral = (m: APIMessage): number => (m.flags ?? 0) & FLAG_EPHEMERAL;

function createMessage(s: FakeDiscordState, ch: FakeChannel, req: ApiRequest): ApiResponse {
  const json = req.json as MessageBody | undefined;
  const extra: Partial<APIMessage> = {};
  const ref = json?.message_reference as RESTAPIMessageReference | undefined;
  if (ref && ref.message_id) {
    const target = s.messages.get(ref.message_id);
    if (!target || target.channel_id !== (ref.channel_id ?? ch.id) || ephemeral(target)) {
      if (ref.fail_if_not_exists !== false) {
        const e = new FormErrors();
        e.add(['message_reference'], 'REPLIES_UNKNOWN_MESSAGE', 'Unknown message');
        return formErr(e);
      }
    } else {
      const inGuild = 'guild_id' in ch && Boolean(ch.guild_id);
      extra.message_reference = { type: ref.type ?? 0, message_id: target.id, channel_id: target.channel_id, ...(inGuild ? { guild_id: s.guildId } : {}) };
      extra.type = 19;
    }
  }
  const flags = (json?.flags ?? 0) & (FLAG_SUPPRESS_EMBEDS | FLAG_SUPPRESS_NOTIFICATIONS | FLAG_COMPONENTS_V2);
  const r = doCreate(s, ch.id, json, req.files, flags, extra, SETTABLE_FLAGS.channelCreate);
  if (r.error) return r.error;
  return { status: 200, body: s.saveNew(r.msg) };
}

function messageRoute(s: FakeDiscordState, ch: FakeChannel, messageId: string, req: ApiRequest): ApiResponse {
  const { method } = req;
  const prev = s.messages.get(messageId);
  if (!prev || prev.channel_id !== ch.id || ephemeral(prev)) return err(404, 10008, 'Unknown Message');
  if (method === 'GET') return { status: 200, body: prev };
  if (method === 'DELETE') {
    // The bot deletes its own messages freely; another's needs MANAGE_MESSAGES, and never in a DM (resources/message: Delete Message).
    if (prev.author?.id !== s.botUser.id) {
      if (!('guild_id' in ch)) return err(403, 50003, 'Cannot execute action on a DM channel');
      if ((botPermissionsIn(s.botPermissions, ch, s.botUser.id) & PERMISSION.MANAGE_MESSAGES) === 0n) return err(403, 50013, 'Missing Permissions');
    }
    s.deleteMessage(prev.id);
    return { status: 204 };
  }
  if (method === 'PATCH') {
    const json = req.json as MessageBody | undefined;
    if (prev.author?.id !== s.botUser.id) {
      // other people's messages: only flags (suppress embeds) may change
      if (json && Object.keys(json).some((k) => k !== 'flags')) return err(403, 50005, 'Cannot edit a message authored by another user');
    }
    const r = doEdit(s, prev, json, req.files);
    if (r.error) return r.error;
    return { status: 200, body: s.saveEdit(r.msg) };
  }
  return methodNotAllowed();
}

export function channelRoutes(s: FakeDiscordState, req: ApiRequest): ApiResponse | undefined {
  const { method, query } = req;
  const [, chId, sub = ''] = /^\/channels\/(\d+)(\/.*)?$/.exec(req.path) ?? [];
  if (chId === undefined) return undefined;
  const ch = s.channels.get(chId);
  if (!ch) return err(404, 10003, 'Unknown Channel');
  // A server that did not add the bot (a user install there): its channels are closed to the bot.
  if ('guild_id' in ch && ch.guild_id === s.foreignGuildId) return err(403, 50001, 'Missing Access');
  const denied = checkBotPermissions(botPermissionsIn(s.botPermissions, ch, s.botUser.id), ch, method, sub, req.json, req.files);
  if (denied) return denied;
  if (sub === '') return method === 'GET' ? { status: 200, body: ch } : methodNotAllowed();
  if (sub === '/typing' && method === 'POST') return { status: 204 };
  if (sub === '/messages') {
    if (method === 'GET') {
      const limit = Math.min(100, Number(query.limit ?? 50));
      const list = [...s.messages.values()].filter((x) => x.channel_id === ch.id && !ephemeral(x)).reverse();
      return { status: 200, body: list.slice(0, limit) };
    }
    if (method !== 'POST') return methodNotAllowed();
    // A DM to someone who does not take DMs from the bot (privacy settings, or they blocked it).
    if (ch.type === 1 && ch.recipients?.some((r) => s.knownUsers.get(r.id)?.dmsClosed)) return err(403, 50007, 'Cannot send messages to this user');
    return createMessage(s, ch, req);
  }
  const [, msgId] = /^\/messages\/(\d+)$/.exec(sub) ?? [];
  if (msgId !== undefined) return messageRoute(s, ch, msgId, req);
  return notFound();
}
