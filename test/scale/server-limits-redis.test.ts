// Two processes on one Redis, each with a gateway session of its own (two fake Discords showing the
// same server and channel): what an admin changes on panel `l` through process A applies at once to
// the next command process B handles, since the server's settings are read from the store on every
// use. Under a key prefix removed afterwards.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { HandledEvent } from '../../src/events.ts';
import { createLogger } from '../../src/logger.ts';
import { startFakeDiscord, type FakeDiscord, type Interaction } from '../../stand-ins/fake-discord.ts';
import { startFakeProxy, type FakeProxy } from '../../stand-ins/fake-proxy.ts';
import { API_KEY, whenReported } from '../helpers/harness.ts';
import { TEST_REDIS_URL, removeKeys } from '../helpers/redis.ts';

const GUILD = '934567890123456789';
const CHANNEL = '934567890123456790';
const APP_ID = '934567890123456791';

let proxy: FakeProxy;
let prefix: string;
const discords: FakeDiscord[] = [];
const apps: App[] = [];

beforeEach(async () => {
  proxy = await startFakeProxy({ apiKey: API_KEY, advance: 'manual' });
  prefix = `mjbot-limits-${process.pid}-${Date.now()}`;
});

afterEach(async () => {
  for (const app of apps.splice(0)) await app.stop().catch(() => undefined);
  for (const d of discords.splice(0)) await d.close();
  await proxy.close();
  await removeKeys(prefix);
});

/** A bot process with its own Discord gateway, on the shared Redis store; `handled` resolves once it is done with an interaction. */
async function startProcess(): Promise<{ app: App; discord: FakeDiscord; handled: (it: Interaction) => Promise<HandledEvent> }> {
  const discord = await startFakeDiscord({ guildId: GUILD, channelId: CHANNEL, appId: APP_ID });
  discords.push(discord);
  const config = loadConfig({
    DISCORD_TOKEN: discord.token,
    DISCORD_APP_ID: discord.appId,
    DISCORD_API_URL: discord.apiBase,
    MJ_BASE_URL: proxy.baseUrl,
    MJ_API_KEY: API_KEY,
    STORE_URL: TEST_REDIS_URL,
    USER_MAX_CONCURRENT: '3',
    PROXY_TIMEOUT_MS: '3000',
    LOG_LEVEL: 'warn',
  });
  const app = createApp(config, { storePrefix: prefix, autoPoll: false, logger: createLogger({ level: 'warn', secrets: [API_KEY, discord.token], write: () => undefined }) });
  const seen = new Map<string, HandledEvent>();
  app.events.on('handled', (e) => seen.set(e.interactionId, e));
  await app.start();
  apps.push(app);
  return { app, discord, handled: (it) => whenReported(app.events, ['handled'], () => seen.get(it.id), `interaction ${it.id} handled`, 5000) };
}

describe('panel l on two processes sharing Redis', () => {
  it('a limit and a channel list set through process A hold at once for a command handled by process B', async () => {
    const a = await startProcess();
    const b = await startProcess();
    const imagine = async (p: typeof b, prompt: string, channelId?: string) => {
      const it = p.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: prompt }], { channelId });
      await p.handled(it);
      return p.discord.callbackOf(it);
    };
    // Before: B lets two jobs run at once.
    expect((await imagine(b, 'one')).data.flags ?? 0).toBe(0);
    expect((await imagine(b, 'two')).data.flags ?? 0).toBe(0);

    // A's admin lowers the running limit to 2 and keeps the bot to another channel.
    const open = a.discord.sendSlashCommand('settings', [{ name: 'scope', type: 3, value: 'server' }]);
    await a.handled(open);
    const panelId = a.discord.originalOf(open).id;
    await a.handled(a.discord.clickButton(panelId, 'mj:set:l:open'));
    await a.handled(a.discord.clickButton(panelId, 'mj:set:l:lim'));
    const set = a.discord.submitModal('mj:set:l:limm', { running: '2', daily: '', serverDaily: '' });
    expect((await a.handled(set)).ok).toBe(true);
    const art = a.discord.addChannel('art');
    expect((await a.handled(a.discord.selectMenu(panelId, 'mj:set:l:chan', [art]))).ok).toBe(true);

    // B, at once: this channel is refused, and in the chosen one (B's fake creates it on first use) the third job is over the limit.
    const here = await imagine(b, 'three');
    expect(here.data.flags & 64).toBe(64);
    expect(here.data.content).toBe('The bot can’t be used in this channel.');
    const there = await imagine(b, 'three', art);
    expect(there.data.flags & 64).toBe(64);
    expect(there.data.content).toBe('This server allows 2 running jobs per member, and you have that many. Wait for one to finish.');
    expect(proxy.requests.filter((r) => r.route === '/mj/submit/imagine')).toHaveLength(2);
  });
});
