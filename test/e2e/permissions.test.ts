// The invite's permissions (src/discord/permissions.ts) against what the bot really sends: the real
// app runs jobs that outlive their interaction token (edits through the channel, a ping that replies,
// a result posted anew, in a channel and in a thread, a success and a failure) on a fake Discord
// whose bot has exactly those permissions and refuses the rest as Discord does. Every request goes
// through; without any one of them, some request is refused.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PermissionFlagsBits } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { BOT_PERMISSIONS, botPermissions } from '../../src/discord/permissions.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';
import type { Poster } from '../../src/discord/poster.ts';

const MIN = 60_000;
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Runs the three long jobs with the bot holding `granted`; returns the bot's own channel requests. */
async function longJobs(granted: bigint) {
  h = await startHarness({ sharedClock: true, discord: { botPermissions: String(granted) }, env: { TASK_DEADLINE_MS: String(60 * MIN) } });
  const { discord, proxy, app } = h;
  const thread = discord.addThread('a thread');
  const start = async (prompt: string, channelId?: string) => {
    const before = await app.stores.tasks.activeIds();
    const it = discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: prompt }], channelId ? { channelId } : {});
    return { it, id: await h!.trackedId(before) };
  };
  const done = await start('finishes after the token expired');
  proxy.nextTimeline('failure');
  const failed = await start('fails after the token expired');
  const moved = await start('its message deleted, in a thread', thread);
  await app.poller.tick();
  for (const { it } of [done, failed, moved]) await discord.waitForMessage((m) => m.id === discord.originalOf(it)?.id && /Submitted/.test(m.content));
  discord.deleteMessage(discord.originalOf(moved.it).id);
  discord.clock.advance(20 * MIN);
  for (const { id } of [done, failed, moved]) proxy.finish(id);
  await app.poller.tick();
  await h.allFinished();
  // A result's ping goes on its own after the result is shown (it waits behind other finals).
  await (app.tracker.publisher as Poster).pingsOut();
  const own = discord.calls.filter((c) => c.auth?.startsWith('Bot ') && c.path.startsWith('/channels/'));
  return { own, thread, done, failed };
}

describe('the permissions the invite asks for', () => {
  it('are pinned: the integer npm run invite prints', () => {
    expect(BOT_PERMISSIONS.map((p) => p.name)).toEqual(['ViewChannel', 'SendMessages', 'SendMessagesInThreads', 'EmbedLinks', 'AttachFiles', 'ReadMessageHistory']);
    expect(botPermissions).toBe(274878024704n);
    for (const p of BOT_PERMISSIONS) expect(p.why.length, p.name).toBeGreaterThan(20);
    // None of the kind a bot should never ask for.
    for (const risky of ['Administrator', 'ManageMessages', 'ManageGuild', 'MentionEveryone'] as const) expect(botPermissions & PermissionFlagsBits[risky]).toBe(0n);
  });

  it('cover every request the bot makes on its own: long jobs in a channel and a thread all reach Discord', async () => {
    const { own, thread, done, failed } = await longJobs(botPermissions);
    // The one expected refusal: the edit of the deleted message (Unknown Message), which sends the bot to post anew.
    const refused = own.filter((c) => c.status >= 300 && c.response?.code !== 10008);
    expect(refused.map((c) => `${c.status} ${c.method} ${c.path}`)).toEqual([]);
    // What each needs was really sent: an edit with a file, an edit with an embed, a reply, a new message with a file in the thread.
    expect(own.some((c) => c.method === 'PATCH' && c.files.length > 0)).toBe(true);
    expect(own.some((c) => c.method === 'PATCH' && c.json?.embeds?.length > 0)).toBe(true);
    expect(own.some((c) => c.method === 'POST' && c.json?.message_reference)).toBe(true);
    expect(own.some((c) => c.method === 'POST' && c.path === `/channels/${thread}/messages` && c.files.length > 0)).toBe(true);
    const d = h!.discord;
    expect(d.originalOf(done.it).attachments).toHaveLength(1);
    expect(d.originalOf(failed.it).embeds[0].title).toMatch(/failed/i);
    expect(d.channelMessages(thread).some((m) => m.attachments.length === 1)).toBe(true);
  });

  it.each(BOT_PERMISSIONS.map((p) => p.name))('are each needed: without %s Discord refuses one of those requests', async (name) => {
    const { own } = await longJobs(botPermissions & ~PermissionFlagsBits[name]);
    const refused = own.filter((c) => c.status === 403);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]!.response.code).toBe(name === 'ViewChannel' ? 50001 : 50013);
  });
});

describe('gateway intents', () => {
  it('the bot identifies with no privileged intent (none to enable in the Developer Portal)', async () => {
    h = await startHarness();
    const identify = h.discord.gatewayLog.find((p) => p.op === 2) as { d: { intents: number } } | undefined;
    const privileged = Number(1n << 1n | 1n << 8n | 1n << 15n); // GuildMembers, GuildPresences, MessageContent
    expect(identify).toBeDefined();
    expect(identify!.d.intents & privileged).toBe(0);
  });
});

describe('docs/discord-setup.md', () => {
  it('shows the integer and every permission the code asks for', () => {
    const doc = readFileSync(resolve(import.meta.dirname, '../../docs/discord-setup.md'), 'utf8').toLowerCase();
    expect(doc).toContain(String(botPermissions));
    for (const p of BOT_PERMISSIONS) expect(doc, p.name).toContain(`| ${p.name.replace(/(?<=[a-z])(?=[A-Z])/g, ' ').toLowerCase()} |`);
  });
});
