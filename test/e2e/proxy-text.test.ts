// What a backend writes into a task is untrusted text: it may echo our secrets (raw or encoded),
// carry markdown that would render as a masked link, or emoji Discord refuses; and whatever is cut
// to fit must stay well-formed. Driven through both fakes with the real app.
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, API_KEY, type Harness } from '../helpers/harness.ts';
import { imagine as imagineJob } from '../scale/helpers.ts';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

/** /imagine, and the id of the job it started (the scale suites' step). */
const imagine = (prompt: string) => imagineJob(h, prompt);

const b64 = (s: string) => Buffer.from(s).toString('base64');
/** The key in every form a backend has been seen to echo it in. */
const ECHOES = [
  API_KEY,
  encodeURIComponent(`${API_KEY}/x`).replace('%2Fx', ''),
  b64(API_KEY),
  b64(`Bearer ${API_KEY}`),
  Buffer.from(`user:${API_KEY}`).toString('base64url'),
  API_KEY.slice(-12),
];

/** No half of a surrogate pair (String#isWellFormed is ES2024, past this project's lib). */
const wellFormed = (s: string) => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);

/** Everything the bot ever sent to Discord, as one text. */
const sentToDiscord = () => JSON.stringify(h.discord.calls.map((c) => c.json ?? null));

describe('a backend that echoes secrets in a task', () => {
  it('the public embed, the stored record and the logs never carry the key, in any encoding', async () => {
    h = await startHarness();
    const reason = `upstream rejected key ${API_KEY} (b64 ${b64(API_KEY)}, auth ${b64(`Bearer ${API_KEY}`)}, tail …${API_KEY.slice(-12)})`;
    h.proxy.nextTimeline({
      steps: [
        { status: 'SUBMITTED', progress: '0%' },
        {
          status: 'FAILURE',
          failReason: reason,
          description: `key=${encodeURIComponent(API_KEY)}`,
          promptEn: `echo ${Buffer.from(`user:${API_KEY}`).toString('base64url')}`,
          properties: { finalPrompt: `a fox ${API_KEY}`, note: { deep: [API_KEY] } },
        },
      ],
    });
    const { id } = await imagine('a fox');
    h.proxy.advance(id);
    await h.app.poller.tick();
    await h.discord.waitForMessage((m) => m.embeds.some((e: any) => /upstream rejected key/.test(e.description ?? '')));
    const record = await h.app.stores.tasks.get(id);
    const stored = JSON.stringify(record);
    expect(record?.task?.failReason).toMatch(/^upstream rejected key \*\*\*/);
    for (const echo of ECHOES) {
      expect(sentToDiscord()).not.toContain(echo);
      expect(stored).not.toContain(echo);
      expect(h.logs.join('\n')).not.toContain(echo);
    }
  });

  it('a refused submit that echoes the key encoded tells the user without it', async () => {
    h = await startHarness();
    h.proxy.nextTimeline({ steps: [], submitCode: 4, submitDescription: `key ${b64(API_KEY)} / ${encodeURIComponent(API_KEY)} / …${API_KEY.slice(-12)} refused` });
    const it = h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: 'refused' }]);
    const reply = await h.discord.waitForMessage((m) => (m.flags & 64) === 64 && /refused/.test(m.content));
    // As the user reads it (the proxy's words are plain text: markdown escaped).
    expect(reply.content.replace(/\\(.)/g, '$1')).toMatch(/^The service rejected the request: key \*\*\*[\w=]{0,3} \/ \*\*\* \/ …\*\*\* refused$/);
    for (const echo of ECHOES) expect(sentToDiscord()).not.toContain(echo);
    expect(it.id).toBeTruthy();
  });
});

describe('backend text is shown as plain text', () => {
  it('an unknown failReason with a masked link does not render as a link', async () => {
    h = await startHarness();
    h.proxy.nextTimeline({ steps: [{ status: 'SUBMITTED' }, { status: 'FAILURE', failReason: '[Verify your account here](https://evil.example/phish) **now**' }] });
    const { id } = await imagine('phish');
    h.proxy.advance(id);
    await h.app.poller.tick();
    const msg = await h.discord.waitForMessage((m) => m.embeds.some((e: any) => /Verify your account/.test(e.description ?? '')));
    const description: string = msg.embeds[0].description;
    expect(description).not.toMatch(/(^|[^\\])\[Verify your account here(?<!\\)\]\(/);
    expect(description).not.toMatch(/(^|[^\\])\*\*now/);
    expect(description).toContain('\\[Verify your account here\\]');
  });
});

describe('a final edit Discord refuses', () => {
  it('falls back to a minimal message with the result instead of retrying until the deadline', async () => {
    h = await startHarness();
    const { id } = await imagine('refused edit');
    h.proxy.finish(id);
    h.discord.failNext((method, path) => method === 'PATCH' && path.includes('/messages/'), 400, { message: 'Invalid Form Body', code: 50035, errors: {} });
    await h.app.poller.tick();
    const minimal = await h.discord.waitForMessage((m) => m.attachments.length === 1 && m.components.length === 0 && /could not be shown in full/.test(m.content));
    expect(minimal.content).toContain(`<@${h.discord.users.alice.id}>`);
    expect(await h.app.stores.tasks.activeIds()).toEqual([]);
    const patches = h.discord.calls.filter((c) => c.method === 'PATCH' && c.path.includes('/messages/')).length;
    await h.app.poller.tick();
    expect(h.discord.calls.filter((c) => c.method === 'PATCH' && c.path.includes('/messages/')).length).toBe(patches);
  });
});

describe('text cut to fit stays well-formed', () => {
  it('autocomplete names and an unknown id in an error reply never end in half an emoji', async () => {
    h = await startHarness();
    const prompt = `${'a'.repeat(68)}🦊🦊 and more words after the fox`;
    const { id } = await imagine(prompt);
    h.proxy.finish(id);
    await h.app.poller.tick();
    const ac = h.discord.autocomplete('seed', [{ name: 'task', type: 3, value: '', focused: true }]);
    await h.discord.waitForCall((c) => c.path.includes(`/interactions/${ac.id}/`));
    const names: string[] = h.discord.callbackOf(ac).data.choices.map((c: { name: string }) => c.name);
    expect(names.length).toBe(1);
    for (const name of names) expect(wellFormed(name), name).toBe(true);

    const bad = `${'b'.repeat(39)}🦊`;
    const it = h.discord.sendSlashCommand('seed', [{ name: 'task', type: 3, value: bad }]);
    await h.discord.waitForCall((c) => c.path.includes(`/interactions/${it.id}/`));
    const content: string = h.discord.callbackOf(it).data.content;
    expect(content).toMatch(/No job with id/);
    expect(wellFormed(content), content).toBe(true);
  });
});
