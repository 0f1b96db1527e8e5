// The FakeDiscord object tests, the playground and the bench drive: the state's fields, the user's actions, waiting, control.
import type http from 'node:http';
import { WebSocket, type WebSocketServer } from 'ws';
import type { APIMessage } from 'discord-api-types/v10';
import type { FakeDiscord, RecordedCall } from './types.ts';
import { FLAG_EPHEMERAL } from './flags.ts';
import { newMessage } from './messages.ts';
import { shardOf, type FakeDiscordState } from './state.ts';
import { autocomplete, componentInteraction, sendSlashCommand, submitModal } from './send-interaction.ts';

export function publicApi(s: FakeDiscordState, server: http.Server, wss: WebSocketServer): FakeDiscord {
  const { calls, messages, interactions } = s;
  const closed = { value: false };
  const fake: FakeDiscord = {
    apiBase: `${s.baseUrl()}/api`,
    baseUrl: s.baseUrl(),
    gatewayUrl: s.gatewayUrl(),
    port: s.port,
    appId: s.appId, guildId: s.guildId, channelId: s.channelId, token: s.token, botUser: s.botUser, users: s.users,
    calls, messages, gatewayLog: s.gatewayLog, modals: s.modals, clock: s.clock,
    get commands() { return s.lastCommands; },
    get globalCommands() { return s.globalCommands; },
    get guildCommands() { return s.guildCommands; },
    get rateLimitHits() { return s.rateLimitHits; },
    get globalRateLimitHits() { return s.globalHits; },
    addGuild: (name, shard) => s.addGuild(name, shard),
    shardOf: (guildId, count) => shardOf(guildId, count),
    sessionShards: () => [...s.sessions.values()].filter((x) => x.ws?.readyState === WebSocket.OPEN).map((x) => [...x.shard] as [number, number]),
    makeUser(username, r) { const u = s.makeUser(username, r); s.ensureRoles(u); return u; },
    addRole: (name, permissions) => s.addRole(name, permissions),
    addChannel: (name) => s.addChannel(name),
    channelList: () => [...s.channels.values()].map((c) => ({ id: c.id, name: String((c as { name?: unknown }).name ?? ''), type: c.type, guildId: 'guild_id' in c && c.guild_id ? c.guild_id : null })),
    roleList: () => [...s.roles.values()].map((r) => ({ id: r.id, name: r.name })),
    dmChannelId: (userId) => s.dmChannels.get(userId),
    addThread: (name, parentId) => s.addThread(name, parentId),
    denyBotInChannel: (channelId, permissions) => s.denyBot(channelId, permissions),
    foreignGuildId: s.foreignGuildId,
    addAttachment: (data, filename, contentType) => s.addAttachment(data, filename, contentType),
    postUserMessage(content, o = {}) {
      const u = o.user ?? s.users.alice;
      const chId = o.channelId ?? s.channelId;
      const atts = (o.attachments ?? []).map((a) => ({ ...a, ephemeral: undefined }));
      const msg = { ...newMessage(s, chId, { content }, atts, 0), author: s.apiUser(u) };
      return s.saveNew(msg);
    },
    sendSlashCommand: (name, options, o) => sendSlashCommand(s, name, options, o),
    clickButton: (messageId, customId, o = {}) => componentInteraction(s, messageId, customId, {}, o),
    selectMenu: (messageId, customId, values, o = {}) => componentInteraction(s, messageId, customId, { values }, o),
    submitModal: (customId, values, o) => submitModal(s, customId, values, o),
    autocomplete: (name, options, o) => autocomplete(s, name, options, o),
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
          s.callWaiters.delete(w);
          const recent = calls.slice(-8).map((c) => `${c.status} ${c.method} ${c.path}`).join('\n  ');
          reject(new Error(`fake-discord: timeout after ${timeoutMs} ms waiting for a REST call; last calls:\n  ${recent}`));
        }, timeoutMs);
        t.unref?.();
        s.callWaiters.add(w);
      });
    },
    waitForMessage(pred, timeoutMs = 5000) {
      const hit = [...messages.values()].find((m) => { try { return pred(m); } catch { return false; } });
      if (hit) return Promise.resolve(hit);
      return new Promise<APIMessage>((resolve, reject) => {
        const w = {
          pred,
          resolve: (m: APIMessage) => { clearTimeout(t); resolve(m); },
          reject: (e: Error) => { clearTimeout(t); reject(e); },
        };
        const t = setTimeout(() => {
          s.msgWaiters.delete(w);
          const recent = [...messages.values()].slice(-5).map((m) => `${m.id}: ${JSON.stringify(m.content).slice(0, 80)}`).join('\n  ');
          reject(new Error(`fake-discord: timeout after ${timeoutMs} ms waiting for a message; last messages:\n  ${recent}`));
        }, timeoutMs);
        t.unref?.();
        s.msgWaiters.add(w);
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
    channelMessages(chId = s.channelId) {
      return [...messages.values()].filter((m) => m.channel_id === chId && !((m.flags ?? 0) & FLAG_EPHEMERAL));
    },
    deleteMessage: (id) => s.deleteMessage(id),
    on(listener) {
      s.listeners.add(listener);
      return () => { s.listeners.delete(listener); };
    },
    knownUsers: () => [...s.knownUsers.values()].map((u) => s.apiUser(u)),
    failNext(pred, status, body) { s.failures.push({ pred, status, body }); },
    dispatch: (t, d) => s.dispatch(t, d),
    disconnectGateway(code = 4000) {
      for (const session of s.sessions.values()) if (session.ws) { const w = session.ws; session.ws = undefined; w.close(code, 'fake-discord: disconnect'); }
      for (const w of wss.clients) if (w.readyState === WebSocket.OPEN) w.close(code, 'fake-discord: disconnect');
    },
    requestReconnect() {
      for (const w of wss.clients) if (w.readyState === WebSocket.OPEN) w.send(JSON.stringify({ op: 7, d: null }));
    },
    async close() {
      if (closed.value) return;
      closed.value = true;
      const e = new Error('fake-discord closed');
      for (const w of [...s.callWaiters]) w.reject(e);
      for (const w of [...s.msgWaiters]) w.reject(e);
      s.callWaiters.clear();
      s.msgWaiters.clear();
      s.listeners.clear();
      for (const w of wss.clients) w.terminate();
      wss.close();
      server.closeAllConnections(); // drop undici keep-alive sockets so the process can exit
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  return fake;
}
