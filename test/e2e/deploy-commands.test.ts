// npm run deploy-commands: every command of the registry, registered through the real REST client
// into the fake Discord, which checks names, option order, locales and sizes as Discord does. The
// script itself runs twice (a guild, and a config error); the other cases call what it calls.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REST, Routes } from 'discord.js';
import { commandDefinitions, commands } from '../../commands/index.ts';
import { loadConfig } from '../../src/config.ts';
import { deployCommands } from '../../src/deploy-commands.ts';
import { startFakeDiscord, type FakeDiscord } from '../../stand-ins/fake-discord.ts';
import { runScript } from '../helpers/scripts.ts';

let discord: FakeDiscord;
beforeAll(async () => {
  discord = await startFakeDiscord();
});
afterAll(async () => {
  await discord.close();
});

function env(extra: Record<string, string> = {}) {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    DISCORD_TOKEN: discord.token,
    DISCORD_APP_ID: discord.appId,
    DISCORD_API_URL: discord.apiBase,
    MJ_BASE_URL: 'http://127.0.0.1:9/',
    ...extra,
  };
}

describe('deploy-commands', () => {
  it('registers every command in the guild, with zh-CN localizations and the mode option', async () => {
    const { code, stdout, stderr } = await runScript('src/deploy-commands.ts', [], {
      env: env({ DISCORD_GUILD_ID: discord.guildId, MJ_MODES: 'fast=https://relay.example/mj-fast,relax=https://relay.example/mj-relax' }),
    });
    expect([code, stderr]).toEqual([0, '']);
    expect(stdout).toMatch(new RegExp(`registered ${commands.length} commands in guild`));
    const put = discord.calls.find((c) => c.method === 'PUT' && c.path === `/applications/${discord.appId}/guilds/${discord.guildId}/commands`);
    expect(put?.status).toBe(200);
    const names = put!.json.map((c: any) => c.name).sort();
    expect(names).toEqual(commands.map((c) => c.name).sort());
    const imagine = put!.json.find((c: any) => c.name === 'imagine');
    expect(imagine.description_localizations['zh-CN']).toBe('根据提示词生成图片');
    expect(imagine.options.find((o: any) => o.name === 'mode').choices.map((c: any) => c.value)).toEqual(['fast', 'relax']);
    // Servers only, unless the operator turned DMs or user installs on.
    for (const c of put!.json) expect([c.contexts, c.integration_types], c.name).toEqual([[0], [0]]);
  });

  it('registers globally without a guild id, and without the mode option when no modes are set', async () => {
    expect(await deployCommands(loadConfig(env()))).toBe(`registered ${commands.length} commands globally`);
    const put = discord.calls.find((c) => c.method === 'PUT' && c.path === `/applications/${discord.appId}/commands`);
    expect(put?.status).toBe(200);
    expect(put!.json.find((c: any) => c.name === 'imagine').options.some((o: any) => o.name === 'mode')).toBe(false);
  });

  it('registers every command for servers only by default; DMs and user installs only when turned on', async () => {
    const scopeOf = (json: any[]) => {
      const scopes = new Set(json.map((c: any) => JSON.stringify({ contexts: c.contexts, integration_types: c.integration_types })));
      // One scope for every command, set in one place.
      expect(scopes.size).toBe(1);
      return JSON.parse([...scopes][0] as string);
    };
    const before = discord.calls.length;
    await deployCommands(loadConfig(env({ DISCORD_GUILD_ID: discord.guildId, ALLOW_DMS: 'true', ALLOW_USER_INSTALL: 'true' })));
    const put = discord.calls.slice(before).find((c) => c.method === 'PUT');
    expect(put?.status).toBe(200);
    // 0 guild, 1 the bot's DM, 2 other private channels; 0 guild install, 1 user install.
    expect(scopeOf(put!.json)).toEqual({ contexts: [0, 1, 2], integration_types: [0, 1] });
    const config = (extra: Record<string, string>) => loadConfig(env(extra));
    expect(scopeOf(commandDefinitions(commands, config({})))).toEqual({ contexts: [0], integration_types: [0] });
    expect(scopeOf(commandDefinitions(commands, config({ ALLOW_DMS: 'true' })))).toEqual({ contexts: [0, 1], integration_types: [0] });
    expect(scopeOf(commandDefinitions(commands, config({ ALLOW_USER_INSTALL: 'true' })))).toEqual({ contexts: [0], integration_types: [0, 1] });
  });

  it('the most modes the config accepts (25 names of 100 characters) still make commands Discord takes', async () => {
    const modes = Array.from({ length: 25 }, (_, i) => `m${String(i).padStart(2, '0')}`.padEnd(100, 'x'));
    const config = loadConfig({ ...env(), MJ_MODES: modes.map((m) => `${m}=https://relay.example/${m.slice(0, 3)}`).join(',') });
    const rest = new REST({ api: discord.apiBase, retries: 0 }).setToken(discord.token);
    const body = commandDefinitions(commands, config);
    const registered = (await rest.put(Routes.applicationCommands(discord.appId), { body })) as any[];
    expect(registered.find((c) => c.name === 'imagine').options.find((o: any) => o.name === 'mode').choices).toHaveLength(25);
  });

  it('stops with one line naming a missing variable', async () => {
    const res = await runScript('src/deploy-commands.ts', [], { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DISCORD_TOKEN: 'x', DISCORD_APP_ID: '123456789012345678' } });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('config error: MJ_BASE_URL: missing');
  });
});
