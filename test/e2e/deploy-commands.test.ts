// npm run deploy-commands: every command of the registry, registered through the real REST client
// into the fake Discord, which checks names, option order, locales and sizes as Discord does. The
// script runs as the operator runs it: its own process, in a directory of its own (test/helpers/entry-point.ts);
// where only the variables differ (global, the DM and user-install scope), the test calls what it calls.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REST, Routes } from 'discord.js';
import { commandDefinitions, commands } from '../../commands/index.ts';
import { loadConfig } from '../../src/config.ts';
import { DEPLOY_KEYS, deployCommands } from '../../src/deploy-commands.ts';
import { startFakeDiscord, type FakeDiscord } from '../../stand-ins/fake-discord.ts';
import { runEntry, type EntryOptions } from '../helpers/entry-point.ts';

let discord: FakeDiscord;
beforeAll(async () => {
  discord = await startFakeDiscord();
});
afterAll(async () => {
  await discord.close();
});

function env(extra: Record<string, string> = {}) {
  return {
    DISCORD_TOKEN: discord.token,
    DISCORD_APP_ID: discord.appId,
    DISCORD_API_URL: discord.apiBase,
    ...extra,
  };
}

/** npm run deploy-commands; fails the test unless it exits 0. */
async function deploy(o: EntryOptions) {
  const r = await runEntry('src/deploy-commands.ts', o);
  expect(r.code, r.stderr).toBe(0);
  return r;
}

// Each run is a process of its own (tsx, discord.js): a few seconds each, more on a busy machine.
const SLOW = { timeout: 60_000 };

describe('deploy-commands', SLOW, () => {
  it('registers every command in the guild, with zh-CN localizations and the mode option', async () => {
    const { stdout } = await deploy({
      env: env({ DISCORD_GUILD_ID: discord.guildId, MJ_MODES: 'fast=https://relay.example/mj-fast,relax=https://relay.example/mj-relax' }),
    });
    expect(stdout).toMatch(new RegExp(`registered ${commands.length} commands in guild`));
    const put = discord.calls.find((c) => c.method === 'PUT' && c.path === `/applications/${discord.appId}/guilds/${discord.guildId}/commands`);
    expect(put?.status).toBe(200);
    const names = put!.json.map((c: any) => c.name).sort();
    expect(names).toEqual(commands.map((c) => c.name).sort());
    const imagine = put!.json.find((c: any) => c.name === 'imagine');
    expect(imagine.description_localizations['zh-CN']).toBe('根据提示词生成图片');
    expect(imagine.options.find((o: any) => o.name === 'mode').choices.map((c: any) => c.value)).toEqual(['fast', 'relax']);
    // Option and choice names too, as Chinese clients show them (the fake holds them to Discord's naming rule).
    expect(imagine.options.find((o: any) => o.name === 'image2').name_localizations['zh-CN']).toBe('图片2');
    expect(imagine.options.find((o: any) => o.name === 'mode').choices.map((c: any) => c.name_localizations['zh-CN'])).toEqual(['快速', '慢速']);
    // Servers only, unless the operator turned DMs or user installs on.
    for (const c of put!.json) expect([c.contexts, c.integration_types], c.name).toEqual([[0], [0]]);
  });

  it('registers globally without a guild id, and without the mode option when no modes are set', async () => {
    expect(await deployCommands(loadConfig(env(), DEPLOY_KEYS))).toBe(`registered ${commands.length} commands globally`);
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
    await deployCommands(loadConfig(env({ DISCORD_GUILD_ID: discord.guildId, ALLOW_DMS: 'true', ALLOW_USER_INSTALL: 'true' }), DEPLOY_KEYS));
    const put = discord.calls.slice(before).find((c) => c.method === 'PUT');
    expect(put?.status).toBe(200);
    // 0 guild, 1 the bot's DM, 2 other private channels; 0 guild install, 1 user install.
    expect(scopeOf(put!.json)).toEqual({ contexts: [0, 1, 2], integration_types: [0, 1] });
    const config = (extra: Record<string, string>) => loadConfig(env(extra), DEPLOY_KEYS);
    expect(scopeOf(commandDefinitions(commands, config({})))).toEqual({ contexts: [0], integration_types: [0] });
    expect(scopeOf(commandDefinitions(commands, config({ ALLOW_DMS: 'true' })))).toEqual({ contexts: [0, 1], integration_types: [0] });
    expect(scopeOf(commandDefinitions(commands, config({ ALLOW_USER_INSTALL: 'true' })))).toEqual({ contexts: [0], integration_types: [0, 1] });
  });

  it('the most modes the config accepts (25 names of 100 characters) still make commands Discord takes', async () => {
    const modes = Array.from({ length: 25 }, (_, i) => `m${String(i).padStart(2, '0')}`.padEnd(100, 'x'));
    const config = loadConfig({ ...env(), MJ_MODES: modes.map((m) => `${m}=https://relay.example/${m.slice(0, 3)}`).join(',') }, DEPLOY_KEYS);
    const rest = new REST({ api: discord.apiBase, retries: 0 }).setToken(discord.token);
    const body = commandDefinitions(commands, config);
    const registered = (await rest.put(Routes.applicationCommands(discord.appId), { body })) as any[];
    expect(registered.find((c) => c.name === 'imagine').options.find((o: any) => o.name === 'mode').choices).toHaveLength(25);
  });

  it('stops with one line naming a missing variable, and needs none of the proxy\'s', async () => {
    const r = await runEntry('src/deploy-commands.ts', { env: { DISCORD_APP_ID: '123456789012345678' } });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('config error: DISCORD_TOKEN: missing');
  });

  it('says what to do when Discord refuses: a server the bot is not in, a wrong token', async () => {
    const other = await runEntry('src/deploy-commands.ts', { env: env({ DISCORD_GUILD_ID: '123456789012345678' }) });
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/^deploy failed: Missing Access — the application is not in the server DISCORD_GUILD_ID names.*npm run invite/);
    const token = await runEntry('src/deploy-commands.ts', { env: env({ DISCORD_TOKEN: 'not-the-token' }) });
    expect(token.code).toBe(1);
    expect(token.stderr).toContain('DISCORD_TOKEN is not a valid bot token');
  });
});

describe('deploy-commands reads .env', SLOW, () => {
  it('with only a .env file, registers the registry\'s commands in the guild it names', async () => {
    const before = discord.calls.length;
    const dotenv = [
      '# as cp .env.example .env leaves it, filled in',
      `DISCORD_TOKEN="${discord.token}"`,
      `DISCORD_APP_ID=${discord.appId}`,
      `DISCORD_GUILD_ID=${discord.guildId}  # the test server`,
      `DISCORD_API_URL=${discord.apiBase}`,
      'MJ_BASE_URL=',
      '',
    ].join('\n');
    const { stdout } = await deploy({ dotenv });
    expect(stdout.trim()).toBe(`registered ${commands.length} commands in guild ${discord.guildId}`);
    const puts = discord.calls.slice(before).filter((c) => c.method === 'PUT');
    expect(puts).toHaveLength(1);
    expect(puts[0]!.path).toBe(`/applications/${discord.appId}/guilds/${discord.guildId}/commands`);
    expect(puts[0]!.auth).toBe(`Bot ${discord.token}`);
    expect(puts[0]!.status).toBe(200);
    // The body is the registry's definitions, exactly.
    const config = loadConfig({ DISCORD_TOKEN: 'x', DISCORD_APP_ID: discord.appId }, DEPLOY_KEYS);
    expect(puts[0]!.json).toEqual(JSON.parse(JSON.stringify(commandDefinitions(commands, config))));
  });

  it('the real environment wins over .env', async () => {
    const before = discord.calls.length;
    const dotenv = `DISCORD_TOKEN=stale-token\nDISCORD_APP_ID=${discord.appId}\nDISCORD_GUILD_ID=123456789012345678\nDISCORD_API_URL=${discord.apiBase}\n`;
    await deploy({ dotenv, env: { DISCORD_TOKEN: discord.token, DISCORD_GUILD_ID: discord.guildId } });
    const put = discord.calls.slice(before).find((c) => c.method === 'PUT');
    expect(put?.path).toBe(`/applications/${discord.appId}/guilds/${discord.guildId}/commands`);
    expect(put?.auth).toBe(`Bot ${discord.token}`);
  });
});
