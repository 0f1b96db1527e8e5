// The fake Discord is as strict as Discord's published schema and limits (discord/discord-api-spec,
// discord-api-docs): what Discord refuses, the fake refuses the same way (400, 50035 Invalid Form Body).
// Driven through the real @discordjs/rest client that discord.js uses.
import { afterEach, describe, expect, it } from 'vitest';
import { createRestAgent } from '../../src/discord/rest-agent.ts';
import { DiscordAPIError, REST, Routes } from 'discord.js';
import { startFakeDiscord, type FakeDiscord } from '../../stand-ins/fake-discord.ts';

let fake: FakeDiscord;
let rest: REST;
afterEach(async () => {
  await fake?.close();
});

async function setup(): Promise<void> {
  fake = await startFakeDiscord();
  // As the bot does: discord.js's REST on an agent of its own undici (src/discord/rest-agent.ts).
  rest = new REST({ api: fake.apiBase, retries: 0, timeout: 5000, agent: createRestAgent() }).setToken(fake.token);
}

/** The DiscordAPIError a request ends with (fails the test when it succeeds). */
async function refused(p: Promise<unknown>): Promise<DiscordAPIError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof DiscordAPIError) return e;
    throw e;
  }
  throw new Error('expected Discord to refuse this');
}

const send = (body: unknown) => rest.post(Routes.channelMessages(fake.channelId), { body });
const callback = (it: { id: string; token: string }, body: unknown) =>
  rest.post(Routes.interactionCallback(it.id, it.token), { body, auth: false });
const button = (emoji: unknown, n = 0) => ({ type: 2, style: 2, custom_id: `b${n}`, emoji });
const command = (extra: Record<string, unknown> = {}) => ({ name: 'imagine', description: 'Create an image', ...extra });
const putCommands = (list: unknown[]) => rest.put(Routes.applicationCommands(fake.appId), { body: list });

describe('fake Discord: text', () => {
  it('refuses an unpaired UTF-16 surrogate anywhere in a body, JSON or multipart; accepts paired ones', async () => {
    await setup();
    const lone = ['\ud83d', '\udd04', 'a\ud83db', 'x\udd04\ud83d'];
    for (const s of lone) {
      const e = await refused(send({ content: s }));
      expect([e.status, e.code]).toEqual([400, 50035]);
      expect(e.message).toMatch(/content/);
    }
    expect((await refused(send({ content: 'ok', embeds: [{ title: 'half \ud83d' }] }))).code).toBe(50035);
    expect((await refused(send({ content: 'ok', allowed_mentions: { parse: [], ['\ud800']: 1 } }))).code).toBe(50035);
    expect((await refused(putCommands([command({ description: 'cut \ud83d' })]))).code).toBe(50035);
    const it = fake.sendSlashCommand('imagine');
    expect((await refused(callback(it, { type: 4, data: { content: 'cut \ud83d' } }))).code).toBe(50035);
    // multipart: payload_json next to a file
    const file = await refused(rest.post(Routes.channelMessages(fake.channelId), { body: { content: 'half \ud83d' }, files: [{ name: 'a.txt', data: Buffer.from('hi') }] }));
    expect(file.code).toBe(50035);
    expect(fake.channelMessages()).toHaveLength(0);

    await send({ content: 'whole 🔄 👨‍👩‍👧 𝒜' });
    expect(fake.channelMessages().map((m) => m.content)).toEqual(['whole 🔄 👨‍👩‍👧 𝒜']);
  });

  it('accepts every locale Discord lists, ar and he included, and nothing else', async () => {
    await setup();
    const locales = ['ar', 'bg', 'cs', 'da', 'de', 'el', 'en-GB', 'en-US', 'es-419', 'es-ES', 'fi', 'fr', 'he', 'hi', 'hr', 'hu', 'id', 'it', 'ja', 'ko', 'lt', 'nl', 'no', 'pl', 'pt-BR', 'ro', 'ru', 'sv-SE', 'th', 'tr', 'uk', 'vi', 'zh-CN', 'zh-TW'];
    const all = Object.fromEntries(locales.map((l) => [l, 'description']));
    await putCommands([command({ description_localizations: all, name_localizations: { ar: 'تخيل', he: 'דמיין' } })]);
    expect(Object.keys(fake.commands[0].description_localizations)).toHaveLength(34);
    for (const bad of ['zh', 'en', 'pt-PT', 'AR', 'es-MX']) {
      const e = await refused(putCommands([command({ description_localizations: { [bad]: 'x' } })]));
      expect(e.message, bad).toMatch(/LOCALE_INVALID/);
    }
  });
});

describe('fake Discord: allowed_mentions', () => {
  it('refuses what Discord’s schema refuses; parses only the mentions it allows', async () => {
    await setup();
    const alice = fake.users.alice.id;
    const bad: [unknown, RegExp][] = [
      ['users', /DICT_TYPE_CONVERT/],
      [{ parse: 'users' }, /BASE_TYPE_ARRAY/],
      [{ parse: ['people'] }, /BASE_TYPE_CHOICES/],
      [{ parse: ['users'], users: [alice] }, /MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE/],
      [{ parse: ['roles'], roles: [fake.guildId] }, /MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE/],
      [{ users: alice }, /BASE_TYPE_ARRAY/],
      [{ users: ['alice'] }, /NUMBER_TYPE_COERCE/],
      [{ roles: ['12'] }, /NUMBER_TYPE_COERCE/],
      [{ users: Array.from({ length: 101 }, (_, i) => String(100000000000000000n + BigInt(i))) }, /BASE_TYPE_MAX_LENGTH/],
      [{ parse: [], replied_user: 'yes' }, /BASE_TYPE_BOOLEAN/],
    ];
    for (const [allowed, code] of bad) {
      const e = await refused(send({ content: `<@${alice}>`, allowed_mentions: allowed }));
      expect([e.status, e.code]).toEqual([400, 50035]);
      expect(JSON.stringify(e.rawError)).toMatch(code);
    }
    expect(fake.channelMessages()).toHaveLength(0);

    const quiet = (await send({ content: `<@${alice}> @everyone`, allowed_mentions: { parse: [] } })) as { mentions: unknown[]; mention_everyone: boolean };
    expect([quiet.mentions, quiet.mention_everyone]).toEqual([[], false]);
    const one = (await send({ content: `<@${alice}>`, allowed_mentions: { parse: [], users: [alice], replied_user: false } })) as { mentions: { id: string }[] };
    expect(one.mentions.map((u) => u.id)).toEqual([alice]);
  });
});

describe('fake Discord: button emoji', () => {
  it('is exactly one RGI emoji, or a custom emoji with a name and a snowflake id', async () => {
    await setup();
    const bad = [
      { name: '🔄🔄' }, { name: '1️⃣2️⃣' }, { name: '🇺🇸🇬🇧' }, { name: '\u{2FFFF}' }, { name: '\u{1FAFF}' }, { name: '👍\u200d' },
      { name: '\u200d🔄' }, { name: 'upscale_1' }, { name: 'a🔄' }, { name: '' }, { name: ' 🔄' }, { name: '🖌' },
      { id: 'abc', name: 'up' }, { id: '1234567890123456789', name: 'bad name' }, { id: '1234567890123456789', name: '🔄' }, {},
    ];
    for (const emoji of bad) {
      const e = await refused(send({ content: 'x', components: [{ type: 1, components: [button(emoji)] }] }));
      expect([e.code, e.message], JSON.stringify(emoji)).toEqual([50035, expect.stringMatching(/BUTTON_COMPONENT_INVALID_EMOJI/)]);
    }
    // the same rule for a select option's emoji
    const select = { type: 3, custom_id: 's', options: [{ label: 'a', value: 'a', emoji: { name: '🔄🔄' } }] };
    expect((await refused(send({ content: 'x', components: [{ type: 1, components: [select] }] }))).message).toMatch(/INVALID_EMOJI/);

    const good = [{ name: '🔄' }, { name: '1️⃣' }, { name: '🇺🇸' }, { name: '👨‍👩‍👧' }, { name: '👍🏽' }, { name: '⬅️' }, { id: '1234567890123456789', name: 'up_1', animated: true }];
    await send({ content: 'x', components: [{ type: 1, components: good.slice(0, 5).map(button) }, { type: 1, components: good.slice(5).map((e, i) => button(e, 5 + i)) }] });
    expect(fake.channelMessages()).toHaveLength(1);
  });
});

describe('fake Discord: commands', () => {
  it('checks choices: names 1-100, values of the option type (strings 1-100), only on string, integer and number options', async () => {
    await setup();
    const option = (type: number, choices: unknown[], extra = {}) => command({ options: [{ type, name: 'mode', description: 'Mode', choices, ...extra }] });
    const bad = [
      option(3, [{ name: '', value: 'a' }]),
      option(3, [{ name: 'n'.repeat(101), value: 'a' }]),
      option(3, [{ name: 'a', value: 'v'.repeat(101) }]),
      option(3, [{ name: 'a', value: '' }]),
      option(3, [{ name: 'a', value: 1 }]),
      option(3, [{ name: 'a' }]),
      option(4, [{ name: 'a', value: 'one' }]),
      option(4, [{ name: 'a', value: 1.5 }]),
      option(4, [{ name: 'a', value: 2 ** 53 + 2 }]),
      option(10, [{ name: 'a', value: '1' }]),
      option(5, [{ name: 'a', value: 'a' }]),
      option(11, [{ name: 'a', value: 'a' }]),
      option(3, [{ name: 'a', value: 'a', name_localizations: { 'zh-CN': 'n'.repeat(101) } }]),
      option(3, [{ name: 'a', value: 'a', name_localizations: { zh: 'a' } }]),
      option(3, Array.from({ length: 26 }, (_, i) => ({ name: `c${i}`, value: `c${i}` }))),
    ];
    for (const [i, c] of bad.entries()) {
      const e = await refused(putCommands([c]));
      expect(e.code, `case ${i}`).toBe(50035);
      expect(e.message, `case ${i}`).toMatch(/choices/);
    }
    await putCommands([
      command({
        options: [
          { type: 3, name: 'mode', description: 'Mode', choices: [{ name: 'n'.repeat(100), value: 'v'.repeat(100), name_localizations: { 'zh-CN': '快' } }] },
          { type: 4, name: 'count', description: 'Count', choices: [{ name: 'one', value: 1 }, { name: 'big', value: 2 ** 53 - 1 }] },
          { type: 10, name: 'weight', description: 'Weight', choices: [{ name: 'half', value: 0.5 }] },
        ],
      }),
    ]);
    expect(fake.commands[0].options).toHaveLength(3);

    // autocomplete answers are the same choice objects
    for (const choices of [[{ name: 'a', value: '' }], [{ name: 'a', value: 'v'.repeat(101) }], [{ name: 'a', value: 'a', name_localizations: { zh: 'a' } }], [{ name: 'a', value: null }]]) {
      const ac = fake.autocomplete('imagine', [{ name: 'mode', value: 'f' }]);
      expect((await refused(callback(ac, { type: 8, data: { choices } }))).message).toMatch(/choices/);
    }
    const ac = fake.autocomplete('imagine', [{ name: 'mode', value: 'f' }]);
    await callback(ac, { type: 8, data: { choices: [{ name: 'fast', value: 'fast', name_localizations: { ar: 'سريع' } }, { name: 'one', value: 1 }] } });
    expect(fake.callbackOf(ac).data.choices).toHaveLength(2);
  });

  it('counts at most 8,000 characters per command: names, descriptions, choice names and values, the longest localization of each', async () => {
    await setup();
    // 25 choices of 100 + 100 = 5,000; 'imagine' + 'Create an image' + option name + description: 5,000 + 7 + 15 + 4 + 100 = 5,126.
    const choices = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `${i}`.padEnd(100, 'n'), value: `${i}`.padEnd(100, 'v') }));
    const opt = (name: string, n: number, description = 'd'.repeat(100)) => ({ type: 3, name, description, choices: choices(n) });
    await putCommands([command({ options: [opt('a', 25)] })]);
    // 5,126 + 2,800 (14 choices) = 7,926 fits; one more choice (200) does not.
    await putCommands([command({ options: [opt('a', 25), opt('b', 14, 'd')] })]);
    const over = await refused(putCommands([command({ options: [opt('a', 25), opt('b', 15, 'd')] })]));
    expect([over.code, over.message]).toEqual([50035, expect.stringMatching(/APPLICATION_COMMAND_TOO_LARGE/)]);
    // a localization longer than its default counts instead of it
    const base = command({ options: [opt('a', 25), opt('b', 14, 'd')] }) as any;
    base.options[1].description_localizations = { 'zh-CN': 'd'.repeat(100) };
    expect((await refused(putCommands([base]))).message).toMatch(/APPLICATION_COMMAND_TOO_LARGE/);
    // POST of one command and PATCH are held to the same total
    expect((await refused(rest.post(Routes.applicationCommands(fake.appId), { body: base }))).code).toBe(50035);
  });

  it('holds localized option names to the option name rule: 1-32 letters, digits, - _ \' (Devanagari, Thai), lowercase where the script has case', async () => {
    await setup();
    const named = (loc: string) => command({ options: [{ type: 11, name: 'image', description: 'd', name_localizations: { 'zh-CN': loc } }] });
    for (const bad of ['Image', '图 片', '图片!', '', 'x'.repeat(33), 'ÉCLAIR']) {
      const e = await refused(putCommands([named(bad)]));
      expect([e.code, e.message], bad).toEqual([50035, expect.stringMatching(/options\[0\]\.name_localizations\.zh-CN\[APPLICATION_COMMAND_INVALID_NAME\]/)]);
    }
    await putCommands([command({ options: ['图片', '图片2', 'éclair', 'चित्र', 'ภาพ', "o'clock", 'x'.repeat(32)].map((loc, i) => ({ type: 11, name: `image${i}`, description: 'd', name_localizations: { 'zh-CN': loc } })) })]);
    expect(fake.commands[0].options.map((o: any) => o.name_localizations['zh-CN'])).toContain('图片2');
  });

  it('refuses min above max on options, and contexts or integration types Discord does not have', async () => {
    await setup();
    const bad = [
      command({ options: [{ type: 3, name: 'p', description: 'p', min_length: 10, max_length: 5 }] }),
      command({ options: [{ type: 4, name: 'n', description: 'n', min_value: 10, max_value: 5 }] }),
      command({ options: [{ type: 4, name: 'n', description: 'n', min_value: 1.5 }] }),
      command({ options: [{ type: 10, name: 'n', description: 'n', min_value: 2.5, max_value: 2 }] }),
      command({ contexts: [3] }),
      command({ contexts: [] }),
      command({ contexts: [0, 0] }),
      command({ integration_types: [2] }),
    ];
    for (const [i, c] of bad.entries()) expect((await refused(putCommands([c]))).code, `case ${i}`).toBe(50035);
    await putCommands([command({ contexts: [0, 1, 2], integration_types: [0, 1], options: [{ type: 4, name: 'n', description: 'n', min_value: 1, max_value: 1 }] })]);
    expect(fake.commands[0].contexts).toEqual([0, 1, 2]);
  });
});

describe('fake Discord: modals', () => {
  const input = (extra: Record<string, unknown>) => ({ type: 18, label: 'Prompt', component: { type: 4, custom_id: 'prompt', style: 2, ...extra } });
  const modal = (component: unknown) => ({ type: 9, data: { custom_id: 'm', title: 'Edit', components: [component] } });

  it('refuses a value longer than max_length, min_length above max_length, and an empty Label description', async () => {
    await setup();
    const bad = [
      input({ value: 'x'.repeat(11), max_length: 10 }),
      input({ min_length: 20, max_length: 10 }),
      input({ value: 'x'.repeat(4001) }),
      input({ max_length: 4001 }),
      input({ min_length: -1 }),
      { ...input({}), description: '' },
      { ...input({}), description: 'd'.repeat(101) },
      { type: 1, components: [{ type: 4, custom_id: 'p', style: 1, label: 'P', value: 'abc', max_length: 2 }] },
    ];
    for (const [i, c] of bad.entries()) {
      const it = fake.sendSlashCommand('imagine');
      expect((await refused(callback(it, modal(c)))).code, `case ${i}`).toBe(50035);
    }
    const it = fake.sendSlashCommand('imagine');
    await callback(it, modal({ ...input({ value: 'x'.repeat(10), min_length: 10, max_length: 10 }), description: 'd' }));
    expect(fake.modals).toHaveLength(1);
  });
});

describe('fake Discord: message flags', () => {
  const EPHEMERAL = 1 << 6;
  const SUPPRESS_EMBEDS = 1 << 2;
  const SUPPRESS_NOTIFICATIONS = 1 << 12;
  const IS_CROSSPOST = 1 << 1;
  const UNKNOWN = 1 << 20;

  it('takes only the flags each route allows', async () => {
    await setup();
    const flagErr = async (p: Promise<unknown>) => {
      const e = await refused(p);
      expect([e.code, e.message]).toEqual([50035, expect.stringMatching(/flags/)]);
    };
    // channel messages: suppress embeds / notifications (and voice, components v2) only
    await flagErr(send({ content: 'x', flags: EPHEMERAL }));
    await flagErr(send({ content: 'x', flags: UNKNOWN }));
    await flagErr(send({ content: 'x', flags: IS_CROSSPOST }));
    const m = (await send({ content: 'x', flags: SUPPRESS_EMBEDS | SUPPRESS_NOTIFICATIONS })) as any;
    // a channel message edit: suppress embeds (and components v2) only
    await flagErr(rest.patch(Routes.channelMessage(fake.channelId, m.id), { body: { flags: SUPPRESS_NOTIFICATIONS } }));
    await rest.patch(Routes.channelMessage(fake.channelId, m.id), { body: { flags: SUPPRESS_EMBEDS } });

    // interaction replies may also be ephemeral; nothing unknown
    const it = fake.sendSlashCommand('imagine');
    await flagErr(callback(it, { type: 4, data: { content: 'x', flags: UNKNOWN } }));
    await callback(it, { type: 4, data: { content: 'x', flags: EPHEMERAL | SUPPRESS_NOTIFICATIONS } });
    // follow-ups: ephemeral too; edits of the reply: suppress embeds only
    const follow = (flags: number) => rest.post(Routes.webhook(fake.appId, it.token), { body: { content: 'f', flags }, auth: false });
    await flagErr(follow(UNKNOWN));
    await follow(EPHEMERAL);
    const edit = (flags: number) => rest.patch(Routes.webhookMessage(fake.appId, it.token, '@original'), { body: { content: 'e', flags }, auth: false });
    await flagErr(edit(EPHEMERAL));
    await flagErr(edit(UNKNOWN));
    await edit(SUPPRESS_EMBEDS);
  });
});

describe('fake Discord: select menus', () => {
  const row = (c: unknown) => ({ type: 1, components: [c] });
  const opts = (n: number) => Array.from({ length: n }, (_, i) => ({ label: `o${i}`, value: `v${i}` }));

  it('refuses what Discord refuses on string and channel selects; accepts the well-formed ones', async () => {
    await setup();
    const bad: [unknown, RegExp][] = [
      [{ type: 3, custom_id: 's', options: opts(26) }, /BASE_TYPE_BAD_LENGTH/],
      [{ type: 3, custom_id: 's', options: [] }, /BASE_TYPE_BAD_LENGTH/],
      [{ type: 3, custom_id: 's', options: [{ label: 'a', value: 'x' }, { label: 'b', value: 'x' }] }, /OPTION_VALUE_DUPLICATED/],
      [{ type: 3, custom_id: 's', options: opts(3), min_values: 3, max_values: 2 }, /MIN_VALUES_GREATER_THAN_MAX/],
      [{ type: 3, custom_id: 's', options: opts(2), max_values: 3 }, /TOO_MANY_VALUES/],
      [{ type: 3, custom_id: 's', options: opts(2).map((o) => ({ ...o, default: true })) }, /TOO_MANY_DEFAULT_VALUES/],
      [{ type: 3, custom_id: 's', options: opts(2), placeholder: 'p'.repeat(151) }, /BASE_TYPE_MAX_LENGTH/],
      [{ type: 3, custom_id: 's', options: opts(2), channel_types: [0] }, /NOT_ALLOWED/],
      [{ type: 8, custom_id: 's', options: opts(2) }, /NOT_ALLOWED/],
      [{ type: 8, custom_id: 's', channel_types: [0, 99] }, /BASE_TYPE_CHOICES/],
      [{ type: 8, custom_id: 's', default_values: [{ id: '1234567890123456789', type: 'user' }] }, /BASE_TYPE_CHOICES/],
      [{ type: 8, custom_id: 's', max_values: 1, default_values: [{ id: '1234567890123456789', type: 'channel' }, { id: '1234567890123456780', type: 'channel' }] }, /BAD_LENGTH/],
      [{ type: 8, custom_id: 's'.repeat(101) }, /BASE_TYPE_BAD_LENGTH/],
    ];
    for (const [select, code] of bad) {
      const e = await refused(send({ content: 'x', components: [row(select)] }));
      expect([e.code, e.message], JSON.stringify(select).slice(0, 120)).toEqual([50035, expect.stringMatching(code)]);
    }
    await send({
      content: 'x',
      components: [
        row({ type: 3, custom_id: 'a', min_values: 0, max_values: 25, options: opts(25).map((o, i) => ({ ...o, default: i < 3 })) }),
        row({ type: 8, custom_id: 'b', channel_types: [0], default_values: [{ id: fake.channelId, type: 'channel' }] }),
      ],
    });
    expect(fake.channelMessages()).toHaveLength(1);
  });

  it('a selection is sent as Discord’s client would: within min/max, among the options or the listed channels, channels resolved', async () => {
    await setup();
    const thread = fake.addThread('t');
    const gallery = fake.addChannel('gallery');
    const msg: any = await send({
      content: 'x',
      components: [
        row({ type: 3, custom_id: 'pick', min_values: 1, max_values: 2, options: opts(3) }),
        row({ type: 8, custom_id: 'chan', channel_types: [0] }),
        row({ type: 2, style: 2, custom_id: 'btn', label: 'b' }),
      ],
    });
    expect(() => fake.selectMenu(msg.id, 'pick', [])).toThrow(/takes 1–2 values/);
    expect(() => fake.selectMenu(msg.id, 'pick', ['v0', 'v1', 'v2'])).toThrow(/takes 1–2 values/);
    expect(() => fake.selectMenu(msg.id, 'pick', ['nope'])).toThrow(/offers no option/);
    expect(() => fake.selectMenu(msg.id, 'chan', [thread])).toThrow(/type 11/);
    expect(() => fake.selectMenu(msg.id, 'btn', ['x'])).toThrow(/is a button/);
    const it = fake.selectMenu(msg.id, 'chan', [gallery]) as any;
    expect(it.data).toMatchObject({ component_type: 8, values: [gallery], resolved: { channels: { [gallery]: { id: gallery, type: 0, name: 'gallery' } } } });
    expect((fake.selectMenu(msg.id, 'pick', ['v2', 'v0']) as any).data).toMatchObject({ component_type: 3, values: ['v2', 'v0'] });
  });

  it('a role select: role default values only, and a selection among the server’s roles, resolved', async () => {
    await setup();
    const artists = fake.addRole('artists');
    const e = await refused(send({ content: 'x', components: [row({ type: 6, custom_id: 'r', default_values: [{ id: fake.channelId, type: 'channel' }] })] }));
    expect([e.code, e.message]).toEqual([50035, expect.stringMatching(/BASE_TYPE_CHOICES/)]);
    const msg: any = await send({ content: 'x', components: [row({ type: 6, custom_id: 'roles', min_values: 0, max_values: 25, default_values: [{ id: artists, type: 'role' }] })] });
    expect(() => fake.selectMenu(msg.id, 'roles', ['1234567890123456789'])).toThrow(/no role/);
    const it = fake.selectMenu(msg.id, 'roles', [artists]) as any;
    expect(it.data).toMatchObject({ component_type: 6, values: [artists], resolved: { roles: { [artists]: { id: artists, name: 'artists' } } } });
    expect((fake.selectMenu(msg.id, 'roles', []) as any).data).toMatchObject({ component_type: 6, values: [] });
  });

  it('a user select: its default values name users; a selection names the server’s members, resolved as users and members', async () => {
    await setup();
    const bob = fake.users.bob;
    const e = await refused(send({ content: 'x', components: [row({ type: 5, custom_id: 'u', default_values: [{ id: bob.id, type: 'channel' }] })] }));
    expect([e.code, e.message]).toEqual([50035, expect.stringMatching(/BASE_TYPE_CHOICES/)]);
    const msg: any = await send({ content: 'x', components: [row({ type: 5, custom_id: 'who', min_values: 0, max_values: 2, default_values: [{ id: bob.id, type: 'user' }] })] });
    expect(() => fake.selectMenu(msg.id, 'who', ['1234567890123456789'])).toThrow(/no member/);
    expect(() => fake.selectMenu(msg.id, 'who', [bob.id, fake.users.alice.id, bob.id])).toThrow(/takes 0–2 values/);
    const it = fake.selectMenu(msg.id, 'who', [bob.id]) as any;
    expect(it.data).toMatchObject({ component_type: 5, values: [bob.id], resolved: { users: { [bob.id]: { id: bob.id, username: 'bob' } }, members: { [bob.id]: { roles: [] } } } });
    expect(it.data.resolved.members[bob.id].user).toBeUndefined();
  });
});
