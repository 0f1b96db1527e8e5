// npm start from a .env file alone: the real entry point (src/main.ts) in a process of its own, in a
// directory holding only .env, logs into the fake Discord and answers /imagine through the fake proxy.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startFakeDiscord, type FakeDiscord } from '../../stand-ins/fake-discord.ts';
import { startFakeProxy, type FakeProxy } from '../../stand-ins/fake-proxy.ts';
import { startEntry } from '../helpers/entry-point.ts';

const KEY = 'sk-start-test-0123456789';
let discord: FakeDiscord;
let proxy: FakeProxy;
beforeAll(async () => {
  discord = await startFakeDiscord();
  proxy = await startFakeProxy({ apiKey: KEY });
});
afterAll(async () => {
  await discord.close();
  await proxy.close();
});

describe('npm start', () => {
  it('reads .env, logs in and answers a command', { timeout: 90_000 }, async () => {
    const dotenv = [
      `DISCORD_TOKEN=${discord.token}`,
      `DISCORD_APP_ID=${discord.appId}`,
      `DISCORD_API_URL=${discord.apiBase}`,
      `MJ_BASE_URL=${proxy.baseUrl}`,
      `MJ_API_KEY=${KEY}`,
      'LOG_LEVEL=warn',
      '',
    ].join('\n');
    const bot = startEntry('src/main.ts', { dotenv });
    try {
      // The fake's gateway log reports nothing: IDENTIFY is polled for once the bot asked for the gateway.
      const loggedIn = discord.waitForCall((c) => c.path === '/gateway/bot', 60_000).then(() => vi.waitFor(() => expect(discord.gatewayLog.some((p) => p.op === 2)).toBe(true), { timeout: 30_000 }));
      const exited = bot.exited.then((code) => expect.fail(`npm start exited (${code}) before logging in:\n${bot.output()}`));
      await Promise.race([loggedIn, exited]);
      // IDENTIFY is answered with READY at once; the client is ready when it has no guild to wait for.
      const it = discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: 'a fox from .env' }]);
      await discord.waitForCall((c) => c.path.startsWith(`/interactions/${it.id}/`), 20_000);
      await proxy.waitForRequest((r) => r.route === '/mj/submit/imagine', 20_000);
      expect(bot.output()).not.toContain(KEY);
      expect(bot.output()).not.toContain(discord.token);
    } finally {
      await bot.stop();
    }
  });
});
