// The core loop end to end: the real discord.js client logged into the fake Discord, the real
// undici client against the fake proxy, the real SQLite store. /imagine → progress → buttons →
// action → modal, plus restart, failure, banned prompt and a backend without list-by-condition.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodePng } from '../../stand-ins/fake-proxy.ts';
import { API_KEY, startHarness, type Harness } from '../helpers/harness.ts';
import { must } from '../helpers/must.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

/** All PATCHes of one interaction's original message, in order. */
function editsOf(token: string) {
  return h.discord.calls.filter((c) => c.method === 'PATCH' && c.path.startsWith(`/webhooks/${h.discord.appId}/${token}/messages/`) && c.status < 300);
}

async function imagine(prompt: string, opts: { user?: any; locale?: string } = {}) {
  const submitted = h.proxy.nextRequest((r) => r.route === '/mj/submit/imagine');
  const it = h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: prompt }], opts);
  return { it, req: submitted };
}

/** Waits until the tracker has the task (the submit answered and the record is saved). */
async function trackedId(): Promise<string> {
  const ids = await h.tracked();
  return must(ids.at(-1), 'a tracked job');
}

/** An /imagine grid, finished, then U1 on it, finished: the upscale's message (Zoom, Vary (Region) …). */
async function finishedUpscale(prompt: string) {
  await imagine(prompt);
  const id = await trackedId();
  h.proxy.finish(id);
  await h.app.poller.tick();
  const grid = await h.discord.waitForMessage((m) => m.components.length === 3);
  h.discord.clickButton(grid.id, grid.components[0].components[0].custom_id);
  const upId = await trackedId();
  h.proxy.finish(upId);
  await h.app.poller.tick();
  return h.discord.waitForMessage((m) => m.components.length > 3);
}

describe('/imagine, end to end', () => {
  it('acknowledges at once, submits, shows progress, then the grid with MJ-grouped buttons', async () => {
    const { it: cmd, req } = await imagine('a red fox in snow --ar 3:2');
    const submit = await req;
    expect(submit.body.prompt).toBe('a red fox in snow --ar 3:2');
    expect(submit.headers.authorization).toBe(`Bearer ${API_KEY}`);
    const cb = h.discord.callbackOf(cmd);
    expect(cb.type).toBe(4);
    expect(cb.data.content).toBe(`**a red fox in snow --ar 3:2** - <@${h.discord.users.alice.id}> (Waiting to start)`);
    expect(cb.data.flags ?? 0).toBe(0); // public
    expect(cb.data.allowed_mentions).toEqual({ parse: [], users: [h.discord.users.alice.id], replied_user: false });

    const id = await trackedId();
    await h.app.poller.tick();
    await h.discord.waitForMessage((m) => /\(Submitted\)/.test(m.content));

    h.proxy.advance(id); // IN_PROGRESS
    await h.app.poller.tick();
    await h.discord.waitForMessage((m) => /\(\d+%\)\n▰/.test(m.content));
    while (!h.proxy.getTask(id).imageUrl) h.proxy.advance(id); // until the proxy has a preview
    await h.app.poller.tick();
    const progress = await h.discord.waitForMessage((m) => /\(\d+%\)\n▰/.test(m.content) && m.embeds.length === 1);
    expect(progress.embeds[0].image.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);

    // Nothing changed at the proxy: no edit goes out.
    const before = editsOf(cmd.token).length;
    await h.app.poller.tick();
    expect(editsOf(cmd.token).length).toBe(before);

    h.proxy.finish(id);
    await h.app.poller.tick();
    const done = await h.discord.waitForMessage((m) => m.id === progress.id && m.components.length > 1);
    expect(done.attachments).toHaveLength(1);
    expect(done.attachments[0].filename).toMatch(/\.png$/);
    expect(done.embeds).toEqual([]);
    const rows = done.components.map((r: any) => r.components.map((b: any) => b.label ?? b.emoji?.name));
    expect(rows).toEqual([
      ['U1', 'U2', 'U3', 'U4', '🔄'],
      ['V1', 'V2', 'V3', 'V4', '🌱'],
      ['Share', '🗑️'],
    ]);
    expect(await h.app.stores.tasks.activeIds()).toEqual([]);
  });

  it('shows the queue position from code 22', async () => {
    h.proxy.nextTimeline('queued');
    const { it: cmd } = await imagine('queued fox');
    await trackedId();
    const queued = await h.discord.waitForMessage((m) => /Queued — \d+ ahead/.test(m.content));
    expect(queued.id).toBe(h.discord.originalOf(cmd).id);
  });

  it('a button click submits the action in a new reply and turns the pressed button green', async () => {
    await imagine('grid for buttons');
    const id = await trackedId();
    h.proxy.finish(id);
    await h.app.poller.tick();
    const grid = await h.discord.waitForMessage((m) => m.components.length === 3);
    const u2 = grid.components[0].components[1];

    const actionReq = h.proxy.nextRequest((r) => r.route === '/mj/submit/action');
    const click = h.discord.clickButton(grid.id, u2.custom_id);
    const action = await actionReq;
    expect(action.body.taskId).toBe(id);
    expect(action.body.customId).toMatch(/^MJ::JOB::upsample::2::/);
    expect(h.discord.callbackOf(click).type).toBe(5);
    const reply = await h.discord.waitForMessage((m) => m.id === h.discord.originalOf(click)?.id && /Image #2/.test(m.content));
    expect(reply.content).toContain(`<@${h.discord.users.alice.id}>`);
    const regreen = await h.discord.waitForMessage((m) => m.id === grid.id && m.components[0].components[1].style === 3);
    expect(regreen.attachments).toHaveLength(1); // the grid image is kept

    // The upscale finishes with its own button set.
    const upId = must((await h.app.stores.tasks.activeIds())[0], 'the upscale tracked');
    h.proxy.finish(upId);
    await h.app.poller.tick();
    const up = await h.discord.waitForMessage((m) => m.id === reply.id && m.components.length > 1);
    const labels = up.components.flatMap((r: any) => r.components.map((b: any) => b.label ?? b.emoji?.name));
    expect(labels).toContain('Custom Zoom');
    for (const row of up.components) expect(row.components.length).toBeLessThanOrEqual(5);
  });

  it('someone else pressing the buttons is refused privately and nothing is submitted', async () => {
    await imagine('alice only');
    const id = await trackedId();
    h.proxy.finish(id);
    await h.app.poller.tick();
    const grid = await h.discord.waitForMessage((m) => m.components.length === 3);
    const n = h.proxy.requests.length;
    const click = h.discord.clickButton(grid.id, grid.components[1].components[0].custom_id, { user: h.discord.users.bob });
    await h.discord.waitForCall((c) => c.path.includes(`/interactions/${click.id}/`));
    const cb = h.discord.callbackOf(click);
    expect(cb.type).toBe(4);
    expect(cb.data.flags & 64).toBe(64);
    expect(cb.data.content).toMatch(/not your job/);
    expect(h.proxy.requests.slice(n).some((r) => r.route === '/mj/submit/action')).toBe(false);
  });

  it('a restart in the middle of a task resumes polling, and the old buttons still work', async () => {
    const { it: cmd } = await imagine('survives restarts');
    const id = await trackedId();
    h.proxy.advance(id);
    await h.app.poller.tick();
    await h.discord.waitForMessage((m) => /%\)/.test(m.content));

    await h.restart();
    h.proxy.finish(id);
    await h.app.poller.tick();
    const grid = await h.discord.waitForMessage((m) => m.id === h.discord.originalOf(cmd).id && m.components.length === 3);

    await h.restart();
    const actionReq = h.proxy.nextRequest((r) => r.route === '/mj/submit/action');
    h.discord.clickButton(grid.id, grid.components[1].components[2].custom_id);
    expect((await actionReq).body.customId).toMatch(/^MJ::JOB::variation::3::/);
  });

  it('a failed task shows the reason in plain words', async () => {
    h.proxy.nextTimeline('failure');
    await imagine('doomed prompt');
    const id = await trackedId();
    h.proxy.finish(id);
    await h.app.poller.tick();
    const failed = await h.discord.waitForMessage((m) => /\(Failed\)/.test(m.content));
    expect(failed.embeds[0].title).toBe('Job failed');
    expect(failed.embeds[0].description).toMatch(/moderator rejected the prompt/);
    expect(failed.components).toEqual([]);
    expect(await h.app.stores.tasks.activeIds()).toEqual([]);
  });

  it('a banned prompt (code 24) gets a private message, the public line goes away, nothing is tracked', async () => {
    h.proxy.setQuirks({ bannedPrompt: 'gore' });
    const { it: cmd, req } = await imagine('some gore here');
    await req;
    const follow = await h.discord.waitForMessage((m) => (m.flags & 64) === 64 && m.content.includes('gore'));
    expect(follow.content).toMatch(/not allowed|rejected/);
    await h.discord.waitForCall((c) => c.method === 'DELETE' && c.path.includes(cmd.token));
    expect(await h.app.stores.tasks.activeIds()).toEqual([]);
  });

  it('queue full and a proxy that is down are explained privately', async () => {
    h.proxy.setQuirks({ queueFull: true });
    await imagine('full queue');
    await h.discord.waitForMessage((m) => (m.flags & 64) === 64 && /queue is full/.test(m.content));
    h.proxy.setQuirks({ queueFull: false, status5xx: 502 });
    await imagine('down');
    await h.discord.waitForMessage((m) => (m.flags & 64) === 64 && /had an error/.test(m.content));
  });

  it('Custom Zoom opens a modal pre-filled with --zoom 2 and runs action → modal', async () => {
    const up = await finishedUpscale('zoom me');
    const zoom = up.components.flatMap((r: any) => r.components).find((b: any) => b.label === 'Custom Zoom');

    const click = h.discord.clickButton(up.id, zoom.custom_id);
    await h.discord.waitForCall((c) => c.path.includes(`/interactions/${click.id}/`));
    const modal = h.discord.callbackOf(click);
    expect(modal.type).toBe(9);
    const input = modal.data.components[0].component;
    expect(input.value).toMatch(/--zoom 2$/);

    const actionReq = h.proxy.nextRequest((r) => r.route === '/mj/submit/action');
    const modalReq = h.proxy.nextRequest((r) => r.route === '/mj/submit/modal');
    h.discord.submitModal(modal.data.custom_id, { prompt: 'zoom me --zoom 1.5' }, { messageId: up.id });
    expect((await actionReq).body.customId).toMatch(/CustomZoom/);
    const m = await modalReq;
    expect(m.body.prompt).toBe('zoom me --zoom 1.5');
    const modalTaskId = m.body.taskId;
    expect(h.proxy.getTask(modalTaskId)).toBeTruthy();
    await h.discord.waitForMessage((msg) => /Custom Zoom/.test(msg.content));
    expect(await h.app.stores.tasks.activeIds()).toContain(modalTaskId);
  });

  it('Vary (Region) sends the mask as maskBase64, and the job’s prompt when the field was emptied', async () => {
    const up = await finishedUpscale('region me');
    const region = up.components.flatMap((r: any) => r.components).find((b: any) => /Vary \(Region\)/.test(b.label ?? ''));
    const click = h.discord.clickButton(up.id, region.custom_id);
    await h.discord.waitForCall((c) => c.path.includes(`/interactions/${click.id}/`));
    const modal = h.discord.callbackOf(click);
    expect(modal.type).toBe(9);

    const mask = h.discord.addAttachment(encodePng([255, 255, 255]), 'mask.png', 'image/png');
    const modalReq = h.proxy.nextRequest((r) => r.route === '/mj/submit/modal');
    h.discord.submitModal(modal.data.custom_id, { prompt: '' }, { messageId: up.id, files: { mask: [mask] } });
    const m = await modalReq;
    expect(m.body.maskBase64).toMatch(/^data:image\/png;base64,/);
    expect(m.body.prompt).toContain('region me');
  });

  it('a Custom Zoom without a valid --zoom is refused privately before anything is sent', async () => {
    await imagine('zoom me');
    const id = await trackedId();
    h.proxy.finish(id);
    await h.app.poller.tick();
    const grid = await h.discord.waitForMessage((m) => m.components.length === 3);
    h.discord.clickButton(grid.id, grid.components[0].components[0].custom_id);
    const upId = await h.trackedId([id]);
    h.proxy.finish(upId);
    await h.app.poller.tick();
    const up = await h.discord.waitForMessage((m) => m.components.length > 3);
    const zoom = up.components.flatMap((r: any) => r.components).find((b: any) => b.label === 'Custom Zoom');
    const click = h.discord.clickButton(up.id, zoom.custom_id);
    await h.discord.waitForCall((c) => c.path.includes(`/interactions/${click.id}/`));
    const n = h.proxy.requests.length;
    const sub = h.discord.submitModal(h.discord.callbackOf(click).data.custom_id, { prompt: 'zoom me --zoom 5' }, { messageId: up.id });
    await h.discord.waitForCall((c) => c.path.includes(`/interactions/${sub.id}/`));
    expect(h.discord.callbackOf(sub).data.content).toMatch(/--zoom/);
    expect(h.discord.callbackOf(sub).data.flags & 64).toBe(64);
    expect(h.proxy.requests.slice(n).some((r) => r.route === '/mj/submit/action')).toBe(false);
  });

  it('remix: a variation that answers code 21 shows an editor; its modal submit runs the task', async () => {
    await imagine('remix base');
    const id = await trackedId();
    h.proxy.finish(id);
    await h.app.poller.tick();
    const grid = await h.discord.waitForMessage((m) => m.components.length === 3);
    h.proxy.setQuirks({ remix: true, relayRewrite21: true }); // a relay hides the 21
    const click = h.discord.clickButton(grid.id, grid.components[1].components[0].custom_id);
    const waiting = await h.discord.waitForMessage((m) => m.id === h.discord.originalOf(click)?.id && /Waiting for your input/.test(m.content));
    const editor = waiting.components[0].components[0];
    const open = h.discord.clickButton(waiting.id, editor.custom_id);
    await h.discord.waitForCall((c) => c.path.includes(`/interactions/${open.id}/`));
    const modal = h.discord.callbackOf(open);
    expect(modal.type).toBe(9);
    const modalReq = h.proxy.nextRequest((r) => r.route === '/mj/submit/modal');
    h.discord.submitModal(modal.data.custom_id, { prompt: 'remix base, but blue' }, { messageId: waiting.id });
    const m = await modalReq;
    expect(m.body.prompt).toBe('remix base, but blue');
    const modalTaskId = m.body.taskId;
    await h.discord.waitForMessage((msg) => msg.id === waiting.id && /but blue.*Waiting to start/.test(msg.content));
    h.proxy.finish(modalTaskId);
    await h.app.poller.tick();
    await h.discord.waitForMessage((msg) => msg.id === waiting.id && msg.components.length === 3 && /but blue/.test(msg.content));
  });

  it('falls back to per-task fetch when list-by-condition answers 404', async () => {
    h.proxy.setQuirks({ noListByCondition: true });
    await imagine('no batch endpoint');
    const id = await trackedId();
    h.proxy.finish(id);
    await h.app.poller.tick();
    await h.discord.waitForMessage((m) => m.components.length === 3);
    expect(h.proxy.requests.some((r) => r.route === '/mj/task/list-by-condition' && r.status === 404)).toBe(true);
    expect(h.proxy.requests.some((r) => r.method === 'GET' && r.route === `/mj/task/${id}/fetch`)).toBe(true);
  });

  it('speaks Chinese to a zh-CN user', async () => {
    await imagine('中文用户', { locale: 'zh-CN' });
    const id = await trackedId();
    await h.app.poller.tick();
    await h.discord.waitForMessage((m) => /\(已提交\)/.test(m.content));
    h.proxy.setQuirks({ queueFull: true });
    await imagine('again', { locale: 'zh-CN' });
    await h.discord.waitForMessage((m) => (m.flags & 64) === 64 && /队列已满/.test(m.content));
    expect(id).toBeTruthy();
  });

  it('reports what it does as events: tracked, each edit, finished, and every interaction handled', async () => {
    const watched: string[] = [];
    h.app.events.on('tracked', (e) => watched.push(`tracked ${e.status}${e.again ? ' again' : ''}`));
    h.app.events.on('edited', (e) => watched.push(`edited ${e.status}${e.final ? ' final' : ''}`));
    h.app.events.on('finished', (e) => watched.push(`finished ${e.status}`));
    // A watcher that throws is logged; the job goes on.
    h.app.events.on('edited', () => {
      throw new Error('a broken watcher');
    });
    const { it: cmd } = await imagine('watched fox');
    const id = await trackedId();
    const started = await h.handled(cmd);
    expect(started).toMatchObject({ kind: 'command', name: 'imagine', answer: 'public-reply', ok: true });
    expect(started.ms).toBeGreaterThanOrEqual(0);
    h.proxy.advance(id);
    await h.app.poller.tick();
    h.proxy.finish(id);
    await h.app.poller.tick();
    await h.when(['finished'], () => watched.includes('finished SUCCESS'), 'the job finished');
    // The first view is the reply itself ("Waiting to start"): no edit before the job moves.
    expect(watched).toEqual(['tracked NOT_START', 'edited IN_PROGRESS', 'edited SUCCESS final', 'finished SUCCESS']);
    expect(h.events.filter((e) => e.name === 'tracked').map((e) => e.data)).toEqual([{ taskId: id, backend: 'default', ownerId: h.discord.users.alice.id, status: 'NOT_START', again: false }]);
    expect(h.logs.filter((l) => l.includes('event listener failed') && l.includes('"edited"'))).toHaveLength(2);

    // A refused click is handled too, as not ok.
    const grid = await h.discord.waitForMessage((m) => m.components.length === 3);
    const click = h.discord.clickButton(grid.id, grid.components[0].components[0].custom_id, { user: h.discord.users.bob });
    expect(await h.handled(click)).toMatchObject({ kind: 'button', name: 'button', answer: 'none', ok: false });
  });

  it('never writes the API key to a log line or to Discord', async () => {
    h.proxy.setQuirks({ unauthorized: true });
    await imagine('key check');
    await h.discord.waitForMessage((m) => (m.flags & 64) === 64 && /refused the bot’s key/.test(m.content));
    const everything = JSON.stringify(h.discord.calls) + h.logs.join('\n') + JSON.stringify([...h.discord.messages.values()]);
    expect(everything).not.toContain(API_KEY);
  });
});
