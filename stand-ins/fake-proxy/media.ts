// Small but real media bytes for the URLs the fake puts in imageUrl / videoUrls.
// zlib.crc32 (Node ≥ 20.15) is the CRC-32 PNG chunks carry: https://www.w3.org/TR/png/#5CRC-algorithm
import { crc32, deflateSync } from 'node:zlib';
import { encodeMp4 } from './mp4.ts';

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([len, typeAndData, crc]);
}

export type Rgb = readonly [number, number, number];

/** An 8-bit RGB PNG of a solid colour (default 16×16). */
export function encodePng(rgb: Rgb, width = 16, height = 16): Buffer {
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i++) pixels.set(rgb, i * 3);
  return encodePngRgb(pixels, width, height);
}

/** An 8-bit RGB PNG of `pixels` (row-major, 3 bytes a pixel). */
export function encodePngRgb(pixels: Uint8Array, width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  ihdr[10] = 0; // compression
  ihdr[11] = 0; // filter
  ihdr[12] = 0; // interlace
  const stride = width * 3;
  const raw = Buffer.alloc((stride + 1) * height); // each row: filter byte 0, then pixels
  for (let y = 0; y < height; y++) raw.set(pixels.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(raw)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A deterministic colour for a string (so different jobs get different-looking images). */
export function colorFor(key: string): Rgb {
  let h = 2166136261;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619);
  return [(h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff];
}

/** A valid 1×1 lossless WebP (the progress previews are `…_grid_0.webp`). */
export const WEBP_1X1 = Buffer.from('UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==', 'base64');

/** A playable one-second MP4 (a 16×16 H.264 frame) of the colour `rgb`: see mp4.ts. */
export function mp4Of(rgb: Rgb): Buffer {
  const [r, g, b] = rgb;
  // BT.601, studio range: what a decoder turns back into the same RGB.
  const y = Math.round(16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255);
  const u = Math.round(128 + (-37.797 * r - 74.203 * g + 112 * b) / 255);
  const v = Math.round(128 + (112 * r - 93.786 * g - 18.214 * b) / 255);
  return encodeMp4([y, u, v]);
}

/** The video the fake serves for `….mp4` links when the colour does not matter. */
export const MP4_CLIP = mp4Of([220, 40, 40]);

const DATA_URL = /^data:(image\/[a-z0-9.+-]+);base64,([a-z0-9+/=\s]+)$/i;

/** Parses a data URL of an image; null when it is not one (what the proxies call "base64格式错误"). */
export function parseImageDataUrl(s: unknown): { mime: string; bytes: Buffer } | null {
  if (typeof s !== 'string') return null;
  const [, mime, base64] = DATA_URL.exec(s.trim()) ?? [];
  if (mime === undefined || base64 === undefined) return null;
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length === 0) return null;
  return { mime: mime.toLowerCase(), bytes };
}

export function isHttpUrl(s: unknown): s is string {
  return typeof s === 'string' && /^https?:\/\/\S+$/i.test(s.trim());
}

export function extensionForMime(mime: string): string {
  const sub = mime.split('/')[1] ?? 'png';
  return sub === 'jpeg' ? 'jpg' : sub.replace(/[^a-z0-9]/g, '') || 'png';
}
