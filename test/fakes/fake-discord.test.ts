// Drives the REAL discord.js 14 Client against the fake Discord and proves each feature of the fake.
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { createRestAgent } from '../../src/discord/rest-agent.ts';
import {
  ActionRowBuilder, AttachmentBuilder, ButtonBuilder, ButtonStyle, Client, DiscordAPIError, Events, FileUploadBuilder,
  GatewayIntentBits, LabelBuilder, Locale, MessageFlags, ModalBuilder, RESTEvents, SlashCommandBuilder, TextInputBuilder,
  TextInputStyle, type Interaction as DjsInteraction, type TextChannel,
} from 'discord.js';
import { startFakeDiscord, type FakeDiscord, type FakeDiscordOptions } from '../../stand-ins/fake-discord.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => {});
});

async function setup(opts: FakeDiscordOptions = {}): Promise<{ fake: FakeDiscord; client: Client }> {
  const fake = await startFakeDiscord(opts);
  // As the bot does: discord.js's REST on an agent of its own undici (src/discord/rest-agent.ts).
  const agent = createRestAgent();
  const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.apiBase, retries: 0, timeout: 5000, agent } });
  cleanups.push(async () => { await client.destroy(); await agent.close(); await fake.close(); });
  const ready = once(client, Events.ClientReady);
  await client.login(fake.token);
  await ready;
  return { fake, client };
}

/** run `fn` on the next interaction the client receives; resolves with its result (or rejects with its error) */
function onNext<T>(client: Client, fn: (i: DjsInteraction) => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    client.once(Events.InteractionCreate, (i) => { fn(i).then(resolve, reject); });
  });
}

async function apiError(p: Promise<unknown>): Promise<DiscordAPIError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof DiscordAPIError) return e;
    throw e;
  }
  throw new Error('expected a DiscordAPIError');
}

/** 8x6 PNG header (enough for the size sniffing) + payload bytes */
function fakePng(extra = 64): Buffer {
  const head = Buffer.from('89504e470d0a1a0a0000000d49484452000000080000000608060000000000000000', 'hex');
  return Buffer.concat([head, Buffer.alloc(extra, 7)]);
}

async function textChannel(client: Client, fake: FakeDiscord): Promise<TextChannel> {
  return (await client.channels.fetch(fake.channelId)) as TextChannel;
}

describe('fake discord + real discord.js client', () => {
  it('logs in: READY with application, GUILD_CREATE caches guild and channel', async () => {
    const { fake, client } = await setup();
    expect(client.user?.id).toBe(fake.appId);
    expect(client.application?.id).toBe(fake.appId);
    expect(client.guilds.cache.has(fake.guildId)).toBe(true);
    expect(client.channels.cache.has(fake.channelId)).toBe(true);
    const gw = fake.calls.find((c) => c.path === '/gateway/bot')!;
    expect(gw.auth).toBe(`Bot ${fake.token}`);
    expect(fake.gatewayLog.some((p) => p.op === 2)).toBe(true);
  });

  it('host: listens there and hands it out in every URL; each call and gateway payload says where it came from', async () => {
    // scripts/scaled-check.sh: the fake on the Docker bridge's address, and which container sent what.
    const { fake, client } = await setup({ host: 'localhost' });
    expect(fake.apiBase).toBe(`http://localhost:${fake.port}/api`);
    expect(fake.gatewayUrl).toBe(`ws://localhost:${fake.port}/gateway`);
    const gw = (await (await fetch(`${fake.apiBase}/v10/gateway/bot`, { headers: { authorization: `Bot ${fake.token}` } })).json()) as { url: string };
    expect(gw.url).toBe(fake.gatewayUrl);
    await (client.channels.cache.get(fake.channelId) as TextChannel).send('hello');
    const loopback = /^(127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)$/;
    const sent = fake.calls.find((c) => c.method === 'POST' && c.path === `/channels/${fake.channelId}/messages`)!;
    expect(sent.from).toMatch(loopback);
    expect(fake.gatewayLog.find((p) => p.op === 2)?.from).toMatch(loopback);
    expect(fake.gatewayLog.find((p) => 'connect' in p)?.from).toMatch(loopback);
  });

  it('registers commands with zh-CN localizations (PUT), fetches them back, rejects a bad locale', async () => {
    const { fake, client } = await setup();
    const cmd = new SlashCommandBuilder().setName('imagine').setDescription('Create an image')
      .setNameLocalizations({ [Locale.ChineseCN]: '想象', [Locale.EnglishUS]: 'imagine' })
      .setDescriptionLocalizations({ [Locale.ChineseCN]: '生成图片' })
      .addStringOption((o) => o.setName('prompt').setDescription('What to draw').setRequired(true)
        .setDescriptionLocalizations({ [Locale.ChineseCN]: '提示词' }))
      .addAttachmentOption((o) => o.setName('image').setDescription('Reference image'));
    const set = await client.application!.commands.set([cmd.toJSON()]);
    expect(set.size).toBe(1);
    expect(fake.commands[0].name_localizations['zh-CN']).toBe('想象');
    expect(fake.commands[0].options[0].description_localizations['zh-CN']).toBe('提示词');
    const firstId = fake.commands[0].id;
    const fetched = await client.application!.commands.fetch();
    expect([...fetched.values()].map((c) => c.nameLocalizations?.['zh-CN'])).toEqual(['想象']);
    await client.application!.commands.set([cmd.toJSON()]);
    expect(fake.commands[0].id).toBe(firstId); // same name keeps its id, like Discord
    const bad = await apiError(client.application!.commands.set([{ name: 'x', description: 'y', name_localizations: { zh: 'x' } } as any]));
    expect(bad.code).toBe(50035);
  });

  it('slash command with an attachment: bot downloads it from the fake CDN, defers, edits with a file, ephemeral follow-up', async () => {
    const { fake, client } = await setup();
    const png = fakePng(1000);
    const att = fake.addAttachment(png, 'my ref.png');
    expect(att.content_type).toBe('image/png');
    expect(att.width).toBe(8);
    expect(att.url.startsWith(`${fake.baseUrl}/cdn/attachments/`)).toBe(true);

    const handled = onNext(client, async (i) => {
      if (!i.isChatInputCommand()) throw new Error('expected a chat input command');
      const a = i.options.getAttachment('image', true);
      const bytes = Buffer.from(await (await fetch(a.url)).arrayBuffer());
      await i.deferReply();
      await i.editReply({
        content: `got ${a.name} ${bytes.length}B locale=${i.locale} limit=${i.attachmentSizeLimit}`,
        files: [new AttachmentBuilder(Buffer.from('result bytes'), { name: 'result.txt' })],
      });
      await i.followUp({ content: 'only you', flags: MessageFlags.Ephemeral });
      return bytes;
    });
    const it = fake.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: 'a cat' }, { name: 'image', type: 11, value: att.id }], {
      attachments: [att], locale: 'zh-CN',
    });
    const bytes = await handled;
    expect(bytes.equals(png)).toBe(true);
    expect(fake.callbackOf(it)).toMatchObject({ type: 5 });
    const original = fake.originalOf(it);
    expect(original.content).toBe(`got my_ref.png ${png.length}B locale=zh-CN limit=${10 * 1024 * 1024}`);
    expect(original.flags & MessageFlags.Loading).toBe(0);
    expect(original.interaction_metadata.authorizing_integration_owners).toEqual({ '0': fake.guildId });
    expect(original.attachments).toHaveLength(1);
    const served = await fetch(original.attachments[0].url);
    expect(await served.text()).toBe('result bytes');
    const edit = fake.calls.find((c) => c.method === 'PATCH' && c.path === `/webhooks/${fake.appId}/${it.token}/messages/@original`)!;
    expect(edit.files[0]).toMatchObject({ field: 'files[0]', name: 'result.txt' });
    const [follow] = fake.followUpsOf(it);
    expect(follow.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect(fake.channelMessages().map((m) => m.id)).toEqual([original.id]); // ephemeral follow-up not in the channel
  });

  it('button click → update (type 7) edits the message; unknown custom ids are refused by the fake', async () => {
    const { fake, client } = await setup();
    const replied = onNext(client, async (i) => {
      if (!i.isChatInputCommand()) throw new Error('expected a command');
      const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
        new ButtonBuilder().setCustomId('mj:U1:42').setLabel('U1').setStyle(ButtonStyle.Secondary),
        new ButtonBuilder().setCustomId('mj:reroll:42').setEmoji('🔄').setStyle(ButtonStyle.Secondary),
      );
      await i.reply({ content: 'grid', components: [row] });
    });
    const cmd = fake.sendSlashCommand('imagine');
    await replied;
    const msg = fake.originalOf(cmd);
    expect(msg.components[0].components).toHaveLength(2);
    expect(() => fake.clickButton(msg.id, 'nope')).toThrow(/no component/);

    const updated = onNext(client, async (i) => {
      if (!i.isButton()) throw new Error('expected a button');
      expect(i.message.id).toBe(msg.id);
      expect(i.user.id).toBe(fake.users.bob.id);
      await i.update({ content: `picked ${i.customId}`, components: [] });
    });
    const click = fake.clickButton(msg.id, 'mj:U1:42', { user: fake.users.bob });
    await updated;
    expect(fake.callbackOf(click).type).toBe(7);
    const now = fake.messages.get(msg.id);
    expect(now.content).toBe('picked mj:U1:42');
    expect(now.components).toEqual([]);
    expect(now.edited_timestamp).not.toBeNull();
  });

  it('modal: shown (type 9) with label + legacy row + file upload, submitted, read via discord.js; no modal in reply to a modal', async () => {
    const { fake, client } = await setup();
    const shown = onNext(client, async (i) => {
      if (!i.isChatInputCommand()) throw new Error('expected a command');
      const modal = new ModalBuilder().setCustomId('remix:7').setTitle('Remix')
        .addLabelComponents(new LabelBuilder().setLabel('Prompt').setTextInputComponent(
          new TextInputBuilder().setCustomId('prompt').setStyle(TextInputStyle.Paragraph).setValue('old prompt')))
        .addActionRowComponents(new ActionRowBuilder<TextInputBuilder>().addComponents(
          new TextInputBuilder().setCustomId('note').setLabel('Note').setStyle(TextInputStyle.Short).setRequired(false)))
        .addLabelComponents(new LabelBuilder().setLabel('Mask').setFileUploadComponent(
          new FileUploadBuilder().setCustomId('mask').setMinValues(1).setMaxValues(1)));
      await i.showModal(modal);
    });
    const cmd = fake.sendSlashCommand('remix');
    await shown;
    expect(fake.callbackOf(cmd).type).toBe(9);
    expect(fake.modals[0]?.title).toBe('Remix');

    const mask = fake.addAttachment(fakePng(10), 'mask.png');
    const submitted = onNext(client, async (i) => {
      if (!i.isModalSubmit()) throw new Error('expected a modal submit');
      const files = i.fields.getUploadedFiles('mask', true);
      const result = { prompt: i.fields.getTextInputValue('prompt'), note: i.fields.getTextInputValue('note'), file: files.first()!.name, url: files.first()!.url };
      // discord.js leaves showModal off ModalSubmitInteraction; the raw callback shows what Discord answers
      const modal = new ModalBuilder().setCustomId('again').setTitle('Again').addLabelComponents(
        new LabelBuilder().setLabel('x').setTextInputComponent(new TextInputBuilder().setCustomId('x').setStyle(TextInputStyle.Short)));
      const err = await apiError(client.rest.post(`/interactions/${i.id}/${i.token}/callback`, { body: { type: 9, data: modal.toJSON() }, auth: false }));
      await i.reply({ content: 'ok', flags: MessageFlags.Ephemeral });
      return { ...result, code: err.code };
    });
    fake.submitModal('remix:7', { prompt: 'a dog', note: 'n' }, { files: { mask: [mask] }, locale: 'zh-CN' });
    const r = await submitted;
    expect(r).toMatchObject({ prompt: 'a dog', note: 'n', file: 'mask.png', code: 50035 });
    expect(Buffer.from(await (await fetch(r.url)).arrayBuffer()).length).toBe(mask.size);
    expect(() => fake.submitModal('remix:7', { prompt: 'x', bogus: 'y' }, { files: { mask: [mask] } })).toThrow(/bogus/);
  });

  it('autocomplete answers with type 8 and the focused option', async () => {
    const { fake, client } = await setup();
    const done = onNext(client, async (i) => {
      if (!i.isAutocomplete()) throw new Error('expected autocomplete');
      const focused = i.options.getFocused(true);
      await i.respond([{ name: `${focused.name}:${focused.value}!`, value: 'v' }]);
    });
    const ac = fake.autocomplete('settings', [{ name: 'mode', type: 3, value: 'fa' }]);
    await done;
    expect(fake.callbackOf(ac)).toEqual({ type: 8, data: { choices: [{ name: 'mode:fa!', value: 'v' }] } });
  });

  it('3 s deadline → 10062, double ack → 40060', async () => {
    const { fake, client } = await setup({ callbackDeadlineMs: 200 });
    const late = onNext(client, async (i) => {
      // Real time: the fake keeps Discord's callback window on the real clock, as Discord does.
      await new Promise((r) => setTimeout(r, 300));
      return apiError((i as any).reply('too late'));
    });
    fake.sendSlashCommand('slow');
    expect((await late).code).toBe(10062);

    const twice = onNext(client, async (i) => {
      if (!i.isChatInputCommand()) throw new Error('expected a command');
      await i.deferReply();
      return apiError(client.rest.post(`/interactions/${i.id}/${i.token}/callback`, { body: { type: 4, data: { content: 'again' } }, auth: false }));
    });
    fake.sendSlashCommand('fast');
    expect((await twice).code).toBe(40060);
  });

  it('token expiry on the controllable clock: editReply after 16 min → 50027', async () => {
    const { fake, client } = await setup();
    const r = onNext(client, async (i) => {
      if (!i.isChatInputCommand()) throw new Error('expected a command');
      await i.reply('working');
      await i.editReply('still fine');
      fake.clock.advance(16 * 60_000);
      return apiError(i.editReply('too late'));
    });
    const cmd = fake.sendSlashCommand('imagine');
    const e = await r;
    expect(e.code).toBe(50027);
    expect(e.status).toBe(401);
    expect(fake.originalOf(cmd).content).toBe('still fine');
  });

  it('limits: 6 buttons in a row, content of 2001, a bare emoji name, 6 rows → 50035; empty → 50006', async () => {
    const { fake, client } = await setup();
    const ch = await textChannel(client, fake);
    const btn = (n: number) => ({ type: 2, style: 2, label: `B${n}`, custom_id: `b${n}` });
    const six = await apiError(ch.send({ content: 'x', components: [{ type: 1, components: [1, 2, 3, 4, 5, 6].map(btn) }] as any }));
    expect(six.code).toBe(50035);
    expect(six.message).toMatch(/components\[0\]\.components/);
    const long = await apiError(ch.send({ content: 'x'.repeat(2001) }));
    expect(long.code).toBe(50035);
    expect(long.message).toMatch(/content\[BASE_TYPE_MAX_LENGTH\]/);
    const emoji = await apiError(ch.send({ content: 'x', components: [{ type: 1, components: [{ type: 2, style: 2, custom_id: 'u1', emoji: { name: 'upscale_1' } }] }] as any }));
    expect(emoji.code).toBe(50035);
    expect(emoji.message).toMatch(/BUTTON_COMPONENT_INVALID_EMOJI/);
    const rows = await apiError(ch.send({ content: 'x', components: [0, 1, 2, 3, 4, 5].map((r) => ({ type: 1, components: [btn(r)] })) as any }));
    expect(rows.code).toBe(50035);
    const dup = await apiError(ch.send({ content: 'x', components: [{ type: 1, components: [btn(1), btn(1)] }] as any }));
    expect(dup.message).toMatch(/COMPONENT_CUSTOM_ID_DUPLICATED/);
    const empty = await apiError(ch.send({ content: '' } as any));
    expect(empty.code).toBe(50006);
    // valid ones pass: unicode emoji, custom emoji with id, 5x5 buttons, 2000 chars
    const ok = await ch.send({
      content: 'y'.repeat(2000),
      components: [0, 1, 2, 3, 4].map((r) => ({ type: 1, components: [0, 1, 2, 3, 4].map((b) => ({ type: 2, style: 2, custom_id: `r${r}b${b}`, emoji: b % 2 ? { name: '🔄' } : { id: '1234567890123456789', name: 'up' } })) })) as any,
    });
    expect(fake.messages.get(ok.id).components).toHaveLength(5);
  });

  it('rate limits: 8 rapid channel message edits (2 per 500 ms) are paced or retried, all succeed', async () => {
    const { fake, client } = await setup({ editLimit: { count: 2, perMs: 500 } });
    const limited: unknown[] = [];
    client.rest.on(RESTEvents.RateLimited, (info) => limited.push(info));
    const ch = await textChannel(client, fake);
    const msg = await ch.send('progress 0%');
    const t0 = Date.now();
    const edits = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map((n) => msg.edit(`progress ${n * 10}%`)));
    const elapsed = Date.now() - t0;
    expect(edits).toHaveLength(8);
    expect(fake.messages.get(msg.id).content).toBe('progress 80%');
    const patches = fake.calls.filter((c) => c.method === 'PATCH' && c.path.startsWith(`/channels/${fake.channelId}/messages/`));
    expect(patches.filter((c) => c.status === 200)).toHaveLength(8);
    expect(elapsed).toBeGreaterThanOrEqual(1400); // 8 edits at 2 per 500 ms need 3 bucket resets
    expect(limited.length + fake.rateLimitHits).toBeGreaterThan(0);
    // an unpaced client (raw fetch) sees the 429 with Discord's headers
    const url = `${fake.apiBase}/v10/channels/${fake.channelId}/messages/${msg.id}`;
    const init = { method: 'PATCH', headers: { authorization: `Bot ${fake.token}`, 'content-type': 'application/json' }, body: '{"content":"raw"}' };
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let n = 0; n < 3; n++) { last = await fetch(url, init); statuses.push(last.status); }
    expect(statuses).toContain(429);
    expect(last!.headers.get('x-ratelimit-scope')).toBe('user');
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await last!.json()).toMatchObject({ global: false });
  });

  it('failNext injects a one-shot error', async () => {
    const { fake, client } = await setup();
    const ch = await textChannel(client, fake);
    fake.failNext((m, p) => m === 'POST' && p === `/channels/${fake.channelId}/messages`, 404, { message: 'Unknown Channel', code: 10003 });
    const e = await apiError(ch.send('first'));
    expect(e.code).toBe(10003);
    const m = await ch.send('second');
    fake.failNext((method, p) => method === 'PATCH' && p.endsWith(m.id), 500);
    await expect(m.edit('boom')).rejects.toMatchObject({ status: 500 });
    await m.edit('fine');
    expect(fake.messages.get(m.id).content).toBe('fine');
    fake.deleteMessage(m.id);
    expect((await apiError(m.edit('gone'))).code).toBe(10008);
  });

  it('extras: follow-up after a defer fills the loading message; 413/30015; replies; DM; select; withResponse', async () => {
    const { fake, client } = await setup();
    const done = onNext(client, async (i) => {
      if (!i.isChatInputCommand()) throw new Error('expected a command');
      await i.deferReply({ flags: MessageFlags.Ephemeral });
      const first = await i.followUp('filled');   // Discord: edits the "thinking…" message
      const second = await i.followUp('second');  // a real follow-up
      return [first.id, second.id];
    });
    const cmd = fake.sendSlashCommand('defer');
    const [first, second] = await done;
    expect(first).toBe(fake.originalOf(cmd).id);
    expect(fake.originalOf(cmd)).toMatchObject({ content: 'filled', flags: MessageFlags.Ephemeral });
    expect(fake.followUpsOf(cmd).map((m) => m.id)).toEqual([second]);

    const ch = await textChannel(client, fake);
    const big = await apiError(ch.send({ files: [new AttachmentBuilder(Buffer.alloc(10 * 1024 * 1024 + 1), { name: 'big.png' })] }));
    expect([big.status, big.code]).toEqual([413, 40005]);
    const many = await apiError(ch.send({ files: Array.from({ length: 11 }, (_, k) => new AttachmentBuilder(Buffer.from('x'), { name: `f${k}.txt` })) }));
    expect(many.code).toBe(30015);

    const grid = await ch.send({ content: `<@${fake.users.alice.id}> <@${fake.users.bob.id}>`, allowedMentions: { users: [fake.users.alice.id] } });
    expect(fake.messages.get(grid.id).mentions.map((u: any) => u.id)).toEqual([fake.users.alice.id]);
    const reply = await ch.send({ content: 'upscaled', reply: { messageReference: grid.id } });
    expect(fake.messages.get(reply.id).message_reference.message_id).toBe(grid.id);
    fake.deleteMessage(grid.id);
    expect((await apiError(ch.send({ content: 'again', reply: { messageReference: grid.id } }))).code).toBe(50035);

    const dm = onNext(client, async (i) => {
      if (!i.isChatInputCommand()) throw new Error('expected a command');
      const r = await i.reply({ content: `dm ${i.inGuild()}`, withResponse: true });
      return r.resource?.message?.content;
    });
    fake.sendSlashCommand('info', [], { dm: true, user: fake.users.bob });
    expect(await dm).toBe('dm false');

    const menu = await ch.send({ content: 'pick', components: [{ type: 1, components: [{ type: 3, custom_id: 'pick', options: [{ label: 'A', value: 'a' }, { label: 'B', value: 'b' }] }] }] as any });
    const picked = onNext(client, async (i) => {
      if (!i.isStringSelectMenu()) throw new Error('expected a select');
      await i.deferUpdate();
      await i.editReply({ content: `picked ${i.values.join()}`, components: [] });
    });
    fake.selectMenu(menu.id, 'pick', ['b']);
    await picked;
    expect(fake.messages.get(menu.id).content).toBe('picked b');
  });

  it('disconnectGateway → client resumes (RESUME, not IDENTIFY) and still gets interactions', async () => {
    const { fake, client } = await setup();
    const resumed = once(client, Events.ShardResume);
    fake.disconnectGateway();
    await resumed;
    expect(fake.gatewayLog.filter((p) => p.op === 6)).toHaveLength(1);
    expect(fake.gatewayLog.filter((p) => p.op === 2)).toHaveLength(1);
    const got = onNext(client, async (i) => { if (i.isChatInputCommand()) await i.reply('pong'); return i.id; });
    const cmd = fake.sendSlashCommand('ping');
    expect(await got).toBe(cmd.id);
    expect(fake.originalOf(cmd).content).toBe('pong');
  });
});
