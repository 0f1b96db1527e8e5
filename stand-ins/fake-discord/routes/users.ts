// /users/@me, /users/{id}, POST /users/@me/channels (a DM) and /applications/@me: the bot, its application and the people
// the fake knows (bot auth).
import type { APIApplication, RESTPostAPICurrentUserCreateDMChannelJSONBody } from 'discord-api-types/v10';
import { err, type ApiRequest, type ApiResponse } from '../responses.ts';
import type { FakeDiscordState } from '../state.ts';

function application(s: FakeDiscordState): APIApplication {
  return {
    id: s.appId, name: 'Fake App', icon: null, description: '', summary: '', type: null, bot_public: true, bot_require_code_grant: false,
    verify_key: 'fake', flags: 0, owner: s.apiUser(s.users.alice), team: null, bot: s.botUser, approximate_guild_count: 1,
    integration_types_config: { 0: {} }, install_params: { scopes: ['bot', 'applications.commands'], permissions: '0' },
  } as unknown as APIApplication;
}

export function userRoutes(s: FakeDiscordState, req: ApiRequest): ApiResponse | undefined {
  const { method, path } = req;
  if (method === 'GET' && path === '/applications/@me') return { status: 200, body: application(s) };
  if (method === 'GET' && path === '/users/@me') return { status: 200, body: s.botUser };
  const [, userId] = /^\/users\/(\d+)$/.exec(path) ?? [];
  if (userId !== undefined && method === 'GET') {
    return userId === s.botUser.id || s.knownUsers.has(userId) ? { status: 200, body: s.userById(userId) } : err(404, 10013, 'Unknown User');
  }
  if (method === 'POST' && path === '/users/@me/channels') {
    const rid = (req.json as RESTPostAPICurrentUserCreateDMChannelJSONBody | undefined)?.recipient_id as string;
    if (!s.knownUsers.has(rid)) return err(400, 50007, 'Cannot send messages to this user');
    return { status: 200, body: s.dmChannelFor(s.knownUsers.get(rid)!) };
  }
  return undefined;
}
