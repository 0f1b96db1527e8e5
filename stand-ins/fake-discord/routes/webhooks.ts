// /webhooks/{application id}/{interaction token}[/messages/{id|@original}]: follow-ups and edits of an interaction's
// messages (no bot auth: the token is the credential, valid for tokenLifetimeMs on the fake's clock).
import type { APIWebhook } from 'discord-api-types/v10';
import { FLAG_COMPONENTS_V2, FLAG_EPHEMERAL, FLAG_LOADING, FLAG_SUPPRESS_EMBEDS, FLAG_SUPPRESS_NOTIFICATIONS, SETTABLE_FLAGS } from '../flags.ts';
import { doCreate, doEdit, type MessageBody } from '../messages.ts';
import { err, methodNotAllowed, type ApiRequest, type ApiResponse } from '../responses.ts';
import type { FakeDiscordState } from '../state.ts';
import { responseExtra } from './interactions.ts';

function handleWebhook(s: FakeDiscordState, wid: string, itoken: string, mid: string | undefined, req: ApiRequest): ApiResponse {
  const { method, query, files } = req;
  const json = req.json as MessageBody | undefined;
  if (wid !== s.appId) return err(404, 10015, 'Unknown Webhook');
  const it = s.byToken.get(itoken);
  if (!it || s.clock.now() - it.sentAtClock > s.tokenLifetimeMs) return err(401, 50027, 'Invalid Webhook Token');
  if (mid === undefined) {
    if (method === 'GET') {
      const webhook = { id: s.appId, type: 3, application_id: s.appId, name: s.botUser.username, avatar: null, channel_id: null, guild_id: null };
      return { status: 200, body: webhook as unknown as APIWebhook };
    }
    if (method !== 'POST') return methodNotAllowed();
    if (!it.acked) return err(404, 10015, 'Unknown Webhook');
    const original = it.originalId ? s.messages.get(it.originalId) : undefined;
    if (it.loading && original && (original.flags ?? 0) & FLAG_LOADING) {
      // Discord (deprecated behaviour): the first follow-up after a type-5 defer edits the loading message.
      const r = doEdit(s, original, json, files, [], SETTABLE_FLAGS.followUp);
      if (r.error) return r.error;
      it.loading = false;
      s.saveEdit(r.msg);
      return query.wait === 'false' ? { status: 204 } : { status: 200, body: r.msg };
    }
    const flags = (json?.flags ?? 0) & (FLAG_EPHEMERAL | FLAG_SUPPRESS_EMBEDS | FLAG_SUPPRESS_NOTIFICATIONS | FLAG_COMPONENTS_V2);
    const r = doCreate(s, it.channelId, json, files, flags, responseExtra(s, it, it.originalId ? { original_response_message_id: it.originalId } : {}), SETTABLE_FLAGS.followUp, [], it.payload.attachment_size_limit);
    if (r.error) return r.error;
    it.followUpIds.push(r.msg.id);
    s.msgToken.set(r.msg.id, it.token);
    s.saveNew(r.msg);
    return query.wait === 'false' ? { status: 204 } : { status: 200, body: r.msg };
  }
  const targetId = mid === '@original' ? it.originalId : mid;
  const owned = targetId !== undefined && (targetId === it.originalId || s.msgToken.get(targetId) === it.token);
  const prev = targetId ? s.messages.get(targetId) : undefined;
  if (!owned || !prev) return err(404, 10008, 'Unknown Message');
  if (method === 'GET') return { status: 200, body: prev };
  if (method === 'DELETE') { s.deleteMessage(prev.id); return { status: 204 }; }
  if (method === 'PATCH') {
    const r = doEdit(s, prev, json, files);
    if (r.error) return r.error;
    if (targetId === it.originalId) it.loading = false;
    s.saveEdit(r.msg);
    return { status: 200, body: r.msg };
  }
  return methodNotAllowed();
}

export function webhookRoutes(s: FakeDiscordState, req: ApiRequest): ApiResponse | undefined {
  const [, wid, itoken, mid] = /^\/webhooks\/(\d+)\/([^/]+)(?:\/messages\/([^/]+))?$/.exec(req.path) ?? [];
  if (wid === undefined || itoken === undefined) return undefined;
  return handleWebhook(s, wid, itoken, mid, req);
}
