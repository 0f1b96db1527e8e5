// Public types of the fake Discord (REST v10 + Gateway v10). Plain module: no test-framework imports.
import type { APIAttachment, APIInteractionResponse, APIMessage, APIModalInteractionResponseCallbackData, APIUser } from 'discord-api-types/v10';

export interface FakeDiscordOptions {
  /** Bot token the fake accepts (REST `Authorization: Bot <token>` and gateway IDENTIFY). Default 'test-token'. */
  token?: string;
  appId?: string;
  guildId?: string;
  channelId?: string;
  /** Initial-response window for interaction callbacks, REAL time (Date.now). Default 3000 (Discord: 3 s). */
  callbackDeadlineMs?: number;
  /**
   * `clock`: 'real' (default) follows real time, plus what advance() added; 'manual' stands still
   * and moves only by advance(), so a test that shares it with the app does not drift while the
   * machine is busy.
   */
  clock?: 'real' | 'manual';
  /** Interaction token lifetime for webhook routes, measured on `clock`. Default 15 min. */
  tokenLifetimeMs?: number;
  /** HELLO heartbeat_interval. Default 41250. */
  heartbeatIntervalMs?: number;
  /** GET /gateway/bot's recommended `shards` (what discord.js's `shards: 'auto'` starts). Default 1. */
  recommendedShards?: number;
  /** GET /gateway/bot's session_start_limit.max_concurrency: shards that may IDENTIFY in the same 5 s (Discord: 1; 16 and up for large bots). Default 1. */
  maxConcurrency?: number;
  /** If false the gateway never answers HEARTBEAT with HEARTBEAT_ACK (zombie connection). Default true. */
  ackHeartbeats?: boolean;
  /** Enforce per-route buckets (REAL time). Default true. */
  rateLimits?: boolean;
  /** Bucket for PATCH message edits, per channel (channel route) or per webhook id+token (webhook route). Default {count:5, perMs:5000}. */
  editLimit?: { count: number; perMs: number };
  /**
   * Bucket for message creation: POST /channels/{c}/messages per channel, Discord's 5 per 5 s (the default;
   * false: off); POST /webhooks/{id}/{token} per token only when set here (Discord publishes no figure for it).
   */
  createLimit?: { count: number; perMs: number } | false;
  /**
   * Discord's global limit: requests per bot token (REAL time), every route but the interaction-token ones
   * (/interactions/{id}/{token}/callback, /webhooks/{id}/{token}…). A 429 with `global: true` and
   * X-RateLimit-Global. Default {count:50, perMs:1000} (Discord's 50 a second); false or rateLimits:false: off.
   */
  globalLimit?: { count: number; perMs: number } | false;
  /** Per-file upload limit in bytes (an un-boosted guild: 10 MiB). Larger files → 413 40005. Default 10 MiB. */
  fileSizeLimit?: number;
  /** Whole-request limit in bytes (Discord: 25 MiB). Default 25 MiB. */
  requestSizeLimit?: number;
  /** Bot user's name. Default 'mjbot-fake'. */
  botUsername?: string;
  /**
   * The address it listens on, and puts in the URLs it hands out (REST base, gateway, attachments). Default
   * 127.0.0.1. An address containers reach (scripts/scaled-check.sh: the Docker bridge's, on the host).
   */
  host?: string;
  /**
   * The bot's permissions in the guild's channels (what its invite granted), as a decimal bitfield;
   * channel routes refuse what they do not cover (403 50001 / 50013). Default: everything but Administrator.
   */
  botPermissions?: string;
}

export interface FakeUser {
  id: string;
  username: string;
  /** Guild role ids of this user; unknown role ids are created in the guild (GUILD_ROLE_CREATE) on first use. */
  roles?: string[];
  /** Member permissions bitfield as a decimal string. Default: everything but Administrator. */
  permissions?: string;
  global_name?: string | null;
  /** Takes no DMs from the bot (privacy settings, or blocked it): messages to their DM channel get 403 50007. */
  dmsClosed?: boolean;
}

export interface RecordedFile {
  field: string;
  name: string;
  type: string;
  size: number;
  data: Buffer;
}

export interface RecordedCall {
  method: string;
  /** path after /api/v10, percent-decoded (so `@original`), no query. CDN requests are recorded as `/cdn/...` too. */
  path: string;
  query: Record<string, string>;
  /** Authorization header (`Bot <token>`), undefined for interaction callbacks / webhook-token routes. */
  auth?: string;
  contentType?: string;
  /** JSON body, or `payload_json` of a multipart body. */
  json: any;
  files: RecordedFile[];
  status: number;
  /** Response body the fake sent (parsed JSON), if any. */
  response?: any;
  /** Date.now() when the request arrived. */
  at: number;
  /** The address the request came from (the socket's remote address). */
  from?: string;
}

export type Interaction = { id: string; token: string; [k: string]: any };

export interface InteractionOpts {
  user?: FakeUser;
  locale?: string;
  /** channel the interaction happens in (created in the guild on first use). */
  channelId?: string;
  /** DM with the bot instead of the guild (no member/guild; `user` instead). */
  dm?: boolean;
  /** Authorized by the user's own install of the app only (authorizing_integration_owners {"1": user}),
   * as in a server that did not install the bot, or a DM reached through the user install. */
  userInstall?: boolean;
  /**
   * In a server that did not add the bot (implies userInstall): another guild, whose channels the bot
   * cannot reach (every bot-auth request there: 403 50001), as Discord has it for user-installed apps.
   */
  botAbsent?: boolean;
  attachmentSizeLimit?: number;
}

export interface SlashOpts extends InteractionOpts {
  /** objects from addAttachment, put into data.resolved.attachments */
  attachments?: APIAttachment[];
}

export interface ModalSubmitOpts extends InteractionOpts {
  /** the message whose component opened the modal (defaults to the source message of the interaction that showed it) */
  messageId?: string;
  /** file-upload custom_id -> attachment objects from addAttachment */
  files?: Record<string, APIAttachment[]>;
}

export interface InteractionState {
  id: string;
  token: string;
  type: number;
  payload: Interaction;
  channelId: string;
  sentAtReal: number;
  sentAtClock: number;
  acked: boolean;
  callback?: APIInteractionResponse;
  callbackFiles?: RecordedFile[];
  originalId?: string;
  followUpIds: string[];
  sourceMessageId?: string;
  /** set when the deferred (type 5) loading message has not been edited yet */
  loading?: boolean;
}

/** What happened on the fake, as the playground's page needs to see it live (`fake.on(listener)`). */
export type FakeDiscordEvent =
  | { type: 'message_create' | 'message_update'; message: APIMessage }
  | { type: 'message_delete'; message: APIMessage }
  /** The bot accepted an interaction callback: 4/5 reply, 6/7 update, 8 autocomplete choices, 9 modal. */
  | { type: 'interaction_response'; interaction: InteractionState; callbackType: number; data: unknown };

/**
 * The fake as its users drive it. Messages, commands, recorded bodies and test-written options stay `any` here on purpose:
 * tests read whatever field of what the bot sent (`m.components[0].components[1].custom_id`), which Discord's union types
 * would make every test narrow first; inside the fake they are APIMessage, APIApplicationCommand, unknown.
 */
export interface FakeDiscord {
  /** 'http://127.0.0.1:PORT/api' (pass as Client rest.api) */
  apiBase: string;
  /** 'http://127.0.0.1:PORT' */
  baseUrl: string;
  /** 'ws://127.0.0.1:PORT/gateway' */
  gatewayUrl: string;
  port: number;
  appId: string;
  guildId: string;
  channelId: string;
  token: string;
  botUser: APIUser;
  users: { alice: FakeUser; bob: FakeUser };
  calls: RecordedCall[];
  /** every message (channel + webhook + ephemeral) as Discord message objects; edits replace the object */
  messages: Map<string, any>;
  /** last registered command list (global or guild PUT) */
  readonly commands: any[];
  readonly globalCommands: any[];
  readonly guildCommands: any[];
  /** number of 429 answers the fake gave */
  readonly rateLimitHits: number;
  /**
   * Another server the bot is in, with one text channel (`channelId`); interactions sent there carry its guild_id
   * and reach the session of its shard. `shard` ([id, count]) picks an id that falls on that shard.
   */
  addGuild(name?: string, shard?: [number, number]): { guildId: string; channelId: string };
  /** Discord's routing: the shard of a guild's events, (guild_id >> 22) % count. */
  shardOf(guildId: string, count: number): number;
  /** The open gateway sessions' [shard_id, num_shards]. */
  sessionShards(): [number, number][];
  /** 429s of the global limit (also in rateLimitHits) */
  readonly globalRateLimitHits: number;
  /** client -> server gateway payloads (IDENTIFY token redacted) and connects */
  gatewayLog: Record<string, unknown>[];
  /** modals the bot showed (callback type 9 data), oldest first */
  modals: APIModalInteractionResponseCallbackData[];
  /** controllable clock for token expiry, CDN URL expiry and message timestamps */
  clock: { now(): number; advance(ms: number): void };

  makeUser(username: string, roles?: string[]): FakeUser;
  /** create a guild role (dispatches GUILD_ROLE_CREATE); returns its id */
  addRole(name: string, permissions?: string): string;
  /** create a text channel in the guild (dispatches CHANNEL_CREATE); returns its id */
  addChannel(name: string): string;
  /** the server's channels (and threads), as a channel select lists them */
  channelList(): { id: string; name: string; type: number; guildId: string | null }[];
  /** The server's roles (@everyone first), for a role select. */
  roleList(): { id: string; name: string }[];
  /** the id of the bot's DM channel with this user, once there is one (the bot opened it, or the user used the app in DMs) */
  dmChannelId(userId: string): string | undefined;
  /** the bot's own member overwrite in a channel: these permission bits (decimal) denied there (CHANNEL_UPDATE) */
  denyBotInChannel(channelId: string, permissions: string): void;
  /** the guild the bot is not in (botAbsent interactions happen there) */
  foreignGuildId: string;
  /** create a public thread (type 11) under a text channel (default: the default channel); returns its id */
  addThread(name: string, parentId?: string): string;
  addAttachment(data: Buffer, filename: string, contentType?: string): APIAttachment;
  /** a message written by a human in a channel (for replies, mentions …) */
  postUserMessage(content: string, opts?: { user?: FakeUser; channelId?: string; attachments?: APIAttachment[] }): APIMessage;

  sendSlashCommand(name: string, options?: any[], opts?: SlashOpts): Interaction;
  clickButton(messageId: string, customId: string, opts?: InteractionOpts): Interaction;
  selectMenu(messageId: string, customId: string, values: string[], opts?: InteractionOpts): Interaction;
  submitModal(customId: string, values: Record<string, string>, opts?: ModalSubmitOpts): Interaction;
  autocomplete(name: string, options: any[], opts?: InteractionOpts): Interaction;

  waitForCall(pred: (c: RecordedCall) => boolean, timeoutMs?: number): Promise<RecordedCall>;
  waitForMessage(pred: (m: any) => boolean, timeoutMs?: number): Promise<any>;
  originalOf(interaction: Interaction): any;
  callbackOf(interaction: Interaction): any;
  followUpsOf(interaction: Interaction): any[];
  stateOf(interaction: Interaction): InteractionState | undefined;
  /** non-ephemeral messages of a channel, oldest first */
  channelMessages(channelId?: string): any[];

  deleteMessage(id: string): void;
  /** Calls `listener` synchronously on every event; returns the unsubscribe function. */
  on(listener: (e: FakeDiscordEvent) => void): () => void;
  /** Users the fake knows (alice, bob, makeUser's), as API user objects. */
  knownUsers(): APIUser[];
  failNext(pred: (method: string, path: string) => boolean, status: number, body?: unknown): void;
  /** raw dispatch to every gateway session */
  dispatch(t: string, d: unknown): void;
  disconnectGateway(code?: number): void;
  /** send op 7 RECONNECT to every socket */
  requestReconnect(): void;
  close(): Promise<void>;
}
