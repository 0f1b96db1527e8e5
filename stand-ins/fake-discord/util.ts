// Small helpers for the fake Discord: snowflakes, MIME types, image sizes, Discord-shaped errors.
import type { RESTError, RESTErrorData, RESTErrorFieldInformation } from 'discord-api-types/v10';

const DISCORD_EPOCH = 1420070400000n;
let counter = 0n;

/** A Discord-looking snowflake (18-19 digits) for the given ms timestamp. Unique within the process. */
export function snowflakeAt(ms: number): string {
  const t = BigInt(Math.floor(ms)) - DISCORD_EPOCH;
  counter = (counter + 1n) & 0x1ffffn; // worker+process+increment bits (17 bits)
  return ((t << 22n) | counter).toString();
}

const MIME: Record<string, string> = {
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp',
  txt: 'text/plain; charset=utf-8', csv: 'text/csv; charset=utf-8', json: 'application/json; charset=utf-8',
  mp4: 'video/mp4', webm: 'video/webm', mp3: 'audio/mpeg', pdf: 'application/pdf', zip: 'application/zip',
};

export function mimeFor(filename: string, given?: string): string | undefined {
  if (given && given !== 'application/octet-stream') return given;
  const ext = /\.([A-Za-z0-9]+)$/.exec(filename)?.[1]?.toLowerCase();
  return (ext && MIME[ext]) ?? given ?? undefined;
}

/** Discord rewrites uploaded file names: spaces and URL-unsafe characters become '_'. */
export function sanitizeFilename(name: string): string {
  const s = name.replace(/[\s/\\?#%&'"<>|*:]+/g, '_');
  return s.length ? s : 'unknown';
}

/** width/height of PNG, GIF, JPEG and WebP images, else undefined. */
export function imageSize(b: Buffer): { width: number; height: number } | undefined {
  try {
    if (b.length >= 24 && b.readUInt32BE(0) === 0x89504e47 && b.toString('ascii', 12, 16) === 'IHDR') {
      return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
    }
    if (b.length >= 10 && b.toString('ascii', 0, 3) === 'GIF') return { width: b.readUInt16LE(6), height: b.readUInt16LE(8) };
    if (b.length >= 30 && b.toString('ascii', 0, 4) === 'RIFF' && b.toString('ascii', 8, 12) === 'WEBP') {
      const chunk = b.toString('ascii', 12, 16);
      if (chunk === 'VP8X') return { width: 1 + b.readUIntLE(24, 3), height: 1 + b.readUIntLE(27, 3) };
      if (chunk === 'VP8 ') return { width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff };
      if (chunk === 'VP8L') {
        const bits = b.readUInt32LE(21);
        return { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
      }
    }
    if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
      let i = 2;
      while (i + 9 < b.length) {
        if (b[i] !== 0xff) { i++; continue; }
        const marker = b.readUInt8(i + 1);
        if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
          return { height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) };
        }
        i += 2 + b.readUInt16BE(i + 2);
      }
    }
  } catch {
    /* not an image we understand */
  }
  return undefined;
}

interface ErrorNode {
  _errors?: RESTErrorFieldInformation[];
  [field: string]: ErrorNode | RESTErrorFieldInformation[] | undefined;
}

/** Collects Discord "Invalid Form Body" errors: { a: { 0: { b: { _errors: [{code, message}] } } } }. */
export class FormErrors {
  errors: ErrorNode = {};
  count = 0;
  add(path: (string | number)[], code: string, message: string): void {
    let node = this.errors;
    for (const p of path) node = (node[String(p)] ??= {}) as ErrorNode;
    (node._errors ??= []).push({ code, message });
    this.count++;
  }
  get ok(): boolean { return this.count === 0; }
  body(): RESTError { return { message: 'Invalid Form Body', code: 50035, errors: this.errors as RESTErrorData }; }
}

export function isSnowflake(v: unknown): boolean {
  return typeof v === 'string' ? /^\d{15,21}$/.test(v) : typeof v === 'number' || typeof v === 'bigint';
}
