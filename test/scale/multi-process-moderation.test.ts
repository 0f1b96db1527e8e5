// Moderation across processes on one Redis: the banned words and the blocklist an admin sets in one
// process hold in the other at once (settings are read on every use, never cached), and the backend's
// refusals counted by one process start the cooldown in the other (atomic counters on Redis). Two
// real apps against one fake Discord and one fake proxy; the first gets the interactions, the
// second's own checks (the ones its router and jobs facade run) are asked directly.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { checkBlocked, cooldownLeft, screenJob } from '../../src/jobs/screen.ts';
import { startFakeDiscord, type FakeDiscord } from '../../stand-ins/fake-discord.ts';
import { startFakeProxy, type FakeProxy } from '../../stand-ins/fake-proxy.ts';
import { API_KEY, whenReported } from '../helpers/harness.ts';
import { TEST_REDIS_URL, removeKeys } from '../helpers/redis.ts';

let discord: FakeDiscord;
let proxy: FakeProxy;
let prefix: string;
const apps: App[] = [];

beforeEach(async () => {
  discord = await startFakeDiscord();
  proxy = await startFakeProxy({ apiKey: API_KEY, advance: 'manual' });
  prefix = `mjbot-mod-${process.pid}-${Date.now()}`;
});

afterEach(async () => {
  for (const app of apps.splice(0)) await app.stop().catch(() => undefined);
  await discord.close();
  await proxy.close();
  await removeKeys(prefix);
});

async function bot(gateway: boolean): Promise<App> {
  const config = loadConfig({
    DISCORD_TOKEN: discord.token, DISCORD_APP_ID: discord.appId, DISCORD_API_URL: discord.apiBase,
    MJ_BASE_URL: proxy.baseUrl, MJ_API_KEY: API_KEY, STORE_URL: TEST_REDIS_URL, EDIT_MIN_INTERVAL_MS: '0', PROXY_TIMEOUT_MS: '3000', LOG_LEVEL: 'warn',
  });
  const app = createApp(config, { storePrefix: prefix, autoPoll: false, gateway, proxyRetryDelaysMs: [5, 10], logger: createLogger({ level: 'warn', secrets: [API_KEY, discord.token], write: () => undefined }) });
  await app.start();
  apps.push(app);
  return app;
}

/** What `app`'s router reported for each interaction (recorded from the start: see the test). */
const seen = new Map<string, { ok: boolean }>();
/** `it` handled by `app` (its router's report). */
function handled(app: App, it: { id: string }) {
  return whenReported(app.events, ['handled'], () => seen.get(it.id), `interaction ${it.id} handled`, 5000);
}

describe('moderation on one Redis, two processes', () => {
  it('words and blocklist set through one process hold in the other at once; refusals counted by one start the cooldown in the other', async () => {
    const a = await bot(true);
    const b = await bot(false);
    a.events.on('handled', (e) => seen.set(e.interactionId, e));
    const guildId = discord.guildId;
    const carol = discord.makeUser('carol');
    carol.permissions = '2248473465835073';
    const member = { user: { id: carol.id }, guildId, memberPermissions: null };

    // Nothing set yet: B lets everything through.
    await expect(screenJob(b, member, ['gore'])).resolves.toBeUndefined();

    // Through A: the panel, the modal, the user select.
    const open = discord.sendSlashCommand('settings', [{ name: 'scope', type: 3, value: 'server' }]);
    await handled(a, open);
    const panel = discord.originalOf(open);
    await handled(a, discord.clickButton(panel.id, 'mj:set:m:open'));
    await handled(a, discord.clickButton(panel.id, 'mj:set:m:words'));
    await handled(a, discord.submitModal('mj:set:m:wordsm', { words: 'gore' }));
    await expect(screenJob(b, member, ['ＧＯＲＥ'])).rejects.toMatchObject({ code: 'MOD_BANNED_WORD' });
    await expect(checkBlocked(b, member)).resolves.toBeUndefined();
    await handled(a, discord.selectMenu(panel.id, 'mj:set:m:block', [carol.id]));
    await expect(checkBlocked(b, member)).rejects.toMatchObject({ code: 'MOD_BLOCKED' });

    // The backend refuses Alice's prompts twice (A handles them); B holds her at once.
    proxy.setQuirks({ bannedPrompt: 'skull' });
    const alice = discord.users.alice;
    for (const prompt of ['skull one', 'skull two']) {
      const it = discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: prompt }]);
      expect((await handled(a, it)).ok).toBe(false);
    }
    expect(await cooldownLeft(b, alice.id)).toBeGreaterThan(50_000);
    await expect(screenJob(b, { user: { id: alice.id }, guildId }, ['a cat'])).rejects.toMatchObject({ code: 'MOD_COOLDOWN', vars: { minutes: 1 } });
  });
});
