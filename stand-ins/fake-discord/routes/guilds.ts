// /guilds/{id}[/channels | /roles | /members/{id}]: the one guild the fake has (bot auth).
import type { APIGuildMember } from 'discord-api-types/v10';
import { err, notFound, type ApiRequest, type ApiResponse } from '../responses.ts';
import type { FakeDiscordState } from '../state.ts';

export function guildRoutes(s: FakeDiscordState, req: ApiRequest): ApiResponse | undefined {
  const { method } = req;
  const m = /^\/guilds\/(\d+)(\/.*)?$/.exec(req.path);
  if (!m) return undefined;
  if (m[1] !== s.guildId) return err(404, 10004, 'Unknown Guild');
  const sub = m[2] ?? '';
  if (method === 'GET' && sub === '') return { status: 200, body: s.guildObject() };
  if (method === 'GET' && sub === '/channels') return { status: 200, body: s.guildChannels() };
  if (method === 'GET' && sub === '/roles') return { status: 200, body: [...s.roles.values()] };
  let mm: RegExpExecArray | null;
  if (method === 'GET' && (mm = /^\/members\/(\d+)$/.exec(sub))) {
    const u = s.knownUsers.get(mm[1]);
    if (mm[1] === s.botUser.id) return { status: 200, body: { ...s.memberOf({ id: s.botUser.id, username: s.botUser.username }), user: s.botUser } satisfies APIGuildMember };
    return u ? { status: 200, body: s.memberOf(u) } : err(404, 10007, 'Unknown Member');
  }
  return notFound();
}
