// What a person does in a Discord channel, as calls: run a slash command as a user in a locale,
// ask for autocomplete choices, upload a file, click a button, pick from a select menu, submit a
// modal, read the channel. The web page and the JSON control API both go through here; every
// interaction goes to the real bot through the fake Discord's gateway, exactly as Discord's would.
import type { FakeDiscord, FakeUser, Interaction } from '../fake-discord.ts';
import type { FakeProxy } from '../fake-proxy.ts';

const FLAG_EPHEMERAL = 1 << 6;
/** Discord's window for the first answer to an interaction (3 s), plus a little slack. */
const RESPONSE_WAIT_MS = 3_500;

/** A mistake in a request (unknown user, option, message …): the control API answers 400. */
export class BadRequest extends Error {
  override readonly name = 'BadRequest';
}

export type ControlEvent =
  | { kind: 'message'; message: any }
  | { kind: 'delete'; message: any }
  | { kind: 'bot'; status: string };

export interface Actor {
  /** 'alice', 'bob', or a user id. Default alice. */
  user?: string;
  /** The interaction's locale (en-US, zh-CN, or any Discord locale). Default en-US. */
  locale?: string;
  /** Where a command is used or a message said: a text channel's id (default #general), or 'dm' (the user's DMs with the bot). */
  channel?: string;
}

/** A place in the sidebar: a text channel of the server, or the user's direct messages with the bot. */
export interface ChannelEntry {
  id: string;
  name: string;
  dm?: true;
}

export interface InteractionResult {
  interaction: { id: string; type: number; user: string; locale: string };
  /** The bot's first answer (Discord's interaction callback: {type, data}); null when it never came. */
  response: { type: number; data?: any } | null;
  /** true when the bot did not answer within Discord's window. */
  failed: boolean;
  /** The message the answer created or updated (type 4/5: the reply; 7: the updated message). */
  message?: any;
}

export interface CommandRequest extends Actor {
  name: string;
  /** 'sub' or 'group sub' for commands with subcommands. */
  subcommand?: string;
  /** {optionName: value} (attachments: an id from upload()), or Discord's own option array. */
  options?: Record<string, unknown> | any[];
}

export interface AutocompleteRequest extends CommandRequest {
  /** The option being typed in; default the last one given. */
  focused?: string;
}

/** Simulated-proxy scripting (playground only): how the next job goes. */
export type NextJob = 'success' | 'failure' | 'queued' | 'never';
const NEXT_JOBS: readonly NextJob[] = ['success', 'failure', 'queued', 'never'];

/**
 * The simulated proxy's switches the page offers (stand-ins/fake-proxy/types.ts): backends that
 * have no cancel route, an account whose Remix mode is off, a new-api relay's /submit/action (no
 * animate_*: Animate goes through /submit/video), no upload-discord-images route.
 */
export const BACKEND_QUIRKS = ['noCancel', 'remixOff', 'newApiActions', 'noUploadImages'] as const;
export type BackendQuirk = (typeof BACKEND_QUIRKS)[number];
export interface Simulation {
  remix: boolean;
  quirks: Record<BackendQuirk, boolean>;
  /** With two simulated backends (MJ_BACKENDS built by the playground): each one's name and whether it is down. */
  backends?: { name: string; down: boolean }[];
}

/** A simulated backend of the playground: its name in MJ_BACKENDS and its proxy. */
export interface SimulatedBackend {
  name: string;
  proxy: FakeProxy;
}

export class Control {
  private readonly listeners = new Set<(e: ControlEvent) => void>();
  private readonly uploads = new Map<string, any>();

  constructor(
    readonly discord: FakeDiscord,
    private readonly opts: { simulated?: FakeProxy; backends?: readonly SimulatedBackend[] } = {},
  ) {
    // Two backends: a scripted job is scripted on both (the bot picks which takes it); the first
    // submit either one answers uses the script, and the other one's is dropped.
    const backends = opts.backends ?? [];
    if (backends.length > 1) {
      for (const b of backends) {
        b.proxy.onRequest((r) => {
          if (r.status === 200 && /\/submit\//.test(r.route ?? r.path)) for (const other of backends) if (other !== b) other.proxy.dropTimelines();
        });
      }
    }
    discord.on((e) => {
      if (e.type === 'message_create' || e.type === 'message_update') this.emit({ kind: 'message', message: e.message });
      else if (e.type === 'message_delete') this.emit({ kind: 'delete', message: e.message });
    });
  }

  on(listener: (e: ControlEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(e: ControlEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch {
        /* a closed page's stream: it unsubscribes on its own */
      }
    }
  }

  /** alice, bob and the bot, as Discord user objects (the page shows mentions with their names). */
  users(): any[] {
    return [...this.discord.knownUsers(), { ...this.discord.botUser }];
  }

  user(nameOrId: string | undefined): FakeUser {
    const key = nameOrId ?? 'alice';
    const { alice, bob } = this.discord.users;
    const found = [alice, bob].find((u) => u.username === key || u.id === key);
    if (!found) throw new BadRequest(`unknown user ${JSON.stringify(key)}: use alice or bob`);
    return found;
  }

  /** The registered slash commands, as Discord returns them (GET /applications/{id}/commands). */
  commands(): any[] {
    return this.discord.commands;
  }

  /** The sidebar: the server's text channels (#general first), then the user's DMs with the bot. */
  channels(user?: string): ChannelEntry[] {
    const u = this.user(user);
    const text = this.discord.channelList().filter((c) => c.type === 0);
    const general = text.filter((c) => c.id === this.discord.channelId);
    const rest = text.filter((c) => c.id !== this.discord.channelId);
    return [...general, ...rest].map((c) => ({ id: c.id, name: c.name } as ChannelEntry)).concat({ id: this.discord.dmChannelId(u.id) ?? 'dm', name: 'Direct messages', dm: true });
  }

  /** Is this message visible to this user? Ephemeral messages only to the user whose interaction made them; DMs only to their recipient. */
  visibleTo(message: any, userId: string): boolean {
    const dmOwner = this.dmOwner(message.channel_id);
    if (dmOwner !== undefined) return dmOwner === userId;
    if (!this.inGuild(message.channel_id)) return false;
    if (!(Number(message.flags ?? 0) & FLAG_EPHEMERAL)) return true;
    return message.interaction_metadata?.user?.id === userId;
  }

  /** A channel's messages (default #general; 'dm': the user's DMs with the bot), oldest first, as Discord message objects: public ones, and the user's own ephemeral ones. */
  messages(user?: string, channel?: string): any[] {
    const u = this.user(user);
    const chId = this.channelId(channel, u);
    return this.allMessages(u.id).filter((m) => m.channel_id === chId);
  }

  /** Every message this user can see, in every channel and their DMs, oldest first. */
  allMessages(userId: string): any[] {
    const all = [...this.discord.messages.values()].filter((m) => this.visibleTo(m, userId));
    return all.sort((a, b) => compareIds(a.id, b.id));
  }

  message(id: string): any {
    const m = this.discord.messages.get(id);
    if (!m) throw new BadRequest(`no message ${id}`);
    return m;
  }

  /** Stores a file as Discord stores an upload; the result's id goes into an attachment option or a modal's file field. */
  upload(data: Buffer, filename: string, contentType?: string): any {
    if (!filename) throw new BadRequest('a file name is needed');
    const att = this.discord.addAttachment(data, filename, contentType);
    this.uploads.set(att.id, att);
    return att;
  }

  async runCommand(req: CommandRequest): Promise<InteractionResult> {
    const { user, locale } = this.actor(req);
    const { options, attachments } = this.commandOptions(req, false);
    const it = this.discord.sendSlashCommand(req.name, options, { user, locale, attachments, ...this.where(req.channel, user) });
    return this.outcome(it, user, locale);
  }

  async autocomplete(req: AutocompleteRequest): Promise<{ choices: any[] }> {
    const { user, locale } = this.actor(req);
    const { options } = this.commandOptions(req, true, req.focused);
    const it = this.discord.autocomplete(req.name, options, { user, locale, ...this.where(req.channel, user) });
    const r = await this.outcome(it, user, locale);
    return { choices: r.response?.type === 8 ? (r.response.data?.choices ?? []) : [] };
  }

  async click(req: Actor & { messageId: string; customId: string }): Promise<InteractionResult> {
    const { user, locale } = this.actor(req);
    const it = this.guard(() => this.discord.clickButton(String(req.messageId), String(req.customId), { user, locale, ...this.onMessage(req.messageId) }));
    return this.outcome(it, user, locale);
  }

  async select(req: Actor & { messageId: string; customId: string; values: string[] }): Promise<InteractionResult> {
    const { user, locale } = this.actor(req);
    const values = Array.isArray(req.values) ? req.values.map(String) : [];
    const it = this.guard(() => this.discord.selectMenu(String(req.messageId), String(req.customId), values, { user, locale, ...this.onMessage(req.messageId) }));
    return this.outcome(it, user, locale);
  }

  /** Submits the modal the bot showed last with this custom_id. `files`: input custom_id → upload ids. */
  async submitModal(req: Actor & { customId: string; values?: Record<string, string>; files?: Record<string, string[]>; messageId?: string }): Promise<InteractionResult> {
    const { user, locale } = this.actor(req);
    const files: Record<string, any[]> = {};
    for (const [field, ids] of Object.entries(req.files ?? {})) files[field] = (Array.isArray(ids) ? ids : [ids]).map((id) => this.uploaded(String(id)));
    const values = Object.fromEntries(Object.entries(req.values ?? {}).map(([k, v]) => [k, String(v ?? '')]));
    const it = this.guard(() => this.discord.submitModal(String(req.customId), values, { user, locale, files, messageId: req.messageId, ...(req.messageId ? this.onMessage(req.messageId) : {}) }));
    return this.outcome(it, user, locale);
  }

  /** A plain chat message from a user (the bot reads no messages; the channel just shows it). */
  say(req: Actor & { content: string }): any {
    const content = String(req.content ?? '').slice(0, 2000);
    if (!content.trim()) throw new BadRequest('content is empty');
    const user = this.user(req.user);
    return this.discord.postUserMessage(content, { user, channelId: this.channelId(req.channel, user) });
  }

  /** The simulated proxy only: how the next job goes, whether variations ask for a prompt first (remix), and the backend's quirks. */
  async simulate(req: { nextJob?: NextJob; remix?: boolean; quirks?: Partial<Record<BackendQuirk, boolean>>; skipMinutes?: number; down?: Record<string, boolean> }): Promise<Simulation> {
    const proxy = this.opts.simulated;
    if (!proxy) throw new BadRequest('the playground talks to a real backend: jobs cannot be scripted');
    const backends = this.opts.backends ?? [];
    // Checked before anything changes: a request with a mistake changes nothing.
    if (req.down !== undefined) {
      if (backends.length < 2) throw new BadRequest('down: the playground runs one simulated backend (start it with --two-backends)');
      if (typeof req.down !== 'object' || req.down === null || Array.isArray(req.down)) throw new BadRequest(`down: expected an object of ${backends.map((b) => b.name).join(', ')} to true or false`);
      const unknown = Object.keys(req.down).filter((k) => !backends.some((b) => b.name === k));
      if (unknown.length) throw new BadRequest(`down: no backend ${unknown.join(', ')}; the backends are ${backends.map((b) => b.name).join(', ')}`);
    }
    const all = backends.length > 1 ? backends.map((b) => b.proxy) : [proxy];
    if (req.skipMinutes !== undefined) {
      // Discord's clock (and the bot's) jumps ahead: interaction tokens older than 15 minutes expire.
      const m = Number(req.skipMinutes);
      if (!Number.isInteger(m) || m < 1 || m > 24 * 60) throw new BadRequest('skipMinutes: expected a whole number of minutes, 1 to 1440');
      this.discord.clock.advance(m * 60_000);
    }
    if (req.nextJob !== undefined) {
      if (!NEXT_JOBS.includes(req.nextJob)) throw new BadRequest(`nextJob: expected one of ${NEXT_JOBS.join(', ')}`);
      for (const p of all) p.nextTimeline(req.nextJob);
    }
    if (req.remix !== undefined) for (const p of all) p.setQuirks({ remix: req.remix === true });
    if (req.quirks !== undefined) {
      if (typeof req.quirks !== 'object' || req.quirks === null) throw new BadRequest(`quirks: expected an object of ${BACKEND_QUIRKS.join(', ')}`);
      const unknown = Object.keys(req.quirks).filter((k) => !(BACKEND_QUIRKS as readonly string[]).includes(k));
      if (unknown.length) throw new BadRequest(`quirks: no ${unknown.join(', ')}; the page switches ${BACKEND_QUIRKS.join(', ')}`);
      for (const p of all) p.setQuirks(Object.fromEntries(Object.entries(req.quirks).map(([k, v]) => [k, v === true])));
    }
    // Down: its listener closes (connections refused: new jobs go to the other backend, its own
    // jobs say it cannot be reached); up: it listens again on the same port.
    if (req.down !== undefined) for (const [name, down] of Object.entries(req.down)) await backends.find((b) => b.name === name)!.proxy.setOffline(down === true);
    return this.simulation()!;
  }

  /** The simulated backends' switches as they are (undefined with a real backend). */
  simulation(): Simulation | undefined {
    const proxy = this.opts.simulated;
    if (!proxy) return undefined;
    const q = proxy.quirks;
    const backends = this.opts.backends ?? [];
    return {
      remix: q.remix,
      quirks: Object.fromEntries(BACKEND_QUIRKS.map((k) => [k, q[k] === true || q[k] === 'html'])) as Record<BackendQuirk, boolean>,
      ...(backends.length > 1 ? { backends: backends.map((b) => ({ name: b.name, down: b.proxy.offline })) } : {}),
    };
  }

  // ───────────────────────── internals

  private inGuild(channelId: string): boolean {
    return this.guildChannelIds().has(channelId);
  }

  /** The server's text channels (the playground never uses the fake's other guild). */
  private guildChannelIds(): Set<string> {
    return new Set(this.discord.channelList().filter((c) => c.type === 0).map((c) => c.id));
  }

  /** The user whose DM channel this is, if it is one. */
  private dmOwner(channelId: string): string | undefined {
    for (const u of [this.discord.users.alice, this.discord.users.bob]) if (this.discord.dmChannelId(u.id) === channelId) return u.id;
    return undefined;
  }

  /** A channel given as an id, 'dm', or nothing (#general), checked against the sidebar. */
  private channelId(channel: string | undefined, user: FakeUser): string | undefined {
    if (channel === undefined || channel === '' || channel === this.discord.channelId) return this.discord.channelId;
    if (channel === 'dm' || (channel === this.discord.dmChannelId(user.id))) return this.discord.dmChannelId(user.id);
    if (!this.guildChannelIds().has(channel)) throw new BadRequest(`no channel ${JSON.stringify(channel)}: use a text channel's id or 'dm'`);
    return channel;
  }

  /** How an interaction is placed: in a text channel of the server, or in the user's DMs with the bot. */
  private where(channel: string | undefined, user: FakeUser): { channelId?: string; dm?: boolean } {
    if (channel === 'dm' || (channel && channel === this.discord.dmChannelId(user.id))) return { dm: true };
    return { channelId: this.channelId(channel, user) };
  }

  /** A click on a message in a DM is a DM interaction. */
  private onMessage(messageId: string): { dm?: boolean } {
    const m = this.discord.messages.get(String(messageId));
    return m && this.dmOwner(m.channel_id) !== undefined ? { dm: true } : {};
  }

  private actor(a: Actor): { user: FakeUser; locale: string } {
    const locale = a.locale ?? 'en-US';
    if (typeof locale !== 'string' || !/^[a-z]{2}(-[A-Z]{2})?$/.test(locale)) throw new BadRequest(`bad locale ${JSON.stringify(locale)}`);
    return { user: this.user(a.user), locale };
  }

  private uploaded(id: string): any {
    const att = this.uploads.get(id);
    if (!att) throw new BadRequest(`no uploaded file ${id}: POST /api/attachments first`);
    return att;
  }

  /** The fake throws on clicks Discord would not send (no such message, a disabled button): those are 400s. */
  private guard(send: () => Interaction): Interaction {
    try {
      return send();
    } catch (err) {
      throw new BadRequest((err as Error).message.replace(/^fake-discord: /, ''));
    }
  }

  /** Discord's option array from `{name: value}`, typed by the registered command; attachments resolved. */
  private commandOptions(req: CommandRequest, forAutocomplete: boolean, focused?: string): { options: any[]; attachments: any[] } {
    const command = this.commands().find((c) => c.name === req.name);
    if (!command) throw new BadRequest(`no command /${req.name}; registered: ${this.commands().map((c) => c.name).join(', ')}`);
    const attachments: any[] = [];
    if (Array.isArray(req.options)) {
      for (const o of req.options) if (o?.type === 11 && typeof o.value === 'string') attachments.push(this.uploaded(o.value));
      return { options: req.options, attachments };
    }
    let defs: any[] = command.options ?? [];
    const path: any[] = [];
    for (const part of (req.subcommand ?? '').split(/\s+/).filter(Boolean)) {
      const sub = defs.find((d) => (d.type === 1 || d.type === 2) && d.name === part);
      if (!sub) throw new BadRequest(`/${req.name} has no subcommand ${part}`);
      path.push(sub);
      defs = sub.options ?? [];
    }
    if (defs.some((d) => d.type === 1 || d.type === 2)) throw new BadRequest(`/${req.name} needs a subcommand: ${defs.map((d) => d.name).join(', ')}`);
    const given = (req.options ?? {}) as Record<string, unknown>;
    const leaf: any[] = [];
    for (const [name, raw] of Object.entries(given)) {
      if (raw === undefined || raw === null || raw === '') continue;
      const def = defs.find((d) => d.name === name);
      if (!def) throw new BadRequest(`/${req.name} has no option ${name}; it has ${defs.map((d) => d.name).join(', ')}`);
      const value = this.optionValue(def, raw, forAutocomplete);
      if (def.type === 11) attachments.push(this.uploaded(String(value)));
      leaf.push({ name, type: def.type, value });
    }
    if (forAutocomplete) {
      const target = focused ?? leaf[leaf.length - 1]?.name;
      const f = leaf.find((o) => o.name === target);
      if (f) f.focused = true;
      else if (target) leaf.push({ name: target, type: defs.find((d) => d.name === target)?.type ?? 3, value: '', focused: true });
    } else {
      const missing = defs.filter((d) => d.required && !leaf.some((o) => o.name === d.name)).map((d) => d.name);
      if (missing.length) throw new BadRequest(`/${req.name}: required option(s) missing: ${missing.join(', ')}`);
    }
    let options = leaf;
    for (const sub of [...path].reverse()) options = [{ name: sub.name, type: sub.type, options }];
    return { options, attachments };
  }

  private optionValue(def: any, raw: unknown, loose: boolean): unknown {
    switch (def.type) {
      case 4:
      case 10: {
        if (loose && raw === '') return '';
        const n = Number(raw);
        if (!Number.isFinite(n) || (def.type === 4 && !Number.isInteger(n))) {
          if (loose) return String(raw);
          throw new BadRequest(`option ${def.name}: expected ${def.type === 4 ? 'an integer' : 'a number'}`);
        }
        return n;
      }
      case 5:
        return raw === true || raw === 'true';
      case 6:
        return this.user(String(raw)).id;
      default:
        return String(raw);
    }
  }

  /** Waits for the bot's first answer to the interaction (or Discord's 3 s window to pass). */
  private outcome(it: Interaction, user: FakeUser, locale: string): Promise<InteractionResult> {
    const base = { interaction: { id: it.id, type: it.type as number, user: user.username, locale } };
    return new Promise((resolve) => {
      const done = () => {
        off();
        clearTimeout(timer);
        const st = this.discord.stateOf(it);
        const message = st?.originalId ? this.discord.messages.get(st.originalId) : undefined;
        resolve({ ...base, response: st?.callback ?? null, failed: !st?.acked, ...(message ? { message } : {}) });
      };
      const off = this.discord.on((e) => {
        if (e.type === 'interaction_response' && e.interaction.id === it.id) done();
      });
      const timer = setTimeout(done, RESPONSE_WAIT_MS);
      if (this.discord.stateOf(it)?.acked) done();
    });
  }
}

/** Snowflakes compared as numbers (they are longer than 2^53). */
function compareIds(a: string, b: string): number {
  return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
}
