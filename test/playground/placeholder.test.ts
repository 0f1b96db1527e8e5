// The simulated proxy's placeholder pictures: real PNGs sized by --ar, served for a task's result.
import { inflateSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeProxy, type FakeProxy } from '../../stand-ins/fake-proxy.ts';
import { glyph, hasGlyph } from '../../stand-ins/fake-proxy/bitmap-font.ts';
import { cellSize, gridPng, singlePng, wrap } from '../../stand-ins/fake-proxy/placeholder.ts';

function pngSize(b: Buffer): [number, number] {
  expect(b.subarray(0, 8).toString('latin1')).toBe('\x89PNG\r\n\x1a\n');
  return [b.readUInt32BE(16), b.readUInt32BE(20)];
}

let proxy: FakeProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

describe('placeholder pictures', () => {
  it('the font has every printable ASCII character, and a box for the rest', () => {
    for (let c = 32; c < 127; c++) expect(hasGlyph(String.fromCharCode(c))).toBe(true);
    expect(hasGlyph('猫')).toBe(false);
    expect(glyph('猫')).toEqual([31, 17, 17, 17, 17, 17, 31]);
    expect(glyph('I')).toEqual([14, 4, 4, 4, 4, 4, 14]);
  });

  it('a grid is 2×2 cells sized by --ar; a single picture the same', () => {
    expect(cellSize('x --ar 3:2')).toEqual({ w: 256, h: 171 });
    expect(cellSize('x --ar 9:16')).toEqual({ w: 144, h: 256 });
    expect(cellSize('x --ar 10:1')).toEqual({ w: 256, h: 85 });
    expect(pngSize(gridPng({ prompt: 'a fox --ar 3:2', key: 'k' }))).toEqual([512, 342]);
    expect(pngSize(singlePng({ prompt: 'a fox', key: 'k', position: 2, label: '#2' }))).toEqual([512, 512]);
    // Real pixels, not a solid square: the compressed data inflates to the full picture.
    const png = gridPng({ prompt: 'a fox', key: 'k', progress: '46%' });
    const idat = png.indexOf('IDAT');
    const raw = inflateSync(png.subarray(idat + 4, idat + 4 + png.readUInt32BE(idat - 4)));
    expect(raw.length).toBe(512 * (512 * 3 + 1));
    expect(new Set(raw).size).toBeGreaterThan(20);
  });

  it('wraps the prompt into lines, cutting with "..."', () => {
    expect(wrap('a red fox in the snow', 10, 3)).toEqual(['a red fox', 'in the', 'snow']);
    expect(wrap('one two three four five six', 7, 2)).toEqual(['one two', 'thre...']);
    expect(wrap('abcdefghijkl', 5, 3)).toEqual(['abcde', 'fghij', 'kl']);
  });

  it('the fake proxy serves them for a task\'s grid, preview and upscale when asked to', async () => {
    proxy = await startFakeProxy({ advance: 'manual', placeholders: true });
    const id = proxy.addTask({ prompt: 'a castle --ar 16:9' });
    const url = proxy.getTask(id).imageUrl as string;
    const res = await fetch(url);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(pngSize(Buffer.from(await res.arrayBuffer()))).toEqual([512, 288]);
  });

  it('without the option the fake keeps its tiny solid squares (what the tests expect)', async () => {
    proxy = await startFakeProxy({ advance: 'manual' });
    const id = proxy.addTask({ prompt: 'a castle --ar 16:9' });
    const res = await fetch(proxy.getTask(id).imageUrl as string);
    expect(pngSize(Buffer.from(await res.arrayBuffer()))).toEqual([16, 16]);
  });
});
