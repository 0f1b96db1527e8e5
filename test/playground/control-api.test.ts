// The playground's JSON control API over real HTTP (docs/playground.md): what a script does
// instead of a person. The bot behind it is the real app; Discord and the proxy are the fakes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePng } from '../../stand-ins/fake-proxy.ts';
import { buttonOf, finishedGrid, finishedUpscale, startTestPlayground, type TestPlayground } from './helpers.ts';

let pg: TestPlayground;
beforeAll(async () => {
  pg = await startTestPlayground(250);
}, 30_000);
afterAll(async () => {
  await pg?.close();
});

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const res = await fetch(`${pg.url}${path.replace(/^\//, '')}`, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}
const post = (path: string, body: unknown) => call('POST', path, body);

describe('control API', () => {
  it('describes the channel and lists the registered commands with their localizations', async () => {
    const state = await call('GET', '/api/state');
    expect(state.status).toBe(200);
    expect(state.json).toMatchObject({ actors: ['alice', 'bob'], locales: ['en-US', 'zh-CN'], status: 'online', backend: 'simulated', channel: { name: 'general' } });
    expect(state.json.users.map((u: any) => u.username)).toEqual(expect.arrayContaining(['alice', 'bob', 'mjbot']));
    const { json: commands } = await call('GET', '/api/commands');
    const imagine = commands.find((c: any) => c.name === 'imagine');
    expect(imagine.name_localizations['zh-CN']).toBe('绘图');
    expect(imagine.options[0]).toMatchObject({ name: 'prompt', type: 3, required: true });
    // The simulated proxy serves speed modes, so /imagine offers them as a choice.
    expect(imagine.options.find((o: any) => o.name === 'mode').choices.map((c: any) => c.value)).toEqual(['fast', 'relax', 'turbo']);
  });

  it('runs /imagine as a user and locale; the reply is in the channel as a Discord message object', async () => {
    const r = await post('/api/interactions/command', { name: 'imagine', options: { prompt: 'a paper boat', mode: 'relax' }, user: 'bob', locale: 'zh-CN' });
    expect(r.status).toBe(200);
    expect(r.json.failed).toBe(false);
    expect(r.json.interaction).toMatchObject({ type: 2, user: 'bob', locale: 'zh-CN' });
    expect(r.json.response.type).toBe(4);
    expect(r.json.message.content).toBe(`**a paper boat** - <@${pg.discord.users.bob.id}> (等待开始)`);
    const submit = await pg.proxy!.waitForRequest((q) => q.route === '/mj/submit/imagine' && q.body.prompt === 'a paper boat');
    expect(submit.mode).toBe('RELAX');
    const done = await pg.discord.waitForMessage((m) => m.id === r.json.message.id && m.attachments.length > 0 && m.components.length > 0, 15_000);
    const { json: one } = await call('GET', `/api/messages/${done.id}`);
    expect(one.attachments[0].content_type).toBe('image/png');
    const { json: list } = await call('GET', '/api/messages');
    expect(list.map((m: any) => m.id)).toContain(done.id);
  });

  it('the server has an #audit channel: an admin makes it the audit channel, and each job gets its line there', async () => {
    const { json: state } = await call('GET', '/api/state');
    const texts = state.sidebar.filter((c: any) => c.id !== 'dm');
    expect(texts.map((c: any) => c.name)).toEqual(['general', 'gallery', 'audit']);
    const audit = texts[2].id;
    const bob = pg.discord.users.bob.id;
    const open = await post('/api/interactions/command', { name: 'settings', options: { scope: 'server' }, user: 'bob' });
    const panel = open.json.message;
    const picked = await post('/api/interactions/select', { user: 'bob', messageId: panel.id, customId: 'mj:set:o:aud', values: [audit] });
    expect(picked.json.message.content).toContain(`Audit channel: <#${audit}>`);

    await post('/api/interactions/command', { name: 'imagine', options: { prompt: 'an audited boat' } });
    await pg.discord.waitForMessage((m) => m.channel_id === audit && /an audited boat.*→ done/.test(m.content), 15_000);
    const { json: lines } = await call('GET', `/api/messages?channel=${audit}`);
    expect(lines.map((m: any) => m.content)).toEqual([`⚙️ <@${bob}> changed Audit channel: none → <#${audit}>`, expect.stringMatching(/^<@\d+> \/imagine “an audited boat” → done · https:/)]);
    const { json: general } = await call('GET', '/api/messages');
    expect(general.some((m: any) => m.channel_id === audit)).toBe(false);
    // A command sent from #audit runs there; an unknown channel is a 400.
    const there = await post('/api/interactions/command', { name: 'help', channel: audit });
    expect(there.json.message.channel_id).toBe(audit);
    expect((await call('GET', '/api/messages?channel=123')).status).toBe(400);

    await post('/api/interactions/button', { user: 'bob', messageId: panel.id, customId: 'mj:set:o:audclear' });
    expect((await pg.app.stores.prefs.server(pg.discord.guildId)).auditChannelId).toBeUndefined();
  });

  it('autocomplete returns the bot\'s choices; choices, attachments and the locale reach the command', async () => {
    const ac = await post('/api/interactions/autocomplete', { name: 'echo', options: { animal: 're' }, focused: 'animal' });
    expect(ac.json.choices).toEqual([{ name: 'red fox', value: 'red-fox' }, { name: 'red panda', value: 'red-panda' }]);
    const res = await fetch(`${pg.url}api/attachments`, { method: 'POST', headers: { 'x-filename': 'note.txt', 'content-type': 'text/plain' }, body: 'hello' });
    const att = (await res.json()) as any;
    expect(att).toMatchObject({ filename: 'note.txt', size: 5 });
    const r = await post('/api/interactions/command', { name: 'echo', options: { animal: 'red-panda', style: 'loud', file: att.id }, locale: 'zh-CN' });
    expect(r.json.message.content).toBe('**RED-PANDA** (locale zh-CN, file note.txt 5 bytes)');
  });

  it('an image uploaded through the API reaches the proxy as base64', async () => {
    const png = encodePng([10, 200, 30], 8, 8);
    const res = await fetch(`${pg.url}api/attachments`, { method: 'POST', headers: { 'x-filename': 'ref.png', 'content-type': 'image/png' }, body: png });
    const att = (await res.json()) as any;
    const req = pg.proxy!.nextRequest((q) => q.route === '/mj/submit/imagine', 10_000);
    await post('/api/interactions/command', { name: 'imagine', options: { prompt: 'like this', image: att.id } });
    expect((await req).body.base64Array).toEqual([`data:image/png;base64,${png.toString('base64')}`]);
  });

  it('buttons and modals: Custom Zoom answers with a modal, and submitting it runs the zoom', async () => {
    const up = await finishedUpscale(pg, await finishedGrid(pg, 'a windmill'), 3);
    const click = await post('/api/interactions/button', { messageId: up.id, customId: buttonOf(up, 'Custom Zoom').custom_id, user: 'alice' });
    expect(click.json.response.type).toBe(9);
    const modal = click.json.response.data;
    expect(modal.components[0].component).toMatchObject({ custom_id: 'prompt', value: 'a windmill --zoom 2' });
    const req = pg.proxy!.nextRequest((q) => q.route === '/mj/submit/modal', 10_000);
    const submit = await post('/api/interactions/modal', { customId: modal.custom_id, values: { prompt: 'a windmill --zoom 1.8' }, user: 'alice' });
    expect(submit.json.response.type).toBe(5);
    expect((await req).body.prompt).toBe('a windmill --zoom 1.8');
  });

  it('ephemeral messages are only in their user\'s view of the channel', async () => {
    const grid = await finishedGrid(pg, 'mine');
    const r = await post('/api/interactions/button', { messageId: grid.id, customId: buttonOf(grid, 'V1').custom_id, user: 'bob' });
    expect(r.json.response.type).toBe(4);
    expect(r.json.response.data.flags & 64).toBe(64);
    const bobSees = (await call('GET', '/api/messages?user=bob')).json.map((m: any) => m.content);
    const aliceSees = (await call('GET', '/api/messages?user=alice')).json.map((m: any) => m.content);
    expect(bobSees.filter((c: string) => /not your job/.test(c))).toHaveLength(1);
    expect(aliceSees.filter((c: string) => /not your job/.test(c))).toHaveLength(0);
  });

  it('the simulated proxy can be told to fail the next job', async () => {
    expect((await post('/api/simulate', { nextJob: 'failure' })).json).toMatchObject({ remix: false, quirks: { noCancel: false, remixOff: false, newApiActions: false, noUploadImages: false } });
    const r = await post('/api/interactions/command', { name: 'imagine', options: { prompt: 'doomed' } });
    const failed = await pg.discord.waitForMessage((m) => m.id === r.json.message.id && m.embeds.length === 1 && /Failed/.test(m.content), 15_000);
    expect(failed.embeds[0].color).toBe(0xed4245);
  });

  it('remix mode: a variation waits for a prompt in the editor, then runs', async () => {
    const grid = await finishedGrid(pg, 'a garden');
    expect((await post('/api/simulate', { remix: true })).json).toMatchObject({ remix: true });
    try {
      const v = await post('/api/interactions/button', { messageId: grid.id, customId: buttonOf(grid, 'V2').custom_id });
      const waiting = await pg.discord.waitForMessage((m) => m.id === v.json.message.id && m.components.length === 1 && /Open editor/.test(JSON.stringify(m.components)), 15_000);
      const open = await post('/api/interactions/button', { messageId: waiting.id, customId: buttonOf(waiting, 'Open editor').custom_id });
      expect(open.json.response.type).toBe(9);
      const req = pg.proxy!.nextRequest((q) => q.route === '/mj/submit/modal', 10_000);
      await post('/api/interactions/modal', { customId: open.json.response.data.custom_id, values: { prompt: 'a garden in winter' } });
      expect((await req).body.prompt).toBe('a garden in winter');
    } finally {
      await post('/api/simulate', { remix: false });
    }
  });

  it('the sidebar: #general, #gallery, #audit and Direct messages; a message said in #gallery stays there; backend switches reach the proxy', async () => {
    const state = (await call('GET', '/api/state')).json;
    expect(state.sidebar.map((c: any) => c.name)).toEqual(['general', 'gallery', 'audit', 'Direct messages']);
    const gallery = state.sidebar[1].id;
    await post('/api/messages', { user: 'bob', content: 'look at this', channel: gallery });
    expect((await call('GET', `/api/messages?user=alice&channel=${gallery}`)).json.map((m: any) => m.content)).toContain('look at this');
    expect((await call('GET', '/api/messages?user=alice')).json.map((m: any) => m.content)).not.toContain('look at this');
    const on = await post('/api/simulate', { quirks: { noCancel: true, newApiActions: true } });
    expect(on.json.quirks).toEqual({ noCancel: true, remixOff: false, newApiActions: true, noUploadImages: false });
    expect(pg.proxy!.quirks).toMatchObject({ noCancel: true, newApiActions: true });
    await post('/api/simulate', { quirks: { noCancel: false, newApiActions: false } });
    expect(pg.proxy!.quirks).toMatchObject({ noCancel: false, newApiActions: false });
  });

  it('the event stream starts with a snapshot of the channel as the user sees it', async () => {
    const ac = new AbortController();
    const res = await fetch(`${pg.url}api/events?user=alice`, { signal: ac.signal });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('\n\n')) text += new TextDecoder().decode((await reader.read()).value);
    ac.abort();
    const first = JSON.parse(text.slice('data: '.length, text.indexOf('\n\n')));
    expect(first.kind).toBe('snapshot');
    expect(first.messages.length).toBeGreaterThan(0);
  });

  it('restart stops the bot and starts a new one on the same store', async () => {
    const before = pg.app;
    const r = await post('/api/restart', {});
    expect(r.json).toEqual({ status: 'online' });
    expect(pg.app).not.toBe(before);
    const again = await post('/api/interactions/command', { name: 'echo', options: { animal: 'x' } });
    expect(again.json.response.type).toBe(4);
  });

  it('says what is wrong with a request', async () => {
    const cases: [string, unknown, number, RegExp][] = [
      ['/api/interactions/command', { name: 'imagine', options: {} }, 400, /required option\(s\) missing: prompt/],
      ['/api/interactions/command', { name: 'imagine', options: { prompt: 'x', colour: 'red' } }, 400, /has no option colour/],
      ['/api/interactions/command', { name: 'nope' }, 400, /no command \/nope/],
      ['/api/interactions/command', { name: 'imagine', options: { prompt: 'x' }, user: 'carol' }, 400, /unknown user "carol"/],
      ['/api/interactions/button', { messageId: '1', customId: 'x' }, 400, /no message 1/],
      ['/api/interactions/modal', { customId: 'mj:m:1:0', values: {}, files: { mask: ['404'] } }, 400, /no uploaded file 404/],
      ['/api/simulate', { nextJob: 'explode' }, 400, /nextJob: expected one of/],
      ['/api/simulate', { quirks: { status5xx: true } }, 400, /quirks: no status5xx; the page switches noCancel, remixOff, newApiActions, noUploadImages/],
      ['/api/simulate', { skipMinutes: -5 }, 400, /skipMinutes: expected a whole number/],
      ['/api/messages', { content: 'hi', channel: '42' }, 400, /no channel "42"/],
      ['/api/interactions/command', { name: 'imagine', options: { prompt: 'x' }, channel: '42' }, 400, /no channel "42"/],
      ['/api/nothing', {}, 404, /no route POST \/api\/nothing/],
    ];
    for (const [path, body, status, error] of cases) {
      const r = await post(path, body);
      expect([path, r.status]).toEqual([path, status]);
      expect(r.json.error).toMatch(error);
    }
  });

  it('refuses what a page on another site could send: no JSON content type, another Host', async () => {
    const form = await fetch(`${pg.url}api/interactions/command`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"name":"imagine"}' });
    expect(form.status).toBe(415);
    const noName = await fetch(`${pg.url}api/attachments`, { method: 'POST', body: 'x' });
    expect(noName.status).toBe(400);
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const u = new URL(pg.url);
      request({ host: u.hostname, port: u.port, path: '/api/state', headers: { host: 'evil.example' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject).end();
    });
    expect(status).toBe(421);
  });
});
