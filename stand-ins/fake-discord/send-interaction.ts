// The user's side: interactions a person would cause (slash command, autocomplete, click, select, modal submit),
// built as Discord sends them in INTERACTION_CREATE and dispatched to every gateway session.
import { randomBytes } from 'node:crypto';
import type {
  APIAttachment, APIInteractionDataResolved, APIMessage, APIMessageComponent,
} from 'discord-api-types/v10';
import type { Interaction, InteractionOpts, InteractionState, ModalSubmitOpts, SlashOpts } from './types.ts';
import { ALL_PERMISSIONS_BUT_ADMIN, MiB, type FakeChannel, type FakeDiscordState } from './state.ts';

/** An option as a test writes it: Discord's shape, except an attachment option may carry the attachment object as its value. */
interface TestOption { type?: number; name?: string; value?: unknown; focused?: boolean; options?: TestOption[]; [k: string]: unknown }
/** A component as found in a stored message, any kind: the fields the search reads. */
type AnyComponent = Partial<APIMessageComponent> & { custom_id?: string; disabled?: boolean; components?: AnyComponent[]; accessory?: AnyComponent; component?: AnyComponent };
type Resolved = { -readonly [K in keyof APIInteractionDataResolved]?: Record<string, unknown> };

export function sendInteraction(s: FakeDiscordState, type: number, data: Record<string, unknown>, o: InteractionOpts & { message?: APIMessage; sourceMessageId?: string } = {}): Interaction {
  const user = o.user ?? s.users.alice;
  s.knownUsers.set(user.id, user);
  const id = s.sf();
  const itoken = `aW50ZXJhY3Rpb246${id}:${randomBytes(48).toString('base64url')}`;
  let chId: string;
  let channel: FakeChannel;
  let where: Record<string, unknown>;
  const userInstall = o.userInstall || o.botAbsent ? { '1': user.id } : undefined;
  if (o.dm) {
    channel = s.dmChannelFor(user);
    chId = channel.id;
    where = { user: s.apiUser(user), context: 1, authorizing_integration_owners: userInstall ?? { '0': '0' } };
  } else {
    s.ensureRoles(user);
    chId = o.channelId ?? o.message?.channel_id ?? s.channelId;
    const foreign = o.botAbsent || (s.channels.get(chId) as { guild_id?: string } | undefined)?.guild_id === s.foreignGuildId;
    if (foreign) chId = s.foreignChannel(o.channelId ?? o.message?.channel_id);
    else if (!s.channels.has(chId)) s.addChannel(`channel-${chId.slice(-4)}`, chId);
    channel = s.channels.get(chId)!;
    const chGuild = 'guild_id' in channel ? channel.guild_id : undefined;
    const guildId = foreign ? s.foreignGuildId : chGuild && s.extraGuilds.has(chGuild) ? chGuild : s.guildId;
    where = {
      guild_id: guildId, guild: { id: guildId, locale: 'en-US', features: [] }, member: s.memberOf(user), guild_locale: 'en-US',
      context: 0, authorizing_integration_owners: userInstall ?? { '0': foreign ? s.guildId : guildId },
    };
  }
  const payload: Interaction = {
    id, application_id: s.appId, type, data, token: itoken, version: 1,
    channel_id: chId, channel: { ...channel },
    app_permissions: o.dm ? ALL_PERMISSIONS_BUT_ADMIN : String(s.botPermissions), locale: o.locale ?? 'en-US',
    entitlements: [], // REQUIRED: discord.js does data.entitlements.reduce(...)
    attachment_size_limit: o.attachmentSizeLimit ?? 10 * MiB,
    ...where,
    ...(o.message ? { message: o.message } : {}),
  };
  const state: InteractionState = {
    id, token: itoken, type, payload, channelId: chId, sentAtReal: Date.now(), sentAtClock: s.clock.now(), acked: false,
    followUpIds: [], sourceMessageId: o.sourceMessageId ?? o.message?.id,
  };
  s.interactions.set(id, state);
  s.byToken.set(itoken, state);
  if (s.sessions.size === 0) console.warn(`[fake-discord] INTERACTION_CREATE ${id} sent while no gateway session exists (is the client logged in?)`);
  s.dispatch('INTERACTION_CREATE', payload);
  return payload;
}

/** options with data.resolved filled in: attachments (objects or addAttachment ids) and known users as users and members */
function resolveOptions(s: FakeDiscordState, options: TestOption[], resolved: Resolved): TestOption[] {
  return options.map((o) => {
    const out = { ...o };
    if (o.type === 11 && o.value && typeof o.value === 'object') { const a = o.value as APIAttachment; (resolved.attachments ??= {})[a.id] = a; out.value = a.id; }
    else if (o.type === 11 && typeof o.value === 'string' && s.uploads.has(o.value)) (resolved.attachments ??= {})[o.value] ??= s.uploads.get(o.value);
    if ((o.type === 6 || o.type === 9) && typeof o.value === 'string' && s.knownUsers.has(o.value)) {
      const u = s.knownUsers.get(o.value)!;
      (resolved.users ??= {})[u.id] = s.apiUser(u);
      const { user: _u, ...m } = s.memberOf(u);
      void _u;
      (resolved.members ??= {})[u.id] = m;
    }
    if (Array.isArray(o.options)) out.options = resolveOptions(s, o.options, resolved);
    return out;
  });
}

export function sendSlashCommand(s: FakeDiscordState, name: string, options: TestOption[] = [], o: SlashOpts = {}): Interaction {
  const resolved: Resolved = {};
  for (const a of (o.attachments ?? []) as APIAttachment[]) (resolved.attachments ??= {})[a.id] = a;
  const opts = resolveOptions(s, options, resolved);
  const cmd = s.findCommand(name);
  const data: Record<string, unknown> = { id: cmd?.id ?? s.sf(), name, type: 1, ...(opts.length ? { options: opts } : {}), ...(Object.keys(resolved).length ? { resolved } : {}) };
  if (cmd?.guild_id) data.guild_id = cmd.guild_id;
  return sendInteraction(s, 2, data, o);
}

export function autocomplete(s: FakeDiscordState, name: string, options: TestOption[], o: InteractionOpts = {}): Interaction {
  const cmd = s.findCommand(name);
  let opts = options.map((x) => ({ ...x }));
  const hasFocus = (list: TestOption[]): boolean => list.some((x) => x.focused || (Array.isArray(x.options) && hasFocus(x.options)));
  const last = opts.at(-1);
  if (last && !hasFocus(opts)) last.focused = true;
  opts = opts.map((x) => (x.type === undefined ? { type: 3, ...x } : x));
  return sendInteraction(s, 4, { id: cmd?.id ?? s.sf(), name, type: 1, options: opts }, o);
}

function findComponent(list: AnyComponent[] | undefined, customId: string): AnyComponent | undefined {
  for (const c of list ?? []) {
    if (c?.custom_id === customId) return c;
    const inner = findComponent(c?.components ?? [], customId) ?? (c?.accessory ? findComponent([c.accessory], customId) : undefined) ?? (c?.component ? findComponent([c.component], customId) : undefined);
    if (inner) return inner;
  }
  return undefined;
}
function allCustomIds(list: AnyComponent[] | undefined): string[] {
  const out: string[] = [];
  const walk = (l: AnyComponent[] | undefined) => { for (const c of l ?? []) { if (c?.custom_id) out.push(c.custom_id); walk(c?.components ?? []); if (c?.accessory) walk([c.accessory]); } };
  walk(list);
  return out;
}

/** a click or a selection on a component of a message the bot sent (refused as Discord's client would: no such or disabled component) */
export function componentInteraction(s: FakeDiscordState, messageId: string, customId: string, extraData: Record<string, unknown>, o: InteractionOpts): Interaction {
  const msg = s.messages.get(messageId);
  if (!msg) throw new Error(`fake-discord: no message ${messageId} (deleted?)`);
  const components = msg.components as AnyComponent[] | undefined;
  const comp = findComponent(components, customId);
  if (!comp) throw new Error(`fake-discord: message ${messageId} has no component with custom_id ${JSON.stringify(customId)}; has ${JSON.stringify(allCustomIds(components))}`);
  if (comp.disabled) throw new Error(`fake-discord: component ${customId} on message ${messageId} is disabled (Discord would not send a click)`);
  const data: Record<string, unknown> = { custom_id: customId, component_type: comp.type, ...(comp.id !== undefined ? { id: comp.id } : {}), ...extraData };
  if (comp.type === 2 && 'values' in extraData) throw new Error(`fake-discord: ${customId} is a button: it has no values to select`);
  if (comp.type !== 2) Object.assign(data, selection(s, comp as SelectComponent, customId, extraData.values));
  return sendInteraction(s, 3, data, { ...o, message: msg, channelId: msg.channel_id });
}

type SelectComponent = { type: number; min_values?: number; max_values?: number; options?: { value: string }[]; channel_types?: number[] };

/** A select's values as Discord's client sends them: within min/max, among the options (or the server's channels of the allowed types, its roles or its members), with `resolved` for a channel, role or user select. */
function selection(s: FakeDiscordState, comp: SelectComponent, customId: string, given: unknown): Record<string, unknown> {
  if (!Array.isArray(given) || given.some((v) => typeof v !== 'string')) throw new Error(`fake-discord: select ${customId} needs values (a list of strings)`);
  const values = given as string[];
  const min = comp.min_values ?? 1;
  const max = comp.max_values ?? 1;
  if (values.length < min || values.length > max) throw new Error(`fake-discord: select ${customId} takes ${min}–${max} values; got ${values.length}`);
  if (new Set(values).size !== values.length) throw new Error(`fake-discord: select ${customId}: a value chosen twice`);
  if (comp.type === 3) {
    const offered = new Set((comp.options ?? []).map((x) => x.value));
    const bad = values.filter((v) => !offered.has(v));
    if (bad.length) throw new Error(`fake-discord: select ${customId} offers no option ${JSON.stringify(bad)}`);
    return { values };
  }
  if (comp.type === 8) {
    const channels: Record<string, unknown> = {};
    for (const v of values) {
      const ch = s.channels.get(v) as unknown as { id: string; type: number; name: string; parent_id?: string | null } | undefined;
      if (!ch) throw new Error(`fake-discord: select ${customId}: no channel ${v} in the server`);
      if (comp.channel_types?.length && !comp.channel_types.includes(ch.type)) throw new Error(`fake-discord: select ${customId} does not list channels of type ${ch.type}`);
      // Discord's resolved partial channel: id, name, type, permissions (the member's, here all but admin), parent.
      channels[v] = { id: ch.id, name: ch.name, type: ch.type, permissions: String(ALL_PERMISSIONS_BUT_ADMIN), parent_id: ch.parent_id ?? null };
    }
    return { values, resolved: { channels } };
  }
  if (comp.type === 6) {
    // A role select: roles of the server, resolved as Discord sends them (the full role objects).
    const roles: Record<string, unknown> = {};
    for (const v of values) {
      const role = s.roles.get(v);
      if (!role) throw new Error(`fake-discord: select ${customId}: no role ${v} in the server`);
      roles[v] = { ...role };
    }
    return { values, resolved: { roles } };
  }
  if (comp.type === 5) {
    // Discord's client offers the server's members: each chosen one comes resolved as a user and a member.
    const users: Record<string, unknown> = {};
    const members: Record<string, unknown> = {};
    for (const v of values) {
      const u = s.knownUsers.get(v);
      if (!u) throw new Error(`fake-discord: select ${customId}: no member ${v} in the server`);
      users[v] = s.apiUser(u);
      const { user: _u, ...m } = s.memberOf(u);
      void _u;
      members[v] = m;
    }
    return { values, resolved: { users, members } };
  }
  return { values };
}

/** A modal component as the bot sent it (callback type 9), any kind: the fields a submit reads. */
type ModalComponent = { type: number; custom_id: string; required?: boolean; min_length?: number; max_length?: number; min_values?: number; max_values?: number; components: ModalComponent[]; component: ModalComponent };

/** submits the last modal the bot showed with this custom_id, held to its inputs' rules as Discord's client would */
export function submitModal(s: FakeDiscordState, customId: string, values: Record<string, string>, o: ModalSubmitOpts = {}): Interaction {
  const modal = [...s.modals].reverse().find((m) => m.custom_id === customId);
  const files = (o.files ?? {}) as Record<string, APIAttachment[]>;
  const resolved: Resolved = {};
  let nextId = 1;
  const used = new Set<string>();
  const fileComp = (cid: string, list: APIAttachment[]) => {
    used.add(cid);
    for (const a of list) (resolved.attachments ??= {})[a.id] = a;
    return { type: 19, id: nextId++, custom_id: cid, values: list.map((a) => a.id) };
  };
  const textComp = (t: ModalComponent) => {
    const cid = t.custom_id;
    used.add(cid);
    const value = values[cid] ?? '';
    if (t.required !== false && value === '') throw new Error(`fake-discord: modal ${customId}: required text input ${cid} left empty`);
    if (value !== '' && t.min_length && value.length < t.min_length) throw new Error(`fake-discord: modal ${customId}: ${cid} shorter than min_length ${t.min_length}`);
    if (t.max_length && value.length > t.max_length) throw new Error(`fake-discord: modal ${customId}: ${cid} longer than max_length ${t.max_length}`);
    return { type: 4, id: nextId++, custom_id: cid, value };
  };
  let components: Record<string, unknown>[];
  if (modal) {
    components = (modal.components as unknown as ModalComponent[]).map((c) => {
      if (c.type === 1) {
        const [input] = c.components;
        if (!input) throw new Error(`fake-discord: modal ${customId}: an action row without its text input`);
        return { type: 1, id: nextId++, components: [textComp(input)] };
      }
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
  const origin = modal ? s.modalOrigin.get(modal) : undefined;
  const messageId = o.messageId ?? origin?.sourceMessageId;
  const message = messageId ? s.messages.get(messageId) : undefined;
  const data = { custom_id: customId, components, ...(Object.keys(resolved).length ? { resolved } : {}) };
  return sendInteraction(s, 5, data, { ...o, message, sourceMessageId: message?.id, channelId: o.channelId ?? message?.channel_id ?? origin?.channelId });
}
