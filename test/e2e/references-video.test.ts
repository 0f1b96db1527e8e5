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

    // Settings 6.1: cref goes through; the prompt's --v 7 wins over them for oref.
    const cref = await imagineWith('a knight', { cref: face }, { cw: 50 });
    expect(cref).toMatch(/^a knight --cref \S+ --cw 50$/);
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
