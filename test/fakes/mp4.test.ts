// The fake proxy's videos really play: a browser (the system Chromium, as the playground's tests
// use it) decodes the clip the fake serves for `….mp4` links, at its size, length and colour.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../stand-ins/playground/chromium.ts';
import { encodeMp4, mp4Of } from '../../stand-ins/fake-proxy.ts';

// Callbacks below run in the page; the project compiles without the DOM library.
declare const document: any;

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
}, 30_000);
afterAll(async () => {
  await browser?.close();
});

/**
 * What the browser makes of the bytes: size, duration, and the colour of the frame shown. `waitMs`:
 * how long each step may take (generous for a clip that should play: the machine may be busy).
 */
async function play(mp4: Buffer, waitMs = 30_000): Promise<{ w: number; h: number; duration: number; error?: string; rgb: number[] }> {
  const page = await browser.newPage();
  try {
    return await page.evaluate(async ([b64, waitMs]) => {
      const v = document.createElement('video');
      v.muted = true;
      document.body.appendChild(v);
      let error: string | undefined;
      await new Promise<void>((resolve) => {
        v.onloadeddata = () => resolve();
        v.onerror = () => {
          error = `${v.error?.code} ${v.error?.message}`;
          resolve();
        };
        v.src = `data:video/mp4;base64,${b64}`;
        // Neither event: the browser found nothing it could play.
        setTimeout(() => {
          error ??= v.readyState < 2 ? `no data after ${waitMs} ms` : undefined;
          resolve();
        }, waitMs);
      });
      if (!error) {
        // A frame is decoded once a seek to it is done (or a frame callback ran). Not by playing: in a headless
        // Chromium on a busy machine a playing video's frame callback sometimes never came (30 s, CI).
        await new Promise<void>((resolve) => {
          v.requestVideoFrameCallback(() => resolve());
          v.addEventListener('seeked', () => resolve(), { once: true });
          v.currentTime = 0.5;
          setTimeout(() => {
            error ??= `no frame decoded after ${waitMs} ms`;
            resolve();
          }, waitMs);
        });
      }
      const c = document.createElement('canvas');
      c.width = 16;
      c.height = 16;
      const ctx = c.getContext('2d')!;
      // The decoded frame reaches what a canvas can draw a moment after the seek on a busy machine: drawn
      // again until it is there (a clip of one colour is never black), within the same time.
      const pixel = () => {
        ctx.drawImage(v, 0, 0);
        return (Array.from(ctx.getImageData(8, 8, 1, 1).data) as number[]).slice(0, 3);
      };
      let rgb = pixel();
      for (const until = Date.now() + waitMs; !error && rgb.every((x) => x === 0) && Date.now() < until; rgb = pixel()) await new Promise((r) => setTimeout(r, 50));
      return { w: v.videoWidth, h: v.videoHeight, duration: v.duration, error, rgb };
    }, [mp4.toString('base64'), waitMs] as const);
  } finally {
    await page.close();
  }
}

describe('the fake proxy’s MP4 clips', () => {
  it('play in a browser: 16×16, one second, the colour asked for', async () => {
    const red = await play(mp4Of([220, 40, 40]));
    expect(red).toMatchObject({ w: 16, h: 16, duration: 1 });
    expect(red.error).toBeUndefined();
    const [r, g, b] = red.rgb;
    expect(Math.abs(r! - 220)).toBeLessThan(8);
    expect(Math.abs(g! - 40)).toBeLessThan(8);
    expect(Math.abs(b! - 40)).toBeLessThan(8);
    const blue = await play(mp4Of([30, 60, 200]));
    expect(Math.abs(blue.rgb[2]! - 200)).toBeLessThan(8);
    // A decode waits up to 30 s: a loaded CI machine took over 10 s for the first frame once.
  }, 70_000);

  it('a clip whose frame is broken does not (the check can fail)', async () => {
    const good = encodeMp4();
    const broken = Buffer.from(good);
    // The avcC's SPS length, made to point past the record: the decoder has no valid configuration.
    const at = broken.indexOf(Buffer.from('avcC', 'latin1')) + 10;
    broken.writeUInt16BE(0x7fff, at);
    expect((await play(broken, 2_000)).error).toBeDefined();
  });
});
