// /info and /help end to end: the real discord.js client against the fake Discord, the real store,
// the real proxy client against the fake proxy. Both answer privately; /info reads and never takes.
import { afterEach, describe, expect, it } from 'vitest';
import { StoreError } from '../../src/store/errors.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const GALLERY = '400000000000000004';

function slash(name: string, options: any[] = [], opts: { locale?: string; user?: any } = {}) {
  return h.discord.sendSlashCommand(name, options, opts);
}

/** The private answer of `it`, once it carries its embeds. */
async function privateAnswer(it: { id: string; token: string }) {
  const msg = await h.discord.waitForMessage((m) => m.id === h.discord.originalOf(it)?.id && m.embeds.length > 0);
  expect(msg.flags & 64).toBe(64);
  return msg;
}

async function infoText(opts: { locale?: string; user?: any } = {}): Promise<string> {
  const msg = await privateAnswer(slash('info', [], opts));
  expect(msg.embeds).toHaveLength(1);
  return `${msg.embeds[0].title}\n${msg.embeds[0].description}`;
}

describe('/info', () => {
  it('lists the user’s running and queued jobs with jump links, the counts against the limits, the settings and the service, taking nothing', async () => {
    h = await startHarness({ env: { USER_MAX_CONCURRENT: '3', USER_MAX_DAILY: '10' } });
    const { alice, bob } = h.discord.users;
    const fox = slash('imagine', [{ name: 'prompt', type: 3, value: 'a red fox' }]);
    const foxId = await h.trackedId();
    h.proxy.advance(foxId);
    await h.app.poller.tick();
    h.proxy.nextTimeline('queued');
    slash('imagine', [{ name: 'prompt', type: 3, value: 'a queued owl' }]);
    const owlId = await h.trackedId([foxId]);
    slash('imagine', [{ name: 'prompt', type: 3, value: 'bob’s cat' }], { user: bob });
    const catId = await h.trackedId([foxId, owlId]);
    await h.app.stores.prefs.setUser(alice.id, { stylize: 750, remix: true });
    await h.app.stores.prefs.setServer(h.discord.guildId, { defaults: { raw: true, stylize: 50 } });

    const before = h.proxy.requests.length;
    const text = await infoText();
    const foxMessage = h.discord.originalOf(fox)!.id;
    expect(text).toMatch(new RegExp(`\`${foxId}\` · \\*\\*15%\\*\\* · a red fox · \\[open ↗\\]\\(https://discord\\.com/channels/${h.discord.guildId}/${h.discord.channelId}/${foxMessage}\\)`));
    expect(text).toContain(`\`${owlId}\` · **Queued — 2 ahead** · a queued owl`);
    expect(text).not.toContain(catId);
    expect(text).toContain('**Jobs today:** 2 of 10 (resets at 00:00 UTC)');
    expect(text).toContain('**Running jobs:** 2 of 3');
    // Her own choices over the server's defaults; the rest is the default.
    expect(text).toContain('**Stylize:** very high (750)');
    expect(text).toContain('**RAW Mode:** on');
    expect(text).toContain('**Remix Mode:** on');
    expect(text).toContain('**Job Mode:** default');
    expect(text).toContain('**Service:** ✅ reachable · jobs in progress for everyone: 3');
    // Read from the store: nothing asked of the backend, nothing counted.
    expect(h.proxy.requests.length).toBe(before);
    expect(await infoText()).toContain('**Jobs today:** 2 of 10');

    for (const id of [foxId, owlId, catId]) h.proxy.finish(id);
    await h.app.poller.tick();
    await h.allFinished();
    const after = await infoText();
    expect(after).toMatch(/\*\*Your running and queued jobs:\*\*\nNone\.$/);
    expect(after).toContain('**Running jobs:** 0 of 3');
    expect(after).toContain('**Jobs today:** 2 of 10');
    expect(after).toContain('no jobs in progress');
  });

  it('in Chinese, and says plainly when the service cannot be reached', async () => {
    h = await startHarness();
    slash('imagine', [{ name: 'prompt', type: 3, value: '一只狐狸' }], { locale: 'zh-CN' });
    const id = await h.trackedId();
    h.proxy.setQuirks({ status5xx: 502 });
    // Each pass reads once and retries twice: five failures in a row open the circuit.
    for (let pass = 0; pass < 5 && h.app.proxy.health.state !== 'open'; pass++) await h.app.poller.tick();
    expect(h.app.proxy.health.state).toBe('open');
    const text = await infoText({ locale: 'zh-CN' });
    expect(text).toMatch(/^你的信息\n/);
    expect(text).toContain('**服务：** ❌ 暂时无法访问；恢复之前不接受新任务 · 所有人进行中的任务：1');
    expect(text).toContain(`\`${id}\` · **`);
    expect(text).toContain('一只狐狸 · [查看 ↗]');
    expect(text).toContain('**今日任务：** 至少 1（每日不限）');
    expect(text).toContain('**运行中的任务：** 1（不限）');
    expect(text).toContain('**速度模式：** 默认');
  });
});

describe('/help', () => {
  it('explains the commands and buttons privately in the user’s language, with the server’s gallery once it has one', async () => {
    h = await startHarness();
    const en = await privateAnswer(slash('help'));
    const enText = en.embeds.map((e: any) => e.description).join('\n');
    expect(en.embeds[0].title).toBe('How to use the bot');
    for (const s of ['`/imagine`', '`/info`', '`/settings`', '**U1–U4**', '**V1–V4**', '**🔄**', '**Custom Zoom**', '**🌱**', '**❌**', '**Share**', '**🗑 Delete**']) expect(enText, s).toContain(s);
    expect(enText).not.toContain('<#');

    await h.app.stores.prefs.setServer(h.discord.guildId, { galleryChannelId: GALLERY });
    const zh = await privateAnswer(slash('help', [], { locale: 'zh-CN' }));
    const zhText = zh.embeds.map((e: any) => e.description).join('\n');
    expect(zh.embeds[0].title).toBe('使用说明');
    expect(zhText).toContain('`/绘图`（imagine）');
    expect(zhText).toContain(`分享的作品在 <#${GALLERY}>。`);
    expect((await privateAnswer(slash('help'))).embeds[1].description).toContain(`Shared results are in <#${GALLERY}>.`);
    // A channel mention never pings, and the answer pings nobody.
    const edit = h.discord.calls.filter((c) => c.method === 'PATCH' && c.path.includes('/messages/@original')).at(-1);
    expect(edit?.json.allowed_mentions).toEqual({ parse: [] });
  });

  it('still answers when the server’s settings cannot be read, without the gallery, and logs why', async () => {
    h = await startHarness();
    await h.app.stores.prefs.setServer(h.discord.guildId, { galleryChannelId: GALLERY });
    // The store refuses this one read, as a Redis that went away would.
    const prefs = h.app.stores.prefs;
    prefs.server = async () => {
      throw new StoreError('prefs.server');
    };
    const msg = await privateAnswer(slash('help'));
    expect(msg.embeds[0].title).toBe('How to use the bot');
    expect(msg.embeds.map((e: any) => e.description).join('\n')).not.toContain('<#');
    await h.logged((l) => l.level === 'warn' && /shown without the gallery/.test(l.msg), 'the warning');
  });
});
