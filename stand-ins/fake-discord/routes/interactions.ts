// POST /interactions/{id}/{token}/callback: the bot's initial response (no bot auth: the token is the credential).
// Also the interaction metadata Discord puts on every message an interaction produced (used by webhooks.ts too).
import type {
  APIInteractionResponse, APIMessage, APIMessageInteractionMetadata, APIModalInteractionResponseCallbackData, RESTPostAPIInteractionCallbackWithResponseResult,
} from 'discord-api-types/v10';
import type { InteractionState } from '../types.ts';
import { FormErrors } from '../util.ts';
import { FLAG_COMPONENTS_V2, FLAG_EPHEMERAL, FLAG_LOADING, FLAG_SUPPRESS_EMBEDS, FLAG_SUPPRESS_NOTIFICATIONS, SETTABLE_FLAGS } from '../flags.ts';
import { validateModal } from '../validate/components.ts';
import { validateChoices } from '../validate/commands.ts';
import { doCreate, doEdit, newMessage, type MessageBody } from '../messages.ts';
import { err, formErr, methodNotAllowed, type ApiRequest, type ApiResponse } from '../responses.ts';
import type { FakeDiscordState } from '../state.ts';

/** interaction_metadata of a message an interaction produced (for a modal submit: with the interaction that showed the modal) */
function interactionMetadata(s: FakeDiscordState, it: InteractionState, extra: Record<string, unknown> = {}): APIMessageInteractionMetadata {
  const p = it.payload;
  const u = p.member?.user ?? p.user;
  const md: Record<string, unknown> = { id: it.id, type: it.type, user: u, authorizing_integration_owners: p.authorizing_integration_owners, ...extra };
  if (it.type === 2) { md.name = p.data?.name; md.command_type = p.data?.type ?? 1; }
  if (it.type === 3 && it.sourceMessageId) md.interacted_message_id = it.sourceMessageId;
  if (it.type === 5) {
    const origin = [...s.modalOrigin.entries()].reverse().find(([m]) => m.custom_id === p.data?.custom_id)?.[1];
    if (origin) md.triggering_interaction_metadata = interactionMetadata(s, origin);
  }
  return md as unknown as APIMessageInteractionMetadata;
}

/** the fields Discord adds to a message an interaction produced: webhook and application ids, type 20/23, metadata */
export function responseExtra(s: FakeDiscordState, it: InteractionState, extra: Record<string, unknown> = {}): Partial<APIMessage> {
  const p = it.payload;
  const out: Partial<APIMessage> = {
    webhook_id: s.appId, application_id: s.appId, type: it.type === 2 ? (p.data?.type === 1 ? 20 : 23) : 0,
    interaction_metadata: interactionMetadata(s, it, extra),
  };
  if (it.type === 2) out.interaction = { id: it.id, type: it.type, name: p.data?.name, user: p.member?.user ?? p.user };
  return out;
}

/** callback types each interaction type accepts (4 message, 5 defer, 6 defer update, 7 update, 8 choices, 9 modal, 12 launch activity) */
const ALLOWED_CALLBACKS: Record<number, number[]> = { 2: [4, 5, 9, 12], 3: [4, 5, 6, 7, 9, 12], 4: [8], 5: [4, 5, 6, 7] };

function handleCallback(s: FakeDiscordState, id: string, itoken: string, req: ApiRequest): ApiResponse {
  const { query, files } = req;
  const json = req.json as { type?: number; data?: unknown } | undefined;
  const it = s.interactions.get(id);
  if (!it || it.token !== itoken) return err(404, 10062, 'Unknown interaction');
  if (it.acked) return err(400, 40060, 'Interaction has already been acknowledged.');
  if (Date.now() - it.sentAtReal > s.deadlineMs) return err(404, 10062, 'Unknown interaction');
  const type = json?.type as number;
  const data = json?.data;
  const errs = new FormErrors();
  let allowed = ALLOWED_CALLBACKS[it.type] ?? [];
  if (it.type === 5 && !it.sourceMessageId) allowed = [4, 5];
  if (!allowed.includes(type)) {
    errs.add(['type'], 'INTERACTION_RESPONSE_TYPE_INVALID', `Interaction response type ${type} is not valid for interaction type ${it.type}`);
    return formErr(errs);
  }
  let msg: APIMessage | undefined;
  const src = it.sourceMessageId ? s.messages.get(it.sourceMessageId) : undefined;
  if (type === 4) {
    const body = data as MessageBody | undefined;
    const flags = (body?.flags ?? 0) & (FLAG_EPHEMERAL | FLAG_SUPPRESS_EMBEDS | FLAG_SUPPRESS_NOTIFICATIONS | FLAG_COMPONENTS_V2);
    const r = doCreate(s, it.channelId, body, files, flags, responseExtra(s, it), SETTABLE_FLAGS.interactionResponse, ['data'], it.payload.attachment_size_limit);
    if (r.error) return r.error;
    msg = r.msg;
  } else if (type === 5) {
    const f = (data as { flags?: number } | undefined)?.flags ?? 0;
    if (f & ~FLAG_EPHEMERAL & ~FLAG_SUPPRESS_NOTIFICATIONS) {
      errs.add(['data', 'flags'], 'INTERACTION_DEFER_FLAGS_INVALID', 'Only the EPHEMERAL flag may be set on a deferred response');
      return formErr(errs);
    }
    msg = newMessage(s, it.channelId, { content: '' }, [], FLAG_LOADING | (f & FLAG_EPHEMERAL), responseExtra(s, it));
  } else if (type === 6 || type === 7) {
    if (!src) return err(404, 10008, 'Unknown Message');
    if (type === 7) {
      const r = doEdit(s, src, data as MessageBody | undefined, files, ['data'], SETTABLE_FLAGS.interactionResponse);
      if (r.error) return r.error;
      msg = r.msg;
    }
  } else if (type === 8) {
    validateChoices(errs, ['data', 'choices'], (data as { choices?: unknown } | undefined)?.choices);
    if (!errs.ok) return formErr(errs);
  } else if (type === 9) {
    validateModal(errs, ['data'], data);
    if (!errs.ok) return formErr(errs);
  }
  // accepted
  it.acked = true;
  it.callback = json as APIInteractionResponse; // accepted: its type is one this interaction allows, its data valid
  it.callbackFiles = files;
  if (type === 4 || type === 5) {
    it.originalId = msg!.id;
    it.loading = type === 5;
    s.msgToken.set(msg!.id, it.token);
    s.saveNew(msg!);
  } else if (type === 6) {
    it.originalId = src!.id;
  } else if (type === 7) {
    it.originalId = src!.id;
    s.saveEdit(msg!);
  } else if (type === 9) {
    const modal = data as APIModalInteractionResponseCallbackData;
    s.modals.push(modal);
    s.modalOrigin.set(modal, it);
  }
  s.emit({ type: 'interaction_response', interaction: it, callbackType: type, data });
  if (query.with_response === 'true') {
    const body: Record<string, unknown> = {
      interaction: {
        id: it.id, type: it.type, response_message_id: msg?.id ?? (type === 6 ? src?.id : undefined),
        response_message_loading: type === 5, response_message_ephemeral: Boolean((msg?.flags ?? 0) & FLAG_EPHEMERAL),
      },
    };
    if (type !== 6 && type !== 8) body.resource = { type, ...(msg ? { message: msg } : {}) };
    return { status: 200, body: body as unknown as RESTPostAPIInteractionCallbackWithResponseResult };
  }
  return { status: 204 };
}

export function interactionRoutes(s: FakeDiscordState, req: ApiRequest): ApiResponse | undefined {
  const [, id, itoken] = /^\/interactions\/(\d+)\/([^/]+)\/callback$/.exec(req.path) ?? [];
  if (id === undefined || itoken === undefined) return undefined;
  if (req.method !== 'POST') return methodNotAllowed();
  return handleCallback(s, id, itoken, req);
}
