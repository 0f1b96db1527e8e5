// Downloads of user attachments and of finished results: http(s) only, no redirects followed,
// a size cap checked while streaming, a timeout. Failures are values, not exceptions.
import { request, type Dispatcher } from 'undici';

export interface Downloaded {
  data: Buffer;
  contentType: string;
}

/** PRIVATE: the host is (or resolves to) a private address the operator did not configure. */
export type DownloadFailure = 'BAD_URL' | 'TOO_LARGE' | 'HTTP_ERROR' | 'UNREACHABLE' | 'EMPTY' | 'PRIVATE';

export interface DownloadOptions {
  maxBytes: number;
  timeoutMs: number;
  dispatcher?: Dispatcher;
}

export async function download(url: string, opts: DownloadOptions): Promise<Downloaded | { error: DownloadFailure }> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { error: 'BAD_URL' };
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return { error: 'BAD_URL' };
  try {
    const res = await request(u, {
      method: 'GET',
      signal: AbortSignal.timeout(opts.timeoutMs),
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
      dispatcher: opts.dispatcher,
    });
    if (res.statusCode !== 200) {
      await res.body.dump();
      return { error: 'HTTP_ERROR' };
    }
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > opts.maxBytes) {
      discard(res.body);
      return { error: 'TOO_LARGE' };
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      size += chunk.length;
      if (size > opts.maxBytes) {
        discard(res.body);
        return { error: 'TOO_LARGE' };
      }
      chunks.push(chunk as Buffer);
    }
    if (size === 0) return { error: 'EMPTY' };
    const ct = String(res.headers['content-type'] ?? 'application/octet-stream').split(';')[0]!.trim().toLowerCase();
    return { data: Buffer.concat(chunks), contentType: ct };
  } catch (err) {
    const e = err as { code?: string; cause?: { code?: string } };
    return { error: e.code === 'EPRIVATE' || e.cause?.code === 'EPRIVATE' ? 'PRIVATE' : 'UNREACHABLE' };
  }
}

/** The image type the bytes really are (magic numbers), whatever the upload claimed. */
export function sniffImageType(data: Buffer): 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp' | null {
  if (data.length >= 8 && data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  if (data.length >= 6 && /^GIF8[79]a$/.test(data.subarray(0, 6).toString('latin1'))) return 'image/gif';
  if (data.length >= 12 && data.subarray(0, 4).toString('latin1') === 'RIFF' && data.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  return null;
}

export type VideoType = 'video/mp4' | 'video/quicktime' | 'video/webm';

/** The video type the bytes really are: an ISO media file (MP4, QuickTime) or Matroska/WebM. */
export function sniffVideoType(data: Buffer): VideoType | null {
  if (data.length >= 12 && data.subarray(4, 8).toString('latin1') === 'ftyp') return data.subarray(8, 12).toString('latin1') === 'qt  ' ? 'video/quicktime' : 'video/mp4';
  if (data.length >= 4 && data.readUInt32BE(0) === 0x1a45dfa3) return 'video/webm';
  return null;
}

const VIDEO_NAME = /\.(mp4|m4v|mov|webm)$/i;

/**
 * The media type a downloaded result really is, when its bytes are the kind of media its file
 * name claims (an image for .png/.jpg/.webp/.gif, a video for .mp4/.mov/.webm); null otherwise, and
 * the result then stays a link. A proxy may serve WebP under a .png name: still an image.
 */
export function mediaTypeOf(data: Buffer, name: string): string | null {
  return VIDEO_NAME.test(name) ? sniffVideoType(data) : sniffImageType(data);
}

export function toDataUrl(data: Buffer, mime: string): string {
  return `data:${mime};base64,${data.toString('base64')}`;
}

/** Stops reading a body. undici's destroy() emits an AbortError; without a listener that error
 * would be uncaught and take the process down. */
export function discard(body: { on(event: 'error', fn: () => void): unknown; destroy(): unknown }): void {
  body.on('error', () => undefined);
  body.destroy();
}
