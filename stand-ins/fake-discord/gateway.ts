// Gateway v10 over a WebSocket on /gateway (JSON, no compression): HELLO, HEARTBEAT_ACK, IDENTIFY → READY (+ GUILD_CREATE
// with the Guilds intent), RESUME replays what a session missed. Plus the REST routes that point a client to it.
// Sharded as Discord: IDENTIFY's shard [id, count] (4010 when impossible); a session gets the guilds, events and
// interactions of guilds with (guild_id >> 22) % count === id, and DMs on shard 0 (FakeDiscordState.dispatch).
import type http from 'node:http';
import { randomBytes } from 'node:crypto';
import { WebSocketServer, WebSocket } from 'ws';
import type { APIGatewayBotInfo, APIGatewayInfo } from 'discord-api-types/v10';
import type { ApiRequest, ApiResponse } from './responses.ts';
import { INTENT_GUILDS, shardOf, type DispatchFrame, type FakeDiscordState, type Session } from './state.ts';

/** IDENTIFY's `shard`: [shard_id, num_shards] with 0 ≤ shard_id < num_shards (absent: [0, 1]); undefined when invalid (Discord: close 4010). */
function shardOfIdentify(v: unknown): [number, number] | undefined {
  if (v === undefined) return [0, 1];
  if (!Array.isArray(v) || v.length !== 2 || !v.every((n) => Number.isSafeInteger(n))) return undefined;
  const [id, count] = v as [number, number];
  return count >= 1 && id >= 0 && id < count ? [id, count] : undefined;
}

/** GET /gateway and /gateway/bot (bot auth) */
export function gatewayRoutes(s: FakeDiscordState, req: ApiRequest): ApiResponse | undefined {
  if (req.method === 'GET' && req.path === '/gateway/bot') {
    const info: APIGatewayBotInfo = { url: s.gatewayUrl(), shards: s.recommendedShards, session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: s.maxConcurrency } };
    return { status: 200, body: info };
  }
  if (req.method === 'GET' && req.path === '/gateway') return { status: 200, body: { url: s.gatewayUrl() } satisfies APIGatewayInfo };
  return undefined;
}

/** What a client sends, unchecked: any op; only the fields of IDENTIFY (2) and RESUME (6) the fake reads. */
interface ClientPayload { op?: number; d?: { token?: unknown; intents?: unknown; shard?: unknown; session_id?: string; seq?: unknown } }

/** Serves the gateway on `server`'s upgrade requests to /gateway. */
export function attachGateway(s: FakeDiscordState, server: http.Server): WebSocketServer {
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://local');
    if (url.pathname.replace(/\/$/, '') !== '/gateway') { socket.destroy(); return; }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  wss.on('connection', (ws: WebSocket, req: http.IncomingMessage) => {
    const q = new URL(req.url ?? '/', 'http://local').searchParams;
    const from = req.socket.remoteAddress; // which process is which, when several share the fake
    s.gatewayLog.push({ connect: Object.fromEntries(q), at: Date.now(), from });
    if ((q.get('encoding') ?? 'json') !== 'json' || q.get('compress')) {
      // zlib-sync installed → discord.js asks for zlib-stream, which this fake does not speak.
      console.error('[fake-discord] gateway: only encoding=json without compress is supported (is zlib-sync installed?)');
      ws.close(4002, 'fake supports encoding=json without compress only');
      return;
    }
    let session: Session | undefined;
    const send = (p: unknown) => { if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(p)); };
    send({ op: 10, d: { heartbeat_interval: s.heartbeatIntervalMs } });
    ws.on('message', (raw) => {
      let p: ClientPayload;
      try { p = JSON.parse(raw.toString()); } catch { ws.close(4002, 'Error while decoding payload.'); return; }
      s.gatewayLog.push(p.op === 2 || p.op === 6 ? { ...p, d: { ...p.d, token: '<redacted>' }, at: Date.now(), from } : { ...p, at: Date.now(), from });
      switch (p.op) {
        case 1:
          if (s.ackHeartbeats) send({ op: 11 });
          break;
        case 2: {
          if (session) { ws.close(4005, 'Already authenticated.'); return; }
          if (p.d?.token !== s.token) { ws.close(4004, 'Authentication failed.'); return; }
          const shard = shardOfIdentify(p.d?.shard);
          if (!shard) { ws.close(4010, 'Invalid shard.'); return; }
          const me: Session = { id: randomBytes(16).toString('hex'), seq: 0, history: [], ws, intents: Number(p.d?.intents ?? 0), shard };
          session = me;
          s.sessions.set(me.id, me);
          const withGuild = (me.intents & INTENT_GUILDS) !== 0;
          // The servers on this shard, as Discord lists them in READY and then sends each in a GUILD_CREATE.
          const guilds = withGuild ? s.botGuildIds().filter((g) => shardOf(g, shard[1]) === shard[0]) : [];
          const ready: DispatchFrame = {
            op: 0, t: 'READY', s: ++me.seq, d: {
              v: 10, user: s.botUser, guilds: guilds.map((id) => ({ id, unavailable: true })), session_id: me.id, session_type: 'normal',
              resume_gateway_url: s.gatewayUrl(), shard,
              application: { id: s.appId, flags: 0 }, private_channels: [], relationships: [], presences: [], user_settings: {},
              guild_join_requests: [], geo_ordered_rtc_regions: [], auth: {}, _trace: ['fake-discord'],
            },
          };
          me.history.push(ready);
          send(ready);
          for (const g of guilds) s.dispatchTo(me, 'GUILD_CREATE', s.guildObject(g));
          break;
        }
        case 6: {
          const old = s.sessions.get(p.d?.session_id as string);
          if (!old || p.d?.token !== s.token) { send({ op: 9, d: false }); return; }
          session = old;
          old.ws = ws;
          for (const f of old.history) if (f.s > Number(p.d.seq ?? 0)) send(f);
          const resumed = { op: 0, t: 'RESUMED', s: ++old.seq, d: { _trace: ['fake-discord'] } };
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
        if (code === 1000 || code === 1001) s.sessions.delete(session.id); // a clean close invalidates the session
      }
    });
  });
  return wss;
}
