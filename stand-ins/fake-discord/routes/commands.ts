// /applications/{id}[/guilds/{id}]/commands[/{id}]: registering the bot's application commands, global or in the guild.
import type {
  RESTPatchAPIApplicationCommandJSONBody, RESTPostAPIApplicationCommandsJSONBody, RESTPutAPIApplicationCommandsJSONBody,
} from 'discord-api-types/v10';
import { FormErrors } from '../util.ts';
import { validateCommand, validateCommandList } from '../validate/commands.ts';
import { err, formErr, methodNotAllowed, type ApiRequest, type ApiResponse } from '../responses.ts';
import type { FakeDiscordState, StoredCommand } from '../state.ts';

/** the commands as Discord answers them: the body over Discord's defaults, keeping the id of a command of the same name and type */
/** A command as Discord stores it: a new version, the id of the same name and type kept. */
function storeCommand(s: FakeDiscordState, c: RESTPostAPIApplicationCommandsJSONBody, gId: string | undefined, prev: StoredCommand[]): StoredCommand {
  const type = c.type ?? 1;
  const old = prev.find((p) => p.name === c.name && (p.type ?? 1) === type);
  return {
    id: old?.id ?? s.sf(), application_id: s.appId, version: s.sf(), type, ...(gId ? { guild_id: gId } : {}),
    default_member_permissions: null, dm_permission: true, nsfw: false, integration_types: [0], contexts: null,
    description: '', name_localizations: null, description_localizations: null, ...c,
  } as StoredCommand;
}

function handleCommands(s: FakeDiscordState, method: string, gId: string | undefined, cmdId: string | undefined, json: unknown): ApiResponse {
  if (gId && gId !== s.guildId) return err(403, 50001, 'Missing Access');
  const get = () => (gId ? s.guildCommands : s.globalCommands);
  const set = (l: StoredCommand[]) => { if (gId) s.guildCommands = l; else s.globalCommands = l; s.lastCommands = l; };
  if (!cmdId) {
    if (method === 'GET') return { status: 200, body: get() };
    if (method === 'PUT') {
      const errs = new FormErrors();
      validateCommandList(errs, json);
      if (!errs.ok) return formErr(errs);
      const prev = get();
      set((json as RESTPutAPIApplicationCommandsJSONBody).map((c) => storeCommand(s, c, gId, prev)));
      return { status: 200, body: get() };
    }
    if (method === 'POST') {
      const errs = new FormErrors();
      validateCommand(errs, [], json);
      if (!errs.ok) return formErr(errs);
      const stored = storeCommand(s, json as RESTPostAPIApplicationCommandsJSONBody, gId, get());
      const exists = get().some((c) => c.id === stored.id);
      set(exists ? get().map((c) => (c.id === stored.id ? stored : c)) : [...get(), stored]);
      return { status: exists ? 200 : 201, body: stored };
    }
    return methodNotAllowed();
  }
  const cur = get().find((c) => c.id === cmdId);
  if (!cur) return err(404, 10063, 'Unknown application command');
  if (method === 'GET') return { status: 200, body: cur };
  if (method === 'DELETE') { set(get().filter((c) => c.id !== cmdId)); return { status: 204 }; }
  if (method === 'PATCH') {
    const merged = { ...cur, ...(json as RESTPatchAPIApplicationCommandJSONBody), version: s.sf() } as StoredCommand;
    const errs = new FormErrors();
    validateCommand(errs, [], merged);
    if (!errs.ok) return formErr(errs);
    set(get().map((c) => (c.id === cmdId ? merged : c)));
    return { status: 200, body: merged };
  }
  return methodNotAllowed();
}

export function commandRoutes(s: FakeDiscordState, req: ApiRequest): ApiResponse | undefined {
  const m = /^\/applications\/(\d+)(?:\/guilds\/(\d+))?\/commands(?:\/(\d+))?$/.exec(req.path);
  if (!m) return undefined;
  if (m[1] !== s.appId) return err(403, 50001, 'Missing Access');
  return handleCommands(s, req.method, m[2], m[3], req.json);
}
