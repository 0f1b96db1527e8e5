// Reference images on /imagine (sref, cref, oref and their weights) and video as Midjourney has it
// (/video's options, Animate and Extend on every backend with /submit/video), end to end through
// the real discord.js client, the fake Discord and the fake proxy.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { imagine } from '../../commands/imagine.ts';
import { encodePng } from '../../stand-ins/fake-proxy.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const png = (rgb: [number, number, number] = [20, 120, 200]) => encodePng(rgb);
const image = (name: string, data: Buffer = png(), type = 'image/png') => h.discord.addAttachment(data, name, type);
const slash = (name: string, options: any[], opts: { attachments?: any[]; locale?: string; user?: any } = {}) => h.discord.sendSlashCommand(name, options, opts);
const buttons = (m: any) => m.components.flatMap((r: any) => r.components);
const submits = (route: string) => h.proxy.requests.filter((r) => r.route === route);

async function finishAll(): Promise<void> {
  for (const id of await h.app.stores.tasks.activeIds()) h.proxy.finish(id);
  await h.app.poller.tick();
}

/** The interaction's answer, private, matching `re` (a refusal before anything was sent). */
async function refusedPrivately(it: { id: string; token: string }, re: RegExp): Promise<void> {
  const cb = await h.answered(it);
  expect(cb.data.flags & 64).toBe(64);
  expect(cb.data.content).toMatch(re);
}

/** An /imagine with references; resolves with the prompt the proxy received. */
async function imagineWith(prompt: string, refs: Record<string, any>, weights: Record<string, number> = {}): Promise<string> {
  const req = h.proxy.nextRequest((r) => r.route === '/mj/submit/imagine');
  const options = [
    { name: 'prompt', type: 3, value: prompt },
    ...Object.entries(refs).map(([name, a]) => ({ name, type: 11, value: a.id })),
    ...Object.entries(weights).map(([name, value]) => ({ name, type: 4, value })),
  ];
  slash('imagine', options, { attachments: Object.values(refs) });
  return (await req).body.prompt;
}

describe('reference images', () => {
  it('are uploaded where the backend offers upload-discord-images, and reach the prompt as the links it answered, with their weights', async () => {
    const style = image('style.png');
    const thing = image('thing.png', png([250, 200, 0]));
    const prompt = await imagineWith('a fox in snow --v 7', { sref: style, oref: thing }, { sw: 250, ow: 400 });
    const upload = submits('/mj/submit/upload-discord-images');
    expect(upload).toHaveLength(1);
    expect(upload[0]!.body.base64Array).toEqual([expect.stringMatching(/^data:image\/png;base64,/), expect.stringMatching(/^data:image\/png;base64,/)]);
    const m = /^a fox in snow --v 7 --sref (\S+) --sw 250 --oref (\S+) --ow 400$/.exec(prompt);
    expect(m, prompt).not.toBeNull();
    // The links are the backend's own uploads, not Discord's.
    expect(m![1]).toContain(h.proxy.baseUrl);
    expect(m![2]).toContain(h.proxy.baseUrl);
    expect(m![1]).not.toBe(m![2]);
    expect(m![1]).not.toContain(h.discord.baseUrl);
    // The public line names them by file, as Midjourney shows <link>s.
    await h.tracked();
    // (plain text: the brackets escaped, shown as typed)
    const line = await h.discord.waitForMessage((x) => x.content.includes('--sref \\<style.png\\>'));
    expect(line.content).toContain('--oref \\<thing.png\\> --ow 400');
    expect(line.content).not.toContain(h.proxy.baseUrl);
  });

  it('go as the attachments’ own Discord links where the backend has no upload route (404), which is remembered', async () => {
    h.proxy.setQuirks({ noUploadImages: true });
    const style = image('style.png');
    const prompt = await imagineWith('a fox in snow', { sref: style }, { sw: 0 });
    expect(prompt).toBe(`a fox in snow --sref ${style.url} --sw 0`);
    expect(submits('/mj/submit/upload-discord-images').map((r) => r.status)).toEqual([404]);
    expect(await h.app.stores.capabilities.forBackend('default').get('capability:upload-discord-images')).toBe(false);

    // Asked once: the next job goes straight to the links.
    const again = image('style2.png');
    const second = await imagineWith('a hare', { sref: again });
    expect(second).toBe(`a hare --sref ${again.url}`);
    expect(submits('/mj/submit/upload-discord-images')).toHaveLength(1);
  });

  it('a reference of the wrong type or too large is refused privately, and nothing is uploaded or submitted', async () => {
    const txt = image('style.txt', Buffer.from('not an image'), 'text/plain');
    await refusedPrivately(slash('imagine', [{ name: 'prompt', type: 3, value: 'a fox' }, { name: 'sref', type: 11, value: txt.id }], { attachments: [txt] }), /“style\.txt” is not a supported image/);

    const big = image('big.png');
    const it = h.discord.sendSlashCommand('imagine', [{ name: 'prompt', type: 3, value: 'a fox' }, { name: 'oref', type: 11, value: big.id }], { attachments: [big], attachmentSizeLimit: 10 } as any);
    await refusedPrivately(it, /“big\.png” is .* the limit is 10 B/);

    // Bytes that are not an image: refused after the download, the public line removed.
    const liar = image('liar.png', Buffer.from('<html>nope</html>'), 'image/png');
    const third = slash('imagine', [{ name: 'prompt', type: 3, value: 'a fox --v 6' }, { name: 'cref', type: 11, value: liar.id }], { attachments: [liar] });
    await h.discord.waitForMessage((m) => (m.flags & 64) === 64 && /“liar\.png” is not a supported image/.test(m.content));
    await h.discord.waitForCall((c) => c.method === 'DELETE' && c.path.includes(third.token));
    expect(submits('/mj/submit/upload-discord-images')).toHaveLength(0);
    expect(submits('/mj/submit/imagine')).toHaveLength(0);
  });

  it('a reference the chosen version does not take is refused with what to use instead; the prompt’s own --v wins over the settings', async () => {
    const face = image('face.png');
    await refusedPrivately(slash('imagine', [{ name: 'prompt', type: 3, value: 'a knight --v 7' }, { name: 'cref', type: 11, value: face.id }], { attachments: [face] }), /character reference .* V6 and Niji 6 only, not V7\. Attach the image as oref/);

    // The user's settings say 6.1: an omni reference is refused, in their language too.
    await h.app.stores.prefs.setUser(h.discord.users.alice.id, { version: '6.1' });
    await refusedPrivately(slash('imagine', [{ name: 'prompt', type: 3, value: 'a knight' }, { name: 'oref', type: 11, value: face.id }], { attachments: [face], locale: 'zh-CN' }), /全能参考.*V7 或更高版本，不适用于 V6\.1/);
    // A weight without its reference says so.
    await refusedPrivately(slash('imagine', [{ name: 'prompt', type: 3, value: 'a knight' }, { name: 'cw', type: 4, value: 50 }]), /`--cw` needs its reference/);
    expect(submits('/mj/submit/imagine')).toHaveLength(0);

    // Settings 6.1: cref goes through (and the settings' --v 6.1 is added); the prompt's --v 7 wins over them for oref.
    const cref = await imagineWith('a knight', { cref: face }, { cw: 50 });
    expect(cref).toMatch(/^a knight --v 6\.1 --cref \S+ --cw 50$/);
    const oref = await imagineWith('a knight --v 7', { oref: image('face2.png') });
    expect(oref).toMatch(/^a knight --v 7 --oref \S+$/);
  });

  it('are options in Midjourney’s ranges with Chinese names, within Discord’s 25 options', () => {
    const options = imagine.definition({ modes: ['fast', 'relax'] }).options as any[];
    expect(options.length).toBeLessThanOrEqual(25);
    const byName = Object.fromEntries(options.map((o) => [o.name, o]));
    for (const n of ['image', 'image2', 'image3', 'image4', 'image5']) expect(byName[n].type).toBe(11);
    expect(byName.sref).toMatchObject({ type: 11, name_localizations: { 'zh-CN': '风格参考' } });
    expect(byName.cref.type).toBe(11);
    expect(byName.oref.type).toBe(11);
    expect(byName.sw).toMatchObject({ type: 4, min_value: 0, max_value: 1000 });
    expect(byName.cw).toMatchObject({ type: 4, min_value: 0, max_value: 100 });
    expect(byName.ow).toMatchObject({ type: 4, min_value: 1, max_value: 1000 });
  });
});

describe('/video as Midjourney has it', () => {
  it('sends loop, the end frame, the batch size and the resolution with the proxy’s field names, then attaches that many playable videos', async () => {
    const first = image('first.png');
    const last = image('last.png', png([10, 10, 10]));
    const req = h.proxy.nextRequest((r) => r.route === '/mj/submit/video');
    slash(
      'video',
      [
        { name: 'image', type: 11, value: first.id },
        { name: 'prompt', type: 3, value: 'the sun sets' },
        { name: 'loop', type: 5, value: true },
        { name: 'end_image', type: 11, value: last.id },
        { name: 'batch_size', type: 4, value: 2 },
        { name: 'resolution', type: 3, value: '720' },
      ],
      { attachments: [first, last] },
    );
    const body = (await req).body;
    expect(body).toMatchObject({ prompt: 'the sun sets', motion: 'low', loop: true, batchSize: 2, videoType: 'vid_1.1_i2v_720' });
    expect(body.image).toMatch(/^data:image\/png;base64,/);
    expect(body.endImage).toMatch(/^data:image\/png;base64,/);
    expect(body.endImage).not.toBe(body.image);
    const id = await h.trackedId();
    expect(h.proxy.getTask(id).properties.finalPrompt).toMatch(/--loop --bs 2/);
    await finishAll();
    const done = await h.discord.waitForMessage((m) => m.attachments.length === 2);
    for (const a of done.attachments) {
      expect(a.filename).toMatch(/\.mp4$/);
      expect(a.content_type).toBe('video/mp4');
    }
    // The attachment is the backend's clip itself (a real H.264 MP4: test/fakes/mp4.test.ts plays it), so Discord plays it inline.
    const attached = Buffer.from(await (await fetch(done.attachments[0].url)).arrayBuffer());
    const served = Buffer.from(await (await fetch(h.proxy.getTask(id).videoUrls[0].url)).arrayBuffer());
    expect(attached.equals(served)).toBe(true);
    expect(attached.includes(Buffer.from('avc1', 'latin1')) && attached.includes(Buffer.from('moov', 'latin1'))).toBe(true);
  });

  it('leaves out what the user did not choose', async () => {
    const first = image('first.png');
    const req = h.proxy.nextRequest((r) => r.route === '/mj/submit/video');
    slash('video', [{ name: 'image', type: 11, value: first.id }, { name: 'prompt', type: 3, value: 'waves' }], { attachments: [first] });
    const body = (await req).body;
    for (const k of ['loop', 'endImage', 'batchSize', 'videoType', 'action']) expect(body).not.toHaveProperty(k);
  });

  it('refuses an end frame that is not an image, privately, and submits nothing', async () => {
    const first = image('first.png');
    const bad = image('end.txt', Buffer.from('text'), 'text/plain');
    await refusedPrivately(slash('video', [{ name: 'image', type: 11, value: first.id }, { name: 'prompt', type: 3, value: 'waves' }, { name: 'end_image', type: 11, value: bad.id }], { attachments: [first, bad] }), /“end\.txt” is not a supported image/);
    expect(submits('/mj/submit/video')).toHaveLength(0);
  });
});

describe('Animate and Extend', () => {
  /** An /imagine, U1 pressed, the upscale finished: its message. */
  async function upscaled(): Promise<{ message: any; taskId: string }> {
    slash('imagine', [{ name: 'prompt', type: 3, value: 'a lighthouse at dusk --ar 3:2' }]);
    await h.tracked();
    await finishAll();
    const grid = await h.discord.waitForMessage((m) => m.components.length === 3);
    const before = await h.app.stores.tasks.activeIds();
    h.discord.clickButton(grid.id, grid.components[0].components[0].custom_id);
    const taskId = await h.trackedId(before);
    h.proxy.finish(taskId);
    await h.app.poller.tick();
    const message = await h.discord.waitForMessage((m) => buttons(m).some((b: any) => /Animate \(High motion\)/.test(b.label ?? '')));
    return { message, taskId };
  }
  const press = (message: any, label: RegExp) => h.discord.clickButton(message.id, buttons(message).find((b: any) => label.test(b.label ?? '')).custom_id);

  it('through a relay that refuses animate_* in /submit/action (new-api), Animate still makes a video through /submit/video with the upscale’s image', async () => {
    h.proxy.setQuirks({ newApiActions: true });
    const { message, taskId } = await upscaled();
    const upscaleImage = h.proxy.getTask(taskId).imageUrl;
    const refused = h.proxy.nextRequest((r) => r.route === '/mj/submit/action');
    const video = h.proxy.nextRequest((r) => r.route === '/mj/submit/video');
    const before = await h.app.stores.tasks.activeIds();
    press(message, /Animate \(High motion\)/);
    const action = await refused;
    expect(action.status).toBe(400);
    expect(action.body.customId).toMatch(/^MJ::JOB::animate_high::1::/);
    const body = (await video).body;
    expect(body).toEqual({ prompt: 'a lighthouse at dusk', image: upscaleImage, motion: 'high', state: expect.any(String) });
    const videoId = await h.trackedId(before);
    h.proxy.finish(videoId);
    await h.app.poller.tick();
    const done = await h.discord.waitForMessage((m) => m.attachments.length === 4 && m.attachments.every((a: any) => a.content_type === 'video/mp4'));
    expect(done.content).toContain('Animate (High motion)');
    expect(await h.app.stores.capabilities.forBackend('default').get('capability:animate-via-video')).toBe(true);

    // Remembered: Low motion goes straight to /submit/video.
    const actions = submits('/mj/submit/action').length;
    const low = h.proxy.nextRequest((r) => r.route === '/mj/submit/video');
    press(message, /Animate \(Low motion\)/);
    expect((await low).body.motion).toBe('low');
    expect(submits('/mj/submit/action')).toHaveLength(actions);
  });

  it('Extend on a finished video does the same with action "extend", the video task and its index', async () => {
    h.proxy.setQuirks({ newApiActions: true });
    const first = image('first.png');
    slash('video', [{ name: 'image', type: 11, value: first.id }, { name: 'prompt', type: 3, value: 'a bee flies in' }], { attachments: [first] });
    const videoId = await h.trackedId();
    await finishAll();
    const done = await h.discord.waitForMessage((m) => m.attachments.length === 4 && buttons(m).length > 0);
    const extend = h.proxy.nextRequest((r) => r.route === '/mj/submit/video' && r.body.action === 'extend');
    const before = await h.app.stores.tasks.activeIds();
    press(done, /Extend \(High motion\)/);
    expect((await extend).body).toEqual({ action: 'extend', taskId: videoId, index: 1, motion: 'high', state: expect.any(String) });
    const extended = await h.trackedId(before);
    expect(h.proxy.getTask(extended).action).toBe('VIDEO');
    expect(submits('/mj/submit/action').map((r) => r.status)).toEqual([400]);
  });

  it('on a backend that takes animate_* through /submit/action (trueai), that is the way, and no video request is made', async () => {
    const { message } = await upscaled();
    const action = h.proxy.nextRequest((r) => r.route === '/mj/submit/action' && /animate_low/.test(r.body.customId));
    press(message, /Animate \(Low motion\)/);
    expect((await action).status).toBe(200);
    await h.trackedId();
    expect(submits('/mj/submit/video')).toHaveLength(0);
  });

  it('where neither works, the user is told plainly and the animate buttons are no longer offered', async () => {
    h.proxy.setQuirks({ newApiActions: true, noVideo: true });
    const { message } = await upscaled();
    press(message, /Animate \(High motion\)/);
    await h.discord.waitForMessage((m) => (m.flags & 64) === 64 && /does not offer that/.test(m.content));
    expect(submits('/mj/submit/video').map((r) => r.status)).toEqual([404]);
    // The next upscale comes without Animate buttons (the others stay).
    const grid = [...h.discord.messages.values()].find((m: any) => m.components.length === 3 && /U2/.test(JSON.stringify(m.components)))!;
    const before = await h.app.stores.tasks.activeIds();
    h.discord.clickButton(grid.id, grid.components[0].components[1].custom_id);
    const up2 = await h.trackedId(before);
    h.proxy.finish(up2);
    await h.app.poller.tick();
    const second = await h.discord.waitForMessage((m) => m.content.includes('Image #2') && buttons(m).length > 0);
    expect(buttons(second).some((b: any) => /Animate/.test(b.label ?? ''))).toBe(false);
    expect(buttons(second).some((b: any) => /Vary \(Strong\)/.test(b.label ?? ''))).toBe(true);
  });
});
