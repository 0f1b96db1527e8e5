// Everything the fake Discord knows, in one object the route families share: the guild, its roles and channels,
// messages, interactions and their tokens, registered commands, the clock, recorded calls, rate-limit buckets,
// gateway sessions. The methods here are the bookkeeping every route needs (save a message and tell the gateway,
// store an upload on the CDN …); what a route answers lives in routes/*.ts.
import { createHash } from 'node:crypto';
import { WebSocket } from 'ws';
import type {
  APIApplicationCommand, APIAttachment, APIDMChannel, APIGuild, APIInteractionGuildMember, APIMessage, APIRole, APITextChannel, APIThreadChannel,
  APIModalInteractionResponseCallbackData, APIUser, ChannelFlags, GuildMemberFlags, RoleFlags, UserFlags,
} from 'discord-api-types/v10';
import type { FakeDiscordEvent, FakeDiscordOptions, FakeUser, InteractionState, RecordedCall } from './types.ts';
import { imageSize, mimeFor, sanitizeFilename, snowflakeAt } from './util.ts';
import { FLAG_EPHEMERAL } from './flags.ts';

/** every permission bit discord-api-types knows, minus Administrator */
export const ALL_PERMISSIONS_BUT_ADMIN = '8866461766385655';
export const INTENT_GUILDS = 1 << 0;
export const INTENT_GUILD_MESSAGES = 1 << 9;
export const INTENT_DIRECT_MESSAGES = 1 << 12;
export const MiB = 1024 * 1024;

export type FakeChannel = APITextChannel | APIThreadChannel | APIDMChannel;
/** A command as the fake stores it: what the bot sent, over Discord's defaults. */
export type StoredCommand = APIApplicationCommand & { guild_id?: string };
export type Limit = { count: number; perMs: number };

export interface DispatchFrame { op: 0; t: string; s: number; d: unknown }
export interface Session {
  id: string;
  seq: number;
  history: DispatchFrame[];
  ws?: WebSocket;
  intents: number;
  /** [shard_id, num_shards] from IDENTIFY ([0, 1] when not sharded) */
  shard: [number, number];
}

/** The shard a guild's events go to: (guild_id >> 22) % num_shards, as Discord routes them. */
export const shardOf = (guildId: string, count: number): number => Number((BigInt(guildId) >> 22n) % BigInt(count));
export interface Bucket { start: number; count: number }
export interface StoredBlob { data: Buffer; type: string; expires: number }
export interface Failure { pred: (m: string, p: string) => boolean; status: number; body?: unknown }
interface Waiter<T> { pred: (x: T) => boolean; resolve: (x: T) => void; reject: (e: Error) => void }

export class FakeDiscordState {
  // ---------------------------------------------------------------- configuration
  readonly token: string;
  readonly appId: string;
  readonly guildId: string;
  readonly channelId: string;
  readonly deadlineMs: number;
  readonly tokenLifetimeMs: number;
  readonly heartbeatIntervalMs: number;
  readonly ackHeartbeats: boolean;
  /** GET /gateway/bot's `shards` (what `shards: 'auto'` starts) */
  readonly recommendedShards: number;
  /** GET /gateway/bot's session_start_limit.max_concurrency (IDENTIFYs per 5 s; Discord: 1, more for large bots) */
  readonly maxConcurrency: number;
  readonly rateLimitsOn: boolean;
  readonly editLimit: Limit;
  readonly createLimit: Limit | undefined;
  /** Message creation through a webhook token: only when a test sets createLimit. */
  readonly webhookCreateLimit: Limit | undefined;
  /** Discord's global limit per bot token (undefined: off) */
  readonly globalLimit: Limit | undefined;
  readonly fileSizeLimit: number;
  readonly requestSizeLimit: number;
  readonly botPermissions: bigint;
  /** A server that did not add the bot, where user-installed interactions can happen (botAbsent). */
  readonly foreignGuildId: string;
  /** the HTTP server's port, known once it listens */
  port = 0;
  /** the address it listens on and hands out in its URLs */
  readonly host: string;

  // ---------------------------------------------------------------- clock
  private clockOffset = 0;
  /** Set for a 'manual' clock: the time it stands at, until advance() moves it. */
  private clockStart: number | null = null;
  readonly clock = { now: (): number => (this.clockStart ?? Date.now()) + this.clockOffset, advance: (ms: number): void => { this.clockOffset += ms; } };

  // ---------------------------------------------------------------- the guild and its people
  readonly botUser: APIUser;
  readonly knownUsers = new Map<string, FakeUser>();
  readonly users: { alice: FakeUser; bob: FakeUser };
  readonly joinedAt: string;
  readonly roles = new Map<string, APIRole>();
  readonly channels = new Map<string, FakeChannel>();
  readonly dmChannels = new Map<string, string>(); // user id -> dm channel id
  /** More servers the bot is in, beside guildId (addGuild): id -> name. Each has a text channel and @everyone only. */
  readonly extraGuilds = new Map<string, string>();

  // ---------------------------------------------------------------- messages, files, interactions, commands
  readonly messages = new Map<string, APIMessage>();
  readonly msgToken = new Map<string, string>(); // message id -> interaction token that created it (webhook messages)
  readonly blobs = new Map<string, StoredBlob>(); // '/attachments/<channel>/<id>/<name>' -> bytes
  readonly uploads = new Map<string, APIAttachment>(); // addAttachment() objects by id
  readonly interactions = new Map<string, InteractionState>();
  readonly byToken = new Map<string, InteractionState>();
  /** modals the bot showed (callback type 9 data), oldest first */
  readonly modals: APIModalInteractionResponseCallbackData[] = [];
  readonly modalOrigin = new Map<APIModalInteractionResponseCallbackData, InteractionState>(); // a modal (callback type 9 data) -> the interaction that showed it
  globalCommands: StoredCommand[] = [];
  guildCommands: StoredCommand[] = [];
  lastCommands: StoredCommand[] = [];

  // ---------------------------------------------------------------- REST bookkeeping
  readonly calls: RecordedCall[] = [];
  readonly buckets = new Map<string, Bucket>();
  rateLimitHits = 0;
  /** 429s of the global limit (also counted in rateLimitHits) */
  globalHits = 0;
  readonly globalWindow: Bucket = { start: 0, count: 0 };
  readonly failures: Failure[] = [];
  readonly callWaiters = new Set<Waiter<RecordedCall>>();
  readonly msgWaiters = new Set<Waiter<APIMessage>>();
  readonly listeners = new Set<(e: FakeDiscordEvent) => void>();

  // ---------------------------------------------------------------- gateway
  readonly sessions = new Map<string, Session>();
  /** client -> server gateway payloads (IDENTIFY token redacted) and connects */
  readonly gatewayLog: Record<string, unknown>[] = [];

  constructor(opts: FakeDiscordOptions = {}) {
    if (opts.clock === 'manual') this.clockStart = Date.now();
    this.token = opts.token ?? 'test-token';
    this.host = opts.host ?? '127.0.0.1';
    this.appId = opts.appId ?? this.sf();
    this.guildId = opts.guildId ?? this.sf();
    this.channelId = opts.channelId ?? this.sf();
    this.deadlineMs = opts.callbackDeadlineMs ?? 3000;
    this.tokenLifetimeMs = opts.tokenLifetimeMs ?? 15 * 60_000;
    this.heartbeatIntervalMs = opts.heartbeatIntervalMs ?? 41250;
    this.ackHeartbeats = opts.ackHeartbeats !== false;
    this.recommendedShards = opts.recommendedShards ?? 1;
    this.maxConcurrency = opts.maxConcurrency ?? 1;
    this.rateLimitsOn = opts.rateLimits ?? true;
    this.editLimit = opts.editLimit ?? { count: 5, perMs: 5000 };
    this.createLimit = opts.createLimit === false ? undefined : (opts.createLimit ?? { count: 5, perMs: 5000 });
    this.webhookCreateLimit = opts.createLimit || undefined;
    this.globalLimit = opts.globalLimit === false || !this.rateLimitsOn ? undefined : (opts.globalLimit ?? { count: 50, perMs: 1000 });
    this.fileSizeLimit = opts.fileSizeLimit ?? 10 * MiB;
    this.requestSizeLimit = opts.requestSizeLimit ?? 25 * MiB;
    this.botPermissions = BigInt(opts.botPermissions ?? ALL_PERMISSIONS_BUT_ADMIN);
    this.foreignGuildId = this.sf();

    this.botUser = { id: this.appId, username: opts.botUsername ?? 'mjbot-fake', discriminator: '0000', global_name: null, avatar: null, bot: true, flags: 0 as UserFlags, public_flags: 0 as UserFlags };
    this.users = { alice: this.makeUser('alice'), bob: this.makeUser('bob') };
    this.joinedAt = this.iso();
    this.roles.set(this.guildId, { id: this.guildId, name: '@everyone', color: 0, colors: { primary_color: 0, secondary_color: null, tertiary_color: null }, hoist: false, icon: null, unicode_emoji: null, position: 0, permissions: '2248473465835073', managed: false, mentionable: false, flags: 0 as RoleFlags });
    this.channels.set(this.channelId, this.textChannel(this.channelId, 'general', 0));
  }

  sf(): string { return snowflakeAt(this.clock.now()); }
  iso(): string { return new Date(this.clock.now()).toISOString(); }
  baseUrl(): string { return `http://${this.urlHost()}:${this.port}`; }
  gatewayUrl(): string { return `ws://${this.urlHost()}:${this.port}/gateway`; }
  private urlHost(): string { return this.host.includes(':') ? `[${this.host}]` : this.host; }

  emit(e: FakeDiscordEvent): void {
    for (const l of [...this.listeners]) {
      try { l(e); } catch (x) { console.error('[fake-discord] event listener failed', x); }
    }
  }

  /**
   * A dispatch (op 0) to every session that asked for `intent` (all sessions without one), kept for RESUME.
   * Sharded as Discord does: an event of a guild (`guildId`, else d.guild_id) goes to the sessions of shard
   * (guild_id >> 22) % num_shards; one of no guild (DMs) to shard 0.
   */
  dispatch(t: string, d: unknown, intent?: number, guildId?: string): void {
    const guild = guildId ?? (d && typeof d === 'object' && typeof (d as { guild_id?: unknown }).guild_id === 'string' ? (d as { guild_id: string }).guild_id : undefined);
    for (const s of this.sessions.values()) {
      if (intent !== undefined && (s.intents & intent) === 0) continue;
      const [shardId, count] = s.shard;
      if ((guild === undefined ? 0 : shardOf(guild, count)) !== shardId) continue;
      this.dispatchTo(s, t, d);
    }
  }
  /** one session's dispatch, kept for RESUME */
  dispatchTo(s: Session, t: string, d: unknown): void {
    const frame = { op: 0 as const, t, s: ++s.seq, d };
    s.history.push(frame);
    if (s.history.length > 1000) s.history.shift();
    if (s.ws?.readyState === WebSocket.OPEN) s.ws.send(JSON.stringify(frame));
  }
  /** The servers the bot is in. */
  botGuildIds(): string[] { return [this.guildId, ...this.extraGuilds.keys()]; }
  /**
   * Another server the bot is in, with one text channel; its id made to fall on `shard` ([id, count]) when given.
   * Its members are everyone the fake knows, with @everyone's permissions (no other roles).
   */
  addGuild(name = `Guild ${this.extraGuilds.size + 2}`, shard?: [number, number]): { guildId: string; channelId: string } {
    let id = BigInt(this.sf());
    if (shard) id += BigInt((shard[0] - shardOf(String(id), shard[1]) + shard[1]) % shard[1]) << 22n;
    const guildId = String(id);
    this.extraGuilds.set(guildId, name);
    const channelId = this.sf();
    this.channels.set(channelId, this.textChannel(channelId, 'general', 0, guildId));
    for (const s of this.sessions.values()) if (s.intents & INTENT_GUILDS) this.dispatch('GUILD_CREATE', this.guildObject(guildId), INTENT_GUILDS, guildId);
    return { guildId, channelId };
  }

  // ---------------------------------------------------------------- users, roles, channels
  makeUser(username: string, roles: string[] = []): FakeUser {
    const u: FakeUser = { id: this.sf(), username, roles };
    this.knownUsers.set(u.id, u);
    return u;
  }
  apiUser(u: FakeUser): APIUser {
    return { id: u.id, username: u.username, discriminator: '0', global_name: u.global_name ?? null, avatar: null, public_flags: 0 as UserFlags };
  }
  userById(id: string): APIUser {
    if (id === this.botUser.id) return this.botUser;
    const u = this.knownUsers.get(id);
    return u ? this.apiUser(u) : { id, username: `user${id.slice(-4)}`, discriminator: '0', global_name: null, avatar: null };
  }
  memberOf(u: FakeUser): APIInteractionGuildMember {
    return {
      user: this.apiUser(u), roles: [...(u.roles ?? [])], joined_at: this.joinedAt, deaf: false, mute: false, flags: 0 as GuildMemberFlags, pending: false,
      nick: null, avatar: null, banner: null, premium_since: null, communication_disabled_until: null,
      permissions: u.permissions ?? ALL_PERMISSIONS_BUT_ADMIN,
    };
  }
  textChannel(id: string, name: string, position: number, guildId = this.guildId): APITextChannel {
    return {
      id, type: 0, guild_id: guildId, name, position, permission_overwrites: [], nsfw: false, parent_id: null, topic: null,
      last_message_id: null, rate_limit_per_user: 0, flags: 0 as ChannelFlags,
    };
  }
  guildChannels(guildId = this.guildId): APITextChannel[] {
    return [...this.channels.values()].filter((c): c is APITextChannel => c.type === 0 && c.guild_id === guildId);
  }
  /** GUILD_CREATE's guild: the REST guild plus the gateway-only fields */
  guildObject(guildId = this.guildId): APIGuild & Record<string, unknown> {
    const main = guildId === this.guildId;
    const roles = main ? [...this.roles.values()] : [{ ...this.roles.get(this.guildId)!, id: guildId }];
    return {
      id: guildId, name: main ? 'Fake Guild' : this.extraGuilds.get(guildId), icon: null, splash: null, discovery_splash: null, owner_id: this.users.alice.id,
      afk_channel_id: null, afk_timeout: 300, verification_level: 0, default_message_notifications: 0,
      explicit_content_filter: 0, roles, emojis: [], stickers: [], features: [], mfa_level: 0,
      application_id: null, system_channel_id: null, system_channel_flags: 0, rules_channel_id: null, vanity_url_code: null,
      description: null, banner: null, premium_tier: 0, premium_subscription_count: 0, preferred_locale: 'en-US',
      public_updates_channel_id: null, safety_alerts_channel_id: null, nsfw_level: 0, premium_progress_bar_enabled: false,
      max_video_channel_users: 25, max_stage_video_channel_users: 50,
      joined_at: this.joinedAt, large: false, unavailable: false, member_count: this.knownUsers.size + 1,
      members: [], channels: this.guildChannels(guildId), threads: [], presences: [],
      voice_states: [], stage_instances: [], guild_scheduled_events: [], soundboard_sounds: [],
    } as unknown as APIGuild & Record<string, unknown>;
  }

  addRole(name: string, permissions = '0', id = this.sf()): string {
    const role: APIRole = { id, name, color: 0, colors: { primary_color: 0, secondary_color: null, tertiary_color: null }, hoist: false, icon: null, unicode_emoji: null, position: this.roles.size, permissions, managed: false, mentionable: true, flags: 0 as RoleFlags };
    this.roles.set(id, role);
    this.dispatch('GUILD_ROLE_CREATE', { guild_id: this.guildId, role }, INTENT_GUILDS);
    return id;
  }
  ensureRoles(u: FakeUser): void {
    for (const r of u.roles ?? []) if (!this.roles.has(r)) this.addRole(`role-${r.slice(-4)}`, '0', r);
  }
  addChannel(name: string, id = this.sf()): string {
    const ch = this.textChannel(id, name, this.channels.size);
    this.channels.set(id, ch);
    this.dispatch('CHANNEL_CREATE', ch, INTENT_GUILDS);
    return id;
  }
  /** A channel of the server that did not add the bot (no gateway event: the bot is not there). */
  foreignChannel(id?: string): string {
    const cid = id ?? (this.defaultForeignChannel ??= this.sf());
    if (!this.channels.has(cid)) this.channels.set(cid, { ...this.textChannel(cid, `elsewhere-${cid.slice(-4)}`, 0), guild_id: this.foreignGuildId });
    return cid;
  }
  private defaultForeignChannel: string | undefined;
  denyBot(channelId: string, permissions: string): void {
    const ch = this.channels.get(channelId);
    if (!ch || !('guild_id' in ch)) throw new Error(`fake-discord: no guild channel ${channelId}`);
    const others = (ch.permission_overwrites ?? []).filter((o) => !(o.type === 1 && o.id === this.botUser.id));
    ch.permission_overwrites = [...others, { id: this.botUser.id, type: 1, allow: '0', deny: permissions }];
    this.dispatch('CHANNEL_UPDATE', ch, INTENT_GUILDS);
  }
  addThread(name: string, parentId = this.channelId): string {
    const id = this.sf();
    const thread = {
      id, type: 11, guild_id: this.guildId, parent_id: parentId, name, owner_id: this.users.alice.id, last_message_id: null,
      rate_limit_per_user: 0, flags: 0, message_count: 0, member_count: 1, total_message_sent: 0,
      thread_metadata: { archived: false, auto_archive_duration: 1440, archive_timestamp: this.iso(), locked: false },
    } as unknown as APIThreadChannel;
    this.channels.set(id, thread);
    this.dispatch('THREAD_CREATE', { ...thread, newly_created: true }, INTENT_GUILDS);
    return id;
  }
  dmChannelFor(u: { id: string }): APIDMChannel {
    let id = this.dmChannels.get(u.id);
    if (!id) {
      id = this.sf();
      this.dmChannels.set(u.id, id);
      // as Discord sends a DM channel to bots: no name
      this.channels.set(id, { id, type: 1, last_message_id: null, flags: 0, recipients: [this.userById(u.id)] } as unknown as APIDMChannel);
    }
    return this.channels.get(id) as APIDMChannel;
  }

  // ---------------------------------------------------------------- CDN
  /** keeps the bytes under a signed-looking CDN URL (ex = expiry, as Discord's since 2024) and returns the attachment object */
  storeFile(chId: string, data: Buffer, filename: string, type?: string, extra: Partial<APIAttachment> = {}): APIAttachment {
    const id = this.sf();
    const name = sanitizeFilename(filename);
    const key = `/attachments/${chId}/${id}/${name}`;
    const contentType = mimeFor(name, type) ?? 'application/octet-stream';
    const expires = Math.floor(this.clock.now() / 1000) + 24 * 3600;
    this.blobs.set(key, { data, type: contentType, expires: expires * 1000 });
    const ex = expires.toString(16);
    const is = Math.floor(this.clock.now() / 1000).toString(16);
    const hm = createHash('sha256').update(key + ex).digest('hex');
    const qs = `?ex=${ex}&is=${is}&hm=${hm}&`;
    const encoded = `/attachments/${chId}/${id}/${encodeURIComponent(name)}`;
    const size = imageSize(data);
    const base = this.baseUrl();
    return {
      id, filename: name, size: data.length, url: `${base}/cdn${encoded}${qs}`, proxy_url: `${base}/media${encoded}${qs}`,
      content_type: contentType, ...(size ? { width: size.width, height: size.height, placeholder: 'fake', placeholder_version: 1 } : {}),
      ...extra,
    };
  }
  addAttachment(data: Buffer, filename: string, contentType?: string): APIAttachment {
    const att = this.storeFile(this.channelId, data, filename, contentType, { ephemeral: true });
    this.uploads.set(att.id, att);
    return att;
  }

  // ---------------------------------------------------------------- messages
  private notifyMessage(msg: APIMessage): void {
    for (const w of [...this.msgWaiters]) {
      let ok = false;
      try { ok = w.pred(msg); } catch { ok = false; }
      if (ok) { this.msgWaiters.delete(w); w.resolve(msg); }
    }
  }
  private gatewayMessageEvent(t: 'MESSAGE_CREATE' | 'MESSAGE_UPDATE', msg: APIMessage): void {
    if ((msg.flags ?? 0) & FLAG_EPHEMERAL) return;
    const ch = this.channels.get(msg.channel_id);
    if (!ch) return;
    if (ch.type === 1) this.dispatch(t, msg, INTENT_DIRECT_MESSAGES);
    else this.dispatch(t, { ...msg, guild_id: 'guild_id' in ch && ch.guild_id ? ch.guild_id : this.guildId }, INTENT_GUILD_MESSAGES);
  }
  saveNew(msg: APIMessage): APIMessage {
    this.messages.set(msg.id, msg);
    const ch = this.channels.get(msg.channel_id);
    if (ch && !((msg.flags ?? 0) & FLAG_EPHEMERAL)) ch.last_message_id = msg.id;
    this.gatewayMessageEvent('MESSAGE_CREATE', msg);
    this.notifyMessage(msg);
    this.emit({ type: 'message_create', message: msg });
    return msg;
  }
  saveEdit(msg: APIMessage): APIMessage {
    this.messages.set(msg.id, msg);
    this.gatewayMessageEvent('MESSAGE_UPDATE', msg);
    this.notifyMessage(msg);
    this.emit({ type: 'message_update', message: msg });
    return msg;
  }
  deleteMessage(id: string): void {
    const msg = this.messages.get(id);
    if (!msg) return;
    this.messages.delete(id);
    if (!((msg.flags ?? 0) & FLAG_EPHEMERAL)) {
      const ch = this.channels.get(msg.channel_id);
      const inGuild = ch !== undefined && 'guild_id' in ch && Boolean(ch.guild_id);
      this.dispatch('MESSAGE_DELETE', { id, channel_id: msg.channel_id, ...(inGuild ? { guild_id: ch.guild_id } : {}) }, ch?.type === 1 ? INTENT_DIRECT_MESSAGES : INTENT_GUILD_MESSAGES);
    }
    this.emit({ type: 'message_delete', message: msg });
  }

  // ---------------------------------------------------------------- commands
  findCommand(name: string, type = 1): StoredCommand | undefined {
    return this.guildCommands.find((c) => c.name === name && (c.type ?? 1) === type) ?? this.globalCommands.find((c) => c.name === name && (c.type ?? 1) === type);
  }

  // ---------------------------------------------------------------- REST bookkeeping
  record(c: RecordedCall): void {
    this.calls.push(c);
    for (const w of [...this.callWaiters]) {
      let ok = false;
      try { ok = w.pred(c); } catch { ok = false; }
      if (ok) { this.callWaiters.delete(w); w.resolve(c); }
    }
  }
  /** the first failNext injection matching this request, removed */
  takeFailure(method: string, path: string): Failure | undefined {
    const i = this.failures.findIndex((f) => { try { return f.pred(method, path); } catch { return false; } });
    if (i < 0) return undefined;
    return this.failures.splice(i, 1)[0];
  }
}
