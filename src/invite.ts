// npm run invite [-- --guild <server id>]: prints the link that adds the bot to a server, from
// DISCORD_APP_ID (in the environment or .env; nothing else is needed, not even the token) and the
// permissions the bot's requests need (src/discord/permissions.ts). Discord's bot authorization
// flow (docs: topics/oauth2, "Bot Authorization Flow"): scope `bot applications.commands`,
// `permissions` as an integer, `guild_id` preselects a server in the dialog, `integration_type=0`
// installs to a server (not to a user's account).
import { BOT_PERMISSIONS, botPermissions } from './discord/permissions.ts';
import { loadEntryConfig } from './env-file.ts';
import { isMain } from './util/is-main.ts';

export const AUTHORIZE_URL = 'https://discord.com/oauth2/authorize';
const SNOWFLAKE = /^\d{5,25}$/;

export function inviteUrl(appId: string, guildId?: string): string {
  const params: [string, string][] = [['client_id', appId], ['scope', 'bot applications.commands'], ['permissions', String(botPermissions)], ['integration_type', '0']];
  if (guildId) params.push(['guild_id', guildId]);
  // %20 between the scopes, as Discord's own examples write it.
  return `${AUTHORIZE_URL}?${params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}`;
}

if (isMain(import.meta.url)) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--guild');
  const guildId = at >= 0 ? (args[at + 1] ?? '') : undefined;
  if ((guildId !== undefined && !SNOWFLAKE.test(guildId)) || args.length !== (at >= 0 ? 2 : 0)) {
    console.error('usage: npm run invite [-- --guild <server id>]   (a server id is digits: Discord, Settings → Advanced → Developer Mode, then right-click the server → Copy Server ID)');
    process.exit(2);
  }
  const config = loadEntryConfig(['DISCORD_APP_ID']);
  console.log(inviteUrl(config.DISCORD_APP_ID, guildId));
  console.log('');
  console.log(`permissions ${botPermissions}: ${BOT_PERMISSIONS.map((p) => p.name).join(', ')} (docs/discord-setup.md says why)`);
}
