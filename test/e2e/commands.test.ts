// Every seed endpoint as a command a user can type, end to end through both fakes.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { video } from '../../commands/video.ts';
import { encodePng } from '../../stand-ins/fake-proxy.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { freePort } from '../scale/helpers.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const png = () => encodePng([200, 40, 40]);

function image(name = 'ref.png', data: Buffer = png(), type = 'image/png') {
  return h.discord.addAttachment(data, name, type);
}

function slash(name: string, options: any[], opts: { attachments?: any[]; locale?: string; user?: any } = {}) {
  return h.discord.sendSlashCommand(name, options, opts);
}

async function finishAll(): Promise<void> {
  for (const id of await h.app.stores.tasks.activeIds()) h.proxy.finish(id);
  await h.app.poller.tick();
}

const ephemeralMatching = (re: RegExp) => h.discord.waitForMessage((m) => (m.flags & 64) === 64 && re.test(m.content));
const callbackMatching = async (it: { id: string; token: string }, re: RegExp) => {
  await h.discord.waitForCall((c) => c.path.includes(`/interactions/${it.id}/`));
  const cb = h.discord.callbackOf(it);
  expect(cb.data.flags & 64).toBe(64);
  expect(cb.data.content).toMatch(re);
};
const buttons = (m: any) => m.components.flatMap((r: any) => r.components);

describe('/blend', () => {
  it('sends 2–5 images as data URLs with the dimensions, then shows the grid', async () => {
    const a = image('a.png');
    const b = image('b.png');
    const req = h.proxy.nextRequest((r) => r.route === '/mj/submit/blend');
    slash('blend', [{ name: 'image', type: 11, value: a.id }, { name: 'image2', type: 11, value: b.id }, { name: 'dimensions', type: 3, value: 'LANDSCAPE' }], { attachments: [a, b] });
    const body = (await req).body;
    expect(body.base64Array).toHaveLength(2);
    expect(body.base64Array[0]).toMatch(/^data:image\/png;base64,/);
    expect(body.dimensions).toBe('LANDSCAPE');
    await h.tracked();
    await finishAll();
    const grid = await h.discord.waitForMessage((m) => m.components.length === 3);
    expect(grid.attachments).toHaveLength(1);
  });

  it('refuses one image, naming the limit, and submits nothing', async () => {
    const a = image('a.png');
    const it = slash('blend', [{ name: 'image', type: 11, value: a.id }], { attachments: [a] });
    await callbackMatching(it, /2–5 images; you gave 1/);
    expect(h.proxy.requests.some((r) => r.route === '/mj/submit/blend')).toBe(false);
  });
});

describe('attachments are checked before anything is sent', () => {
  it('a wrong type is named', async () => {
    const txt = image('notes.txt', Buffer.from('hello'), 'text/plain');
    const it = slash('imagine', [{ name: 'prompt', type: 3, value: 'cat' }, { name: 'image', type: 11, value: txt.id }], { attachments: [txt] });
    await callbackMatching(it, /“notes\.txt” is not a supported image/);
  });

  it('an oversized file is named with the limit', async () => {
    const big = image('big.png');
    const it = slash('imagine', [{ name: 'prompt', type: 3, value: 'cat' }, { name: 'image', type: 11, value: big.id }], { attachments: [big], attachmentSizeLimit: 10 } as any);
    await callbackMatching(it, /“big\.png” is .* the limit is 10 B/);
  });

  it('a file whose bytes are not an image is refused after download, and the public line goes away', async () => {
    const liar = image('liar.png', Buffer.from('<html>not a png</html>'), 'image/png');
    const it = slash('imagine', [{ name: 'prompt', type: 3, value: 'cat' }, { name: 'image', type: 11, value: liar.id }], { attachments: [liar] });
    await ephemeralMatching(/“liar\.png” is not a supported image/);
    await h.discord.waitForCall((c) => c.method === 'DELETE' && c.path.includes(it.token));
    expect(h.proxy.requests.some((r) => r.route === '/mj/submit/imagine')).toBe(false);
  });

  it('an upload without a content type (Discord could not tell) is judged by its bytes', async () => {
    const bare = image('photo', png(), 'image/png');
    delete bare.content_type;
    const req = h.proxy.nextRequest((r) => r.route === '/mj/submit/imagine');
    slash('imagine', [{ name: 'prompt', type: 3, value: 'cat' }, { name: 'image', type: 11, value: bare.id }], { attachments: [bare] });
    expect((await req).body.base64Array).toEqual([expect.stringMatching(/^data:image\/png;base64,iVBORw0KGgo/)]);

    const jpg = image('scan.jpg', png(), 'image/jpg'); // a non-standard type some clients send; the bytes are a PNG
    const req2 = h.proxy.nextRequest((r) => r.route === '/mj/submit/describe');
    slash('describe', [{ name: 'image', type: 11, value: jpg.id }], { attachments: [jpg] });
    expect((await req2).body.base64).toMatch(/^data:image\/png;base64,/);

    const doc = image('notes.pdf', Buffer.from('%PDF-1.4'), 'application/octet-stream');
    const it = slash('imagine', [{ name: 'prompt', type: 3, value: 'cat' }, { name: 'image', type: 11, value: doc.id }], { attachments: [doc] });
    await callbackMatching(it, /“notes\.pdf” is not a supported image/);
  });

  it('a prompt of parameters only is empty', async () => {
    const it = slash('imagine', [{ name: 'prompt', type: 3, value: '--ar 3:2 --v 7' }]);
    await callbackMatching(it, /prompt is empty/);
  });
});

describe('/describe', () => {
  it('a link to a private address is refused and never reaches the proxy', async () => {
    const it = slash('describe', [{ name: 'link', type: 3, value: 'http://169.254.169.254/latest/meta-data/x.png' }]);
    await h.discord.waitForCall((c) => c.path.includes(`/interactions/${it.id}/`));
    await h.discord.waitForMessage((m) => (m.flags & 64) === 64 && /private network address/.test(m.content));
    expect(h.proxy.requests.some((r) => r.route === '/mj/submit/describe')).toBe(false);
  });

  it('shows four numbered prompts; 2️⃣ opens an editable Imagine modal that submits /imagine; 🎉 imagines all four', async () => {
    const a = image('photo.png');
    const req = h.proxy.nextRequest((r) => r.route === '/mj/submit/describe');
    slash('describe', [{ name: 'image', type: 11, value: a.id }], { attachments: [a] });
    expect((await req).body.base64).toMatch(/^data:image\/png;base64,/);
    await h.tracked();
    await finishAll();
    const msg = await h.discord.waitForMessage((m) => m.embeds.length > 0 && /2️⃣/.test(m.embeds[0].description ?? ''));
    const desc: string = msg.embeds[0].description;
    expect(desc.match(/[1-4]️⃣/g)).toHaveLength(4);
    const b = buttons(msg);
    const two = b.find((x: any) => x.emoji?.name === '2️⃣');
    expect(two).toBeTruthy();

    const click = h.discord.clickButton(msg.id, two.custom_id);
    await h.discord.waitForCall((c) => c.path.includes(`/interactions/${click.id}/`));
    const modal = h.discord.callbackOf(click);
    expect(modal.type).toBe(9);
    const prefilled: string = modal.data.components[0].component.value;
    // The embed shows the prompt as plain text (escaped markdown, links in <>); the modal holds it as written.
    expect(desc.replace(/\\(.)/g, '$1').replace(/<(https?:[^>]+)>/g, '$1')).toContain(prefilled.slice(0, 20));
    const imagineReq = h.proxy.nextRequest((r) => r.route === '/mj/submit/imagine');
    h.discord.submitModal(modal.data.custom_id, { prompt: `${prefilled} --chaos 5` }, { messageId: msg.id });
    expect((await imagineReq).body.prompt).toBe(`${prefilled} --chaos 5`);

    const all = b.find((x: any) => /Imagine all/.test(x.label ?? ''));
    expect(all).toBeTruthy();
    const before = h.proxy.requests.filter((r) => r.route === '/mj/submit/imagine').length;
    await h.handled(h.discord.clickButton(msg.id, all.custom_id));
    expect(h.proxy.requests.filter((r) => r.route === '/mj/submit/imagine').length).toBe(before + 4);
  });

  it('sends a link it can read as base64 (every backend takes that; only trueai takes `link`)', async () => {
    const id = h.proxy.addTask({ prompt: 'linked' });
    const url = `${h.proxy.getTask(id).imageUrl}`;
    const req = h.proxy.nextRequest((r) => r.route === '/mj/submit/describe');
    slash('describe', [{ name: 'link', type: 3, value: url }]);
    const body = (await req).body;
    expect(body.base64).toMatch(/^data:image\/png;base64,iVBORw0KGgo/);
    expect(body.link).toBeUndefined();

    const page = image('page.png', Buffer.from('<html>not an image</html>'), 'image/png');
    slash('describe', [{ name: 'link', type: 3, value: page.url }]);
    await ephemeralMatching(/is not a supported image/);
    expect(h.proxy.requests.filter((r) => r.route === '/mj/submit/describe')).toHaveLength(1);
  });

  it('a link the bot could not check itself is refused privately, never handed to the backend', async () => {
    // Names that do not resolve here (or resolve to private addresses elsewhere: localtest.me, localhost.).
    for (const link of ['https://img.example.com/cat.png', 'http://metadata.google.internal/computeMetadata/v1/x.png', 'http://localhost./x.png', 'http://x.localtest.me/x.png']) {
      const it = slash('describe', [{ name: 'link', type: 3, value: link }]);
      await h.discord.waitForCall((c) => c.path.includes(`/interactions/${it.id}/`));
      await h.discord.waitForMessage((m) => m.interaction_metadata?.id === it.id && (m.flags & 64) === 64 && /Could not check that link|private network address/.test(m.content));
    }
    expect(h.proxy.requests.some((r) => r.route === '/mj/submit/describe')).toBe(false);
  });

  it('a link that redirects (to a metadata address) is refused, even on a trusted origin', async () => {
    const redirect = http.createServer((_req, res) => res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/iam' }).end());
    await new Promise<void>((r) => redirect.listen(0, '127.0.0.1', r));
    const port = (redirect.address() as AddressInfo).port;
    await h.close();
    h = await startHarness({ env: { MJ_MODES: `fast=http://127.0.0.1:${port}/` } });
    try {
      const it = slash('describe', [{ name: 'link', type: 3, value: `http://127.0.0.1:${port}/cat.png` }], { locale: 'zh-CN' });
      await h.discord.waitForCall((c) => c.path.includes(`/interactions/${it.id}/`));
      await h.discord.waitForMessage((m) => (m.flags & 64) === 64 && /无法检查该链接/.test(m.content));
      expect(h.proxy.requests.some((r) => r.route === '/mj/submit/describe')).toBe(false);
    } finally {
      redirect.closeAllConnections();
      await new Promise((r) => redirect.close(r));
    }
  });

  it('asks for an image or a link when given neither', async () => {
    const it = slash('describe', []);
    await callbackMatching(it, /image or a link/);
  });
});

describe('/shorten', () => {
  it('shows important tokens and shortened options; a pick opens an Imagine modal', async () => {
    const req = h.proxy.nextRequest((r) => r.route === '/mj/submit/shorten');
    slash('shorten', [{ name: 'prompt', type: 3, value: 'a very very long prompt about a red fox in the snow at dawn' }]);
    await req;
    await h.tracked();
    await finishAll();
    const msg = await h.discord.waitForMessage((m) => m.embeds.length > 0 && /SHORTENED OPTIONS/i.test(m.embeds[0].description ?? ''));
    expect(msg.embeds[0].description).toMatch(/IMPORTANT TOKENS/i);
    const one = buttons(msg).find((x: any) => x.emoji?.name === '1️⃣');
    const click = h.discord.clickButton(msg.id, one.custom_id);
    await h.discord.waitForCall((c) => c.path.includes(`/interactions/${click.id}/`));
    const modal = h.discord.callbackOf(click);
    expect(modal.type).toBe(9);
    expect(modal.data.components[0].component.value.length).toBeGreaterThan(0);
  });
});

describe('/video, /edits, /swapface', () => {
  it('/video sends the first frame and motion, then attaches the four videos', async () => {
    const a = image('frame.png');
    const req = h.proxy.nextRequest((r) => r.route === '/mj/submit/video');
    slash('video', [{ name: 'image', type: 11, value: a.id }, { name: 'prompt', type: 3, value: 'a bee flies in' }, { name: 'motion', type: 3, value: 'high' }], { attachments: [a] });
    const body = (await req).body;
    expect(body.image).toMatch(/^data:image\/png;base64,/);
    expect(body.motion).toBe('high');
    expect(body.prompt).toBe('a bee flies in');
    await h.tracked();
    await finishAll();
    const done = await h.discord.waitForMessage((m) => m.attachments.length === 4);
    expect(done.attachments.every((x: any) => /\.mp4$/.test(x.filename))).toBe(true);
  });

  it('/video requires a prompt (the proxy refuses a video without one), and one of parameters only is empty', async () => {
    const prompt = (video.definition({ modes: [] }).options ?? []).find((o: any) => o.name === 'prompt') as any;
    expect(prompt.required).toBe(true);
    const a = image('frame.png');
    const it = slash('video', [{ name: 'image', type: 11, value: a.id }, { name: 'prompt', type: 3, value: '--motion high' }], { attachments: [a] });
    await callbackMatching(it, /prompt is empty/);
    expect(h.proxy.requests.some((r) => r.route === '/mj/submit/video')).toBe(false);
  });

  it('/edits attaches the four edited images', async () => {
    const a = image('room.png');
    const req = h.proxy.nextRequest((r) => r.route === '/mj/submit/edits');
    slash('edits', [{ name: 'image', type: 11, value: a.id }, { name: 'prompt', type: 3, value: 'white background' }], { attachments: [a] });
    expect((await req).body.prompt).toBe('white background');
    await h.tracked();
    await finishAll();
    const done = await h.discord.waitForMessage((m) => m.attachments.length === 4);
    expect(done.attachments.every((x: any) => /\.png$/.test(x.filename))).toBe(true);
  });

  it('/swapface sends both images and shows the swapped one', async () => {
    const s = image('face.png');
    const t = image('target.png');
    const req = h.proxy.nextRequest((r) => r.route === '/mj/insight-face/swap');
    slash('swapface', [{ name: 'source', type: 11, value: s.id }, { name: 'target', type: 11, value: t.id }], { attachments: [s, t] });
    const body = (await req).body;
    expect(body.sourceBase64).toMatch(/^data:image\/png;base64,/);
    expect(body.targetBase64).toMatch(/^data:image\/png;base64,/);
    await h.tracked();
    await finishAll();
    await h.discord.waitForMessage((m) => m.attachments.length === 1 && /swapface/.test(m.content));
  });
});

describe('/seed, /task, /tasks', () => {
  async function finishedImagine(): Promise<string> {
    slash('imagine', [{ name: 'prompt', type: 3, value: 'seed source' }]);
    const id = await h.trackedId();
    await finishAll();
    await h.discord.waitForMessage((m) => m.components.length === 3);
    return id;
  }

  it('/seed answers privately with a copyable --seed', async () => {
    const id = await finishedImagine();
    const it = slash('seed', [{ name: 'task', type: 3, value: id }]);
    const msg = await h.discord.waitForMessage((m) => m.id === h.discord.originalOf(it)?.id && /--seed \d+/.test(m.content));
    expect(msg.flags & 64).toBe(64);
  });

  it('/seed autocompletes over the user’s recent jobs', async () => {
    const id = await finishedImagine();
    const ac = h.discord.autocomplete('seed', [{ name: 'task', type: 3, value: 'seed', focused: true }]);
    await h.discord.waitForCall((c) => c.path.includes(`/interactions/${ac.id}/`));
    const choices = h.discord.callbackOf(ac).data.choices;
    expect(choices[0].value).toBe(id);
    expect(choices[0].name).toMatch(/seed source/);
  });

  it('/task brings a finished job back with live buttons; an unknown id is refused', async () => {
    const id = await finishedImagine();
    const it = slash('task', [{ name: 'id', type: 3, value: id }]);
    const shown = await h.discord.waitForMessage((m) => m.id === h.discord.originalOf(it)?.id && m.components.length === 3);
    const req = h.proxy.nextRequest((r) => r.route === '/mj/submit/action');
    h.discord.clickButton(shown.id, shown.components[0].components[0].custom_id);
    expect((await req).body.taskId).toBe(id);

    slash('task', [{ name: 'id', type: 3, value: '9999999999999999' }]);
    await ephemeralMatching(/No job with id 9999999999999999/);
  });

  it('/tasks lists recent jobs privately with their status', async () => {
    const id = await finishedImagine();
    const it = slash('tasks', []);
    const msg = await h.discord.waitForMessage((m) => m.id === h.discord.originalOf(it)?.id && m.embeds.length === 1);
    expect(msg.flags & 64).toBe(64);
    expect(msg.embeds[0].description).toContain(id);
    expect(msg.embeds[0].description).toContain('SUCCESS');
  });

  it('/tasks with more ids than the backend takes in one list asks in halves, and lists them all', async () => {
    const ids = Array.from({ length: 10 }, (_, i) => h.proxy.addTask({ prompt: `listed ${i}` }));
    h.proxy.setQuirks({ listMax: 5 });
    const it = slash('tasks', [{ name: 'ids', type: 3, value: ids.join(' ') }]);
    const msg = await h.discord.waitForMessage((m) => m.id === h.discord.originalOf(it)?.id && m.embeds.length === 1);
    for (const id of ids) expect(msg.embeds[0].description).toMatch(new RegExp(`\`${id}\` · \\*\\*SUCCESS`));
    expect(await h.app.stores.capabilities.forBackend('default').get('capability:list-by-condition-max')).toBe(5);
  });
});

describe('backends differ', () => {
  it('an action the backend does not know gets a clear message', async () => {
    slash('imagine', [{ name: 'prompt', type: 3, value: 'bookmark me' }]);
    await h.tracked();
    await finishAll();
    const grid = await h.discord.waitForMessage((m) => m.components.length === 3);
    h.discord.clickButton(grid.id, grid.components[0].components[0].custom_id);
    const upId = await h.trackedId();
    h.proxy.finish(upId);
    await h.app.poller.tick();
    const up = await h.discord.waitForMessage((m) => buttons(m).some((b: any) => b.emoji?.name === '❤️'));
    h.proxy.setQuirks({ rejectActions: ['BOOKMARK'] });
    const heart = buttons(up).find((b: any) => b.emoji?.name === '❤️');
    h.discord.clickButton(up.id, heart.custom_id);
    await ephemeralMatching(/does not offer that/);

    // The bot stops offering that button: the next upscale comes without a heart.
    h.discord.clickButton(grid.id, grid.components[0].components[1].custom_id);
    const up2 = await h.trackedId();
    h.proxy.finish(up2);
    await h.app.poller.tick();
    const second = await h.discord.waitForMessage((m) => m.id !== up.id && buttons(m).length > 0 && m.content.includes('Image #2'));
    expect(buttons(second).some((b: any) => b.emoji?.name === '❤️')).toBe(false);
    expect(buttons(second).length).toBeGreaterThan(0);
  });

  it('speaks Chinese in command errors', async () => {
    const a = image('a.png');
    const it = slash('blend', [{ name: 'image', type: 11, value: a.id }], { attachments: [a], locale: 'zh-CN' });
    await callbackMatching(it, /需要 2–5 张图片，你提供了 1 张/);
  });
});

describe('speed modes', () => {

  it('a job run under a mode keeps its mode base path for /seed too', async () => {
    await h.close();
    const port = await freePort();
    h = await startHarness({ proxy: { port }, env: { MJ_MODES: `relax=http://127.0.0.1:${port}/mj-relax/mj` } });
    const req = h.proxy.nextRequest((r) => r.route === '/mj/submit/imagine');
    slash('imagine', [{ name: 'prompt', type: 3, value: 'slow fox' }, { name: 'mode', type: 3, value: 'relax' }]);
    expect(await req).toMatchObject({ path: '/mj-relax/mj/submit/imagine', mode: 'RELAX' });
    const id = await h.trackedId();
    await finishAll();
    await h.discord.waitForMessage((m) => m.components.length === 3);
    const seedReq = h.proxy.nextRequest((r) => r.route === `/mj/task/${id}/image-seed`);
    const it = slash('seed', [{ name: 'task', type: 3, value: id }]);
    expect(await seedReq).toMatchObject({ path: `/mj-relax/mj/task/${id}/image-seed`, mode: 'RELAX', status: 200 });
    await h.discord.waitForMessage((m) => m.id === h.discord.originalOf(it)?.id && /--seed \d+/.test(m.content));
  });
});
