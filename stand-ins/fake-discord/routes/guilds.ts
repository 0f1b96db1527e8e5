// /guilds/{id}[/channels | /roles | /members/{id}]: the one guild the fake has (bot auth).
import type { APIGuildMember } from 'discord-api-types/v10';
import { err, notFound, type ApiRequest, type ApiResponse } from '../responses.ts';
import type { FakeDiscordState } from '../state.ts';

export function guildRoutes(s: FakeDiscordState, req: ApiRequest): ApiResponse | undefined {
  const { method } = req;
  const [, gId, sub = ''] = /^\/guilds\/(\d+)(\/.*)?$/.exec(req.path) ?? [];
  if (gId === undefined) return undefined;
  if (gId !== s.guildId) return err(404, 10004, 'Unknown Guild');
  if (method === 'GET' && sub === '') return { status: 200, body: s.guildObject() };
  if (method === 'GET' && sub === '/channels') return { status: 200, body: s.guildChannels() };
  if (method === 'GET' && sub === '/roles') return { status: 200, body: [...s.roles.values()] };
  const [, memberId] = /^\/members\/(\d+)$/.exec(sub) ?? [];
  if (method === 'GET' && memberId !== undefined) {
    const u = s.knownUsers.get(memberId);
    if (memberId === s.botUser.id) return { status: 200, body: { ...s.memberOf({ id: s.botUser.id, username: s.botUser.username }), user: s.botUser } satisfies APIGuildMember };
    return u ? { status: 200, body: s.memberOf(u) } : err(404, 10007, 'Unknown Member');
  }
  return notFound();
}
