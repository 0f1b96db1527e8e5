// npm run invite: the link that adds the bot to a server, from DISCORD_APP_ID alone (read from .env
// like every entry point) and the computed permissions; run as the operator runs it.
import { describe, expect, it } from 'vitest';
import { botPermissions } from '../../src/discord/permissions.ts';
import { runEntry } from '../helpers/entry-point.ts';

const APP_ID = '123456789012345678';
const GUILD_ID = '876543210987654321';

/** The printed link, read back as Discord reads it. */
function linkIn(stdout: string): URL {
  const line = stdout.split('\n').find((l) => l.startsWith('https://'));
  expect(line, stdout).toBeDefined();
  return new URL(line!);
}

describe('npm run invite', { timeout: 60_000 }, () => {
  it('prints the bot authorization link from a .env holding only DISCORD_APP_ID', async () => {
    const r = await runEntry('src/invite.ts', { dotenv: `DISCORD_APP_ID=${APP_ID}\n` });
    expect(r.code, r.stderr).toBe(0);
    const url = linkIn(r.stdout);
    expect(`${url.origin}${url.pathname}`).toBe('https://discord.com/oauth2/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: APP_ID,
      scope: 'bot applications.commands',
      permissions: String(botPermissions),
      integration_type: '0',
    });
    expect(url.search).toContain('scope=bot%20applications.commands');
    expect(r.stdout).toContain(`permissions ${botPermissions}: ViewChannel, SendMessages`);
  });

  it('--guild preselects a server (guild_id)', async () => {
    const r = await runEntry('src/invite.ts', { env: { DISCORD_APP_ID: APP_ID }, args: ['--guild', GUILD_ID] });
    expect(r.code, r.stderr).toBe(0);
    expect(linkIn(r.stdout).searchParams.get('guild_id')).toBe(GUILD_ID);
  });

  it('needs nothing but DISCORD_APP_ID, and says so in one line when it is missing; a bad server id is a usage error', async () => {
    const missing = await runEntry('src/invite.ts', { dotenv: 'MJ_BASE_URL=https://relay.example\n' });
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe('config error: DISCORD_APP_ID: missing');
    const bad = await runEntry('src/invite.ts', { env: { DISCORD_APP_ID: APP_ID }, args: ['--guild', 'my-server'] });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^usage: npm run invite/);
  });
});
