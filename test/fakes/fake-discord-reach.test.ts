// Where the fake Discord lets the bot reach, as Discord does: a DM to someone whose DMs are closed
// (403 50007), deleting messages (its own freely; another's only with Manage Messages, never in a
// DM), a channel overwrite that takes a permission from the bot, and the channels of a server that
// did not add the bot (user installs there: 403 50001), driven by the real discord.js client.
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { Client, DiscordAPIError, Events, GatewayIntentBits, Routes } from 'discord.js';
import { createRestAgent } from '../../src/discord/rest-agent.ts';
import { startFakeDiscord, type FakeDiscord, type FakeDiscordOptions } from '../../stand-ins/fake-discord.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => {});
});

async function setup(opts: FakeDiscordOptions = {}): Promise<{ fake: FakeDiscord; client: Client }> {
  const fake = await startFakeDiscord(opts);
  const agent = createRestAgent();
  const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.apiBase, retries: 0, timeout: 5000, agent } });
  cleanups.push(async () => { await client.destroy(); await agent.close(); await fake.close(); });
  const ready = once(client, Events.ClientReady);
  await client.login(fake.token);
  await ready;
  return { fake, client };
}

async function apiError(p: Promise<unknown>): Promise<[number, unknown]> {
  try {
    await p;
  } catch (e) {
    if (e instanceof DiscordAPIError) return [e.status, e.code];
    throw e;
  }
  throw new Error('expected a DiscordAPIError');
}

const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452000000080000000608060000000000000000', 'hex'), Buffer.alloc(32, 7)]);

describe('what the bot can reach', () => {
  it('a DM: the channel opens for anyone known; a message to someone whose DMs are closed is 403 50007', async () => {
    const { fake, client } = await setup();
    const open = (await client.rest.post(Routes.userChannels(), { body: { recipient_id: fake.users.alice.id } })) as { id: string; type: number };
    expect(open.type).toBe(1);
    await client.rest.post(Routes.channelMessages(open.id), { body: { content: 'hi' } });
    fake.users.bob.dmsClosed = true;
    const closed = (await client.rest.post(Routes.userChannels(), { body: { recipient_id: fake.users.bob.id } })) as { id: string };
    expect(await apiError(client.rest.post(Routes.channelMessages(closed.id), { body: { content: 'hi' } }))).toEqual([403, 50007]);
    expect(fake.channelMessages(closed.id)).toEqual([]);
  });

  it('deleting: its own message freely; a person’s only with Manage Messages; never a person’s in a DM', async () => {
    const { fake, client } = await setup({ botPermissions: String((1n << 10n) | (1n << 11n) | (1n << 16n)) });
    const own = (await client.rest.post(Routes.channelMessages(fake.channelId), { body: { content: 'mine' } })) as { id: string };
    await client.rest.delete(Routes.channelMessage(fake.channelId, own.id));
    expect(fake.messages.has(own.id)).toBe(false);
    const theirs = fake.postUserMessage('not yours');
    expect(await apiError(client.rest.delete(Routes.channelMessage(fake.channelId, theirs.id)))).toEqual([403, 50013]);
    expect(fake.messages.has(theirs.id)).toBe(true);
    const dm = (await client.rest.post(Routes.userChannels(), { body: { recipient_id: fake.users.alice.id } })) as { id: string };
    const inDm = fake.postUserMessage('dm text', { channelId: dm.id });
    expect(await apiError(client.rest.delete(Routes.channelMessage(dm.id, inDm.id)))).toEqual([403, 50003]);
  });

  it('a member overwrite for the bot takes a permission away in that channel only', async () => {
    const { fake, client } = await setup();
    const gallery = fake.addChannel('gallery');
    fake.denyBotInChannel(gallery, String(1n << 15n)); // Attach Files
    const file = () => ({ body: { content: 'x', attachments: [{ id: 0, filename: 'a.png' }] }, files: [{ name: 'a.png', data: PNG }] });
    expect(await apiError(client.rest.post(Routes.channelMessages(gallery), file()))).toEqual([403, 50013]);
    await client.rest.post(Routes.channelMessages(gallery), { body: { content: 'text is fine' } });
    await client.rest.post(Routes.channelMessages(fake.channelId), file());
    fake.denyBotInChannel(gallery, String(1n << 10n)); // View Channel, replacing the overwrite
    expect(await apiError(client.rest.post(Routes.channelMessages(gallery), { body: { content: 'x' } }))).toEqual([403, 50001]);
  });

  it('a user install in a server without the bot: the interaction comes from another guild, whose channel is closed to the bot', async () => {
    const { fake, client } = await setup();
    const got = new Promise<{ guildId: string | null; channelId: string | null; owners: unknown }>((resolve) => {
      client.once(Events.InteractionCreate, (i) => resolve({ guildId: i.guildId, channelId: i.channelId, owners: i.authorizingIntegrationOwners }));
    });
    fake.sendSlashCommand('imagine', [], { botAbsent: true });
    const i = await got;
    expect(i.guildId).toBe(fake.foreignGuildId);
    expect(i.guildId).not.toBe(fake.guildId);
    expect(await apiError(client.rest.post(Routes.channelMessages(i.channelId!), { body: { content: 'x' } }))).toEqual([403, 50001]);
  });
});
