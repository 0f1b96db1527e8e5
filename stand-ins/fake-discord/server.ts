// Fake Discord: REST v10 (under /api/v10) + Gateway v10 (JSON, no compression, WebSocket on /gateway) + a tiny CDN,
// on one local HTTP server, good enough for the REAL discord.js 14 Client to log in and answer interactions.
// Plain module: only node: builtins and ws (a playground runs it outside tests).
import http from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, WebSocket } from 'ws';
import type {
  FakeDiscord, FakeDiscordEvent, FakeDiscordOptions, FakeUser, Interaction, InteractionOpts, InteractionState, ModalSubmitOpts,
  RecordedCall, RecordedFile, SlashOpts,
} from './types.ts';
import { FormErrors, sanitizeFilename } from './util.ts';
import {
  FLAG_COMPONENTS_V2, FLAG_EPHEMERAL, FLAG_LOADING, FLAG_SUPPRESS_EMBEDS, FLAG_SUPPRESS_NOTIFICATIONS,
  validateChoices, validateCommand, validateCommandList, validateMessageBody, validateModal, validateUnicode, SETTABLE_FLAGS,
} from './validate.ts';

import { ALL_PERMISSIONS_BUT_ADMIN, FakeDiscordState, INTENT_GUILDS, MiB, type Session } from './state.ts';

export { ALL_PERMISSIONS_BUT_ADMIN };

type Res = { status: number; body?: any; headers?: Record<string, string> };
const err = (status: number, code: number, message: string): Res => ({ status, body: { message, code } });
const formErr = (e: FormErrors): Res => ({ status: 400, body: e.body() });


export async function startFakeDiscord(opts: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  const s = new FakeDiscordState(opts);
  const { clock, token, appId, guildId, channelId, deadlineMs, tokenLifetimeMs, heartbeatIntervalMs, editLimit, createLimit } = s;
  const { rateLimitsOn, fileSizeLimit, requestSizeLimit, botUser, knownUsers, users, roles, calls, gatewayLog } = s;
  const { msgToken, blobs, uploads, interactions, byToken, modals, modalOrigin, buckets, failures } = s;
  // the routes below are not typed yet (next steps): they see the maps as before
  const messages: Map<string, any> = s.messages;
  const channels: Map<string, any> = s.channels;
  const { callWaiters, msgWaiters, sessions, listeners } = s;
  const sf = () => s.sf();
  const emit = (e: FakeDiscordEvent) => s.emit(e);
  const dispatch = (t: string, d: any, intent?: number) => s.dispatch(t, d, intent);
  const makeUser = (username: string, r?: string[]) => s.makeUser(username, r);
  const apiUser = (u: FakeUser) => s.apiUser(u);
  const userById = (id: string): any => s.userById(id);
  const memberOf = (u: FakeUser) => s.memberOf(u);
  const guildObject = () => s.guildObject();
  const addRole = (name: string, permissions?: string, id?: string) => s.addRole(name, permissions, id);
  const ensureRoles = (u: FakeUser) => s.ensureRoles(u);
  const addChannel = (name: string, id?: string) => s.addChannel(name, id);
  const dmChannelFor = (u: { id: string }): any => s.dmChannelFor(u);
  const storeFile = (chId: string, data: Buffer, filename: string, type?: string, extra: any = {}): any => s.storeFile(chId, data, filename, type, extra);
  const addAttachment = (data: Buffer, filename: string, contentType?: string): any => s.addAttachment(data, filename, contentType);
  const saveNew = (m: any): any => s.saveNew(m);
  const saveEdit = (m: any): any => s.saveEdit(m);
  const deleteMessage = (id: string) => s.deleteMessage(id);
  const findCommand = (name: string, type?: number): any => s.findCommand(name, type);
  const record = (c: RecordedCall) => s.record(c);
  const takeFailure = (m: string, p: string) => s.takeFailure(m, p);
  const iso = () => s.iso();
  const baseUrl = () => s.baseUrl();

  // ------------------------------------------------------------------ messages
  const MENTION_USER = /<@!?(\d{15,21})>/g;
  const MENTION_ROLE = /<@&(\d{15,21})>/g;
  function computeMentions(content: string, am: any, repliedAuthorId?: string) {
    const parse: string[] = am ? (am.parse ?? []) : ['users', 'roles', 'everyone'];
    const mentions: any[] = [];
    const seen = new Set<string>();
    for (const m of content.matchAll(MENTION_USER)) {
      const id = m[1];
      if (seen.has(id)) continue;
      if (parse.includes('users') || (am?.users ?? []).includes(id)) { seen.add(id); mentions.push(userById(id)); }
    }
    if (repliedAuthorId && !seen.has(repliedAuthorId) && (am ? am.replied_user === true : true)) mentions.push(userById(repliedAuthorId));
    const mentionRoles: string[] = [];
    for (const m of content.matchAll(MENTION_ROLE)) {
      if ((parse.includes('roles') || (am?.roles ?? []).includes(m[1])) && !mentionRoles.includes(m[1])) mentionRoles.push(m[1]);
    }
    const mentionEveryone = /@(everyone|here)/.test(content) && parse.includes('everyone');
    return { mentions, mention_roles: mentionRoles, mention_everyone: mentionEveryone };
  }

  function normalizeEmbeds(embeds: any[], attachments: any[]): any[] {
    const resolve = (media: any) => {
      if (!media?.url) return media;
      const m = /^attachment:\/\/(.+)$/.exec(media.url);
      if (!m) return { ...media, proxy_url: media.proxy_url ?? media.url };
      const a = attachments.find((x) => x.filename === sanitizeFilename(m[1]));
      return a ? { ...media, url: a.url, proxy_url: a.proxy_url, width: a.width, height: a.height, content_type: a.content_type } : media;
    };
    return (embeds ?? []).map((e) => {
      const out: any = { type: 'rich', ...e };
      if (e.image) out.image = resolve(e.image);
      if (e.thumbnail) out.thumbnail = resolve(e.thumbnail);
      if (e.color === null) delete out.color;
      return out;
    });
  }

  /** files[n] parts by n, attachments[] resolution; returns the final attachment list or an error response */
  function resolveAttachments(chId: string, body: any, files: RecordedFile[], existing: any[] | undefined, errPath: (string | number)[]): any[] | Res {
    const byIndex = new Map<string, RecordedFile>();
    files.forEach((f, i) => byIndex.set(/^files\[(\d+)\]$/.exec(f.field)?.[1] ?? String(i), f));
    const used = new Set<string>();
    let list: any[];
    const fromFile = (f: RecordedFile, a: any = {}) => storeFile(chId, f.data, a.filename ?? f.name, f.type, {
      ...(a.description ? { description: a.description } : {}), ...(a.title ? { title: a.title } : {}),
      ...(a.duration_secs != null ? { duration_secs: a.duration_secs } : {}), ...(a.waveform ? { waveform: a.waveform } : {}),
    });
    if (Array.isArray(body?.attachments)) {
      list = [];
      const errs = new FormErrors();
      body.attachments.forEach((a: any, i: number) => {
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
  const isRes = (x: unknown): x is Res => !Array.isArray(x);

  function fileLimits(files: RecordedFile[], sizeLimit = fileSizeLimit): Res | undefined {
    for (const f of files) if (f.size > sizeLimit) return err(413, 40005, 'Request entity too large');
    return undefined;
  }

  function isEmpty(m: any): boolean {
    return !m.content && !(m.embeds?.length) && !(m.attachments?.length) && !(m.components?.length) && !(m.sticker_items?.length) && !m.poll;
  }




  /** builds a new message object from a create body (already validated) */
  function newMessage(chId: string, body: any, attachments: any[], flags: number, extra: any = {}): any {
    const id = extra.id ?? sf();
    const content = typeof body?.content === 'string' ? body.content : '';
    const ref = extra.message_reference ? messages.get(extra.message_reference.message_id) : undefined;
    return {
      id, channel_id: chId, type: 0, author: botUser, content, timestamp: iso(), edited_timestamp: null, tts: Boolean(body?.tts),
      ...computeMentions(content, body?.allowed_mentions, ref?.author?.id),
      attachments, embeds: normalizeEmbeds(body?.embeds ?? [], attachments), components: body?.components ?? [],
      pinned: false, flags, ...(body?.nonce !== undefined && body?.nonce !== null ? { nonce: body.nonce } : {}),
      ...(body?.poll ? { poll: body.poll } : {}),
      ...extra,
      ...(ref ? { referenced_message: ref } : {}),
    };
  }

  /** applies an edit body to an existing message (already validated) */
  function editedMessage(prev: any, body: any, attachments: any[]): any {
    const next: any = { ...prev };
    const b = body ?? {};
    if ('content' in b) next.content = b.content ?? '';
    if ('components' in b) next.components = b.components ?? [];
    next.attachments = attachments;
    if ('embeds' in b) next.embeds = normalizeEmbeds(b.embeds ?? [], attachments);
    if ('flags' in b && b.flags !== null && b.flags !== undefined) {
      next.flags = (prev.flags & ~FLAG_SUPPRESS_EMBEDS) | (b.flags & (FLAG_SUPPRESS_EMBEDS | FLAG_COMPONENTS_V2));
    }
    if ('content' in b || 'allowed_mentions' in b) {
      const ref = prev.message_reference ? messages.get(prev.message_reference.message_id) : undefined;
      Object.assign(next, computeMentions(next.content, b.allowed_mentions, ref?.author?.id));
    }
    next.edited_timestamp = prev.flags & FLAG_LOADING ? null : iso();
    next.flags &= ~FLAG_LOADING;
    return next;
  }

  /** validate + build an edit; returns the new message or an error */
  function doEdit(prev: any, body: any, files: RecordedFile[], path: (string | number)[] = [], settable: number = SETTABLE_FLAGS.edit): any | Res {
    const b = body ?? {};
    const flags = 'flags' in b && typeof b.flags === 'number' ? (prev.flags & ~FLAG_SUPPRESS_EMBEDS) | (b.flags & (FLAG_SUPPRESS_EMBEDS | FLAG_COMPONENTS_V2)) : prev.flags;
    const errs = new FormErrors();
    validateMessageBody(errs, path, b, flags, settable);
    if (!errs.ok) return formErr(errs);
    const lim = fileLimits(files);
    if (lim) return lim;
    const atts = resolveAttachments(prev.channel_id, b, files, prev.attachments, path);
    if (isRes(atts)) return atts;
    const next = editedMessage(prev, b, atts);
    if (isEmpty(next)) return err(400, 50006, 'Cannot send an empty message');
    return { __msg: next };
  }

  /** validate + build a create; returns {__msg} or an error */
  function doCreate(chId: string, body: any, files: RecordedFile[], flags: number, extra: any, settable: number, path: (string | number)[] = [], sizeLimit?: number): any {
    const errs = new FormErrors();
    validateMessageBody(errs, path, body, flags, settable);
    if (!errs.ok) return formErr(errs);
    const lim = fileLimits(files, sizeLimit);
    if (lim) return lim;
    const atts = resolveAttachments(chId, body, files, undefined, path);
    if (isRes(atts)) return atts;
    const msg = newMessage(chId, body, atts, flags, extra);
    if (isEmpty(msg)) return err(400, 50006, 'Cannot send an empty message');
    return { __msg: msg };
  }

  // ------------------------------------------------------------------ interactions
  function interactionMetadata(it: InteractionState, extra: any = {}): any {
    const p = it.payload;
    const u = p.member?.user ?? p.user;
    const md: any = { id: it.id, type: it.type, user: u, authorizing_integration_owners: p.authorizing_integration_owners, ...extra };
    if (it.type === 2) { md.name = p.data?.name; md.command_type = p.data?.type ?? 1; }
    if (it.type === 3 && it.sourceMessageId) md.interacted_message_id = it.sourceMessageId;
    if (it.type === 5) {
      const origin = [...modalOrigin.entries()].reverse().find(([m]) => m.custom_id === p.data?.custom_id)?.[1];
      if (origin) md.triggering_interaction_metadata = interactionMetadata(origin);
    }
    return md;
  }
  function responseExtra(it: InteractionState, extra: any = {}): any {
    const p = it.payload;
    const out: any = {
      webhook_id: appId, application_id: appId, type: it.type === 2 ? (p.data?.type === 1 ? 20 : 23) : 0,
      interaction_metadata: interactionMetadata(it, extra),
    };
    if (it.type === 2) out.interaction = { id: it.id, type: it.type, name: p.data?.name, user: p.member?.user ?? p.user };
    return out;
  }

  function sendInteraction(type: number, data: any, o: InteractionOpts & { message?: any; sourceMessageId?: string } = {}): Interaction {
    const user = o.user ?? users.alice;
    knownUsers.set(user.id, user);
    const id = sf();
    const itoken = `aW50ZXJhY3Rpb246${id}:${randomBytes(48).toString('base64url')}`;
    let chId: string;
    let channel: any;
    let where: any;
    const userInstall = o.userInstall ? { '1': user.id } : undefined;
    if (o.dm) {
      channel = dmChannelFor(user);
      chId = channel.id;
      where = { user: apiUser(user), context: 1, authorizing_integration_owners: userInstall ?? { '0': '0' } };
    } else {
      ensureRoles(user);
      chId = o.channelId ?? o.message?.channel_id ?? channelId;
      if (!channels.has(chId)) addChannel(`channel-${chId.slice(-4)}`, chId);
      channel = channels.get(chId);
      where = {
        guild_id: guildId, guild: { id: guildId, locale: 'en-US', features: [] }, member: memberOf(user), guild_locale: 'en-US',
        context: 0, authorizing_integration_owners: userInstall ?? { '0': guildId },
      };
    }
    const payload: Interaction = {
      id, application_id: appId, type, data, token: itoken, version: 1,
      channel_id: chId, channel: { ...channel },
      app_permissions: ALL_PERMISSIONS_BUT_ADMIN, locale: o.locale ?? 'en-US',
      entitlements: [], // REQUIRED: discord.js does data.entitlements.reduce(...)
      attachment_size_limit: o.attachmentSizeLimit ?? 10 * MiB,
      ...where,
      ...(o.message ? { message: o.message } : {}),
    };
    const state: InteractionState = {
      id, token: itoken, type, payload, channelId: chId, sentAtReal: Date.now(), sentAtClock: clock.now(), acked: false,
      followUpIds: [], sourceMessageId: o.sourceMessageId ?? o.message?.id,
    };
    interactions.set(id, state);
    byToken.set(itoken, state);
    if (sessions.size === 0) console.warn(`[fake-discord] INTERACTION_CREATE ${id} sent while no gateway session exists (is the client logged in?)`);
    dispatch('INTERACTION_CREATE', payload);
    return payload;
  }


  function resolveOptions(options: any[], resolved: any): any[] {
    return options.map((o) => {
      const out = { ...o };
      if (o.type === 11 && o.value && typeof o.value === 'object') { (resolved.attachments ??= {})[o.value.id] = o.value; out.value = o.value.id; }
      else if (o.type === 11 && typeof o.value === 'string' && uploads.has(o.value)) (resolved.attachments ??= {})[o.value] ??= uploads.get(o.value);
      if ((o.type === 6 || o.type === 9) && typeof o.value === 'string' && knownUsers.has(o.value)) {
        const u = knownUsers.get(o.value)!;
        (resolved.users ??= {})[u.id] = apiUser(u);
        const { user: _u, ...m } = memberOf(u);
        void _u;
        (resolved.members ??= {})[u.id] = m;
      }
      if (Array.isArray(o.options)) out.options = resolveOptions(o.options, resolved);
      return out;
    });
  }

  function sendSlashCommand(name: string, options: any[] = [], o: SlashOpts = {}): Interaction {
    const resolved: any = {};
    for (const a of o.attachments ?? []) (resolved.attachments ??= {})[a.id] = a;
    const opts = resolveOptions(options, resolved);
    const cmd = findCommand(name);
    const data: any = { id: cmd?.id ?? sf(), name, type: 1, ...(opts.length ? { options: opts } : {}), ...(Object.keys(resolved).length ? { resolved } : {}) };
    if (cmd?.guild_id) data.guild_id = cmd.guild_id;
    return sendInteraction(2, data, o);
  }

  function autocomplete(name: string, options: any[], o: InteractionOpts = {}): Interaction {
    const cmd = findCommand(name);
    let opts = options.map((x) => ({ ...x }));
    const hasFocus = (list: any[]): boolean => list.some((x) => x.focused || (Array.isArray(x.options) && hasFocus(x.options)));
    if (!hasFocus(opts) && opts.length) opts[opts.length - 1].focused = true;
    opts = opts.map((x) => (x.type === undefined ? { type: 3, ...x } : x));
    return sendInteraction(4, { id: cmd?.id ?? sf(), name, type: 1, options: opts }, o);
  }

  function findComponent(list: any[], customId: string): any {
    for (const c of list ?? []) {
      if (c?.custom_id === customId) return c;
      const inner = findComponent(c?.components ?? [], customId) ?? (c?.accessory ? findComponent([c.accessory], customId) : undefined) ?? (c?.component ? findComponent([c.component], customId) : undefined);
      if (inner) return inner;
    }
    return undefined;
  }

  function componentInteraction(messageId: string, customId: string, extraData: any, o: InteractionOpts): Interaction {
    const msg = messages.get(messageId);
    if (!msg) throw new Error(`fake-discord: no message ${messageId} (deleted?)`);
    const comp = findComponent(msg.components, customId);
    if (!comp) throw new Error(`fake-discord: message ${messageId} has no component with custom_id ${JSON.stringify(customId)}; has ${JSON.stringify(allCustomIds(msg.components))}`);
    if (comp.disabled) throw new Error(`fake-discord: component ${customId} on message ${messageId} is disabled (Discord would not send a click)`);
    return sendInteraction(3, { custom_id: customId, component_type: comp.type, ...(comp.id !== undefined ? { id: comp.id } : {}), ...extraData }, { ...o, message: msg, channelId: msg.channel_id });
  }
  function allCustomIds(list: any[]): string[] {
    const out: string[] = [];
    const walk = (l: any[]) => { for (const c of l ?? []) { if (c?.custom_id) out.push(c.custom_id); walk(c?.components ?? []); if (c?.accessory) walk([c.accessory]); } };
    walk(list);
    return out;
  }

  function submitModal(customId: string, values: Record<string, string>, o: ModalSubmitOpts = {}): Interaction {
    const modal = [...modals].reverse().find((m) => m.custom_id === customId);
    const files = o.files ?? {};
    const resolved: any = {};
    let nextId = 1;
    const used = new Set<string>();
    const fileComp = (cid: string, list: any[]) => {
      used.add(cid);
      for (const a of list) (resolved.attachments ??= {})[a.id] = a;
      return { type: 19, id: nextId++, custom_id: cid, values: list.map((a) => a.id) };
    };
    const textComp = (t: any) => {
      const cid = t.custom_id;
      used.add(cid);
      const value = values[cid] ?? '';
      if (t.required !== false && value === '') throw new Error(`fake-discord: modal ${customId}: required text input ${cid} left empty`);
      if (value !== '' && t.min_length && value.length < t.min_length) throw new Error(`fake-discord: modal ${customId}: ${cid} shorter than min_length ${t.min_length}`);
      if (t.max_length && value.length > t.max_length) throw new Error(`fake-discord: modal ${customId}: ${cid} longer than max_length ${t.max_length}`);
      return { type: 4, id: nextId++, custom_id: cid, value };
    };
    let components: any[];
    if (modal) {
      components = modal.components.map((c: any) => {
        if (c.type === 1) return { type: 1, id: nextId++, components: [textComp(c.components[0])] };
        if (c.type === 18) {
          const k = c.component;
          const labelId = nextId++;
          if (k.type === 4) return { type: 18, id: labelId, component: textComp(k) };
          if (k.type === 19) {
            const list = files[k.custom_id] ?? [];
            if (k.required !== false && (k.min_values ?? 1) > list.length) throw new Error(`fake-discord: modal ${customId}: file upload ${k.custom_id} needs at least ${k.min_values ?? 1} file(s)`);
            if (list.length > (k.max_values ?? 1)) throw new Error(`fake-discord: modal ${customId}: file upload ${k.custom_id} allows at most ${k.max_values ?? 1} file(s)`);
            return { type: 18, id: labelId, component: fileComp(k.custom_id, list) };
          }
          used.add(k.custom_id);
          const v = values[k.custom_id];
          return { type: 18, id: labelId, component: { type: k.type, id: nextId++, custom_id: k.custom_id, values: v === undefined ? [] : v.split(',') } };
        }
        return { type: c.type, id: nextId++ };
      });
      const unknown = [...Object.keys(values), ...Object.keys(files)].filter((k) => !used.has(k));
      if (unknown.length) throw new Error(`fake-discord: modal ${customId} has no input(s) ${unknown.join(', ')}`);
    } else {
      components = [
        ...Object.entries(values).map(([k, v]) => ({ type: 18, id: nextId++, component: { type: 4, id: nextId++, custom_id: k, value: v } })),
        ...Object.entries(files).map(([k, list]) => ({ type: 18, id: nextId++, component: fileComp(k, list) })),
      ];
    }
    const origin = modal ? modalOrigin.get(modal) : undefined;
    const messageId = o.messageId ?? origin?.sourceMessageId;
    const message = messageId ? messages.get(messageId) : undefined;
    const data: any = { custom_id: customId, components, ...(Object.keys(resolved).length ? { resolved } : {}) };
    return sendInteraction(5, data, { ...o, message, sourceMessageId: message?.id, channelId: o.channelId ?? message?.channel_id ?? origin?.channelId });
  }

  // ------------------------------------------------------------------ REST: interaction callback
  const ALLOWED_CALLBACKS: Record<number, number[]> = { 2: [4, 5, 9, 12], 3: [4, 5, 6, 7, 9, 12], 4: [8], 5: [4, 5, 6, 7] };

  function handleCallback(id: string, itoken: string, query: Record<string, string>, json: any, files: RecordedFile[]): Res {
    const it = interactions.get(id);
    if (!it || it.token !== itoken) return err(404, 10062, 'Unknown interaction');
    if (it.acked) return err(400, 40060, 'Interaction has already been acknowledged.');
    if (Date.now() - it.sentAtReal > deadlineMs) return err(404, 10062, 'Unknown interaction');
    const type = json?.type;
    const data = json?.data;
    const errs = new FormErrors();
    let allowed = ALLOWED_CALLBACKS[it.type] ?? [];
    if (it.type === 5 && !it.sourceMessageId) allowed = [4, 5];
    if (!allowed.includes(type)) {
      errs.add(['type'], 'INTERACTION_RESPONSE_TYPE_INVALID', `Interaction response type ${type} is not valid for interaction type ${it.type}`);
      return formErr(errs);
    }
    let msg: any;
    const src = it.sourceMessageId ? messages.get(it.sourceMessageId) : undefined;
    if (type === 4) {
      const flags = (data?.flags ?? 0) & (FLAG_EPHEMERAL | FLAG_SUPPRESS_EMBEDS | FLAG_SUPPRESS_NOTIFICATIONS | FLAG_COMPONENTS_V2);
      const r = doCreate(it.channelId, data, files, flags, responseExtra(it), SETTABLE_FLAGS.interactionResponse, ['data'], it.payload.attachment_size_limit);
      if (!r.__msg) return r;
      msg = r.__msg;
    } else if (type === 5) {
      const f = data?.flags ?? 0;
      if (f & ~FLAG_EPHEMERAL & ~FLAG_SUPPRESS_NOTIFICATIONS) {
        errs.add(['data', 'flags'], 'INTERACTION_DEFER_FLAGS_INVALID', 'Only the EPHEMERAL flag may be set on a deferred response');
        return formErr(errs);
      }
      msg = newMessage(it.channelId, { content: '' }, [], FLAG_LOADING | (f & FLAG_EPHEMERAL), responseExtra(it));
    } else if (type === 6 || type === 7) {
      if (!src) return err(404, 10008, 'Unknown Message');
      if (type === 7) {
        const r = doEdit(src, data, files, ['data'], SETTABLE_FLAGS.interactionResponse);
        if (!r.__msg) return r;
        msg = r.__msg;
      }
    } else if (type === 8) {
      validateChoices(errs, ['data', 'choices'], data?.choices);
      if (!errs.ok) return formErr(errs);
    } else if (type === 9) {
      validateModal(errs, ['data'], data);
      if (!errs.ok) return formErr(errs);
    }
    // accepted
    it.acked = true;
    it.callback = json;
    it.callbackFiles = files;
    if (type === 4 || type === 5) {
      it.originalId = msg.id;
      it.loading = type === 5;
      msgToken.set(msg.id, it.token);
      saveNew(msg);
    } else if (type === 6) {
      it.originalId = src.id;
    } else if (type === 7) {
      it.originalId = src.id;
      saveEdit(msg);
    } else if (type === 9) {
      modals.push(data);
      modalOrigin.set(data, it);
    }
    emit({ type: 'interaction_response', interaction: it, callbackType: type, data });
    if (query.with_response === 'true') {
      const body: any = {
        interaction: {
          id: it.id, type: it.type, response_message_id: msg?.id ?? (type === 6 ? src?.id : undefined),
          response_message_loading: type === 5, response_message_ephemeral: Boolean((msg?.flags ?? 0) & FLAG_EPHEMERAL),
        },
      };
      if (type !== 6 && type !== 8) body.resource = { type, ...(msg ? { message: msg } : {}) };
      return { status: 200, body };
    }
    return { status: 204 };
  }

  // ------------------------------------------------------------------ REST: webhook (interaction token) routes
  function handleWebhook(method: string, wid: string, itoken: string, mid: string | undefined, query: Record<string, string>, json: any, files: RecordedFile[]): Res {
    if (wid !== appId) return err(404, 10015, 'Unknown Webhook');
    const it = byToken.get(itoken);
    if (!it || clock.now() - it.sentAtClock > tokenLifetimeMs) return err(401, 50027, 'Invalid Webhook Token');
    if (mid === undefined) {
      if (method === 'GET') return { status: 200, body: { id: appId, type: 3, application_id: appId, name: botUser.username, avatar: null, channel_id: null, guild_id: null } };
      if (method !== 'POST') return err(405, 0, '405: Method Not Allowed');
      if (!it.acked) return err(404, 10015, 'Unknown Webhook');
      const original = it.originalId ? messages.get(it.originalId) : undefined;
      if (it.loading && original && original.flags & FLAG_LOADING) {
        // Discord (deprecated behaviour): the first follow-up after a type-5 defer edits the loading message.
        const r = doEdit(original, json, files, [], SETTABLE_FLAGS.followUp);
        if (!r.__msg) return r;
        it.loading = false;
        saveEdit(r.__msg);
        return query.wait === 'false' ? { status: 204 } : { status: 200, body: r.__msg };
      }
      const flags = (json?.flags ?? 0) & (FLAG_EPHEMERAL | FLAG_SUPPRESS_EMBEDS | FLAG_SUPPRESS_NOTIFICATIONS | FLAG_COMPONENTS_V2);
      const r = doCreate(it.channelId, json, files, flags, responseExtra(it, it.originalId ? { original_response_message_id: it.originalId } : {}), SETTABLE_FLAGS.followUp, [], it.payload.attachment_size_limit);
      if (!r.__msg) return r;
      it.followUpIds.push(r.__msg.id);
      msgToken.set(r.__msg.id, it.token);
      saveNew(r.__msg);
      return query.wait === 'false' ? { status: 204 } : { status: 200, body: r.__msg };
    }
    const targetId = mid === '@original' ? it.originalId : mid;
    const owned = targetId !== undefined && (targetId === it.originalId || msgToken.get(targetId) === it.token);
    const prev = targetId ? messages.get(targetId) : undefined;
    if (!owned || !prev) return err(404, 10008, 'Unknown Message');
    if (method === 'GET') return { status: 200, body: prev };
    if (method === 'DELETE') { deleteMessage(prev.id); return { status: 204 }; }
    if (method === 'PATCH') {
      const r = doEdit(prev, json, files);
      if (!r.__msg) return r;
      if (targetId === it.originalId) it.loading = false;
      saveEdit(r.__msg);
      return { status: 200, body: r.__msg };
    }
    return err(405, 0, '405: Method Not Allowed');
  }

  // ------------------------------------------------------------------ REST: commands
  function storeCommands(list: any[], gId: string | undefined, prev: any[]): any[] {
    return list.map((c) => {
      const type = c.type ?? 1;
      const old = prev.find((p) => p.name === c.name && (p.type ?? 1) === type);
      return {
        id: old?.id ?? sf(), application_id: appId, version: sf(), type, ...(gId ? { guild_id: gId } : {}),
        default_member_permissions: null, dm_permission: true, nsfw: false, integration_types: [0], contexts: null,
        description: '', name_localizations: null, description_localizations: null, ...c,
      };
    });
  }
  function handleCommands(method: string, gId: string | undefined, cmdId: string | undefined, json: any): Res {
    if (gId && gId !== guildId) return err(403, 50001, 'Missing Access');
    const get = () => (gId ? s.guildCommands : s.globalCommands);
    const set = (l: any[]) => { if (gId) s.guildCommands = l; else s.globalCommands = l; s.lastCommands = l; };
    if (!cmdId) {
      if (method === 'GET') return { status: 200, body: get() };
      if (method === 'PUT') {
        const errs = new FormErrors();
        validateCommandList(errs, json);
        if (!errs.ok) return formErr(errs);
        set(storeCommands(json, gId, get()));
        return { status: 200, body: get() };
      }
      if (method === 'POST') {
        const errs = new FormErrors();
        validateCommand(errs, [], json);
        if (!errs.ok) return formErr(errs);
        const [stored] = storeCommands([json], gId, get());
        const exists = get().some((c) => c.id === stored.id);
        set(exists ? get().map((c) => (c.id === stored.id ? stored : c)) : [...get(), stored]);
        return { status: exists ? 200 : 201, body: stored };
      }
      return err(405, 0, '405: Method Not Allowed');
    }
    const cur = get().find((c) => c.id === cmdId);
    if (!cur) return err(404, 10063, 'Unknown application command');
    if (method === 'GET') return { status: 200, body: cur };
    if (method === 'DELETE') { set(get().filter((c) => c.id !== cmdId)); return { status: 204 }; }
    if (method === 'PATCH') {
      const merged = { ...cur, ...json, version: sf() };
      const errs = new FormErrors();
      validateCommand(errs, [], merged);
      if (!errs.ok) return formErr(errs);
      set(get().map((c) => (c.id === cmdId ? merged : c)));
      return { status: 200, body: merged };
    }
    return err(405, 0, '405: Method Not Allowed');
  }

  // ------------------------------------------------------------------ REST: router
  function route(method: string, path: string, query: Record<string, string>, json: any, files: RecordedFile[], auth: string | undefined): Res {
    let m: RegExpExecArray | null;
    const text = new FormErrors();
    validateUnicode(text, [], json);
    if (!text.ok) return formErr(text);
    // interaction-token routes (no bot auth)
    if ((m = /^\/interactions\/(\d+)\/([^/]+)\/callback$/.exec(path))) {
      if (method !== 'POST') return err(405, 0, '405: Method Not Allowed');
      return handleCallback(m[1], m[2], query, json, files);
    }
    if ((m = /^\/webhooks\/(\d+)\/([^/]+)(?:\/messages\/([^/]+))?$/.exec(path))) {
      return handleWebhook(method, m[1], m[2], m[3], query, json, files);
    }
    // everything else needs the bot token
    if (auth !== `Bot ${token}`) return err(401, 0, '401: Unauthorized');
    if (method === 'GET' && path === '/gateway/bot') {
      return { status: 200, body: { url: `ws://127.0.0.1:${s.port}/gateway`, shards: 1, session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 1 } } };
    }
    if (method === 'GET' && path === '/gateway') return { status: 200, body: { url: `ws://127.0.0.1:${s.port}/gateway` } };
    if (method === 'GET' && path === '/applications/@me') {
      return { status: 200, body: { id: appId, name: 'Fake App', icon: null, description: '', summary: '', type: null, bot_public: true, bot_require_code_grant: false, verify_key: 'fake', flags: 0, owner: apiUser(users.alice), team: null, bot: botUser, approximate_guild_count: 1, integration_types_config: { 0: {} }, install_params: { scopes: ['bot', 'applications.commands'], permissions: '0' } } };
    }
    if (method === 'GET' && path === '/users/@me') return { status: 200, body: botUser };
    if ((m = /^\/users\/(\d+)$/.exec(path)) && method === 'GET') {
      return m[1] === botUser.id || knownUsers.has(m[1]) ? { status: 200, body: userById(m[1]) } : err(404, 10013, 'Unknown User');
    }
    if (method === 'POST' && path === '/users/@me/channels') {
      const rid = json?.recipient_id;
      if (!knownUsers.has(rid)) return err(400, 50007, 'Cannot send messages to this user');
      return { status: 200, body: dmChannelFor(knownUsers.get(rid)!) };
    }
    if ((m = /^\/applications\/(\d+)(?:\/guilds\/(\d+))?\/commands(?:\/(\d+))?$/.exec(path))) {
      if (m[1] !== appId) return err(403, 50001, 'Missing Access');
      return handleCommands(method, m[2], m[3], json);
    }
    if ((m = /^\/guilds\/(\d+)(\/.*)?$/.exec(path))) {
      if (m[1] !== guildId) return err(404, 10004, 'Unknown Guild');
      const sub = m[2] ?? '';
      if (method === 'GET' && sub === '') return { status: 200, body: guildObject() };
      if (method === 'GET' && sub === '/channels') return { status: 200, body: [...channels.values()].filter((c) => c.guild_id === guildId) };
      if (method === 'GET' && sub === '/roles') return { status: 200, body: [...roles.values()] };
      let mm: RegExpExecArray | null;
      if (method === 'GET' && (mm = /^\/members\/(\d+)$/.exec(sub))) {
        const u = knownUsers.get(mm[1]);
        if (mm[1] === botUser.id) return { status: 200, body: { ...memberOf({ id: botUser.id, username: botUser.username }), user: botUser } };
        return u ? { status: 200, body: memberOf(u) } : err(404, 10007, 'Unknown Member');
      }
      return err(404, 0, '404: Not Found');
    }
    if ((m = /^\/channels\/(\d+)(\/.*)?$/.exec(path))) {
      const ch = channels.get(m[1]);
      if (!ch) return err(404, 10003, 'Unknown Channel');
      const sub = m[2] ?? '';
      if (sub === '') return method === 'GET' ? { status: 200, body: ch } : err(405, 0, '405: Method Not Allowed');
      if (sub === '/typing' && method === 'POST') return { status: 204 };
      if (sub === '/messages') {
        if (method === 'GET') {
          const limit = Math.min(100, Number(query.limit ?? 50));
          const list = [...messages.values()].filter((x) => x.channel_id === ch.id && !(x.flags & FLAG_EPHEMERAL)).reverse();
          return { status: 200, body: list.slice(0, limit) };
        }
        if (method !== 'POST') return err(405, 0, '405: Method Not Allowed');
        const extra: any = {};
        const ref = json?.message_reference;
        if (ref && ref.message_id) {
          const target = messages.get(ref.message_id);
          if (!target || target.channel_id !== (ref.channel_id ?? ch.id) || target.flags & FLAG_EPHEMERAL) {
            if (ref.fail_if_not_exists !== false) {
              const e = new FormErrors();
              e.add(['message_reference'], 'REPLIES_UNKNOWN_MESSAGE', 'Unknown message');
              return formErr(e);
            }
          } else {
            extra.message_reference = { type: ref.type ?? 0, message_id: target.id, channel_id: target.channel_id, ...(ch.guild_id ? { guild_id: guildId } : {}) };
            extra.type = 19;
          }
        }
        const flags = (json?.flags ?? 0) & (FLAG_SUPPRESS_EMBEDS | FLAG_SUPPRESS_NOTIFICATIONS | FLAG_COMPONENTS_V2);
        const r = doCreate(ch.id, json, files, flags, extra, SETTABLE_FLAGS.channelCreate);
        if (!r.__msg) return r;
        return { status: 200, body: saveNew(r.__msg) };
      }
      if ((m = /^\/messages\/(\d+)$/.exec(sub))) {
        const prev = messages.get(m[1]);
        if (!prev || prev.channel_id !== ch.id || prev.flags & FLAG_EPHEMERAL) return err(404, 10008, 'Unknown Message');
        if (method === 'GET') return { status: 200, body: prev };
        if (method === 'DELETE') { deleteMessage(prev.id); return { status: 204 }; }
        if (method === 'PATCH') {
          if (prev.author?.id !== botUser.id) {
            // other people's messages: only flags (suppress embeds) may change
            if (json && Object.keys(json).some((k) => k !== 'flags')) return err(403, 50005, 'Cannot edit a message authored by another user');
          }
          const r = doEdit(prev, json, files);
          if (!r.__msg) return r;
          return { status: 200, body: saveEdit(r.__msg) };
        }
        return err(405, 0, '405: Method Not Allowed');
      }
      return err(404, 0, '404: Not Found');
    }
    return err(404, 0, '404: Not Found');
  }

  // ------------------------------------------------------------------ rate limits
  const hash = (s: string) => createHash('sha1').update(s).digest('hex').slice(0, 32);
  function bucketOf(method: string, path: string): { key: string; hash: string; limit: { count: number; perMs: number } } | undefined {
    if (!rateLimitsOn) return undefined;
    let m: RegExpExecArray | null;
    if (method === 'PATCH' && (m = /^\/channels\/(\d+)\/messages\/[^/]+$/.exec(path))) return { key: `edit:c:${m[1]}`, hash: hash('PATCH /channels/:id/messages/:id'), limit: editLimit };
    if (method === 'PATCH' && (m = /^\/webhooks\/(\d+)\/([^/]+)\/messages\/[^/]+$/.exec(path))) return { key: `edit:w:${m[1]}/${m[2]}`, hash: hash('PATCH /webhooks/:id/:token/messages/:id'), limit: editLimit };
    if (createLimit && method === 'POST' && (m = /^\/channels\/(\d+)\/messages$/.exec(path))) return { key: `create:c:${m[1]}`, hash: hash('POST /channels/:id/messages'), limit: createLimit };
    if (createLimit && method === 'POST' && (m = /^\/webhooks\/(\d+)\/([^/]+)$/.exec(path))) return { key: `create:w:${m[1]}/${m[2]}`, hash: hash('POST /webhooks/:id/:token'), limit: createLimit };
    return undefined;
  }
  function rateLimited(retryAfterS: number, limit: number, bucketHash: string, global = false): Res {
    s.rateLimitHits++;
    const ra = retryAfterS.toFixed(3);
    return {
      status: 429,
      body: { message: 'You are being rate limited.', retry_after: Number(ra), global },
      headers: {
        'retry-after': ra, 'x-ratelimit-limit': String(limit), 'x-ratelimit-remaining': '0', 'x-ratelimit-reset-after': ra,
        'x-ratelimit-reset': ((Date.now() + retryAfterS * 1000) / 1000).toFixed(3), 'x-ratelimit-bucket': bucketHash,
        'x-ratelimit-scope': global ? 'global' : 'user', ...(global ? { 'x-ratelimit-global': 'true' } : {}),
      },
    };
  }

  // ------------------------------------------------------------------ HTTP server
  async function parseBody(ct: string, raw: Buffer): Promise<{ json: any; files: RecordedFile[] }> {
    const files: RecordedFile[] = [];
    if (ct.startsWith('multipart/form-data')) {
      const fd = await new Request('http://local/', { method: 'POST', headers: { 'content-type': ct }, body: new Uint8Array(raw) }).formData();
      let json: any;
      for (const [k, v] of fd as unknown as Iterable<[string, any]>) {
        if (k === 'payload_json' && typeof v === 'string') json = JSON.parse(v);
        else if (typeof v !== 'string') files.push({ field: k, name: v.name, type: v.type, size: v.size, data: Buffer.from(await v.arrayBuffer()) });
      }
      return { json, files };
    }
    if (raw.length === 0) return { json: undefined, files };
    const text = raw.toString('utf8');
    return { json: ct.includes('json') ? JSON.parse(text) : text, files };
  }


  function serveCdn(method: string, path: string, query: Record<string, string>, res: http.ServerResponse, at: number, headers: http.IncomingHttpHeaders): void {
    const key = path.replace(/^\/(cdn|media)/, '');
    const blob = blobs.get(key);
    const injected = takeFailure(method, path);
    let status: number;
    if (injected) {
      status = injected.status;
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(typeof injected.body === 'string' ? injected.body : JSON.stringify(injected.body ?? 'injected failure'));
    } else if (!blob || (query.ex && parseInt(query.ex, 16) * 1000 < clock.now())) {
      status = 404;
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('This content is no longer available.');
    } else {
      status = 200;
      res.writeHead(200, { 'content-type': blob.type, 'content-length': String(blob.data.length), 'cache-control': 'public, max-age=31536000' });
      res.end(method === 'HEAD' ? undefined : blob.data);
    }
    record({ method, path, query, auth: headers.authorization, contentType: undefined, json: undefined, files: [], status, at });
  }


  /** failNext injections, then rate-limit buckets, then the router */
  function handleApi(method: string, apiPath: string, query: Record<string, string>, json: any, files: RecordedFile[], auth: string | undefined): Res {
    const bucket = bucketOf(method, apiPath);
    const injected = takeFailure(method, apiPath);
    if (injected) {
      return injected.status === 429 && injected.body === undefined
        ? rateLimited(0.1, 1, bucket?.hash ?? hash(apiPath))
        : { status: injected.status, body: injected.body ?? { message: `Injected failure ${injected.status}`, code: 0 } };
    }
    if (!bucket) return route(method, apiPath, query, json, files, auth);
    const now = Date.now();
    let b = buckets.get(bucket.key);
    if (!b || now - b.start >= bucket.limit.perMs) { b = { start: now, count: 0 }; buckets.set(bucket.key, b); }
    const resetAfter = Math.max(0, b.start + bucket.limit.perMs - now) / 1000;
    if (b.count >= bucket.limit.count) return rateLimited(resetAfter, bucket.limit.count, bucket.hash);
    b.count++;
    const result = route(method, apiPath, query, json, files, auth);
    result.headers = {
      ...result.headers, 'x-ratelimit-limit': String(bucket.limit.count), 'x-ratelimit-remaining': String(bucket.limit.count - b.count),
      'x-ratelimit-reset-after': resetAfter.toFixed(3), 'x-ratelimit-reset': ((b.start + bucket.limit.perMs) / 1000).toFixed(3),
      'x-ratelimit-bucket': bucket.hash,
    };
    return result;
  }

  const server = http.createServer(async (req, res) => {
    const at = Date.now();
    const url = new URL(req.url ?? '/', 'http://local');
    const method = (req.method ?? 'GET').toUpperCase();
    let path: string;
    try { path = decodeURIComponent(url.pathname); } catch { path = url.pathname; } // discord.js sends @original as %40original
    const query = Object.fromEntries(url.searchParams);
    if (path.startsWith('/cdn/') || path.startsWith('/media/')) { serveCdn(method, path, query, res, at, req.headers); return; }

    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const ct = req.headers['content-type'] ?? '';
    const auth = req.headers.authorization;
    let result: Res | undefined;
    let json: any;
    let files: RecordedFile[] = [];
    const apiPath = path.startsWith('/api/v10/') ? path.slice('/api/v10'.length) : path;
    try {
      if (!path.startsWith('/api/v10/')) result = err(404, 0, 'fake discord only serves /api/v10');
      else if (raw.length > requestSizeLimit) result = err(413, 40005, 'Request entity too large');
      else {
        try { ({ json, files } = await parseBody(ct, raw)); } catch { json = undefined; result = err(400, 50109, 'The request body contains invalid JSON.'); }
        if (!result) result = handleApi(method, apiPath, query, json, files, auth);
      }
    } catch (e) {
      result = { status: 500, body: { message: `fake discord crashed: ${(e as Error)?.stack ?? e}`, code: 0 } };
    }
    record({ method, path: apiPath, query, auth, contentType: ct || undefined, json, files, status: result.status, response: result.body, at });
    const hasBody = result.body !== undefined && result.status !== 204;
    res.writeHead(result.status, { ...(hasBody ? { 'content-type': 'application/json' } : {}), ...result.headers });
    res.end(hasBody ? JSON.stringify(result.body) : undefined);
  });

  // ------------------------------------------------------------------ gateway
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://local');
    if (url.pathname.replace(/\/$/, '') !== '/gateway') { socket.destroy(); return; }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  wss.on('connection', (ws: WebSocket, req: http.IncomingMessage) => {
    const q = new URL(req.url ?? '/', 'http://local').searchParams;
    gatewayLog.push({ connect: Object.fromEntries(q), at: Date.now() });
    if ((q.get('encoding') ?? 'json') !== 'json' || q.get('compress')) {
      // zlib-sync installed → discord.js asks for zlib-stream, which this fake does not speak.
      console.error('[fake-discord] gateway: only encoding=json without compress is supported (is zlib-sync installed?)');
      ws.close(4002, 'fake supports encoding=json without compress only');
      return;
    }
    let session: Session | undefined;
    const send = (p: any) => { if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(p)); };
    send({ op: 10, d: { heartbeat_interval: heartbeatIntervalMs } });
    ws.on('message', (raw) => {
      let p: any;
      try { p = JSON.parse(raw.toString()); } catch { ws.close(4002, 'Error while decoding payload.'); return; }
      gatewayLog.push(p.op === 2 || p.op === 6 ? { ...p, d: { ...p.d, token: '<redacted>' }, at: Date.now() } : { ...p, at: Date.now() });
      switch (p.op) {
        case 1:
          if (s.ackHeartbeats) send({ op: 11 });
          break;
        case 2: {
          if (session) { ws.close(4005, 'Already authenticated.'); return; }
          if (p.d?.token !== token) { ws.close(4004, 'Authentication failed.'); return; }
          session = { id: randomBytes(16).toString('hex'), seq: 0, history: [], ws, intents: Number(p.d?.intents ?? 0) };
          sessions.set(session.id, session);
          const withGuild = (session.intents & INTENT_GUILDS) !== 0;
          const ready = {
            op: 0, t: 'READY', s: ++session.seq, d: {
              v: 10, user: botUser, guilds: withGuild ? [{ id: guildId, unavailable: true }] : [], session_id: session.id, session_type: 'normal',
              resume_gateway_url: `ws://127.0.0.1:${s.port}/gateway`, shard: p.d.shard ?? [0, 1],
              application: { id: appId, flags: 0 }, private_channels: [], relationships: [], presences: [], user_settings: {},
              guild_join_requests: [], geo_ordered_rtc_regions: [], auth: {}, _trace: ['fake-discord'],
            },
          };
          session.history.push(ready as any);
          send(ready);
          if (withGuild) dispatch('GUILD_CREATE', guildObject(), INTENT_GUILDS);
          break;
        }
        case 6: {
          const s = sessions.get(p.d?.session_id);
          if (!s || p.d?.token !== token) { send({ op: 9, d: false }); return; }
          session = s;
          s.ws = ws;
          for (const f of s.history) if (f.s > Number(p.d.seq ?? 0)) send(f);
          const resumed = { op: 0, t: 'RESUMED', s: ++s.seq, d: { _trace: ['fake-discord'] } };
          send(resumed);
          break;
        }
        default:
          break; // 3 presence, 4 voice, 8 request guild members: ignored
      }
    });
    ws.on('close', (code) => {
      if (session && session.ws === ws) {
        session.ws = undefined;
        if (code === 1000 || code === 1001) sessions.delete(session.id); // a clean close invalidates the session
      }
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  s.port = (server.address() as AddressInfo).port;

  // ------------------------------------------------------------------ public API

  const closed = { value: false };
  const fake: FakeDiscord = {
    apiBase: `${baseUrl()}/api`,
    baseUrl: baseUrl(),
    gatewayUrl: `ws://127.0.0.1:${s.port}/gateway`,
    port: s.port,
    appId, guildId, channelId, token, botUser, users, calls, messages, gatewayLog, modals, clock,
    get commands() { return s.lastCommands; },
    get globalCommands() { return s.globalCommands; },
    get guildCommands() { return s.guildCommands; },
    get rateLimitHits() { return s.rateLimitHits; },
    makeUser(username, r) { const u = makeUser(username, r); ensureRoles(u); return u; },
    addRole: (name, permissions) => addRole(name, permissions),
    addChannel: (name) => addChannel(name),
    addAttachment,
    postUserMessage(content, o = {}) {
      const u = o.user ?? users.alice;
      const chId = o.channelId ?? channelId;
      const atts = (o.attachments ?? []).map((a) => ({ ...a, ephemeral: undefined }));
      const msg = { ...newMessage(chId, { content }, atts, 0), author: apiUser(u) };
      return saveNew(msg);
    },
    sendSlashCommand,
    clickButton: (messageId, customId, o = {}) => componentInteraction(messageId, customId, {}, o),
    selectMenu: (messageId, customId, values, o = {}) => componentInteraction(messageId, customId, { values }, o),
    submitModal,
    autocomplete,
    waitForCall(pred, timeoutMs = 5000) {
      const hit = calls.find((c) => { try { return pred(c); } catch { return false; } });
      if (hit) return Promise.resolve(hit);
      return new Promise<RecordedCall>((resolve, reject) => {
        const w = {
          pred,
          resolve: (c: RecordedCall) => { clearTimeout(t); resolve(c); },
          reject: (e: Error) => { clearTimeout(t); reject(e); },
        };
        const t = setTimeout(() => {
          callWaiters.delete(w);
          const recent = calls.slice(-8).map((c) => `${c.status} ${c.method} ${c.path}`).join('\n  ');
          reject(new Error(`fake-discord: timeout after ${timeoutMs} ms waiting for a REST call; last calls:\n  ${recent}`));
        }, timeoutMs);
        t.unref?.();
        callWaiters.add(w);
      });
    },
    waitForMessage(pred, timeoutMs = 5000) {
      const hit = [...messages.values()].find((m) => { try { return pred(m); } catch { return false; } });
      if (hit) return Promise.resolve(hit);
      return new Promise<any>((resolve, reject) => {
        const w = {
          pred,
          resolve: (m: any) => { clearTimeout(t); resolve(m); },
          reject: (e: Error) => { clearTimeout(t); reject(e); },
        };
        const t = setTimeout(() => {
          msgWaiters.delete(w);
          const recent = [...messages.values()].slice(-5).map((m) => `${m.id}: ${JSON.stringify(m.content).slice(0, 80)}`).join('\n  ');
          reject(new Error(`fake-discord: timeout after ${timeoutMs} ms waiting for a message; last messages:\n  ${recent}`));
        }, timeoutMs);
        t.unref?.();
        msgWaiters.add(w);
      });
    },
    originalOf(i) {
      const st = interactions.get(i.id);
      return st?.originalId ? messages.get(st.originalId) : undefined;
    },
    callbackOf: (i) => interactions.get(i.id)?.callback,
    followUpsOf(i) {
      const st = interactions.get(i.id);
      return (st?.followUpIds ?? []).map((id) => messages.get(id)).filter(Boolean);
    },
    stateOf: (i) => interactions.get(i.id),
    channelMessages(chId = channelId) {
      return [...messages.values()].filter((m) => m.channel_id === chId && !(m.flags & FLAG_EPHEMERAL));
    },
    deleteMessage,
    on(listener) {
      listeners.add(listener);
      return () => { listeners.delete(listener); };
    },
    knownUsers: () => [...knownUsers.values()].map(apiUser),
    failNext(pred, status, body) { failures.push({ pred, status, body }); },
    dispatch: (t, d) => dispatch(t, d),
    disconnectGateway(code = 4000) {
      for (const s of sessions.values()) if (s.ws) { const w = s.ws; s.ws = undefined; w.close(code, 'fake-discord: disconnect'); }
      for (const w of wss.clients) if (w.readyState === WebSocket.OPEN) w.close(code, 'fake-discord: disconnect');
    },
    requestReconnect() {
      for (const w of wss.clients) if (w.readyState === WebSocket.OPEN) w.send(JSON.stringify({ op: 7, d: null }));
    },
    async close() {
      if (closed.value) return;
      closed.value = true;
      const e = new Error('fake-discord closed');
      for (const w of [...callWaiters]) w.reject(e);
      for (const w of [...msgWaiters]) w.reject(e);
      callWaiters.clear();
      msgWaiters.clear();
      listeners.clear();
      for (const w of wss.clients) w.terminate();
      wss.close();
      server.closeAllConnections(); // drop undici keep-alive sockets so the process can exit
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  return fake;
}
